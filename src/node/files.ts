// Node-only helpers to open model files: a ByteSource over a file descriptor (tensors are read one by one,
// never the whole file at once) and the config.json lookup beside a model.

import { openSync, readSync, fstatSync, closeSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type GPT2Config } from '../model/config';
import { ModelFileError } from '../model/errors';
import type { ByteSource } from '../model/safetensors';
import { loadGPT2Weights, type GPT2Weights, type LoadOptions } from '../model/weights';

/**
 * The sentence for a failed stat, open or read of `file`, naming the real cause: a file that is there but
 * unreadable is not "cannot find". Codes Node gives for paths (see errno(3)); anything else is named by its code.
 */
export function fileErrorMessage(error: unknown, file: string, what: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return `Cannot find the ${what} ${file}.`;
    case 'ENOTDIR':
      return `Cannot find the ${what} ${file}: a part of its path is a file, not a folder.`;
    case 'EACCES':
    case 'EPERM':
      return `Cannot read the ${what} ${file}: permission denied.`;
    case 'EISDIR':
      return `${file} is a directory, not a ${what}.`;
    case 'ELOOP':
      return `Cannot read the ${what} ${file}: its path has a loop of symbolic links.`;
    case 'ENAMETOOLONG':
      return `Cannot read the ${what} ${file}: the name is too long.`;
    case 'EMFILE':
    case 'ENFILE':
      return `Cannot read the ${what} ${file}: too many files are open.`;
    case 'EIO':
      return `Cannot read the ${what} ${file}: the disk reported an input/output error.`;
    default:
      return `Cannot read the ${what} ${file}${code ? ` (${code})` : ''}.`;
  }
}

/** A ByteSource over a file on disk. Call close() when done. */
export function fileSource(file: string, what = 'model file'): ByteSource & { close(): void } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new ModelFileError(fileErrorMessage(error, file, what));
  }
  const size = fstatSync(fd).size;
  return {
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        let n: number;
        try {
          n = readSync(fd, out, done, length - done, offset + done);
        } catch (error) {
          throw new ModelFileError(fileErrorMessage(error, file, what));
        }
        if (n === 0) throw new ModelFileError(`${file} ended early while reading.`);
        done += n;
      }
      return out;
    },
    close: () => closeSync(fd),
  };
}

/**
 * Checks that `file` is a regular file before it is opened: a directory would fail with a bare EISDIR,
 * and opening a FIFO for reading waits for a writer forever.
 */
export function checkRegularFile(file: string, what: string): void {
  if (file === '') throw new ModelFileError(`The ${what} name is empty.`);
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new ModelFileError(fileErrorMessage(error, file, what));
  }
  if (stats.isDirectory()) throw new ModelFileError(`${file} is a directory, not a ${what}.`);
  if (!stats.isFile())
    throw new ModelFileError(`${file} is not a regular file, so it cannot be the ${what}.`);
}

/** Reads a whole text file after checking it is one; any failure names the file. */
export function readTextFile(file: string, what: string): string {
  checkRegularFile(file, what);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelFileError(fileErrorMessage(error, file, what));
  }
}

/** Whether `file` may be there: only "no such file" says no, so an unreadable one is read and named. */
const exists = (file: string) => {
  try {
    statSync(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
};

/** Reads config.json: the one given, or the one beside the model file. */
export function readConfigFor(modelFile: string, configFile?: string): GPT2Config {
  const candidates = configFile
    ? [configFile]
    : [
        path.join(path.dirname(modelFile), 'config.json'),
        modelFile.replace(/\.safetensors$/, '.config.json'),
      ];
  const found = candidates.find(exists);
  if (!found) {
    throw new ModelFileError(
      configFile
        ? `Cannot find the config file ${configFile}.`
        : `No config.json beside ${modelFile}; pass --config.`,
    );
  }
  const text = readTextFile(found, 'config file');
  try {
    return parseConfig(text);
  } catch (error) {
    // parseConfig speaks of "config.json"; say which file that was.
    if (error instanceof ModelFileError) throw new ModelFileError(`${found}: ${error.message}`);
    throw error;
  }
}

/** Loads a model file and its config from disk. */
export async function loadModelFile(
  modelFile: string,
  configFile?: string,
  options: LoadOptions = {},
): Promise<GPT2Weights> {
  checkRegularFile(modelFile, 'model file');
  const config = readConfigFor(modelFile, configFile);
  const source = fileSource(modelFile);
  try {
    return await loadGPT2Weights(source, config, { fileLabel: path.basename(modelFile), ...options });
  } finally {
    source.close();
  }
}
