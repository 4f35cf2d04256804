// Output files for the command-line tools: checked before any work starts (a folder, a missing folder or a
// device is refused up front), and written through a temporary file and a rename, so a failure leaves none.
// An async write's temporary is removed on SIGINT and SIGTERM too; one a killed process left (a synchronous
// write, or SIGKILL) is swept when the next run checks or writes beside it.

import { accessSync, constants, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A file the tool cannot write; its message is one line that names the file. */
export class OutputError extends Error {
  override name = 'OutputError';
}

const stat = (file: string) => {
  try {
    return statSync(file);
  } catch {
    return null;
  }
};

function checkWritableFolder(folder: string, file: string): void {
  const stats = stat(folder);
  if (!stats) throw new OutputError(`cannot write ${file}: the folder ${folder} does not exist`);
  if (!stats.isDirectory()) throw new OutputError(`cannot write ${file}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new OutputError(`cannot write ${file}: the folder ${folder} is not writable`);
  }
}

/** Checks that `file` can be created or replaced as a regular file; returns its absolute path. */
export function checkOutputFile(file: string): string {
  const absolute = path.resolve(file);
  const stats = stat(absolute);
  if (stats?.isDirectory())
    throw new OutputError(`cannot write ${file}: it is a folder; give a file name inside it`);
  // A device or a FIFO would be replaced by the rename (or, for /dev/full, fail half-way).
  if (stats && !stats.isFile()) throw new OutputError(`cannot write ${file}: it is not a regular file`);
  checkWritableFolder(path.dirname(absolute), file);
  sweepStaleTemporaries(absolute);
  return absolute;
}

/** Checks that `folder` exists as a writable folder or can be created under one; returns its absolute path. */
export function checkOutputFolder(folder: string): string {
  const absolute = path.resolve(folder);
  const stats = stat(absolute);
  if (stats && !stats.isDirectory()) throw new OutputError(`cannot write into ${folder}: it is not a folder`);
  let existing = absolute;
  while (!stat(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  checkWritableFolder(existing, folder);
  sweepStaleTemporaries(absolute, true);
  return absolute;
}

const reason = (error: unknown) => {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? `${message.replace(/^[A-Z]+: /, '').replace(/,.*$/, '')} (${code})` : message;
};

const temporaryFor = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
/** `.NAME.PID.tmp`, as temporaryFor names them. */
const TEMPORARY_NAME = /^\.(.+)\.(\d+)\.tmp$/;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but someone else's
  }
};

/**
 * Removes the temporaries a killed run left beside `file` (all of them in the folder when `file` is a
 * folder): those whose process is gone. A live process's are its own business, so they stay.
 */
export function sweepStaleTemporaries(fileOrFolder: string, isFolder = false): void {
  const folder = isFolder ? fileOrFolder : path.dirname(fileOrFolder);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return; // no folder, nothing left in it
  }
  for (const name of names) {
    const match = TEMPORARY_NAME.exec(name);
    if (!match || (!isFolder && match[1] !== path.basename(fileOrFolder))) continue;
    const pid = Number(match[2]);
    if (pid !== process.pid && !isAlive(pid)) rmSync(path.join(folder, name), { force: true });
  }
}

/** Temporaries an async write is filling now, removed if the process is stopped by a signal meanwhile. */
const pending = new Set<string>();

/** On SIGINT or SIGTERM: remove the temporaries, then die of the same signal (so the exit status says so). */
function onSignal(signal: NodeJS.Signals): void {
  for (const temporary of pending) rmSync(temporary, { force: true });
  stopHandlingSignals();
  process.kill(process.pid, signal);
}

/**
 * The handlers are there only while an async write runs. A JavaScript signal handler defers the signal until
 * the event loop turns, and training runs for hours without one: a handler left in place would make Ctrl-C
 * wait for the run to end. A synchronous write is never interrupted by a handler either, so for it the
 * default (the process ends at once) stays, and the sweep above removes what it leaves.
 */
function handleSignals(): void {
  if (pending.size === 0) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
}
function stopHandlingSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
}

/** Runs `write` on a temporary file beside `file`, then renames it over `file`; any failure names `file`. */
export async function writeAtomically(
  file: string,
  write: (temporary: string) => Promise<void> | void,
): Promise<void> {
  sweepStaleTemporaries(file);
  const temporary = temporaryFor(file);
  handleSignals();
  pending.add(temporary);
  try {
    await write(temporary);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new OutputError(`cannot write ${file}: ${reason(error)}`);
  } finally {
    pending.delete(temporary);
    if (pending.size === 0) stopHandlingSignals();
  }
}

/** writeFileSync through a temporary file and a rename; any failure names `file`. */
export function writeFileAtomically(file: string, data: string | Uint8Array): void {
  sweepStaleTemporaries(file);
  const temporary = temporaryFor(file);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new OutputError(`cannot write ${file}: ${reason(error)}`);
  }
}
