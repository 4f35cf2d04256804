// Writes a trace as JSON without building the whole string in memory: the logits of a 124M model at
// T = 1024 alone are 51M numbers, more than one JavaScript string can hold. Same format as traceToJson.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { traceJsonHeader } from '../model/trace-json';
import type { Trace } from '../model/trace';

const CHUNK = 1 << 16;

/** A top-level field written after the tensors: its plain fields, then `data` streamed like a tensor's. */
export type TraceJsonExtra = Record<string, unknown> & { data: Float32Array };

/** Streams `trace` as JSON to a file path, or to a stream such as process.stdout, honouring back-pressure. */
export async function writeTraceJson(
  target: string | Writable,
  trace: Trace,
  adapter: string,
  extras: Record<string, TraceJsonExtra> = {},
): Promise<void> {
  const stream = typeof target === 'string' ? createWriteStream(target) : target;
  // A write error (a full disk) arrives as an event; without this it would end in a silent exit 0.
  let failure: Error | null = null;
  const onError = (error: Error) => (failure ??= error);
  stream.on('error', onError);
  const write = async (text: string) => {
    if (failure) throw failure;
    if (!stream.write(text)) await once(stream, 'drain');
  };
  /** `{...fields, "data": [...]}`, the numbers in chunks. */
  const writeObject = async (fields: Record<string, unknown>, data: Float32Array) => {
    await write(JSON.stringify(fields).slice(0, -1) + (Object.keys(fields).length ? ',' : '') + '"data":[');
    for (let start = 0; start < data.length; start += CHUNK) {
      const part = Array.from(data.subarray(start, start + CHUNK), (x) => (Number.isFinite(x) ? x : null));
      await write((start ? ',' : '') + part.join(','));
    }
    await write(']}');
  };
  try {
    await write(JSON.stringify(traceJsonHeader(trace, adapter)).slice(0, -1) + ',"tensors":{');
    let first = true;
    for (const [name, tensor] of Object.entries(trace.tensors)) {
      await write(`${first ? '' : ','}${JSON.stringify(name)}:`);
      await writeObject({ shape: tensor.shape }, tensor.data);
      first = false;
    }
    await write('}');
    for (const [name, { data, ...fields }] of Object.entries(extras)) {
      await write(`,${JSON.stringify(name)}:`);
      await writeObject(fields, data);
    }
    await write('}\n');
  } finally {
    if (typeof target === 'string') {
      stream.end();
      await finished(stream).catch(onError);
    }
    stream.off('error', onError);
  }
  if (failure) throw failure;
}
