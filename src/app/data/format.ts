// Number and index formatting shared by cells, readouts and exports: subscripts like the book's ω₂₃ and a
// fixed number of decimals so the book preset reads exactly like the printed page.

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** 12 → "₁₂" */
export const sub = (n: number): string => String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
/**
 * Two or more indices as one subscript: "₂₃" while every index is one digit, as the book prints ω₂₃, and
 * "₃₃,₁₃" once one has more, since "₃₃₁₃" could be row 3, column 313 or row 333, column 1. A string part
 * (such as "ⱼ") is kept as it is.
 */
export function subs(...indices: (number | string)[]): string {
  const parts = indices.map((i) => (typeof i === 'number' ? sub(i) : i));
  return parts.some((p) => [...p].length > 1) ? parts.join(',') : parts.join('');
}
/** 12 → "⁽¹²⁾", the book's x⁽ⁱ⁾ notation for the i-th input. */
export const sup = (n: number): string => `⁽${String(n).replace(/\d/g, (d) => SUPERSCRIPTS[Number(d)])}⁾`;

/** Four decimals, the way the book prints tensors; a minus sign that reads well. */
export function fmt4(x: number): string {
  if (x === -Infinity) return '−∞';
  if (x === Infinity) return '∞';
  return x.toFixed(4).replace('-', '−');
}

/**
 * Decimals for every printed cell of one matrix, picked from its largest finite magnitude: a table that mixed
 * "−14.3" with "−7.6629" read as if one value were rounder than the other. 4 when there is room, else 2, and
 * fewer when the largest values need the width.
 */
export function cellDigits(
  m: { data: Float32Array },
  room: 'wide' | 'narrow',
  masked?: (index: number) => boolean,
): number {
  let largest = 0;
  m.data.forEach((x, i) => {
    if (Number.isFinite(x) && !masked?.(i)) largest = Math.max(largest, Math.abs(x));
  });
  if (room === 'wide') return largest >= 1000 ? 0 : largest >= 100 ? 1 : largest >= 10 ? 2 : 4;
  return largest >= 100 ? 0 : largest >= 10 ? 1 : 2;
}

/** A cell's value with the matrix's number of decimals (see cellDigits); a minus sign that reads well. */
export function fmtFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return fmt4(x);
  return x.toFixed(digits).replace('-', '−');
}

/** A short form for a lone value (legend ticks): 2 decimals, fewer for large magnitudes. */
export function fmtCell(x: number, room: 'wide' | 'narrow'): string {
  if (!Number.isFinite(x)) return fmt4(x);
  return fmtFixed(x, cellDigits({ data: Float32Array.of(x) }, room));
}
