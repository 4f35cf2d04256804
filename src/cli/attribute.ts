// `npm run trace -- --attribute L.H`: the option's parsing and range checks, and the two fields it adds to the
// trace JSON: `attribution` (head H of layer L, numbered from 1 as on the page) and `naive_attribution`.

import { UsageError } from './args';
import { attributionParts, attributionTerms } from '../model/attribution';
import type { GPT2Config } from '../model/config';
import { NAIVE_COMPONENTS, naiveScoreTerms } from '../model/naive-terms';
import type { Trace } from '../model/trace';
import type { GPT2Weights } from '../model/weights';
import type { TraceJsonExtra } from '../node/trace-file';

/** Beyond this many numbers (N²·T²) the JSON would run to gigabytes: a shorter text is asked for instead. */
export const MAX_ATTRIBUTION_NUMBERS = 50_000_000;

/** Layer and head from "L.H" (both from 1); only the form is checked here, the range once the model is known. */
export function parseAttribute(value: string): { layer: number; head: number } {
  const match = /^(\d+)\.(\d+)$/.exec(value.trim());
  if (!match)
    throw new UsageError(
      `--attribute takes a layer and a head as L.H, numbered from 1 (e.g. 1.2), not "${value}"`,
    );
  return { layer: Number(match[1]), head: Number(match[2]) };
}

/** Refuses a layer or head the model does not have, in one sentence that gives the ranges. */
export function checkAttributeRange({ layer, head }: { layer: number; head: number }, config: GPT2Config) {
  if (layer < 1 || layer > config.nLayer)
    throw new UsageError(
      `--attribute layer ${layer} is out of range: this model has ${config.nLayer} layer${config.nLayer === 1 ? '' : 's'} (1 to ${config.nLayer})`,
    );
  if (head < 1 || head > config.nHead)
    throw new UsageError(
      `--attribute head ${head} is out of range: this model has ${config.nHead} head${config.nHead === 1 ? '' : 's'} per layer (1 to ${config.nHead})`,
    );
}

/** The `attribution` and `naive_attribution` fields for `trace` (a full trace), head `head` of `layer`. */
export function attributionFields(
  weights: GPT2Weights,
  trace: Trace,
  { layer, head }: { layer: number; head: number },
  maxNumbers = MAX_ATTRIBUTION_NUMBERS,
): Record<string, TraceJsonExtra> {
  const T = trace.ids.length;
  const parts = attributionParts(weights, trace.tensors, layer - 1, head - 1);
  const N = parts.components.length;
  if (N * N * T * T > maxNumbers) {
    const most = Math.floor(Math.sqrt(maxNumbers) / N);
    throw new UsageError(
      `--attribute at layer ${layer} splits each score into ${N}×${N} terms, too many to write for ${T} tokens; ` +
        `give a text of at most ${most} tokens`,
    );
  }
  return {
    attribution: {
      layer,
      head,
      components: parts.components,
      shape: [N, N, T, T],
      data: attributionTerms(parts),
    },
    naive_attribution: {
      components: [...NAIVE_COMPONENTS],
      shape: [2, 2, T, T],
      data: naiveScoreTerms(trace.tensors.tok_emb.data, trace.tensors.pos_emb.data, T, weights.config.nEmbd),
    },
  };
}
