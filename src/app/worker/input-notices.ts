// The remarks shown above the token strip about how the text was read: cut to the context, the end-of-text
// marker, characters split into bytes, and different tokens the model cannot tell apart.

import { END_OF_TEXT, END_OF_TEXT_ID } from '../../tokenizer/gpt2';
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
  if (tokens.some((t) => t.display.startsWith('⟨'))) {
    notices.push(
      'Some characters (an emoji, for example) are split into byte-level pieces; those tokens are shown as hex bytes.',
    );
  }
  return notices;
}

/**
 * Different tokens whose token embeddings are identical: a model trained on a small vocabulary (the default
 * one knows about 90 tokens) gives every token it never saw the same row, so "␣love" and "␣pizza" look the
 * same to it. Without this remark, a learner would take the identical rows in steps 2 to 6 for a bug.
 */
export function identicalEmbeddingNotices(
  ids: number[],
  displays: string[],
  tokEmb: Float32Array, // (T, C)
  C: number,
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
  return idsByRow
    .filter((group) => group.size > 1)
    .map((group) => {
      const names = [...group.values()].map((d) => `“${d}”`);
      const list = `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
      return (
        `${list} have identical token embeddings: this model never met them in training, so to it they are ` +
        'the same word, and their rows match until the position embeddings are added. A full GPT-2 (load one ' +
        'under Model) tells them apart.'
      );
    });
}
