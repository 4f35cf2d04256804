// The fixed-batch mode of `npm run train`: loads any GPT-2 checkpoint (F32, F16 or BF16; bare or
// `transformer.`-prefixed keys), trains it on the first B·T+1 tokens of a text, and prints each step's loss.

import { UsageError } from '../cli/args';
import { checkRegularFile, loadModelFile, readTextFile } from '../node/files';
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
  const positive = (name: 'batch' | 'seq' | 'steps') => {
    const value = args[name]!;
    if (!Number.isInteger(value) || value < (name === 'steps' ? 0 : 1))
      throw new UsageError(`--${name} must be a positive integer`);
    return value;
  };
  const options = {
    B: positive('batch'),
    T: positive('seq'),
    steps: positive('steps'),
    lr: args.lr ?? 1e-3, // torch.optim.AdamW's defaults
    weightDecay: args['weight-decay'] ?? 0.01,
    gradClip: args['grad-clip'],
  };
  if (!(options.lr > 0)) throw new UsageError('--lr must be a number above 0');
  if (!(options.weightDecay >= 0)) throw new UsageError('--weight-decay must be a number of at least 0');
  if (options.gradClip !== undefined && !(options.gradClip > 0))
    throw new UsageError('--grad-clip must be a number above 0');
  // Every file is checked before the model is loaded (a FIFO or a folder would hang or fail late).
  checkRegularFile(args.model!, 'model file');
  if (args.config !== undefined) checkRegularFile(args.config, 'config file');
  const text = readTextFile(args['text-file']!, 'text file');
  const weights = await loadModelFile(args.model!, args.config);
  const tokens = encode(text);
  const { losses } = trainFixedBatch(weights, tokens, options, (step, loss) =>
    print(
      args['log-json']
        ? `{"step": ${step}, "loss": ${JSON.stringify(loss)}}`
        : `step ${step} loss ${loss.toFixed(6)}`,
    ),
  );
  return losses;
}
