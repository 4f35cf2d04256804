// The options of `npm run train` and which of its two modes reads each one: an option the chosen mode does not
// read (--model without --fixed-batch, --n-layer with it) is refused, rather than accepted and ignored.

import { parseArgs, UsageError } from './args';
import { TRAIN_OPTION_FLAGS } from './train-command';

export const TRAIN_CLI_OPTIONS = {
  ...TRAIN_OPTION_FLAGS,
  out: 'string',
  model: 'string',
  config: 'string',
  'text-file': 'string',
  'fixed-batch': 'boolean',
  'log-json': 'boolean',
  backend: 'string',
  help: 'boolean',
} as const;

type TrainCliArgs = ReturnType<typeof parseArgs<typeof TRAIN_CLI_OPTIONS>>;

/** What --fixed-batch reads; training reads everything else but these four. */
const FIXED_BATCH_READS = new Set([
  'fixed-batch', 'model', 'config', 'text-file', 'batch', 'seq', 'steps', 'lr', 'weight-decay', 'grad-clip',
  'log-json', 'backend', 'help',
]); // prettier-ignore
const ONLY_FIXED_BATCH = ['model', 'config', 'text-file', 'log-json'];

/** Parses the command line and refuses, in one sentence, an option the chosen mode would ignore. */
export function parseTrainArgs(argv: string[]): TrainCliArgs {
  const args = parseArgs(argv, TRAIN_CLI_OPTIONS);
  const given = Object.keys(args);
  if (args['fixed-batch']) {
    const ignored = given.find((name) => !FIXED_BATCH_READS.has(name));
    if (ignored) throw new UsageError(`--${ignored} does nothing with --fixed-batch; leave it out`);
  } else {
    const ignored = given.find((name) => ONLY_FIXED_BATCH.includes(name));
    if (ignored)
      throw new UsageError(`--${ignored} is read only with --fixed-batch; add --fixed-batch or leave it out`);
  }
  return args;
}
