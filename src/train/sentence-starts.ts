// Where a training window may start when windows start at sentences: the first token of each sentence, written
// as it is at the very start of a text. A visitor's text starts with a word that has no space before it ("Our",
// "After"), but in running text a sentence's first word follows a space (" Our"), so GPT-2's BPE gives it
// another token, which the training text barely has: "Our" fell on the shared row. A window that starts at
// a sentence takes the space off its first token, so those tokens are trained where the page uses them, at
// position 0, and count towards their own rows. The same starts give the training log a held-out loss on text
// as it is typed (sentenceWindows), and tell the page's trainer whether its text has enough of them
// (coveredShare).

import { decode, encode } from '../tokenizer/gpt2';
import type { WindowStarts } from './data';
import { toCompactIds, type TrainVocab } from './vocab';

/** The window starts of a token stream, and the token each window's first input becomes there. */
export interface SentenceStarts {
  positions: Int32Array; // offsets in the stream, each with at least T tokens after it
  firstIds: Int32Array; // same length: the first input of a window starting there (full GPT-2 ids)
}

/** A token that closes a sentence: it ends with . ? or ! and, after them, only closing quotes or brackets. */
const SENTENCE_END = /[.?!]["')\]]*$/;
/** A token that opens one after a space: a capital letter or an opening quote or bracket. */
const SPACED_OPENER = /^ ["'([]?$|^ \p{Lu}/u;
const NEW_TEXT = /\n$/; // after a line break the next token has no space already

/** Tokens of a first word checked at most (a longer word is left out as a start). */
const MAX_WORD_TOKENS = 16;

/**
 * The token that starts the text at `i` once the space before it is gone ("␣Our" → "Our"), or -1 when taking
 * the space off would also change the tokens after it ("␣Se|emingly" is "Seem|ingly" at a text's start): only
 * the first input of a window may change, so that its targets stay the text's.
 */
function unspacedFirstToken(ids: Int32Array, i: number, text: (id: number) => string): number {
  let end = i + 1; // the tokens up to the next space: the first word and what is glued to it
  const glued = (id: number) => text(id) !== '' && !text(id).startsWith(' '); // '' is <|endoftext|>
  while (end < ids.length && end - i < MAX_WORD_TOKENS && glued(ids[end])) end++;
  if (end - i >= MAX_WORD_TOKENS) return -1;
  const word: number[] = [];
  for (let k = i; k < end; k++) word.push(ids[k]);
  const unspaced = encode(decode(word).slice(1));
  if (unspaced.length !== word.length) return -1;
  for (let k = 1; k < word.length; k++) if (unspaced[k] !== word[k]) return -1;
  return unspaced[0];
}

/**
 * The sentence starts of `ids` (full GPT-2 ids) that leave room for T more tokens: the stream's first token,
 * the token after <|endoftext|> or a line break (as it stands), and a spaced capitalised word or opening quote
 * after a sentence's end (without its space). An opener whose word tokenizes otherwise without the space is
 * left out, so a window never changes length and its targets stay the text's. Abbreviations ("Mr. Smith")
 * count as ends, which is harmless: a name at a text's start is ordinary text too.
 */
export function findSentenceStarts(ids: Int32Array, T: number, endOfText: number): SentenceStarts {
  const positions: number[] = [];
  const firstIds: number[] = [];
  const texts = new Map<number, string>();
  const text = (id: number): string => {
    let s = texts.get(id);
    if (s === undefined) texts.set(id, (s = id === endOfText ? '' : decode([id])));
    return s;
  };
  const last = ids.length - T - 1; // a window is T inputs and T targets
  for (let i = 0; i <= last; i++) {
    const id = ids[i];
    if (id === endOfText) continue;
    if (i === 0 || ids[i - 1] === endOfText || NEW_TEXT.test(text(ids[i - 1]))) {
      if (!text(id).startsWith(' ')) {
        positions.push(i);
        firstIds.push(id);
      }
      continue;
    }
    if (!SENTENCE_END.test(text(ids[i - 1])) || !SPACED_OPENER.test(text(id))) continue;
    const twin = unspacedFirstToken(ids, i, text);
    if (twin < 0) continue;
    positions.push(i);
    firstIds.push(twin);
  }
  return { positions: Int32Array.from(positions), firstIds: Int32Array.from(firstIds) };
}

/** The twins the windows put in, one per sentence start that changes its token: what the vocabulary counts
 * besides the stream itself, since each such start is the twin's occurrence in the training text. */
export function addedTwins(ids: Int32Array, starts: SentenceStarts): Int32Array {
  const added: number[] = [];
  for (let k = 0; k < starts.positions.length; k++) {
    if (starts.firstIds[k] !== ids[starts.positions[k]]) added.push(starts.firstIds[k]);
  }
  return Int32Array.from(added);
}

/** The ids whose counts decide the vocabulary: the stream and, after it, the twins its windows put in. */
export function idsCounted(ids: Int32Array, starts: SentenceStarts): Int32Array {
  const twins = addedTwins(ids, starts);
  const out = new Int32Array(ids.length + twins.length);
  out.set(ids);
  out.set(twins, ids.length);
  return out;
}

/** The sampler's form of the starts: each first input as the model's compact id. */
export function compactStarts(starts: SentenceStarts, vocab: TrainVocab): WindowStarts {
  return { positions: starts.positions, firstIds: toCompactIds(starts.firstIds.slice(), vocab) };
}

/**
 * The share of a stream of `length` tokens that windows of T inputs from `positions` (ascending) read: how
 * much of the text a sampler that starts only at sentences ever trains on.
 */
export function coveredShare(positions: Int32Array, T: number, length: number): number {
  if (length === 0) return 0;
  let covered = 0;
  let end = 0; // the first token not yet counted
  for (const p of positions) {
    const from = Math.max(p, end);
    const to = Math.min(p + T + 1, length); // inputs and the last target
    if (to > from) covered += to - from;
    end = Math.max(end, to);
  }
  return covered / length;
}

/**
 * Held-out text as a visitor types it: `count` windows of T inputs and T targets at sentence starts spread evenly
 * over `ids`, each with its first token unspaced, laid end to end (T + 1 tokens each) so that the usual
 * window-loss code reads them at `starts`. Fewer when the text has fewer sentence starts.
 */
export function sentenceWindows(
  ids: Int32Array,
  T: number,
  count: number,
  endOfText: number,
): { ids: Int32Array; starts: number[] } {
  const found = findSentenceStarts(ids, T, endOfText);
  const n = Math.min(count, found.positions.length);
  const out = new Int32Array(n * (T + 1));
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor((i * found.positions.length) / n);
    const at = i * (T + 1);
    out.set(ids.subarray(found.positions[k], found.positions[k] + T + 1), at);
    out[at] = found.firstIds[k];
    starts.push(at);
  }
  return { ids: out, starts };
}
