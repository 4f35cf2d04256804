// Byte-pair merging of one pre-tokenized piece over GPT-2's ranks. Short pieces use tiktoken's simple
// rescan; long ones (a pasted run of one letter, digits or spaces) use rank buckets over a linked list, O(n log n).

/** Ranks keyed by a "binary string": one UTF-16 code unit per byte (0–255), so a substring is a key. */
export type RankTable = Map<string, number>;

/** Below this many bytes the rescan is cheaper than building a heap. */
const SHORT_PIECE = 64;

/**
 * Token ids of `piece` (a binary string), appended to `out`: repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank, the leftmost first on a tie, until no pair is a token. This is
 * tiktoken's rule, so the ids are the same.
 */
export function bytePairEncode(piece: string, ranks: RankTable, out: number[]): void {
  const whole = ranks.get(piece);
  if (whole !== undefined) {
    out.push(whole);
    return;
  }
  if (piece.length >= SHORT_PIECE) {
    mergeLong(piece, ranks, out);
    return;
  }
  const starts = mergeShort(piece, ranks);
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1] : piece.length;
    out.push(ranks.get(piece.substring(starts[i], end))!);
  }
}

/** Part start offsets after merging, by rescanning every pair after each merge (O(n²), n < 64). */
function mergeShort(piece: string, ranks: RankTable): number[] {
  const starts = Array.from({ length: piece.length }, (_, i) => i);
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < starts.length; i++) {
      const end = i + 2 < starts.length ? starts[i + 2] : piece.length;
      const rank = ranks.get(piece.substring(starts[i], end));
      if (rank !== undefined && rank < bestRank) {
        best = i;
        bestRank = rank;
      }
    }
    if (best < 0) return starts;
    starts.splice(best + 1, 1);
  }
}

const NO_TOKEN = -1;

/** The candidate pairs of one rank, by the start of their left part; entries go stale as parts merge. */
interface RankBucket {
  starts: number[];
  /** Entries before this one were taken. */
  cursor: number;
  /** The entries from the cursor on are in increasing order. */
  sorted: boolean;
  /** The rank is in the queue of ranks to visit. */
  queued: boolean;
}

/**
 * Appends the ids after merging, O(n log n) over a doubly linked list of parts. Each part is named by its
 * start offset, which never changes: a merge absorbs the right part. Pairs wait in one bucket per rank, and
 * a small heap of ranks gives the lowest; within a rank the leftmost pair merges first, as in tiktoken. A
 * merge of rank r only creates pairs longer than token r, so the bucket being visited gains no entries; a
 * new pair of a lower rank is visited first, through the heap.
 */
function mergeLong(piece: string, ranks: RankTable, out: number[]): void {
  const n = piece.length;
  const next = new Int32Array(n); // (n) start of the following part, n at the end
  const prev = new Int32Array(n); // (n) start of the preceding part, -1 at the beginning
  const partId = new Int32Array(n); // (n) token id of the part starting here
  const pairRank = new Int32Array(n); // (n) rank of this part with the following one, NO_TOKEN if none
  const buckets = new Map<number, RankBucket>();
  const queue: number[] = []; // min-heap of ranks whose bucket may hold live entries
  // Rank of a pair by the ids of its parts: a long run repeats a few pairs, and a number key is cheaper
  // than hashing a fresh substring. The ids determine the bytes, so the cache is exact.
  const pairCache = new Map<number, number>();

  const offer = (start: number) => {
    let rank = NO_TOKEN;
    const second = next[start];
    if (second < n) {
      const cacheKey = partId[start] * 65536 + partId[second];
      const cached = pairCache.get(cacheKey);
      rank = cached ?? ranks.get(piece.substring(start, next[second])) ?? NO_TOKEN;
      if (cached === undefined) pairCache.set(cacheKey, rank);
    }
    pairRank[start] = rank;
    if (rank === NO_TOKEN) return;
    let bucket = buckets.get(rank);
    if (!bucket) {
      bucket = { starts: [], cursor: 0, sorted: true, queued: false };
      buckets.set(rank, bucket);
    }
    const { starts } = bucket;
    if (starts.length > bucket.cursor && starts[starts.length - 1] > start) bucket.sorted = false;
    starts.push(start);
    if (!bucket.queued) {
      bucket.queued = true;
      heapPush(queue, rank);
    }
  };

  const byteIds = Array.from({ length: 256 }, (_, byte) => ranks.get(String.fromCharCode(byte))!);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    partId[i] = byteIds[piece.charCodeAt(i)];
  }
  for (let i = 0; i < n; i++) offer(i);

  while (queue.length > 0) {
    const rank = queue[0];
    const bucket = buckets.get(rank)!;
    if (bucket.cursor >= bucket.starts.length) {
      heapPop(queue);
      buckets.delete(rank);
      continue;
    }
    if (!bucket.sorted) {
      bucket.starts = bucket.starts.slice(bucket.cursor).sort((a, b) => a - b);
      bucket.cursor = 0;
      bucket.sorted = true;
    }
    const start = bucket.starts[bucket.cursor++];
    if (pairRank[start] !== rank) continue; // stale: a neighbour merged since
    const absorbed = next[start];
    pairRank[absorbed] = NO_TOKEN;
    partId[start] = rank;
    next[start] = next[absorbed];
    if (next[start] < n) prev[next[start]] = start;
    offer(start);
    if (prev[start] >= 0) offer(prev[start]);
  }

  for (let i = 0; i < n; i = next[i]) out.push(partId[i]);
}

function heapPush(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= value) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): void {
  const last = heap.pop()!;
  const size = heap.length;
  if (size === 0) return;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1] < heap[child]) child++;
    if (heap[child] >= last) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = last;
}
