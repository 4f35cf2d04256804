// Errors that carry one sentence meant for the user, and the helpers that keep that sentence short. The UI and
// the CLI show `message` as it is, so it must say what is wrong and with which file, without a stack trace.

/** The most characters a value quoted from a file or a command line takes in a message. */
export const MAX_QUOTED_CHARS = 80;
/** The most characters of any message meant for the user (an alert of 200 KB helps nobody). */
export const MAX_MESSAGE_CHARS = 300;

/**
 * `text` as a message quotes it: whole when short, else its start, "…" and how long it was. The count is in
 * characters of the original, so a reader knows how much was left out.
 */
export function shortText(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A list (a shape, data_offsets) as `1,2,3`, or its first items, "…" and how many there are. */
export function shortList(items: readonly unknown[], max = MAX_QUOTED_CHARS): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = (i ? ',' : '') + shortText(String(items[i]), 20);
    if (out.length + next.length > max) return `${out},… (${items.length} items)`;
    out += next;
  }
  return out;
}

/**
 * Any value read from JSON as a message quotes it, shortened. Never throws: a value nested 100 000 deep
 * overflows JSON.stringify's stack, and then only its kind is named.
 */
export function quoteValue(value: unknown, max = MAX_QUOTED_CHARS): string {
  if (typeof value === 'string') return JSON.stringify(shortText(value, max));
  if (value === undefined) return 'missing';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return Array.isArray(value) ? 'a deeply nested list' : `a ${typeof value}`;
  return shortText(json, max);
}

/** A message cut to MAX_MESSAGE_CHARS: the last guard, for a file name or a value no helper above shortened. */
export function limitMessage(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/** A weight file or config that cannot be turned into a model. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(message: string) {
    super(limitMessage(message));
  }
}

/** Text or settings the engine cannot run on (for example no tokens at all). */
export class InputError extends Error {
  override name = 'InputError';
  constructor(message: string) {
    super(limitMessage(message));
  }
}
