// The command-line tools' options: `--name value` and `--flag`, with a clear message for anything unknown,
// empty or repeated, so a typo never runs with a silent default.
// node:util's parseArgs splits the arguments; its strict mode is not used, because it refuses `--steps -1` as
// "ambiguous", where this takes -1 as the value and the tool's own check then says which range is allowed
// ("--steps must be a whole number of at least 1"). The checks below run over its tokens instead, in order, so
// the first problem on the command line is the one reported.

import { parseArgs as splitArgs } from 'node:util';
import { limitMessage, shortText } from '../model/errors';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type ArgSpec = Record<string, 'string' | 'number' | 'boolean'>;

/** A decimal number as people write one: 12, -1, 0.5, .5, 3e-4. Number() also reads 0x10, 0o17 and 0b11,
 * which nobody means as a step count, and which would then run silently with the number it makes. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

export function parseArgs<S extends ArgSpec>(
  argv: string[],
  spec: S,
): { [K in keyof S]?: S[K] extends 'number' ? number : S[K] extends 'boolean' ? boolean : string } {
  const options = Object.fromEntries(
    Object.entries(spec).map(([name, kind]) => [name, { type: kind === 'boolean' ? 'boolean' : 'string' }]),
  ) as Record<string, { type: 'boolean' | 'string' }>;
  const { tokens } = splitArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const out: Record<string, string | number | boolean> = {};
  for (const token of tokens) {
    if (token.kind === 'option-terminator') throw new UsageError('unknown option --');
    // A positional, or a short option: `-abc` comes as three tokens that all point at the one argument.
    if (token.kind === 'positional' || !token.rawName.startsWith('--'))
      throw new UsageError(`unexpected argument "${shortText(argv[token.index])}"`);
    const { name, value } = token;
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) throw new UsageError(`unknown option --${shortText(name)}`);
    if (Object.hasOwn(out, name)) throw new UsageError(`--${name} is given twice`);
    if (kind === 'boolean') {
      // `--flag=0` must not turn the flag on: only the words below are understood.
      if (value !== undefined && !Object.hasOwn(BOOLEAN_WORDS, value))
        throw new UsageError(`--${name} is a switch: give it alone, or as --${name}=true or --${name}=false`);
      out[name] = value === undefined ? true : BOOLEAN_WORDS[value];
      continue;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (value.trim() === '') throw new UsageError(`--${name} is empty; give it a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!DECIMAL.test(value.trim()) || !Number.isFinite(n))
        throw new UsageError(`--${name} must be a decimal number, not "${shortText(value)}"`);
      out[name] = n;
    } else out[name] = value;
  }
  return out as never;
}

/** Runs a CLI main: known errors print one line on stderr and exit 1, with no stack trace. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Each line cut to the limit (a usage text may follow the sentence on lines of its own).
    process.stderr.write(`error: ${message.split('\n').map(limitMessage).join('\n')}\n`);
    process.exit(1);
  }
}
