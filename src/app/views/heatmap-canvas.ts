// Draws a heatmap's cells and printed values on a 2-d canvas. One canvas instead of an SVG element per cell
// and per value: a 16-token matrix was 512 elements to diff, lay out and paint on every keystroke, which cost
// about 20 ms of the 50 ms keystroke budget; the canvas redraws in about a millisecond.

import type { MatrixView } from '../data/select';
import { fmtCell } from '../data/format';
import type { ColorScale } from './scales';
import { textColorOn } from './scales';

/** Where the grid sits inside the heatmap, and how much room a printed value has. */
export interface CellGeometry {
  /** Left and top offsets of the grid, in CSS pixels. */
  gutter: number;
  top: number;
  /** Side of a cell, in CSS pixels (a 1 px gap is left between cells). */
  cell: number;
  /** 'wide' prints 4 decimals, 'narrow' 2, null prints nothing. */
  room: 'wide' | 'narrow' | null;
}

/** The text printed in a cell: its value, or what masking set it to. */
export function cellText(view: MatrixView, r: number, c: number, room: 'wide' | 'narrow'): string {
  if (view.masked?.(r, c)) return view.kind === 'signed' ? '−∞' : '0';
  return fmtCell(view.matrix.data[r * view.matrix.cols + c], room);
}

/** Font size of printed values: larger cells get larger text. */
export const cellFontSize = (cell: number, room: 'wide' | 'narrow') =>
  cell >= 56 ? 12 : room === 'wide' ? 10 : 11;

/** Grey diagonal hatching for masked cells (the same look as the SVG export). */
function hatchPattern(ctx: CanvasRenderingContext2D, dpr: number): CanvasPattern | string {
  const tile = ctx.canvas.ownerDocument?.createElement('canvas');
  const tctx = tile?.getContext('2d');
  if (!tile || !tctx) return '#eee';
  const side = Math.round(6 * dpr);
  tile.width = side;
  tile.height = side;
  tctx.fillStyle = '#eee';
  tctx.fillRect(0, 0, side, side);
  tctx.strokeStyle = '#bbb';
  tctx.lineWidth = 1.4 * dpr;
  tctx.beginPath();
  // The main diagonal and its two corner stubs, so the stripes continue across tiles.
  for (const offset of [-side, 0, side]) {
    tctx.moveTo(offset, side);
    tctx.lineTo(offset + side, 0);
  }
  tctx.stroke();
  const pattern = ctx.createPattern(tile, 'repeat');
  pattern?.setTransform?.(new DOMMatrix([1 / dpr, 0, 0, 1 / dpr, 0, 0]));
  return pattern ?? '#eee';
}

/**
 * Paints every cell of `view` (and its value when `room` allows) onto `ctx`, whose backing store is `dpr`
 * times the CSS size. Clears the whole canvas first, so it is safe to call on every new trace.
 */
export function drawCells(
  ctx: CanvasRenderingContext2D,
  view: MatrixView,
  scale: ColorScale,
  { gutter, top, cell, room }: CellGeometry,
  dpr: number,
): void {
  const { matrix: m } = view;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width / dpr, ctx.canvas.height / dpr);
  const fills: string[] = new Array(m.rows * m.cols);
  let hatch: CanvasPattern | string | null = null;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const masked = view.masked?.(r, c) ?? false;
      if (masked) hatch ??= hatchPattern(ctx, dpr);
      const fill = masked ? null : scale(m.data[r * m.cols + c]);
      fills[r * m.cols + c] = fill ?? '';
      ctx.fillStyle = fill ?? hatch!;
      ctx.fillRect(gutter + c * cell, top + r * cell, cell - 1, cell - 1);
    }
  }
  if (!room) return;
  ctx.font = `${cellFontSize(cell, room)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  // Many cells share a colour (every masked or zero weight): look up the readable text colour once per fill.
  const ink = new Map<string, string>();
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const fill = fills[r * m.cols + c];
      let color = fill ? ink.get(fill) : '#777';
      if (color === undefined) {
        color = textColorOn(fill);
        ink.set(fill, color);
      }
      ctx.fillStyle = color;
      ctx.fillText(cellText(view, r, c, room), gutter + c * cell + cell / 2, top + r * cell + cell / 2);
    }
  }
}

/** The (row, col) under a point given relative to the heatmap's top-left corner, or null outside the grid. */
export function cellAtPoint(
  x: number,
  y: number,
  rows: number,
  cols: number,
  { gutter, top, cell }: Pick<CellGeometry, 'gutter' | 'top' | 'cell'>,
): [number, number] | null {
  const c = Math.floor((x - gutter) / cell);
  const r = Math.floor((y - top) / cell);
  return r >= 0 && r < rows && c >= 0 && c < cols ? [r, c] : null;
}
