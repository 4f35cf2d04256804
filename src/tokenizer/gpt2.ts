// GPT-2 byte-pair encoding over js-tiktoken's gpt2 ranks (its lite build, so the other encodings stay out of
// the bundle), with our own lazy split and merge so a long paste stays fast. Tokens carry id, bytes, display.

import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { bytePairEncode, type RankTable } from './bpe';

import { END_OF_TEXT, END_OF_TEXT_ID } from './gpt2-vocab';

export { END_OF_TEXT, END_OF_TEXT_ID, GPT2_VOCAB_SIZE } from './gpt2-vocab';
const END_OF_TEXT_BYTES = new TextEncoder().encode(END_OF_TEXT);

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
  /** Stop after this many tokens: a caller that cuts to the context asks for one more than it keeps, to
   * know whether anything was cut, and a megabyte paste is then only split as far as needed. */
  maxTokens?: number;
}

let encoder: Tiktoken | null = null;
/** The encoder is built on first use: parsing the 50k ranks takes a noticeable moment. */
function getEncoder(): Tiktoken {
  encoder ??= new Tiktoken(gpt2Ranks);
  return encoder;
}

let rankTable: RankTable | null = null;
/** The ranks keyed by binary strings for our own merge (js-tiktoken's merge is quadratic on long runs). */
function getRanks(): RankTable {
  if (rankTable) return rankTable;
  rankTable = new Map();
  const textMap = (getEncoder() as unknown as { textMap: Map<number, Uint8Array> }).textMap;
  for (const [id, bytes] of textMap) rankTable.set(String.fromCharCode(...bytes), id);
  return rankTable;
}

const utf8 = new TextEncoder();
/** One code unit per UTF-8 byte; ASCII text is already in that form. */
function binaryString(piece: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(piece)) return piece;
  const bytes = utf8.encode(piece); // a lone surrogate becomes EF BF BD, as in js-tiktoken
  let out = '';
  // In slices: spreading a megabyte into one call would overflow the stack.
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** Appends the ids of `text` (no special tokens in it) to `out`, stopping once `out` holds `limit`. */
function encodeOrdinary(text: string, out: number[], limit: number): void {
  const ranks = getRanks();
  // GPT-2's pre-tokenization, applied lazily so that a long text is only split as far as it is needed.
  const pattern = new RegExp(gpt2Ranks.pat_str, 'gu');
  let match: RegExpExecArray | null;
  while (out.length < limit && (match = pattern.exec(text)) !== null) {
    bytePairEncode(binaryString(match[0]), ranks, out);
  }
}

/** Token ids of `text`, at most `options.maxTokens` of them: the first ones, the same as tiktoken's. */
export function encode(text: string, options: TokenizeOptions = {}): number[] {
  const limit = options.maxTokens ?? Infinity;
  const ids: number[] = [];
  // A typed <|endoftext|> is the special token only when allowed, as in tiktoken's allowed_special; the
  // text between markers is split on its own, so a lookahead never sees past a marker.
  let start = 0;
  while (ids.length < limit) {
    const marker = options.allowSpecial ? text.indexOf(END_OF_TEXT, start) : -1;
    encodeOrdinary(marker < 0 ? text.slice(start) : text.slice(start, marker), ids, limit);
    if (marker < 0) break;
    if (ids.length < limit) ids.push(END_OF_TEXT_ID);
    start = marker + END_OF_TEXT.length;
  }
  return ids.length > limit ? ids.slice(0, limit) : ids;
}

/** Raw bytes of one token id. */
export function tokenBytes(id: number): Uint8Array {
  if (id === END_OF_TEXT_ID) return new TextEncoder().encode(END_OF_TEXT);
  // js-tiktoken keeps id → bytes in `textMap`; its public decode() would turn half a character into U+FFFD.
  const bytes = (getEncoder() as unknown as { textMap: Map<number, Uint8Array> }).textMap.get(id);
  if (!bytes) throw new Error(`Token id ${id} is not in the GPT-2 vocabulary.`);
  return bytes;
}

/** Tokens of `text` (at most `options.maxTokens`) with their ids, bytes and readable forms. */
export function tokenize(text: string, options: TokenizeOptions = {}): Token[] {
  return encode(text, options).map((id) => {
    const bytes = tokenBytes(id);
    return { id, bytes, display: id === END_OF_TEXT_ID ? END_OF_TEXT : displayBytes(bytes) };
  });
}

/** Keeps a leading U+FEFF: a default TextDecoder (js-tiktoken's decode uses one) drops it as a byte order
 * mark, so a text that starts with one did not come back from decode(encode(text)). */
const bomKeepingUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes ids back to text (used for the next-token panel); ids outside the vocabulary are skipped, as
 * js-tiktoken's decode skips them. */
export function decode(ids: number[]): string {
  const textMap = (getEncoder() as unknown as { textMap: Map<number, Uint8Array> }).textMap;
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const id of ids) {
    const bytes = id === END_OF_TEXT_ID ? END_OF_TEXT_BYTES : textMap.get(id);
    if (!bytes) continue;
    parts.push(bytes);
    length += bytes.length;
  }
  const joined = new Uint8Array(length);
  let at = 0;
  for (const bytes of parts) {
    joined.set(bytes, at);
    at += bytes.length;
  }
  return bomKeepingUtf8.decode(joined);
}

const VISIBLE: Record<string, string> = { ' ': '␣', '\n': '↵', '\t': '⇥', '\r': '␍' };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Characters that draw nothing (controls, format characters such as a zero-width space, separators). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** "<0xE2>": plain ASCII, so it draws in any font (the earlier ⟨e2⟩ was an empty box where ⟨ was missing). */
export const byteName = (b: number): string => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** Whether a display string is a token's raw bytes (part of a character), as displayBytes writes them. */
export const isByteDisplay = (display: string): boolean => /^(<0x[0-9A-F]{2}>)+$/.test(display);

/** Readable form of a token's bytes: valid UTF-8 is shown as text with whitespace made visible; a token
 * that holds only part of a character (emoji and CJK are often split) is shown as its bytes, <0xE2><0x80>. */
export function displayBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return Array.from(bytes, byteName).join('');
  }
  return Array.from(text, (ch) => {
    const code = ch.codePointAt(0)!;
    if (VISIBLE[ch]) return VISIBLE[ch];
    if (code < 0x20) return `\\x${code.toString(16).padStart(2, '0')}`;
    return INVISIBLE.test(ch) ? `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>` : ch;
  }).join('');
}
