// What the training log says about a trained model's quality, all on text it never trained on: its held-out
// loss beside unigram and bigram baselines from the same training text, how many tokens of everyday sentences
// and of held-out text fall on the shared "unknown" row, and every head's detector scores.

import { cpuForward } from '../model/cpu/forward';
import {
  DETECTORS,
  inductionHeadScores,
  inductionProbe,
  textHeadScores,
  type DetectorKind,
} from '../model/head-detectors';
import type { GPT2Weights } from '../model/weights';
import { encode } from '../tokenizer/gpt2';
import { bigramLoss, unigramLoss } from './baselines';
import { meanLossOver } from './data';
import { EVERYDAY_SENTENCES } from './everyday-sentences';
import type { GPT2Training } from './gpt2-train';
import type { TrainVocab } from './vocab';
import { defaultCpuKernels } from '../model/wasm/select';

export interface SharedRowRate {
  tokens: number;
  /** Tokens whose embedding row is the shared one (equal to other tokens' rows). */
  shared: number;
  fraction: number;
}

export function sharedRowRate(ids: ArrayLike<number>, vocab: TrainVocab): SharedRowRate {
  const sharedRow = vocab.size - 1;
  let shared = 0;
  for (let i = 0; i < ids.length; i++)
    if (vocab.sharedCount > 0 && vocab.toCompact[ids[i]] === sharedRow) shared++;
  return { tokens: ids.length, shared, fraction: ids.length ? shared / ids.length : 0 };
}

/** The held-out loss and the two baselines on exactly the same (previous, target) pairs. */
export function heldOutLosses(
  training: GPT2Training,
  vocab: TrainVocab,
  trainIds: Int32Array,
  heldOutIds: Int32Array,
  starts: number[],
) {
  const T = training.T;
  const compact = heldOutIds.map((id) => vocab.toCompact[id]);
  const previous: number[] = [];
  const targets: number[] = [];
  for (const s of starts) {
    for (let t = 0; t < T; t++) {
      previous.push(heldOutIds[s + t]);
      targets.push(heldOutIds[s + t + 1]);
    }
  }
  return {
    windows: starts.length,
    targetTokens: targets.length,
    model: meanLossOver(training, compact, starts),
    unigram: unigramLoss(trainIds, targets, vocab.fullSize),
    bigram: bigramLoss(trainIds, previous, targets, vocab.fullSize),
  };
}

export interface HeadTypeScores {
  layer: number;
  head: number;
  previousToken: number;
  duplicateToken: number;
  induction: number;
  firstToken: number;
}

/**
 * Every head's four detector scores (src/model/head-detectors.ts) on the model as shipped: previous-,
 * duplicate- and first-token averaged over held-out windows (each weighted by the tokens it scores), induction
 * averaged over `probes` seeded probes of repeated random tokens.
 */
export function headTypeScores(
  weights: GPT2Weights,
  heldOutIds: Int32Array,
  starts: number[],
  T: number,
  probes = 4,
): { measuredOn: Record<DetectorKind, string>; heads: HeadTypeScores[] } {
  const { nLayer, nHead } = weights.config;
  const include = Array.from({ length: nLayer }, (_, l) => `h${l}.attn_weights`);
  const attention = (ids: number[]) => {
    const tensors = cpuForward(weights, ids, { include, logits: 'none' }, defaultCpuKernels());
    return include.map((name) => tensors[name].data);
  };
  const sums: Record<DetectorKind, Float64Array> = {
    previousToken: new Float64Array(nLayer * nHead),
    duplicateToken: new Float64Array(nLayer * nHead),
    induction: new Float64Array(nLayer * nHead),
    firstToken: new Float64Array(nLayer * nHead),
  };
  const weightOf = { previousToken: 0, duplicateToken: 0, induction: 0, firstToken: 0 };
  const add = (kind: DetectorKind, grid: number[][] | null, count: number) => {
    if (!grid || count === 0) return;
    grid.forEach((row, l) => row.forEach((score, h) => (sums[kind][l * nHead + h] += score * count)));
    weightOf[kind] += count;
  };
  for (const start of starts) {
    const ids = Array.from(heldOutIds.subarray(start, start + T));
    const scores = textHeadScores(attention(ids), nHead, ids);
    add('previousToken', scores.previousToken, scores.counts.previousToken);
    add('duplicateToken', scores.duplicateToken, scores.counts.duplicateToken);
    add('firstToken', scores.firstToken, scores.counts.firstToken);
  }
  let repeatLength = 0;
  for (let seed = 1; seed <= probes; seed++) {
    const probe = inductionProbe(weights.wte, weights.config, seed);
    repeatLength = probe.repeatLength;
    add('induction', inductionHeadScores(attention(probe.ids), nHead, probe.repeatLength), 1);
  }
  const heads: HeadTypeScores[] = [];
  for (let l = 0; l < nLayer; l++) {
    for (let h = 0; h < nHead; h++) {
      const mean = (kind: DetectorKind) => sums[kind][l * nHead + h] / Math.max(1, weightOf[kind]);
      heads.push({
        layer: l,
        head: h,
        previousToken: mean('previousToken'),
        duplicateToken: mean('duplicateToken'),
        induction: mean('induction'),
        firstToken: mean('firstToken'),
      });
    }
  }
  const sentence = (kind: DetectorKind) => DETECTORS.find((d) => d.kind === kind)!.sentence;
  const onText = `${starts.length} held-out windows of ${T} tokens`;
  return {
    measuredOn: {
      previousToken: `${sentence('previousToken')} On ${onText}.`,
      duplicateToken: `${sentence('duplicateToken')} On ${onText}.`,
      induction: `${sentence('induction')} ${probes} probes (seeds 1–${probes}) of ${repeatLength} tokens repeated.`,
      firstToken: `${sentence('firstToken')} On ${onText}.`,
    },
    heads,
  };
}

/** Shared-row rates on the everyday sentences (src/train/everyday-sentences.ts) and on the held-out text. */
export function sharedRowRates(vocab: TrainVocab, heldOutIds: Int32Array) {
  const everydayIds = EVERYDAY_SENTENCES.flatMap((s) => encode(s));
  return {
    everydaySentences: { sentences: EVERYDAY_SENTENCES.length, ...sharedRowRate(everydayIds, vocab) },
    heldOutText: sharedRowRate(heldOutIds, vocab),
  };
}

/** A table of the heads' scores for the terminal. */
export function formatHeadTypeScores(heads: HeadTypeScores[]): string {
  const lines = ['head        previous  duplicate  induction  first'];
  for (const h of heads) {
    const cell = (x: number) => x.toFixed(3).padStart(9);
    lines.push(
      `h${h.layer}.head${h.head}`.padEnd(10) +
        `${cell(h.previousToken)}  ${cell(h.duplicateToken)}  ${cell(h.induction)}  ${cell(h.firstToken)}`,
    );
  }
  return lines.join('\n');
}
