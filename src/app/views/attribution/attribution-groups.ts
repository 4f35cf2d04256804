// The "why" panel's arithmetic, apart from React: components grouped by layer (a layer's heads, attention bias
// and MLP add up to one row until it is expanded), the grid summed to those groups, and the largest terms named
// in words. Sums of terms stay exact splits of the score, so a grouped grid still adds up to it.

import type { HeadGrid } from '../../../model/head-detectors';

/** One row (and column) of the shown grid: a component, or a whole layer's components summed. */
export interface ComponentGroup {
  label: string;
  /** Indices into the component list. */
  members: number[];
  /** The layer (from 1) this row belongs to, or null for token, position and bias. */
  layer: number | null;
  /** True for a layer's summary row, which can be expanded. */
  expandable: boolean;
}

/** The layer (from 1) of a component name such as "L3 H2" or "L3 MLP", or null. */
export function layerOf(name: string): number | null {
  const match = /^L(\d+) /.exec(name);
  return match ? Number(match[1]) : null;
}

/** Rows of the shown grid: each layer one summed row, or its members when `expanded` holds it. */
export function groupComponents(components: string[], expanded: ReadonlySet<number>): ComponentGroup[] {
  const groups: ComponentGroup[] = [];
  components.forEach((name, index) => {
    const layer = layerOf(name);
    if (layer === null) {
      groups.push({ label: name, members: [index], layer: null, expandable: false });
      return;
    }
    const last = groups[groups.length - 1];
    if (!expanded.has(layer) && last?.layer === layer && last.expandable) last.members.push(index);
    else if (!expanded.has(layer))
      groups.push({ label: `L${layer}`, members: [index], layer, expandable: true });
    else groups.push({ label: name, members: [index], layer, expandable: false });
  });
  return groups;
}

/** The N×N grid summed over the groups: [query group][key group]. */
export function groupGrid(grid: Float32Array, N: number, groups: ComponentGroup[]): number[][] {
  return groups.map((rows) =>
    groups.map((cols) => {
      let sum = 0;
      for (const a of rows.members) for (const b of cols.members) sum += grid[a * N + b];
      return sum;
    }),
  );
}

/** What a previous-token head is called from: its score on the text on screen (src/model/head-detectors.ts). */
export const PREVIOUS_TOKEN_THRESHOLD = 0.4;

/** The component as words: "token embedding", "L1 H4 output (a previous-token head)", "constant bias". */
export function componentWords(name: string, previousToken: HeadGrid | null): string {
  if (name === 'token') return 'token embedding';
  if (name === 'position') return 'position embedding';
  if (name === 'bias') return 'constant bias';
  const head = /^L(\d+) H(\d+)$/.exec(name);
  if (head) {
    const score = previousToken?.[Number(head[1]) - 1]?.[Number(head[2]) - 1];
    return `${name} output${score !== undefined && score >= PREVIOUS_TOKEN_THRESHOLD ? ', a previous-token head,' : ''}`;
  }
  if (name.endsWith('MLP')) return `${name} output`;
  return name;
}

/** "+1.23" or "−1.23"; a value that rounds to zero is "0.00", never "−0.00". */
export function signed(x: number, digits = 2): string {
  const size = Math.abs(x).toFixed(digits);
  if (Number(size) === 0) return size;
  return `${x >= 0 ? '+' : '−'}${size}`;
}

/** A grid cell: two decimals, a minus sign only where the value does not round to zero. */
export function cellText(x: number): string {
  const size = Math.abs(x).toFixed(2);
  return Number(size) === 0 || x >= 0 ? size : `−${size}`;
}

/** The shorter label a grid header shows ("L2 attn bias" for "L2 attention bias"). */
export function shortLabel(label: string): string {
  return label.replace(' attention bias', ' attn bias');
}

/** The `count` largest terms (by size) of the N×N grid, each as one sentence. */
export function topTerms(
  grid: Float32Array,
  components: string[],
  previousToken: HeadGrid | null,
  count = 3,
): { query: number; key: number; value: number; sentence: string }[] {
  const N = components.length;
  const order = Array.from(grid.keys()).sort((x, y) => Math.abs(grid[y]) - Math.abs(grid[x]));
  return order.slice(0, count).map((n) => {
    const [query, key] = [Math.floor(n / N), n % N];
    const value = grid[n];
    const q = componentWords(components[query], previousToken);
    const k = componentWords(components[key], previousToken);
    return {
      query,
      key,
      value,
      sentence: `The query’s ${q} with the key’s ${k} adds ${signed(value)}.`,
    };
  });
}
