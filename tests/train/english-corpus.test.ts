// The English training text: Brown's tagged form back to normal text, both packages read from node_modules,
// and the split by document, with no held-out document (nor any sentence of one) in the training text.

import { describe, expect, it } from 'vitest';
import {
  detokenizeBrown,
  englishDocuments,
  splitDocuments,
  type CorpusDocument,
} from '../../src/node/english-corpus';
import { englishTrainingText } from '../../src/node/training-text';
import { END_OF_TEXT_ID as END_OF_TEXT } from '../../src/tokenizer/gpt2-vocab';

describe("Brown's tagged text", () => {
  it('loses its tags and gets normal spacing and quotes back', () => {
    const tagged =
      "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, which/wdt (/( it/pps said/vbd )/) was/bedz final/jj ./.\n" +
      '\n\tIt/pps was/bedz --/-- as/cs always/rb --/-- late/jj ;/. why/wrb ?/.\n';
    expect(detokenizeBrown(tagged)).toBe(
      'The jury said "no evidence", which (it said) was final. It was--as always--late; why?',
    );
  });

  it('keeps words that hold a slash before their tag', () => {
    expect(detokenizeBrown('1/2/cd inch/nn ./.')).toBe('1/2 inch.');
  });
});

describe('the English corpus', () => {
  const documents = englishDocuments();

  it('has the 500 Brown texts and the 100 nlp-corpus files, as plain text', () => {
    expect(documents.filter((d) => d.source === 'brown')).toHaveLength(500);
    expect(documents.filter((d) => d.source === 'nlp-corpus')).toHaveLength(100);
    for (const doc of documents) {
      expect(doc.text.length).toBeGreaterThan(1000);
      // No tags left, nor Brown's `` quotes ('' stays where it is an inch mark: 4' 10'' tall).
      if (doc.source === 'brown') expect(doc.text).not.toMatch(/[a-z]\/(at|nn|vbd|in|jj)\s|``/);
    }
    expect(documents[0].text.startsWith('The Fulton County Grand Jury said Friday an investigation')).toBe(
      true,
    );
  });

  it('holds out every tenth document of each source, the same ones every time', () => {
    const { train, heldOut } = splitDocuments(documents);
    expect(heldOut.map((d) => d.name).slice(0, 3)).toEqual(['ca05', 'ca15', 'ca25']);
    expect(heldOut.filter((d) => d.source === 'brown')).toHaveLength(50);
    expect(heldOut.filter((d) => d.source === 'nlp-corpus')).toHaveLength(10);
    expect(train.length + heldOut.length).toBe(documents.length);
    const key = (d: CorpusDocument) => `${d.source}/${d.name}`;
    const trainKeys = new Set(train.map(key));
    expect(heldOut.some((d) => trainKeys.has(key(d)))).toBe(false);
    // 14 of Brown's 15 genres (ca … cr, the file's second letter) give held-out text; cm has 6 files.
    const genres = new Set(heldOut.filter((d) => d.source === 'brown').map((d) => d.name[1]));
    expect(genres.size).toBe(14);
  });

  it('never trains on a held-out sentence', () => {
    const { train, heldOut } = splitDocuments(documents);
    const trainText = train.map((d) => d.text).join('\n');
    // A few long sentences from each held-out document: none occurs in the training text.
    for (const doc of heldOut) {
      const sentences = doc.text.split(/(?<=[.?!]) /).filter((s) => s.length > 80);
      for (const s of sentences.slice(0, 3)) expect(trainText.includes(s), `${doc.name}: ${s}`).toBe(false);
    }
  });

  it('encodes as GPT-2 ids with <|endoftext|> after each document', () => {
    const text = englishTrainingText();
    const ends = (ids: Int32Array) => ids.filter((id) => id === END_OF_TEXT).length;
    expect(ends(text.trainIds)).toBe(540);
    expect(ends(text.heldOutIds)).toBe(60);
    expect(text.trainIds.length).toBeGreaterThan(2_500_000);
    expect(text.heldOutIds.length).toBeGreaterThan(250_000);
  });
});
