// The shape of a walkthrough step: a title, the book section, a few plain sentences, the formula, and a body
// that draws the step's matrices. Each step lives in its own file.

import type { ReactNode } from 'react';
import type { AppTrace, Settings } from '../data/types';

export interface StepContext {
  trace: AppTrace;
  settings: Settings;
}

export interface StepDef {
  number: number;
  /** The step's name in the step list (fixed, so links and buttons keep their names). */
  title: string;
  /** The heading over the step when the settings change what it shows (the masked weights); the title otherwise. */
  heading?: (ctx: StepContext) => string;
  /** Book section(s), e.g. "§2.7". */
  section: (ctx: StepContext) => string;
  /** Two to four plain sentences. */
  sentences: (ctx: StepContext) => string[];
  formula: (ctx: StepContext) => string;
  Body: (props: StepContext) => ReactNode;
}
