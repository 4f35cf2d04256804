// Colour scales, one per heatmap: a diverging red–blue (ColorBrewer RdBu) for signed values, symmetric around
// zero, and a sequential yellow–green–blue (ColorBrewer YlGnBu) for weights. Both are colour-blind-safe.

import {
  interpolateRdBu,
  interpolateYlGnBu,
  scaleDiverging,
  scaleSequential,
  rgb,
  type ScaleDiverging,
  type ScaleSequential,
} from 'd3';
import type { Matrix } from '../../model/attention';

export type ColorScale = ScaleDiverging<string> | ScaleSequential<string>;

/** Largest finite |value|, skipping masked cells; at least a tiny epsilon so the domain is never empty. */
export function maxAbs(m: Matrix, masked?: (r: number, c: number) => boolean): number {
  let max = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      if (masked?.(r, c)) continue;
      const v = Math.abs(m.data[r * m.cols + c]);
      if (Number.isFinite(v) && v > max) max = v;
    }
  }
  return max || 1e-6;
}

/** Negative = blue, zero = white, positive = red; the domain is ±max|value| so zero sits in the middle. */
export function divergingScale(limit: number): ScaleDiverging<string> {
  return scaleDiverging<string>((t) => interpolateRdBu(1 - t)).domain([-limit, 0, limit]);
}

/** Weights from 0 (pale) to `max` (dark blue); max is the largest weight shown, or 1. */
export function sequentialScale(max: number): ScaleSequential<string> {
  return scaleSequential<string>(interpolateYlGnBu).domain([0, max]);
}

/** The scale a matrix view calls for. */
export function scaleFor(
  kind: 'signed' | 'weights',
  m: Matrix,
  masked?: (r: number, c: number) => boolean,
): ColorScale {
  return kind === 'signed' ? divergingScale(maxAbs(m, masked)) : sequentialScale(maxAbs(m, masked));
}

/** WCAG relative luminance of a colour. */
function luminance(colour: string): number {
  const { r, g, b } = rgb(colour);
  const linear = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** Black or white text, whichever has the higher WCAG contrast on `background` (never below 4.58:1; a lightness
 * threshold let white text on mid greens fall under axe's 4.5:1). */
export function textColorOn(background: string): string {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}
