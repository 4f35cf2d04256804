// The tokenizer against tiktoken's own output (fixtures.json → tokenization) and against an independent BPE
// on random Unicode text; readable forms keep a leading space visible.

import { describe, expect, it } from 'vitest';
import { decode, displayBytes, encode, tokenize, END_OF_TEXT_ID } from '../../src/tokenizer/gpt2';
import { seededRandom } from '../../src/model/random';
import { fixturesJson } from '../helpers/fixtures';
import { referenceEncode } from '../helpers/reference-bpe';

interface Case {
  text: string;
  ordinary: number[];
  allowed_special: number[];
  default_raises: boolean;
  pieces: string[];
}
const cases: Case[] = fixturesJson.tokenization;
const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

describe('GPT-2 tokenizer', () => {
  it.each(cases.map((c) => [JSON.stringify(c.text), c] as const))('matches tiktoken on %s', (_, c) => {
    expect(encode(c.text)).toEqual(c.ordinary);
    expect(encode(c.text, { allowSpecial: true })).toEqual(c.allowed_special);
    // The fixture pieces are each token's raw bytes written as latin-1 characters.
    expect(tokenize(c.text).map((t) => latin1(t.bytes))).toEqual(c.pieces);
  });

  it('treats a typed <|endoftext|> as text unless special tokens are allowed', () => {
    const text = 'a <|endoftext|> b';
    expect(encode(text)).not.toContain(END_OF_TEXT_ID);
    expect(encode(text, { allowSpecial: true })).toContain(END_OF_TEXT_ID);
    expect(tokenize(text, { allowSpecial: true }).find((t) => t.id === END_OF_TEXT_ID)?.display).toBe(
      '<|endoftext|>',
    );
  });

  it('makes a leading space, tabs and newlines visible', () => {
    expect(tokenize('the fat cat').map((t) => t.display)).toEqual(['the', '␣fat', '␣cat']);
    expect(tokenize('a\tb\nc').map((t) => t.display)).toEqual(['a', '⇥', 'b', '↵', 'c']);
  });

  it('shows half a character as hex bytes rather than a replacement character', () => {
    const display = tokenize('🐱').map((t) => t.display);
    expect(display.join('')).not.toContain('\ufffd');
    expect(display[0]).toMatch(/^(<0x[0-9A-F]{2}>)+$/);
    expect(displayBytes(new TextEncoder().encode('é'))).toBe('é');
    // A lone byte token, as the next-token list may show one: readable in any font, never an empty box.
    expect(displayBytes(Uint8Array.of(0xe2))).toBe('<0xE2>');
    expect(displayBytes(new TextEncoder().encode('a\u200bb\u007f'))).toBe('a<U+200B>b<U+007F>');
  });

  it('agrees with an independent BPE and round-trips on random Unicode text', () => {
    const random = seededRandom(42);
    const alphabet = [
      'the', ' cat', ' ', '  ', '\n', '\t', "'s", "'ll", '123', '4', 'é', 'ß', 'Ω', '東京', '🐱', '👩‍💻', 'ﬁ', '́', '!?', '...',
      '\u00a0', '\u2028', 'Ǆ', 'ا', 'अ', '𝔘', '\u200b', 'Zürich', ' <|endoftext|>', '<|', '|>',
    ]; // prettier-ignore
    for (let n = 0; n < 200; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 12);
      for (let i = 0; i < length; i++) {
        text +=
          random() < 0.2
            ? String.fromCodePoint(0x20 + Math.floor(random() * 0x2ffff))
            : alphabet[Math.floor(random() * alphabet.length)];
      }
      const ids = encode(text);
      expect(ids, JSON.stringify(text)).toEqual(referenceEncode(text));
      expect(decode(ids)).toBe(text.replace(/[\ud800-\udfff]/gu, '\ufffd'));
    }
  });

  it('round-trips a leading byte order mark (U+FEFF), alone, in front and twice', () => {
    for (const text of ['\ufeff', '\ufeffHello', '\ufeff\ufeffa', 'a\ufeff', '\ufeff<|endoftext|>']) {
      expect(decode(encode(text)), JSON.stringify(text)).toBe(text);
    }
    expect(decode([END_OF_TEXT_ID, 99_999_999])).toBe('<|endoftext|>'); // an unknown id is skipped
  });
});
