// Node-only helpers to open model files: a ByteSource over a file descriptor (tensors are read one by one,
// never the whole file at once) and the config.json lookup beside a model.

import { openSync, readSync, fstatSync, closeSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, type GPT2Config } from '../model/config';
import { ModelFileError } from '../model/errors';
import type { ByteSource } from '../model/safetensors';
import { loadGPT2Weights, type GPT2Weights, type LoadOptions } from '../model/weights';

/** A ByteSource over a file on disk. Call close() when done. */
export function fileSource(file: string): ByteSource & { close(): void } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    throw new ModelFileError(`Cannot open ${file}.`);
  }
  const size = fstatSync(fd).size;
  return {
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
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
  } catch {
    throw new ModelFileError(`Cannot find the ${what} ${file}.`);
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
    throw new ModelFileError(`Cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code}).`);
  }
}

const exists = (file: string) => {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
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
