// In-context learning, measured: texts that say something twice, and what reading the first copy does for the
// second. Every head's induction score (attention from a token of the second copy to the token that followed
// its earlier occurrence) and previous-token score, and the in-context gain (next-token loss on the first copy
// minus the loss on the second). npm run train logs these along the run on the compact trainer and at the end
// on the shipped file; tests/train/default-model recomputes them from the file.

import type { Ablation } from '../model/ablation';
import { cpuForward } from '../model/cpu/forward';
import type { CpuKernels } from '../model/cpu/kernels';
import {
  previousTokenScore,
  repeatedRunTargets,
  textInductionScore,
  type HeadGrid,
} from '../model/head-detectors';
import { seededRandom } from '../model/random';
import { headBlock } from '../model/trace';
import type { GPT2Weights } from '../model/weights';
import { EVERYDAY_SENTENCES } from './everyday-sentences';
import type { GPT2Training } from './gpt2-train';
import type { TrainVocab } from './vocab';

/** What a probe repeats: everyday sentences, shuffled everyday words, or a span of held-out corpus text. */
export type ProbeKind = 'sentences' | 'shuffledWords' | 'heldOutText';

/** GPT-2 ids of a text said twice; the second copy starts at `secondStart`. */
export interface RepeatProbe {
  kind: ProbeKind;
  ids: number[];
  secondStart: number;
}

/** Sentences per probe of the 'sentences' kind, and words per probe of the 'shuffledWords' kind. */
const SENTENCES_PER_PROBE = 3;
const WORDS_PER_PROBE = 20;
const SHUFFLED_PROBES = 12;

/** `text` then a space and `text` again, tokenized so that the second copy starts at a known token. */
export function saidTwice(kind: ProbeKind, text: string, encode: (s: string) => number[]): RepeatProbe {
  const first = encode(text);
  return { kind, ids: [...first, ...encode(' ' + text)], secondStart: first.length };
}

/**
 * The everyday probes (src/train/everyday-sentences.ts, text no corpus holds): each run of three sentences said
 * twice ("ordinary sentences said twice"), and twelve seeded draws of twenty different words from those sentences
 * in random order, said twice ("twenty shuffled ordinary words said twice").
 */
export function everydayProbes(encode: (s: string) => number[]): RepeatProbe[] {
  const probes: RepeatProbe[] = [];
  for (let i = 0; i + SENTENCES_PER_PROBE <= EVERYDAY_SENTENCES.length; i += SENTENCES_PER_PROBE) {
    const text = EVERYDAY_SENTENCES.slice(i, i + SENTENCES_PER_PROBE).join(' ');
    probes.push(saidTwice('sentences', text, encode));
  }
  const words = [
    ...new Set(
      EVERYDAY_SENTENCES.join(' ')
        .toLowerCase()
        .match(/[a-z]+/g),
    ),
  ];
  const random = seededRandom(26);
  for (let p = 0; p < SHUFFLED_PROBES; p++) {
    const pool = words.slice();
    const drawn: string[] = [];
    for (let w = 0; w < WORDS_PER_PROBE; w++)
      drawn.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
    probes.push(saidTwice('shuffledWords', drawn.join(' '), encode));
  }
  return probes;
}

/** `count` spans of `span` held-out tokens, spread evenly over the held-out text, each said twice. */
export function heldOutProbes(heldOutIds: Int32Array, span: number, count: number): RepeatProbe[] {
  const available = Math.floor(heldOutIds.length / span);
  const n = Math.min(count, available);
  return Array.from({ length: n }, (_, i) => {
    const start = Math.floor((i * available) / n) * span;
    const ids = Array.from(heldOutIds.subarray(start, start + span));
    return { kind: 'heldOutText' as const, ids: [...ids, ...ids], secondStart: span };
  });
}

/** One probe through a model: each layer's (NH, n, n) attention and the loss of each target 1..n−1. */
export interface ProbeRun {
  attention: Float32Array[];
  /** losses[t − 1] is the loss of predicting token t, in nats over the full vocabulary. */
  losses: Float64Array;
}

/** The figures of one kind of probe. */
export interface InContextFigures {
  probes: number;
  /** Mean loss of the targets in the first copy (tokens 1 .. secondStart − 1). */
  earlyLoss: number;
  /** Mean loss of the targets in the second copy (tokens secondStart ..), its first token included. */
  lateLoss: number;
  /** earlyLoss − lateLoss. */
  gain: number;
  induction: HeadGrid;
  previousToken: HeadGrid;
  bestInduction: BestHead;
  bestPreviousToken: BestHead;
}

export interface BestHead {
  layer: number;
  head: number;
  score: number;
}

function bestOf(grid: HeadGrid): BestHead {
  let best: BestHead = { layer: 0, head: 0, score: -Infinity };
  grid.forEach((row, layer) =>
    row.forEach((score, head) => {
      if (score > best.score) best = { layer, head, score };
    }),
  );
  return best;
}

/** The figures of `probes` (all of one kind), each run through `run`. */
export function inContextFigures(
  probes: readonly RepeatProbe[],
  runs: readonly ProbeRun[],
  nLayer: number,
  nHead: number,
): InContextFigures {
  const zeros = () => Array.from({ length: nLayer }, () => new Array<number>(nHead).fill(0));
  const induction = zeros();
  const previousToken = zeros();
  let early = 0;
  let earlyCount = 0;
  let late = 0;
  let lateCount = 0;
  probes.forEach((probe, p) => {
    const { attention, losses } = runs[p];
    const n = probe.ids.length;
    const targets = repeatedRunTargets(probe.ids);
    for (let t = 1; t < n; t++) {
      if (t < probe.secondStart) {
        early += losses[t - 1];
        earlyCount++;
      } else {
        late += losses[t - 1];
        lateCount++;
      }
    }
    for (let l = 0; l < nLayer; l++) {
      for (let h = 0; h < nHead; h++) {
        const pattern = headBlock(attention[l], h, n, n);
        induction[l][h] += (textInductionScore(pattern, targets) ?? 0) / probes.length;
        previousToken[l][h] += (previousTokenScore(pattern, n) ?? 0) / probes.length;
      }
    }
  });
  const earlyLoss = early / earlyCount;
  const lateLoss = late / lateCount;
  return {
    probes: probes.length,
    earlyLoss,
    lateLoss,
    gain: earlyLoss - lateLoss,
    induction,
    previousToken,
    bestInduction: bestOf(induction),
    bestPreviousToken: bestOf(previousToken),
  };
}

/** The figures of each kind in `probes`, kind by kind. */
export function figuresByKind(
  probes: readonly RepeatProbe[],
  runs: readonly ProbeRun[],
  nLayer: number,
  nHead: number,
): Partial<Record<ProbeKind, InContextFigures>> {
  const out: Partial<Record<ProbeKind, InContextFigures>> = {};
  for (const kind of ['sentences', 'shuffledWords', 'heldOutText'] as const) {
    const index = probes.flatMap((p, i) => (p.kind === kind ? [i] : []));
    if (index.length === 0) continue;
    out[kind] = inContextFigures(
      index.map((i) => probes[i]),
      index.map((i) => runs[i]),
      nLayer,
      nHead,
    );
  }
  return out;
}

/** The probes through a model over GPT-2's full vocabulary (the shipped file), on the CPU engine, with the heads
 * of `ablate` knocked out when given (to test which head feeds which). */
export function runOnModel(
  weights: GPT2Weights,
  probes: readonly RepeatProbe[],
  kernels: CpuKernels,
  ablate?: Ablation,
): ProbeRun[] {
  const { nLayer, vocabSize } = weights.config;
  const include = Array.from({ length: nLayer }, (_, l) => `h${l}.attn_weights`);
  return probes.map((probe) => {
    const n = probe.ids.length;
    const tensors = cpuForward(weights, probe.ids, { include, logits: 'all', ablate }, kernels);
    const logits = tensors.logits.data;
    const losses = new Float64Array(n - 1);
    for (let t = 1; t < n; t++) {
      const row = logits.subarray((t - 1) * vocabSize, t * vocabSize);
      let max = -Infinity;
      for (let v = 0; v < vocabSize; v++) if (row[v] > max) max = row[v];
      let sum = 0;
      for (let v = 0; v < vocabSize; v++) sum += Math.exp(row[v] - max);
      losses[t - 1] = Math.log(sum) + max - row[probe.ids[t]];
    }
    return { attention: include.map((name) => tensors[name].data), losses };
  });
}

/**
 * The probes through the trainer (compact vocabulary, B probes per forward, each padded to T: the causal mask
 * keeps the padding out of the probe's own positions). A target on the shared row gets its log n back, so the
 * losses are the full-vocabulary model's.
 */
export function runOnTrainer(
  training: GPT2Training,
  vocab: TrainVocab,
  probes: readonly RepeatProbe[],
): ProbeRun[] {
  const { B, T } = training;
  const { nLayer, nHead } = training.weights.config;
  const bias = training.logitBias;
  const runs: ProbeRun[] = [];
  for (let i = 0; i < probes.length; i += B) {
    training.inputs.fill(0);
    training.targets.fill(0);
    for (let b = 0; b < B && i + b < probes.length; b++) {
      const ids = probes[i + b].ids;
      if (ids.length > T) throw new RangeError(`a probe of ${ids.length} tokens needs T ≥ ${ids.length}`);
      for (let t = 0; t < ids.length; t++) training.inputs[b * T + t] = vocab.toCompact[ids[t]];
      for (let t = 0; t + 1 < ids.length; t++) training.targets[b * T + t] = vocab.toCompact[ids[t + 1]];
    }
    training.forward();
    for (let b = 0; b < B && i + b < probes.length; b++) {
      const n = probes[i + b].ids.length;
      const losses = new Float64Array(n - 1);
      for (let t = 0; t + 1 < n; t++) {
        const target = training.targets[b * T + t];
        losses[t] = training.losses[b * T + t] + (bias ? bias[target] : 0);
      }
      const attention = Array.from({ length: nLayer }, (_, l) => {
        const full = training.attentionWeights(l).subarray(b * nHead * T * T, (b + 1) * nHead * T * T);
        const out = new Float32Array(nHead * n * n);
        for (let h = 0; h < nHead; h++)
          for (let r = 0; r < n; r++)
            out.set(full.subarray((h * T + r) * T, (h * T + r) * T + n), (h * n + r) * n);
        return out;
      });
      runs.push({ attention, losses });
    }
  }
  return runs;
}

/** One point of the log along a run: each kind's gain and strongest heads (the grids stay out, to keep it short). */
export interface InContextPoint {
  step: number;
  tokensSeen: number;
  figures: Partial<Record<ProbeKind, Omit<InContextFigures, 'induction' | 'previousToken'>>>;
}

/** A log point from full figures. */
export function inContextPoint(
  step: number,
  tokensSeen: number,
  figures: Partial<Record<ProbeKind, InContextFigures>>,
): InContextPoint {
  const short: InContextPoint['figures'] = {};
  for (const [kind, f] of Object.entries(figures) as [ProbeKind, InContextFigures][]) {
    const { induction: _i, previousToken: _p, ...rest } = f;
    short[kind] = rest;
  }
  return { step, tokensSeen, figures: short };
}
