// The attention steps on the book's chapter-3 example: "Your journey starts with one step" with 3-d inputs
// and the printed W_query, W_key and W_value. Every number the book prints must come out.

import { describe, expect, it } from 'vitest';
import { fromRows, naiveAttention, trainableAttention, type Matrix } from '../../src/model/attention';
import { fixturesJson } from '../helpers/fixtures';

const book = fixturesJson.book_ch03;
/** The matrix as nested rows, to compare with the book's printed tensors. */
const toRows = (m: Matrix): number[][] =>
  Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));

const close = (actual: Matrix, expected: number[][]) => {
  const rows = toRows(actual);
  expect(rows.length).toBe(expected.length);
  rows.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[r][c], 5)));
};

describe('book chapter 3 example', () => {
  const inputs = fromRows(book.inputs);

  it('reproduces the naive attention of §3.3', () => {
    const naive = naiveAttention(inputs);
    close(naive.scores, book.naive_scores);
    close(naive.weights, book.naive_weights);
    close(naive.context, book.naive_context);
  });

  it('reproduces the trainable attention of §3.4 and the causal attention of §3.5', () => {
    const [wq, wk, wv] = [fromRows(book.W_query), fromRows(book.W_key), fromRows(book.W_value)];
    const plain = trainableAttention(inputs, wq, wk, wv);
    close(plain.queries, book.queries);
    close(plain.keys, book.keys);
    close(plain.values, book.values);
    close(plain.scores, book.trainable_scores);
    close(plain.weights, book.trainable_weights);
    close(plain.context, book.trainable_context);
    const causal = trainableAttention(inputs, wq, wk, wv, true);
    close(causal.weights, book.causal_weights);
    close(causal.context, book.causal_context);
  });
});
