// An independent GPT-2 BPE written from the algorithm's definition (split with GPT-2's regex, then merge the
// lowest-ranked adjacent pair until none is left), used to check js-tiktoken on arbitrary Unicode text.

import { tokenBytes } from '../../src/tokenizer/gpt2';

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

let ranks: Map<string, number> | null = null;
function rankTable(): Map<string, number> {
  if (ranks) return ranks;
  ranks = new Map();
  for (let id = 0; id < 50256; id++) ranks.set(Array.from(tokenBytes(id)).join(','), id);
  return ranks;
}

export function referenceEncode(text: string): number[] {
  const table = rankTable();
  const ids: number[] = [];
  for (const match of text.matchAll(GPT2_PATTERN)) {
    let parts = Array.from(new TextEncoder().encode(match[0]), (b) => [b]);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const rank = table.get([...parts[i], ...parts[i + 1]].join(','));
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), [...parts[best], ...parts[best + 1]], ...parts.slice(best + 2)];
    }
    for (const part of parts) ids.push(table.get(part.join(','))!);
  }
  return ids;
}
