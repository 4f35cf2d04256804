// What the views read: the tensors of one run (a model trace or the book's example) and the settings that pick
// which of them a step shows. Plain data, so a trace can cross the worker boundary and be shared by every view.

import type { Ablation, AblationMode } from '../../model/ablation';
import type { TraceShape } from '../../model/config';
import type { BackendPreference, TensorMap } from '../../model/trace';

export type AttentionMode = 'naive' | 'trainable';
export type Preset = 'none' | 'book';
/** The page's two views: the step-by-step explorer, and training a model in the browser. */
export type PageView = 'explore' | 'train';
export const PAGE_VIEWS: readonly PageView[] = ['explore', 'train'];

/** Everything the URL holds: opening the same link restores the same view. */
export interface Settings {
  text: string;
  mode: AttentionMode;
  /** Naive mode only: use input embeddings (true) or token embeddings alone (false). */
  positions: boolean;
  /** Naive mode (and the book's trainable attention): hide the future with the causal mask. */
  causal: boolean;
  layer: number;
  head: number;
  /** 1..7, see steps/. */
  step: number;
  allHeads: boolean;
  preset: Preset;
  /** Model folder URL ('' = the built-in default; 'local:NAME' = files cached in this browser). */
  model: string;
  backend: BackendPreference;
  temperature: number;
  /** Sampling for "append" and "generate": keep the k likeliest tokens (0 = all of them). */
  topK: number;
  /** Sampling: keep the likeliest tokens whose probabilities add up to p (1 = all of them). */
  topP: number;
  /** Sampling seed: the same seed, text and settings always append the same tokens. */
  seed: number;
  /** How many tokens "generate" appends. */
  generateCount: number;
  /** The attention row charted as bars (step 6), or null. */
  row: number | null;
  /** Read a typed <|endoftext|> as GPT-2's special token 50256 rather than as plain characters. */
  special: boolean;
  view: PageView;
  /** Heads knocked out, as people count them from 1: "2.4,1.1" ('' = none). Checked against the model. */
  ablate: string;
  /** How they are knocked out: context zeroed, or replaced by its mean over the text's positions. */
  ablateMode: AblationMode;
}

/**
 * The sentence the page opens with. It has the same token twice (“␣the”, id 262, at positions 2 and 7), neither copy at
 * the very start, where “the” would be another token (id 1169): the page's lesson on position embeddings needs
 * one token with two identical token-embedding rows.
 */
export const DEFAULT_TEXT = 'then the fat cat sat on the mat';

export const DEFAULT_SETTINGS: Settings = {
  text: DEFAULT_TEXT,
  mode: 'naive',
  positions: true,
  causal: false,
  layer: 0,
  head: 0,
  step: 1,
  allHeads: false,
  preset: 'none',
  model: '',
  backend: 'auto',
  temperature: 1,
  topK: 0,
  topP: 1,
  seed: 1,
  generateCount: 10,
  row: null,
  special: false,
  view: 'explore',
  ablate: '',
  ablateMode: 'zero',
};

/** One run, ready for the views. */
export interface AppTrace {
  source: 'model' | 'book';
  /** Increases with every request; views use it to tell a new result from an old one. */
  requestId: number;
  tokens: string[];
  ids: number[];
  truncated: boolean;
  /** Tokens read: the context plus one when the text was cut (the tokenizer stops there). */
  totalTokens: number;
  shape: TraceShape;
  /** The layer whose per-layer tensors are in `tensors`. */
  layer: number;
  tensors: TensorMap;
  /** What computed it, for people ("CPU", the adapter name, or "the book's numbers"). */
  computedBy: string;
  /** The heads knocked out in this run, if any. */
  ablation?: Ablation;
}

/** How many of the likeliest next tokens the worker lists, and the panel keeps room for while they are computed. */
export const TOP_NEXT_COUNT = 10;

/** The next-token panel's data for one request: the last position's logits and the top ten by logit. */
export interface NextTokens {
  requestId: number;
  /** Logits of the last position (V). */
  logits: Float32Array;
  /** The ten most likely next tokens by logit, with readable text (order does not depend on temperature). */
  topNext: { id: number; text: string }[];
}
