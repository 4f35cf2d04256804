// Why a model, config or text file could not be read: the message names the real cause (permission, a file
// where a folder should be, a directory), not "cannot find" for all of them (issue 27, item 14).

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelFileError } from '../../src/model/errors';
import { fileErrorMessage, loadModelFile, readTextFile } from '../../src/node/files';

const errno = (code: string) => Object.assign(new Error(`${code}: whatever`), { code });

describe('file error messages', () => {
  // The tests run as root, for whom chmod 000 blocks nothing, so the mapping is tested on its own.
  it.each([
    ['ENOENT', /^Cannot find the model file m\.safetensors\.$/],
    ['EACCES', /^Cannot read the model file m\.safetensors: permission denied\.$/],
    ['EPERM', /^Cannot read the model file m\.safetensors: permission denied\.$/],
    ['EISDIR', /^m\.safetensors is a directory, not a model file\.$/],
    ['ENOTDIR', /a part of its path is a file, not a folder\.$/],
    ['ELOOP', /loop of symbolic links/],
    ['EIO', /input\/output error/],
    ['EWHATEVER', /^Cannot read the model file m\.safetensors \(EWHATEVER\)\.$/],
  ])('%s', (code, message) => {
    expect(fileErrorMessage(errno(code), 'm.safetensors', 'model file')).toMatch(message);
  });

  it('says a part of the path is a file, for a model and a text file under a file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'files-'));
    const file = path.join(dir, 'plain');
    writeFileSync(file, 'x');
    const under = path.join(file, 'model.safetensors');
    await expect(loadModelFile(under)).rejects.toThrow(ModelFileError);
    await expect(loadModelFile(under)).rejects.toThrow(/a part of its path is a file, not a folder/);
    expect(() => readTextFile(path.join(file, 't.txt'), 'text file')).toThrow(
      /Cannot find the text file .*t\.txt: a part of its path is a file, not a folder\./,
    );
  });
});
