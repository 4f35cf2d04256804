// Pathological pastes: a megabyte with no separators, long runs of spaces and digits, and texts longer than
// the context. Ids must stay js-tiktoken's (the reference on sizes it can still do) and time must stay small.

import { describe, expect, it } from 'vitest';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { decode, encode, tokenize } from '../../src/tokenizer/gpt2';
import { seededRandom } from '../../src/model/random';
import { runTrace } from '../../src/app/worker/run-trace';
import { CpuEngine } from '../../src/model/cpu/forward';
import { loadDefaultModel } from '../../src/node/default-model';
import { createSyncKernels } from '../../src/model/wasm/select';

const reference = new Tiktoken(gpt2Ranks);
const referenceEncode = (text: string) => reference.encode(text, [], []);

const MEGABYTE = 1 << 20;
const random = seededRandom(7);
const dna = Array.from({ length: MEGABYTE }, () => 'ACGT'[Math.floor(random() * 4)]).join('');

/** One megabyte (or a megabyte of UTF-16 units) per class the fuzz run found slow. */
const classes: [string, string][] = [
  ['one letter', 'a'.repeat(MEGABYTE)],
  ['digits', '7'.repeat(MEGABYTE)],
  ['spaces', ' '.repeat(MEGABYTE)],
  ['newlines', '\n'.repeat(MEGABYTE)],
  ['DNA letters', dna],
  ['CJK', '東'.repeat(MEGABYTE / 2)],
  ['punctuation', '!?'.repeat(MEGABYTE / 2)],
  ['spaces then a word', ' '.repeat(MEGABYTE - 4) + 'word'],
];

describe('long texts', () => {
  it.each(classes)('tokenizes a megabyte of %s in well under a second', (_, text) => {
    encode('warm up');
    // CPU time, not wall time: other test files run beside this one and would only slow the clock.
    const start = process.cpuUsage();
    const ids = encode(text);
    const used = process.cpuUsage(start);
    const seconds = (used.user + used.system) / 1e6;
    // About 0.1–0.3 s on the 2-core development machine; js-tiktoken took over 120 s.
    expect(seconds).toBeLessThan(1);
    expect(decode(ids)).toBe(text);
  });

  it('does not overflow the stack on 125k spaces', () => {
    const text = ' '.repeat(125_000);
    expect(decode(encode(text))).toBe(text);
  });

  it.each([
    ['a', [64, 65, 127, 1500]],
    ['7', [64, 200, 1500]],
    [' ', [64, 300, 1500]],
    ['\n', [64, 1500]],
    ['ab', [40, 700]],
    ['é', [40, 700]],
    ['🐱', [20, 300]],
    ['ACGTTGCA', [10, 150]],
  ] as const)('matches js-tiktoken on long runs of %j', (unit, counts) => {
    for (const count of counts) {
      const text = unit.repeat(count);
      expect(encode(text), `${count} × ${JSON.stringify(unit)}`).toEqual(referenceEncode(text));
    }
  });

  it('matches js-tiktoken on long random runs of a few letters', () => {
    for (let n = 0; n < 20; n++) {
      const letters = ['a', 'b', 'e', 'r', 's', 't', '0', '1', ' ', 'ü'].slice(0, 2 + (n % 8));
      const text = Array.from(
        { length: 100 + Math.floor(random() * 600) },
        () => letters[Math.floor(random() * letters.length)],
      ).join('');
      expect(encode(text), JSON.stringify(text)).toEqual(referenceEncode(text));
    }
  });

  it('gives the first tokens of the whole text when asked for a few, and stops early', () => {
    const text = 'The quick brown fox jumps over the lazy dog. <|endoftext|> '.repeat(20_000);
    const all = encode(text, { allowSpecial: true });
    for (const maxTokens of [0, 1, 13, 129, 1025])
      expect(encode(text, { allowSpecial: true, maxTokens })).toEqual(all.slice(0, maxTokens));
    const huge = text.repeat(8); // 9 MB
    // CPU time (other test files run beside this one): about 1 ms; the whole 9 MB would take seconds.
    const start = process.cpuUsage();
    expect(tokenize(huge, { maxTokens: 1025 })).toHaveLength(1025);
    const used = process.cpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(100);
  });

  it('keeps the truncation notice while tokenizing only the context and one more token', async () => {
    const { weights } = await loadDefaultModel();
    const engine = new CpuEngine(weights, createSyncKernels());
    const text = 'the fat cat sat on the mat. '.repeat(40_000) + 'a'.repeat(MEGABYTE);
    const result = await runTrace(engine, weights, {
      type: 'trace',
      id: 1,
      text,
      layer: 0,
      allowSpecial: false,
    });
    const nPositions = weights.config.nPositions;
    expect(result.ids).toEqual(referenceEncode(text.slice(0, 1000)).slice(0, nPositions));
    expect(result.truncated).toBe(true);
    expect(result.notices[0]).toMatch(new RegExp(`^Cut to ${nPositions} tokens`));
    engine.dispose();
  });
});
