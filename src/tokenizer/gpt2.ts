// GPT-2 byte-pair encoding through js-tiktoken's lite build with only the gpt2 ranks (the other encodings
// stay out of the bundle). Each token comes back with its id, its raw bytes and a readable form.

import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';

export const END_OF_TEXT = '<|endoftext|>';
export const END_OF_TEXT_ID = 50256;

export interface Token {
  id: number;
  /** The exact bytes of this token; a token can hold part of a UTF-8 character. */
  bytes: Uint8Array;
  /** A readable form: a leading space shows as ␣, control characters as symbols, broken UTF-8 as hex. */
  display: string;
}

export interface TokenizeOptions {
  /** Let a typed `<|endoftext|>` through as the special token. By default it is plain text, as in
   * tiktoken's `encode_ordinary`. */
  allowSpecial?: boolean;
}

let encoder: Tiktoken | null = null;
/** The encoder is built on first use: parsing the 50k ranks takes a noticeable moment. */
function getEncoder(): Tiktoken {
  encoder ??= new Tiktoken(gpt2Ranks);
  return encoder;
}

/** Token ids of `text`. */
export function encode(text: string, options: TokenizeOptions = {}): number[] {
  // An empty disallowed list turns off tiktoken's "special token in text" error; the allowed list decides
  // whether <|endoftext|> becomes token 50256 or ordinary characters.
  return getEncoder().encode(text, options.allowSpecial ? [END_OF_TEXT] : [], []);
}

/** Raw bytes of one token id. */
export function tokenBytes(id: number): Uint8Array {
  if (id === END_OF_TEXT_ID) return new TextEncoder().encode(END_OF_TEXT);
  // js-tiktoken keeps id → bytes in `textMap`; its public decode() would turn half a character into U+FFFD.
  const bytes = (getEncoder() as unknown as { textMap: Map<number, Uint8Array> }).textMap.get(id);
  if (!bytes) throw new Error(`Token id ${id} is not in the GPT-2 vocabulary.`);
  return bytes;
}

/** Tokens of `text` with their ids, bytes and readable forms. */
export function tokenize(text: string, options: TokenizeOptions = {}): Token[] {
  return encode(text, options).map((id) => {
    const bytes = tokenBytes(id);
    return { id, bytes, display: id === END_OF_TEXT_ID ? END_OF_TEXT : displayBytes(bytes) };
  });
}

/** Decodes ids back to text (used for the next-token panel). */
export function decode(ids: number[]): string {
  return getEncoder().decode(ids);
}

const VISIBLE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Readable form of a token's bytes: valid UTF-8 is shown as text with whitespace made visible; a token
 * that holds only part of a character (emoji and CJK are often split) is shown as its hex bytes. */
export function displayBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return `⟨${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}⟩`;
  }
  return Array.from(
    text,
    (ch) => VISIBLE[ch] ?? (ch < ' ' ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : ch),
  ).join('');
}
