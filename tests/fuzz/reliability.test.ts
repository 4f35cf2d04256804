// The reliability fuzz run of issue 27: hostile safetensors headers and config.json files through the three
// load paths (a Node file, a Blob, bytes), damaged training states through the resume validator, and random
// command lines through the trace and train argument parsers (parsing only). Every failure must be one of
// the known error classes, with one line under 300 characters and no JavaScript-internal phrase; no run may
// take more than HANG_MS. Seeded, so a failure reproduces; the figures are logged for the README.

import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { TRACE_OPTIONS } from '../../src/cli/trace-command';
import { parseConfig } from '../../src/model/config';
import { MAX_MESSAGE_CHARS, ModelFileError } from '../../src/model/errors';
import { bytesSource } from '../../src/model/safetensors';
import { loadGPT2Weights } from '../../src/model/weights';
import { loadModelFile } from '../../src/node/files';
import { weightsFromBlobs } from '../../src/app/worker/model-loader';
import { backendFrom } from '../../src/cli/fixed-batch-command';
import { parseTrainArgs } from '../../src/cli/train-args';
import { trainOptionsFrom } from '../../src/cli/train-command';
import { decodeTrainingState, TrainingStateError } from '../../src/train/training-state';
import { cleanFile, SMALL_CONFIG, SMALL_CONFIG_TEXT } from '../helpers/damaged-files';
import { savedTinyState } from '../helpers/damaged-states';
import { hostileArgv, hostileConfig, hostileSafetensors, hostileState } from './hostile-inputs';

const SEED = 27;
const HANG_MS = 2_000;
/** Phrases of JavaScript's own errors, and a stack trace's line. */
const INTERNAL =
  /Cannot read properties|is not a function|is not iterable|Maximum call stack|Invalid typed array length|Invalid array length|Cannot convert|undefined|\[object Object\]|\n\s+at /;

interface Tally {
  runs: number;
  refused: number;
  accepted: number;
  crashes: number;
  hangs: number;
  internal: number;
}
const tallies = new Map<string, Tally>();
const tally = (name: string): Tally => {
  if (!tallies.has(name))
    tallies.set(name, { runs: 0, refused: 0, accepted: 0, crashes: 0, hangs: 0, internal: 0 });
  return tallies.get(name)!;
};

let firstProblem: string | null = null;
const problem = (message: string) => {
  firstProblem ??= message;
  return new Error(message);
};

/** Runs one input; counts it, and throws (so fast-check shrinks it) on a crash, a hang or an internal message. */
async function judge(name: string, known: (new (...a: never[]) => Error)[], run: () => unknown) {
  const t = tally(name);
  t.runs++;
  const started = performance.now();
  let error: unknown = null;
  try {
    await run();
  } catch (caught) {
    error = caught;
  }
  const ms = performance.now() - started;
  if (ms > HANG_MS) {
    t.hangs++;
    throw problem(`${name}: took ${ms.toFixed(0)} ms`);
  }
  if (error === null) {
    t.accepted++;
    return;
  }
  if (!known.some((kind) => error instanceof kind)) {
    t.crashes++;
    throw problem(`${name}: crash ${String(error).slice(0, 300)}`);
  }
  const { message } = error as Error;
  if (INTERNAL.test(message) || message.length > MAX_MESSAGE_CHARS || message.includes('\n')) {
    t.internal++;
    throw problem(`${name}: internal or overlong message (${message.length}): ${message.slice(0, 300)}`);
  }
  t.refused++;
}

const dir = mkdtempSync(path.join(tmpdir(), 'fuzz-'));
const LABEL = 'model.safetensors';
const loadPaths: Record<string, (bytes: Uint8Array, configText: string) => Promise<unknown>> = {
  'Node file': (bytes, configText) => {
    writeFileSync(path.join(dir, LABEL), bytes);
    writeFileSync(path.join(dir, 'config.json'), configText);
    return loadModelFile(path.join(dir, LABEL));
  },
  Blob: (bytes, configText) =>
    weightsFromBlobs(
      new Blob([bytes as BlobPart]),
      configText,
      LABEL,
      new AbortController().signal,
      () => {},
    ),
  bytes: async (bytes, configText) =>
    loadGPT2Weights(
      bytesSource(bytes),
      configText === SMALL_CONFIG_TEXT ? SMALL_CONFIG : parseConfig(configText),
      { fileLabel: LABEL },
    ),
};

/** fc.assert with the seed and `numRuns`; a failure is reported by its first problem, since fast-check's own
 * report prints the counterexample, which can be megabytes. */
async function holds<Ts extends [unknown]>(property: fc.IAsyncPropertyWithHooks<Ts>, numRuns: number) {
  firstProblem = null;
  try {
    await fc.assert(property, { seed: SEED, numRuns, endOnFailure: true });
  } catch (error) {
    throw new Error(firstProblem ?? (error as Error).message.slice(0, 600));
  }
}

describe('reliability fuzz (issue 27)', () => {
  afterAll(() => {
    const rows = [...tallies].map(([name, t]) => `${name}: ${JSON.stringify(t)}`);
    console.log(`fuzz figures (seed ${SEED}):\n${rows.join('\n')}`);
  });

  it('hostile safetensors headers, through the three load paths', async () => {
    await holds(
      fc.asyncProperty(hostileSafetensors, async (bytes) => {
        for (const [name, load] of Object.entries(loadPaths))
          await judge(`safetensors header (${name})`, [ModelFileError], () => load(bytes, SMALL_CONFIG_TEXT));
      }),
      400,
    );
  }, 60_000);

  it('hostile config.json values, through the three load paths', async () => {
    const bytes = cleanFile();
    await holds(
      fc.asyncProperty(hostileConfig, async (text) => {
        for (const [name, load] of Object.entries(loadPaths))
          await judge(`config.json (${name})`, [ModelFileError], () => load(bytes, text));
      }),
      600,
    );
  }, 60_000);

  it('damaged training states, through the resume validator', async () => {
    const state = await savedTinyState();
    await holds(
      fc.asyncProperty(hostileState(state), async (bytes) => {
        await judge('training state', [TrainingStateError], () => decodeTrainingState(bytes, 'state.bin'));
      }),
      1500,
    );
  }, 60_000);

  it('random command lines, through the trace and train argument parsers', async () => {
    await holds(
      fc.asyncProperty(hostileArgv, async (argv) => {
        await judge('trace arguments', [UsageError], () => parseArgs(argv, TRACE_OPTIONS));
        await judge('train arguments', [UsageError], () => {
          const args = parseTrainArgs(argv);
          backendFrom(args.backend);
          if (!args['fixed-batch']) trainOptionsFrom(args);
        });
      }),
      3000,
    );
  }, 60_000);

  it('found no crash, hang or internal message', () => {
    for (const [name, t] of tallies) {
      expect({ name, crashes: t.crashes, hangs: t.hangs, internal: t.internal }).toEqual({
        name,
        crashes: 0,
        hangs: 0,
        internal: 0,
      });
    }
  });
});
