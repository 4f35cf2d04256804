// The remarks shown above the token strip about how the text was read: cut to the context, the end-of-text
// marker, characters split into bytes, and different tokens the model cannot tell apart.

import { END_OF_TEXT, END_OF_TEXT_ID, isByteDisplay } from '../../tokenizer/gpt2';
import { textForUrl } from '../store/url';

/** Remarks about the text itself: truncation, special tokens and byte-level pieces. */
export function inputNotices(
  text: string,
  tokens: { id: number; display: string }[],
  truncated: boolean,
  nPositions: number,
): string[] {
  const notices: string[] = [];
  if (truncated) {
    notices.push(
      `Cut to ${nPositions} tokens: this model reads at most ${nPositions}, and the text is longer. The rest is not shown.`,
    );
  }
  const inLink = textForUrl(text);
  if (inLink.cut) {
    notices.push(
      `The address bar keeps only the first ${inLink.text.length} characters of this text: a link to all of it would be too long to open.`,
    );
  }
  if (text.includes(END_OF_TEXT)) {
    notices.push(
      tokens.some((t) => t.id === END_OF_TEXT_ID)
        ? `${END_OF_TEXT} is GPT-2's end-of-text marker; it was read as the special token ${END_OF_TEXT_ID}.`
        : `${END_OF_TEXT} was read as plain characters, as tiktoken's encode_ordinary does; tick “special tokens” to read it as GPT-2's end-of-text token ${END_OF_TEXT_ID}.`,
    );
  }
  if (tokens.some((t) => isByteDisplay(t.display))) {
    notices.push(
      'Some characters (an emoji, for example) are split into byte-level pieces; those tokens are shown as their bytes, like <0xF0>.',
    );
  }
  return notices;
}

/** Per token embedding table: how many vocabulary rows share each row, keyed by a 53-bit hash of its bits. */
const rowCounts = new WeakMap<
  Float32Array,
  { hashOf: (id: number) => number; counts: Map<number, number> }
>();

/** Two FNV-1a style 32-bit hashes of a row's float bits, folded into one safe integer. */
function rowHash(bits: Uint32Array, start: number, C: number): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let c = start; c < start + C; c++) {
    a = Math.imul(a ^ bits[c], 0x01000193);
    b = Math.imul(b ^ bits[c], 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * How many rows of the token embedding table `wte` (V, C) equal row `id`: 1 for a token the model learned,
 * thousands for the tokens a small training corpus never used (they all keep one shared row). Counted once
 * per model (one pass over the table), then a lookup.
 */
export function sharedRowCount(wte: Float32Array, C: number, id: number): number {
  let table = rowCounts.get(wte);
  if (!table) {
    const bits = new Uint32Array(wte.buffer, wte.byteOffset, wte.length);
    const counts = new Map<number, number>();
    for (let row = 0; row < wte.length / C; row++) {
      const hash = rowHash(bits, row * C, C);
      counts.set(hash, (counts.get(hash) ?? 0) + 1);
    }
    table = { hashOf: (token) => rowHash(bits, token * C, C), counts };
    rowCounts.set(wte, table);
  }
  return table.counts.get(table.hashOf(id)) ?? 1;
}

/**
 * Different tokens whose token embeddings are identical: a model trained on a limited vocabulary (the default
 * one gives its own row to about 14,500 tokens its English training text has at least 16 times) gives every
 * other token the same row, so two rare words look the same to it. Without this remark, a learner would take the identical rows in steps 2 to 6 for a bug.
 */
export function identicalEmbeddingNotices(
  ids: number[],
  displays: string[],
  tokEmb: Float32Array, // (T, C)
  C: number,
  /** How many vocabulary tokens share a token's row; flags a lone unknown token ("Hi") too. */
  sharedInVocabulary?: (id: number) => number,
): string[] {
  const row = (t: number) => tokEmb.subarray(t * C, (t + 1) * C);
  const same = (a: Float32Array, b: Float32Array) => a.every((x, i) => x === b[i]);
  // Rows are bucketed by a few of their values, and compared whole only within a bucket: cheap at T = 1024.
  const sample = (t: number) => [0, C >> 1, C - 1].map((c) => tokEmb[t * C + c]).join(',');
  const buckets = new Map<string, { first: number; names: Map<number, string> }[]>();
  ids.forEach((id, t) => {
    const key = sample(t);
    const bucket = buckets.get(key) ?? [];
    buckets.set(key, bucket);
    const group = bucket.find((g) => g.names.has(id) || same(row(g.first), row(t)));
    if (group) group.names.set(id, displays[t]);
    else bucket.push({ first: t, names: new Map([[id, displays[t]]]) });
  });
  const idsByRow = [...buckets.values()].flat().map((g) => g.names);
  const lone = idsByRow
    .filter((group) => group.size === 1)
    .map((group) => [...group][0])
    .map(([id, display]) => ({ display, others: (sharedInVocabulary?.(id) ?? 1) - 1 }))
    .filter(({ others }) => others > 0)
    .map(
      ({ display, others }) =>
        `“${display}” has the same token embedding as ${others.toLocaleString('en')} other tokens: this model met ` +
        'it too rarely in training (or never) to learn it, so to it it is just an unknown word. A full GPT-2 ' +
        '(load one under Model) knows it.',
    );
  const groups = idsByRow
    .filter((group) => group.size > 1)
    .map((group) => {
      // A long text in a small model's unknown words would otherwise name dozens: a few, then a count.
      const names = [...group.values()].map((d) => `“${d}”`);
      const shown = names.length > 5 ? [...names.slice(0, 4), `${names.length - 4} others`] : names;
      const list = `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
      return (
        `${list} have identical token embeddings: this model met them too rarely in training (or never) to ` +
        'learn them, so to it they are ' +
        'the same word, and their rows match until the position embeddings are added. A full GPT-2 (load one ' +
        'under Model) tells them apart.'
      );
    });
  return [...groups, ...lone];
}
