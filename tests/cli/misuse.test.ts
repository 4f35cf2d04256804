// Misuse of `npm run trace` and `npm run train`: every bad option or path fails before any work with one line
// that names the file and a non-zero exit; outputs appear whole or not at all; a FIFO never hangs the tool.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { trainOptionsFrom } from '../../src/cli/train-command';
import { parseTrainArgs } from '../../src/cli/train-args';
import { END_OF_TEXT_ID } from '../../src/tokenizer/gpt2';
import { bundleCli, type CliRun } from '../helpers/cli-bundle';
import { TINY_CONFIG, TINY_MODEL } from '../helpers/fixtures';

let trace: CliRun;
let train: CliRun;
let removeBundles = () => {};
beforeAll(async () => {
  const bundles = await Promise.all([bundleCli('src/cli/trace.ts'), bundleCli('src/cli/train.ts')]);
  [trace, train] = bundles.map((b) => b.run);
  removeBundles = () => bundles.forEach((b) => b.remove());
}, 120_000);
afterAll(() => removeBundles());

const scratch = () => mkdtempSync(path.join(tmpdir(), 'misuse-'));

/** A failure is a non-zero exit and exactly one line on stderr, naming what it was given. */
function expectOneLineFailure(result: SpawnSyncReturns<string>, names: string | RegExp) {
  expect(result.signal, 'the tool hung and was killed').toBeNull();
  expect(result.status, result.stderr).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  if (typeof names === 'string') expect(lines[0]).toContain(names);
  else expect(lines[0]).toMatch(names);
}

const model = ['--model', TINY_MODEL, '--config', TINY_CONFIG];

describe('option parsing', () => {
  const spec = { 'allow-special': 'boolean', text: 'string', steps: 'number' } as const;

  it('reads a switch given a value as that value, and refuses other values', () => {
    expect(parseArgs(['--allow-special=0'], spec)['allow-special']).toBe(false);
    expect(parseArgs(['--allow-special=false'], spec)['allow-special']).toBe(false);
    expect(parseArgs(['--allow-special=true'], spec)['allow-special']).toBe(true);
    expect(parseArgs(['--allow-special'], spec)['allow-special']).toBe(true);
    expect(() => parseArgs(['--allow-special=no'], spec)).toThrow(/is a switch/);
  });

  it('refuses empty values, repeated options and unknown names', () => {
    expect(() => parseArgs(['--text', ''], spec)).toThrow(/--text is empty/);
    expect(() => parseArgs(['--steps='], spec)).toThrow(/--steps is empty/);
    expect(() => parseArgs(['--text', 'a', '--text', 'b'], spec)).toThrow(/given twice/);
    expect(() => parseArgs(['--constructor', 'x'], spec)).toThrow(/unknown option --constructor/);
    expect(parseArgs(['--steps', '-1'], spec).steps).toBe(-1); // a negative number is a value
  });

  it.each(['0x10', '0o17', '0b11', '0X1F', '1_000', '16px'])(
    'refuses the number %s: decimal only',
    (value) => {
      expect(() => parseArgs(['--steps', value], spec)).toThrow(
        `--steps must be a decimal number, not "${value}"`,
      );
    },
  );

  it('reads decimal numbers as written', () => {
    for (const [text, value] of [['16', 16], ['-1', -1], ['0.5', 0.5], ['.5', 0.5], ['3e-4', 3e-4], ['1E3', 1000], ['+2', 2]] as const)
      expect(parseArgs(['--steps', text], spec).steps).toBe(value);
  }); // prettier-ignore

  it.each([
    [['--out', 'o', '--model', 'm.safetensors'], /^--model is read only with --fixed-batch; add --fixed-batch or leave it out$/],
    [['--out', 'o', '--log-json'], /^--log-json is read only with --fixed-batch/],
    [['--fixed-batch', '--model', 'm', '--n-layer', '2'], /^--n-layer does nothing with --fixed-batch; leave it out$/],
    [['--fixed-batch', '--model', 'm', '--out', 'o'], /^--out does nothing with --fixed-batch/],
    [['--fixed-batch', '--model', 'm', '--resume'], /^--resume does nothing with --fixed-batch/],
  ])('refuses an option the mode does not read: %j', (argv, message) => {
    expect(() => parseTrainArgs(argv)).toThrow(message);
  }); // prettier-ignore

  it.each([
    [
      { 'n-layer': 1e7 },
      /--n-layer 10000000 .* needs about .* of memory, more than the 4\.3 GB the CPU trainer can address; lower them/,
    ],
    [{ 'n-layer': 100_000 }, /--n-layer 100000 .* needs about \d+ GB of memory/],
    [{ batch: 1e9 }, /--batch 1000000000 --seq 128 needs about .* of memory/],
    [{ 'n-positions': 1e9 }, /--n-positions 1000000000 .* needs about .* of memory/],
  ])('refuses training option %o that cannot fit in memory, at once', (args, message) => {
    const started = performance.now();
    expect(() => trainOptionsFrom(args)).toThrow(message);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it.each([
    [{ steps: -1 }, /--steps must be a whole number of at least 1, not -1/],
    [{ 'n-layer': 0 }, /--n-layer must be a whole number of at least 1/],
    [{ 'n-embd': 0 }, /--n-embd/],
    [{ batch: 2.5 }, /--batch/],
    [{ lr: 0 }, /--lr must be a number above 0/],
    [{ 'weight-decay': -0.1 }, /--weight-decay/],
    [{ seed: -3 }, /--seed must be a whole number of at least 0/],
    [{ 'warmup-steps': 1.5 }, /--warmup-steps/],
  ])('refuses training option %o', (args, message) => {
    expect(() => trainOptionsFrom(args)).toThrow(message);
  });
});

describe('npm run trace misuse', () => {
  it('refuses a folder as --out and writes nothing into it', () => {
    const dir = scratch();
    expectOneLineFailure(trace([...model, '--text', 'hi', '--out', dir]), dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses --out in a folder that does not exist', () => {
    const out = path.join(scratch(), 'missing', 'dir', 'x.json');
    expectOneLineFailure(trace([...model, '--text', 'hi', '--out', out]), out);
  });

  it('refuses --out /dev/full', () => {
    expectOneLineFailure(trace([...model, '--text', 'hi', '--out', '/dev/full']), '/dev/full');
  });

  it('refuses an empty --model instead of running the default model', () => {
    expectOneLineFailure(trace(['--model', '', '--text', 'hi']), /--model is empty/);
  });

  it.each([
    ['--model', (dir: string) => ['--model', dir, '--text', 'hi']],
    ['--config', (dir: string) => ['--model', TINY_MODEL, '--config', dir, '--text', 'hi']],
    ['--text-file', (dir: string) => [...model, '--text-file', dir]],
  ])('names a folder given as %s', (_, args) => {
    const dir = scratch();
    expectOneLineFailure(trace(args(dir)), new RegExp(`${dir} is a directory`));
  });

  it.each([
    ['--model', (fifo: string) => ['--model', fifo, '--config', TINY_CONFIG, '--text', 'hi']],
    ['--text-file', (fifo: string) => [...model, '--text-file', fifo]],
  ])('refuses a FIFO as %s instead of waiting on it', (_, args) => {
    const fifo = path.join(scratch(), 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectOneLineFailure(trace(args(fifo), { timeout: 20_000 }), new RegExp(`${fifo} is not a regular file`));
  });

  it.each([
    [
      'a layer past the last',
      '3.1',
      /--attribute layer 3 is out of range: this model has 2 layers \(1 to 2\)/,
    ],
    ['layer 0 (layers count from 1)', '0.1', /--attribute layer 0 is out of range/],
    ['a head past the last', '1.5', /--attribute head 5 is out of range: this model has 4 heads per layer/],
    ['no head', '2', /--attribute takes a layer and a head as L\.H/],
    ['a negative layer', '-1.2', /--attribute takes a layer and a head as L\.H/],
  ])('refuses --attribute with %s in one sentence, writing nothing', (_, value, message) => {
    const dir = scratch();
    const out = path.join(dir, 'trace.json');
    expectOneLineFailure(trace([...model, '--text', 'hi', '--attribute', value, '--out', out]), message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps --allow-special=0 off, and writes --out whole with no temporary file left', () => {
    const dir = scratch();
    const out = path.join(dir, 'trace.json');
    const off = trace([...model, '--text', 'a<|endoftext|>b', '--allow-special=0', '--out', out]);
    expect(off.status, off.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['trace.json']);
    const on = trace([...model, '--text', 'a<|endoftext|>b', '--allow-special']);
    expect(JSON.parse(on.stdout).ids).toContain(END_OF_TEXT_ID);
    const offIds = JSON.parse(readFileSync(out, 'utf8')).ids;
    expect(offIds).not.toContain(END_OF_TEXT_ID);
  });
});

describe('npm run train misuse', () => {
  it('refuses bad options before it creates or writes anything', () => {
    const out = path.join(scratch(), 'model');
    expectOneLineFailure(train(['--out', out, '--steps', '-1', '--n-layer', '0']), /--steps/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --n-layer 10000000 at once with the memory it needs, instead of running out of it', () => {
    const out = path.join(scratch(), 'model');
    const result = train(['--out', out, '--n-layer', '10000000'], { timeout: 20_000 });
    expectOneLineFailure(result, /--n-layer 10000000 .* needs about .* of memory/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --fixed-batch --batch 1e9 with the memory it needs, not "Invalid typed array length"', () => {
    const dir = scratch();
    const text = path.join(dir, 'text.txt');
    writeFileSync(text, 'Once upon a time. '.repeat(10));
    const args = ['--fixed-batch', ...model, '--text-file', text, '--seq', '4', '--steps', '1'];
    expectOneLineFailure(train([...args, '--batch', '1e9'], { timeout: 20_000 }), /needs about .* of memory/);
  });

  it('refuses --model without --fixed-batch before training', () => {
    const out = path.join(scratch(), 'model');
    expectOneLineFailure(
      train(['--out', out, ...model, '--steps', '1']),
      /--model is read only with --fixed-batch/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --out that is a file', () => {
    const file = path.join(scratch(), 'model.safetensors');
    writeFileSync(file, 'not a folder');
    expectOneLineFailure(train(['--out', file, '--steps', '1']), file);
  });

  it('names a folder given as --text-file to --fixed-batch', () => {
    const dir = scratch();
    mkdirSync(path.join(dir, 'texts'));
    const args = ['--fixed-batch', ...model, '--text-file', path.join(dir, 'texts')];
    expectOneLineFailure(
      train([...args, '--batch', '1', '--seq', '4', '--steps', '1']),
      /texts is a directory/,
    );
  });
});
