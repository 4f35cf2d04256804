// The seven walkthrough steps, in order.

import { step1 } from './step1-tokens';
import { step2 } from './step2-token-embeddings';
import { step3 } from './step3-position-embeddings';
import { step4 } from './step4-input-embeddings';
import { step5 } from './step5-scores';
import { step6 } from './step6-weights';
import { step7 } from './step7-context';
import type { StepDef } from './types';

export const STEPS: StepDef[] = [step1, step2, step3, step4, step5, step6, step7];
