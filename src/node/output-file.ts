// Output files for the command-line tools: checked before any work starts (a folder, a missing folder or a
// device is refused up front), and written through a temporary file and a rename, so a failure leaves none.

import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  return absolute;
}

const reason = (error: unknown) => {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? `${message.replace(/^[A-Z]+: /, '').replace(/,.*$/, '')} (${code})` : message;
};

const temporaryFor = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);

/** Runs `write` on a temporary file beside `file`, then renames it over `file`; any failure names `file`. */
export async function writeAtomically(
  file: string,
  write: (temporary: string) => Promise<void> | void,
): Promise<void> {
  const temporary = temporaryFor(file);
  try {
    await write(temporary);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new OutputError(`cannot write ${file}: ${reason(error)}`);
  }
}

/** writeFileSync through a temporary file and a rename; any failure names `file`. */
export function writeFileAtomically(file: string, data: string | Uint8Array): void {
  const temporary = temporaryFor(file);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new OutputError(`cannot write ${file}: ${reason(error)}`);
  }
}
