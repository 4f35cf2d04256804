// The interface both backends implement, and the step from text to Trace that sits on top of them.

import type { GPT2Config } from './config';
import { InputError } from './errors';
import type { BackendName, Trace, TensorMap, TraceRequest } from './trace';
import { tokenize, type TokenizeOptions } from '../tokenizer/gpt2';

/** A GPT-2 forward pass that returns named intermediates. */
export interface Engine {
  readonly backend: BackendName;
  readonly config: GPT2Config;
  /** What runs the numbers, for people: "CPU" or the WebGPU adapter's name. */
  readonly description: string;
  /** Runs ids (at most nPositions of them) and returns the tensors the request asks for. */
  forward(ids: number[], request?: TraceRequest): Promise<TensorMap>;
  /** Frees what the engine holds (GPU buffers); the engine cannot be used afterwards. */
  dispose(): void;
}

/** Cuts ids to the context length; the flag tells the UI and the CLI that text was dropped. */
export function fitToContext(ids: number[], nPositions: number): { ids: number[]; truncated: boolean } {
  return ids.length > nPositions
    ? { ids: ids.slice(0, nPositions), truncated: true }
    : { ids, truncated: false };
}

/** Tokenizes text, cuts it to the context and runs the engine. */
export async function traceText(
  engine: Engine,
  text: string,
  request: TraceRequest = {},
  tokenizeOptions: TokenizeOptions = {},
): Promise<Trace> {
  // One token past the context is enough to know the text was cut; the rest is never tokenized.
  const tokens = tokenize(text, { maxTokens: engine.config.nPositions + 1, ...tokenizeOptions });
  if (tokens.length === 0) throw new InputError('The text is empty: type at least one token.');
  const tooLarge = tokens.find((t) => t.id >= engine.config.vocabSize);
  if (tooLarge) {
    throw new InputError(
      `Token ${tooLarge.id} is outside this model's vocabulary of ${engine.config.vocabSize}.`,
    );
  }
  const fitted = fitToContext(
    tokens.map((t) => t.id),
    engine.config.nPositions,
  );
  const tensors = await engine.forward(fitted.ids, request);
  return {
    config: engine.config,
    backend: engine.backend,
    ids: fitted.ids,
    tokens: tokens.slice(0, fitted.ids.length).map((t) => t.display),
    truncated: fitted.truncated,
    tensors,
    ...(request.ablate ? { ablation: request.ablate } : {}),
  };
}
