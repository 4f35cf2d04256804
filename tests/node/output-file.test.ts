// Temporary files of the command-line tools: removed when a write is stopped by SIGINT or SIGTERM, and swept
// at the next run when a killed process (SIGKILL, or a signal during a synchronous write) left them (issue 27).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkOutputFolder, writeFileAtomically } from '../../src/node/output-file';
import { bundleCli } from '../helpers/cli-bundle';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'output-file-'));
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('stale temporaries', () => {
  it('are swept at the next write beside them when their process is gone, and only then', () => {
    const dir = scratch();
    const dead = `.model.safetensors.${deadPid()}.tmp`;
    const live = `.model.safetensors.${process.ppid}.tmp`; // the test runner's parent is alive
    const other = `.config.json.${deadPid()}.tmp`;
    for (const name of [dead, live, other, 'notes.tmp']) writeFileSync(path.join(dir, name), 'x');
    writeFileAtomically(path.join(dir, 'model.safetensors'), 'weights');
    expect(readdirSync(dir).sort()).toEqual([live, other, 'model.safetensors', 'notes.tmp'].sort());
  });

  it('are swept from a training folder when the next run checks it (a state save killed by SIGKILL)', () => {
    const dir = scratch();
    const dead = `.training-state.bin.${deadPid()}.tmp`;
    writeFileSync(path.join(dir, dead), 'half a state');
    writeFileSync(path.join(dir, 'training-state.bin'), 'a state');
    checkOutputFolder(dir);
    expect(readdirSync(dir)).toEqual(['training-state.bin']);
  });
});

describe('a write stopped by a signal', () => {
  let run: (file: string) => ReturnType<typeof spawn>;
  let remove = () => {};
  beforeAll(async () => {
    const built = await bundleCli('tests/helpers/slow-write-cli.ts');
    remove = built.remove;
    run = (file) => spawn(process.execPath, [built.bundle, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  }, 120_000);
  afterAll(() => remove());

  it.each(['SIGINT', 'SIGTERM'] as const)('leaves no temporary after %s', async (signal) => {
    const dir = scratch();
    const child = run(path.join(dir, 'trace.json'));
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    expect(readdirSync(dir)).toHaveLength(1); // the temporary
    child.kill(signal);
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_, killedBy) => resolve(killedBy)),
    );
    expect(exit).toBe(signal);
    expect(readdirSync(dir)).toEqual([]);
  });
});
