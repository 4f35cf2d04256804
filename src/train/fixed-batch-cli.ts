// The fixed-batch mode of `npm run train`: loads any GPT-2 checkpoint (F32, F16 or BF16; bare or
// `transformer.`-prefixed keys), trains it on the first B·T+1 tokens of a text, and prints each step's loss.

import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../cli/args';
import { loadModelFile } from '../node/files';
import { encode } from '../tokenizer/gpt2';
import { trainFixedBatch } from './fixed-batch';

export interface FixedBatchArgs {
  model?: string;
  config?: string;
  'text-file'?: string;
  batch?: number;
  seq?: number;
  steps?: number;
  lr?: number;
  'weight-decay'?: number;
  'grad-clip'?: number;
  'log-json'?: boolean;
}

/** Runs the fixed-batch mode; each step's line goes to `print` (JSON with --log-json). */
export async function runFixedBatch(args: FixedBatchArgs, print: (line: string) => void): Promise<number[]> {
  for (const name of ['model', 'text-file', 'batch', 'seq', 'steps'] as const) {
    if (args[name] === undefined) throw new UsageError(`--fixed-batch needs --${name}`);
  }
  const textFile = args['text-file']!;
  if (!existsSync(textFile)) throw new UsageError(`cannot find the text file ${textFile}`);
  const positive = (name: 'batch' | 'seq' | 'steps') => {
    const value = args[name]!;
    if (!Number.isInteger(value) || value < (name === 'steps' ? 0 : 1))
      throw new UsageError(`--${name} must be a positive integer`);
    return value;
  };
  const weights = await loadModelFile(args.model!, args.config);
  const tokens = encode(readFileSync(textFile, 'utf8'));
  const options = {
    B: positive('batch'),
    T: positive('seq'),
    steps: positive('steps'),
    lr: args.lr ?? 1e-3, // torch.optim.AdamW's defaults
    weightDecay: args['weight-decay'] ?? 0.01,
    gradClip: args['grad-clip'],
  };
  const { losses } = trainFixedBatch(weights, tokens, options, (step, loss) =>
    print(
      args['log-json']
        ? `{"step": ${step}, "loss": ${JSON.stringify(loss)}}`
        : `step ${step} loss ${loss.toFixed(6)}`,
    ),
  );
  return losses;
}
