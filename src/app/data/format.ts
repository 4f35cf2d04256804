// Number and index formatting shared by cells, readouts and exports: subscripts like the book's ω₂₃ and a
// fixed number of decimals so the book preset reads exactly like the printed page.

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** 12 → "₁₂" */
export const sub = (n: number): string => String(n).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
/** 12 → "⁽¹²⁾", the book's x⁽ⁱ⁾ notation for the i-th input. */
export const sup = (n: number): string => `⁽${String(n).replace(/\d/g, (d) => SUPERSCRIPTS[Number(d)])}⁾`;

/** Four decimals, the way the book prints tensors; a minus sign that reads well. */
export function fmt4(x: number): string {
  if (x === -Infinity) return '−∞';
  if (x === Infinity) return '∞';
  return x.toFixed(4).replace('-', '−');
}

/** A short form for a cell: 4 decimals when there is room, else 2, and fewer for large magnitudes. */
export function fmtCell(x: number, room: 'wide' | 'narrow'): string {
  if (!Number.isFinite(x)) return fmt4(x);
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : room === 'wide' ? 4 : 2;
  return x.toFixed(digits).replace('-', '−');
}

/** Exact float32 value as JavaScript prints it (what tests and exports compare). */
export const exact = (x: number): string => String(x);
