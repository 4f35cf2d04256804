// Training windows that start at sentences: which tokens start one, what the first input becomes (the word as
// a text's first word, with no space), that a window never changes length or targets, and that the sampler
// and the vocabulary use them.

import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { decode, encode } from '../../src/tokenizer/gpt2';
import { BatchSampler } from '../../src/train/data';
import type { GPT2Training } from '../../src/train/gpt2-train';
import {
  addedTwins,
  coveredShare,
  findSentenceStarts,
  sentenceWindows,
} from '../../src/train/sentence-starts';
import { END_OF_TEXT_ID as END_OF_TEXT } from '../../src/tokenizer/gpt2-vocab';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from '../../src/node/train-run';
import { cpuBackend, TINY_STORY_TRAINING } from '../helpers/tiny-training';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { loadModelFile } from '../../src/node/files';
import { fullVocabLoss } from '../../src/train/report';
import { trainingText } from '../../src/node/training-text';
import { runTraining, TRAIN_OPTION_FLAGS, trainOptionsFrom } from '../../src/cli/train-command';

const idsOf = (...texts: string[]): Int32Array =>
  Int32Array.from(texts.flatMap((t, i) => (i > 0 ? [END_OF_TEXT, ...encode(t)] : encode(t))));
const startsOf = (ids: Int32Array, T = 1) => {
  const s = findSentenceStarts(ids, T, END_OF_TEXT);
  return Array.from(s.positions, (p, k) => ({ at: decode([ids[p]]), first: decode([s.firstIds[k]]) }));
};

describe('sentence starts', () => {
  it('starts at the text, after <|endoftext|> or a line break, and at a capital or quote after . ? or !', () => {
    const ids = idsOf(
      'The cat sat. Our dog ran! "Yes," he said. why not? It is.\nNext line.',
      'After that, rain.',
    );
    expect(startsOf(ids)).toEqual([
      { at: 'The', first: 'The' },
      { at: ' Our', first: 'Our' },
      { at: ' "', first: '"' },
      { at: ' It', first: 'It' },
      { at: 'Next', first: 'Next' },
      { at: 'After', first: 'After' },
    ]);
  });

  it('leaves out an opener whose word tokenizes otherwise without its space, so no window changes length', () => {
    // " Afterwards" is one token but "Afterwards" is two; " Consequently" is one, "Consequently" three.
    expect(encode('Afterwards')).toHaveLength(2);
    expect(encode(' Afterwards')).toHaveLength(1);
    const ids = idsOf('It rained. Afterwards it cleared. Consequently we left. Suddenly it rained.');
    expect(startsOf(ids).map((s) => s.first)).toEqual(['It', 'Suddenly']);
  });

  it('leaves room for a whole window after every start', () => {
    const ids = idsOf('A b. C d. E f. G h.');
    const all = findSentenceStarts(ids, 1, END_OF_TEXT).positions;
    const T = ids.length - 1 - all[2];
    const fit = findSentenceStarts(ids, T, END_OF_TEXT).positions;
    expect(Array.from(fit)).toEqual(Array.from(all.slice(0, 3)));
    for (const p of fit) expect(p + T + 1).toBeLessThanOrEqual(ids.length);
  });

  // Whatever the text, a window that starts at a sentence reads as that text would at a page's start: the first
  // word without its space tokenizes to the window's first input followed by the stream's next tokens.
  it('gives windows that tokenize as the text at a start would', () => {
    const word = fc.constantFrom(
      'The',
      'Our',
      'after',
      'Every',
      'Please',
      'Consequently',
      'Rector',
      'I',
      '"Yes"',
    );
    const sentence = fc
      .tuple(fc.array(word, { minLength: 1, maxLength: 5 }), fc.constantFrom('.', '?', '!', '."', ','))
      .map(([words, end]) => words.join(' ') + end);
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 8 }), (sentences) => {
        const ids = idsOf(sentences.join(' '));
        const s = findSentenceStarts(ids, 1, END_OF_TEXT);
        s.positions.forEach((p, k) => {
          const rest = Array.from(ids.subarray(p + 1));
          const text = decode([ids[p], ...rest]);
          const atStart = decode([s.firstIds[k], ...rest]);
          expect(atStart).toBe(text.startsWith(' ') ? text.slice(1) : text);
          const reencoded = encode(atStart);
          expect(reencoded[0]).toBe(s.firstIds[k]);
          // The tokens up to the next space are the stream's (after them both sides tokenize the same).
          const next = rest.findIndex((id) => decode([id]).startsWith(' '));
          const upto = next < 0 ? rest.length : next;
          expect(reencoded.slice(1, 1 + upto)).toEqual(rest.slice(0, upto));
        });
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('counts, for the vocabulary, only the starts that change their token', () => {
    const ids = idsOf('The cat sat. Our dog ran.\nNext line. Our cat.');
    const s = findSentenceStarts(ids, 1, END_OF_TEXT);
    expect(Array.from(addedTwins(ids, s), (id) => decode([id]))).toEqual(['Our', 'Our']);
  });
});

describe('how much of a text windows from its starts read', () => {
  it('counts each token once, a window reading T inputs and one more target', () => {
    expect(coveredShare(Int32Array.from([0]), 3, 10)).toBe(0.4);
    expect(coveredShare(Int32Array.from([0, 2, 6]), 3, 10)).toBe(1);
    expect(coveredShare(Int32Array.from([0, 8]), 3, 10)).toBe(0.6);
    expect(coveredShare(new Int32Array(0), 3, 10)).toBe(0);
  });
});

describe('held-out windows at sentence starts', () => {
  /** Each laid-out window's first `length` tokens as text. */
  const windowTexts = (windows: { ids: Int32Array; starts: number[] }, length: number) =>
    windows.starts.map((at) => decode(Array.from(windows.ids.subarray(at, at + length))));

  it('lays out windows of T + 1 tokens, each the text at a start with its first word unspaced', () => {
    const ids = idsOf(
      'The cat sat on the mat. Our dog ran to the park! It was late and cold.',
      'After that, rain fell.',
    );
    const T = 4;
    const all = findSentenceStarts(ids, T, END_OF_TEXT);
    const windows = sentenceWindows(ids, T, 100, END_OF_TEXT);
    expect(windows.starts).toEqual(Array.from(all.positions, (_, k) => k * (T + 1)));
    expect(windows.ids).toHaveLength(all.positions.length * (T + 1));
    expect(windowTexts(windows, T + 1)).toEqual([
      'The cat sat on the',
      'Our dog ran to the',
      'It was late and cold',
      'After that, rain fell',
    ]);
  });

  it('spreads fewer windows evenly over the starts', () => {
    const ids = idsOf(Array.from({ length: 12 }, (_, i) => `Sentence number ${i} is here.`).join(' '));
    const windows = sentenceWindows(ids, 3, 4, END_OF_TEXT);
    expect(windowTexts(windows, 4)).toEqual([
      'Sentence number 0',
      'Sentence number 3',
      'Sentence number 6',
      'Sentence number 9',
    ]);
  });
});

describe('the sampler with window starts', () => {
  it("draws windows only at the starts, with the start's first input and the text's targets", () => {
    const tokens = Int32Array.from({ length: 200 }, (_, i) => i);
    const starts = {
      positions: Int32Array.from([10, 50, 120]),
      firstIds: Int32Array.from([1000, 1001, 1002]),
    };
    const B = 16;
    const T = 8;
    const newBatch = () => ({ B, T, inputs: new Int32Array(B * T), targets: new Int32Array(B * T) });
    const asTraining = (batch: ReturnType<typeof newBatch>) => batch as unknown as GPT2Training;
    const batch = newBatch();
    new BatchSampler(tokens, 3, starts).fill(asTraining(batch));
    const seen = new Set<number>();
    for (let b = 0; b < B; b++) {
      const k = [1000, 1001, 1002].indexOf(batch.inputs[b * T]);
      expect(k).toBeGreaterThanOrEqual(0);
      seen.add(k);
      const p = starts.positions[k];
      expect(Array.from(batch.inputs.subarray(b * T + 1, (b + 1) * T))).toEqual(
        Array.from(tokens.subarray(p + 1, p + T)),
      );
      expect(Array.from(batch.targets.subarray(b * T, (b + 1) * T))).toEqual(
        Array.from(tokens.subarray(p + 1, p + T + 1)),
      );
    }
    expect(seen.size).toBe(3);
    // One draw per row, as without starts, so a resumed run that skips a batch draws the same next one.
    const skipped = new BatchSampler(tokens, 3, starts);
    skipped.skip(B);
    const again = newBatch();
    skipped.fill(asTraining(again));
    const drawn = new BatchSampler(tokens, 3, starts);
    drawn.fill(asTraining(newBatch()));
    const second = newBatch();
    drawn.fill(asTraining(second));
    expect(second.inputs).toEqual(again.inputs);
    expect(second.targets).toEqual(again.targets);
  });

  it('is the default for npm run train, and --window-starts any draws from every offset', () => {
    expect(DEFAULT_TRAIN_OPTIONS.windowStarts).toBe('sentences');
    expect(trainOptionsFrom({}).windowStarts).toBe('sentences');
    expect(trainOptionsFrom({ 'window-starts': 'any' }).windowStarts).toBe('any');
    expect(() => trainOptionsFrom({ 'window-starts': 'paragraphs' })).toThrow(
      '--window-starts must be one of any, sentences, not "paragraphs"',
    );
  });

  it('a run logs its starts and trains on them; with any, the corpus has no starts to log', async () => {
    const tiny: TrainOptions = {
      ...TINY_STORY_TRAINING,
      steps: 2,
      evalEvery: 2,
      valWindows: 2,
      warmupSteps: 1,
    };
    const atSentences = await trainModel(tiny, {}, cpuBackend());
    const anywhere = await trainModel({ ...tiny, windowStarts: 'any' }, {}, cpuBackend());
    // The stories have a sentence a line, so their starts are line starts, whose words have no space already.
    const logged = atSentences.corpus.windowStarts as { starts: number; unspacedFirstWords: number };
    expect(logged.starts).toBeGreaterThan(100);
    expect(anywhere.corpus.windowStarts).toBeUndefined();
    expect(atSentences.steps[0].loss).not.toBe(anywhere.steps[0].loss);
  }, 60_000);

  it('npm run train logs the held-out loss from sentence starts, which the shipped file gives too', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'train-sentences-'));
    const flags = [
      '--corpus',
      'stories',
      '--stories',
      '300',
      '--min-count',
      '1',
      '--steps',
      '4',
      '--batch',
      '2',
    ];
    flags.push('--seq', '16', '--n-embd', '16', '--n-layer', '1', '--n-head', '2', '--n-positions', '16');
    flags.push('--eval-every', '2', '--val-windows', '2', '--warmup-steps', '2', '--out', dir);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await runTraining(parseArgs(flags, { ...TRAIN_OPTION_FLAGS, out: 'string' }), flags);
    } finally {
      write.mockRestore();
    }
    const log = JSON.parse(readFileSync(path.join(dir, 'training-log.json'), 'utf8'));
    const logged = log.final.heldOutSentenceStarts;
    expect(logged.windows).toBeGreaterThan(10);
    expect(logged.targetTokens).toBe(logged.windows * 16);
    for (const loss of [logged.loss, logged.unigramBaselineLoss, logged.bigramBaselineLoss])
      expect(loss).toBeGreaterThan(0); // four steps do not beat the baselines; the values are checked below
    expect(logged.bigramBaselineLoss).toBeLessThan(logged.unigramBaselineLoss);
    // The same windows, rebuilt from the held-out stories, on the shipped F16 file with the plain forward pass.
    const { heldOutIds } = trainingText('stories', DEFAULT_TRAIN_OPTIONS.seed, 300);
    const windows = sentenceWindows(heldOutIds, 16, logged.windows, END_OF_TEXT);
    expect(windows.starts).toHaveLength(logged.windows);
    const shipped = await loadModelFile(path.join(dir, 'model.safetensors'), path.join(dir, 'config.json'));
    expect(fullVocabLoss(shipped, windows.ids, windows.starts, 16)).toBeCloseTo(logged.loss, 2);
  }, 120_000);
});
