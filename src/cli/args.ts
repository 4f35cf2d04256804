// A small argument parser shared by the command-line tools: `--name value` and `--flag`, with a clear
// message for anything unknown, empty or repeated, so a typo never runs with a silent default.
// Not node:util's parseArgs: it refuses `--steps -1` as "ambiguous", where this one takes -1 as the value and
// the tool's own check then says which range is allowed ("--steps must be a whole number of at least 1").

export class UsageError extends Error {
  override name = 'UsageError';
}

export type ArgSpec = Record<string, 'string' | 'number' | 'boolean'>;

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

export function parseArgs<S extends ArgSpec>(
  argv: string[],
  spec: S,
): { [K in keyof S]?: S[K] extends 'number' ? number : S[K] extends 'boolean' ? boolean : string } {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (Object.hasOwn(out, name)) throw new UsageError(`--${name} is given twice`);
    if (kind === 'boolean') {
      // `--flag=0` must not turn the flag on: only the words below are understood.
      if (inline !== undefined && !Object.hasOwn(BOOLEAN_WORDS, inline))
        throw new UsageError(`--${name} is a switch: give it alone, or as --${name}=true or --${name}=false`);
      out[name] = inline === undefined ? true : BOOLEAN_WORDS[inline];
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (value.trim() === '') throw new UsageError(`--${name} is empty; give it a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not "${value}"`);
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
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  }
}
