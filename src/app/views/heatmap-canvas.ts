// Draws a heatmap's cells and printed values on a 2-d canvas. One canvas instead of an SVG element per cell
// and per value: a 16-token matrix was 512 elements to diff, lay out and paint on every keystroke, which cost
// about 20 ms of the 50 ms keystroke budget; the canvas redraws in about a millisecond.

import { rgb } from 'd3';
import type { MatrixView } from '../data/select';
import { cellDigits, fmtFixed } from '../data/format';
import type { ColorScale } from './scales';
import { textColorOn } from './scales';

/** Where the grid sits inside the heatmap, and how much room a printed value has. */
export interface CellGeometry {
  /** Left and top offsets of the grid, in CSS pixels. */
  gutter: number;
  top: number;
  /** Side of a cell, in CSS pixels (a 1 px gap is left between cells of 4 px or more); a strip's width. */
  cell: number;
  /** Height of a row when it differs from `cell`: the strips of a wide embedding, painted pixel by pixel. */
  cellH?: number;
  /** 'wide' prints 4 decimals, 'narrow' 2, null prints nothing. */
  room: 'wide' | 'narrow' | null;
}

/** The text printed in a cell: its value with the matrix's decimals, or what masking set it to. */
function cellText(view: MatrixView, r: number, c: number, digits: number): string {
  if (view.masked?.(r, c)) return view.kind === 'signed' ? '−∞' : '0';
  return fmtFixed(view.matrix.data[r * view.matrix.cols + c], digits);
}

/** Font size of printed values: larger cells get larger text. */
const cellFontSize = (cell: number, room: 'wide' | 'narrow') => (cell >= 56 ? 12 : room === 'wide' ? 10 : 11);

/** Hatch patterns already made, per context and pixel ratio: making one costs a canvas and a context. */
const hatches = new WeakMap<CanvasRenderingContext2D, Map<number, CanvasPattern | string>>();

/** Grey diagonal hatching for masked cells, the look they had when the heatmap was drawn in SVG. */
function hatchPattern(ctx: CanvasRenderingContext2D, dpr: number): CanvasPattern | string {
  const made = hatches.get(ctx) ?? new Map<number, CanvasPattern | string>();
  hatches.set(ctx, made);
  const known = made.get(dpr);
  if (known) return known;
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
  made.set(dpr, pattern ?? '#eee');
  return pattern ?? '#eee';
}

/** Steps of the colour table: more than an 8-bit gradient can show, so the table is never visible. */
const COLOUR_STEPS = 512;

export interface ColourTable {
  lo: number;
  hi: number;
  fills: string[];
  /** Readable text colour on each fill. */
  inks: string[];
  /** Each fill as one RGBA pixel (bytes in memory order), for strips painted into an ImageData. */
  pixels: Uint32Array;
}

const colourTables = new WeakMap<ColorScale, ColourTable>();

/**
 * The scale sampled at COLOUR_STEPS evenly spaced values, with the text colour for each. d3 interpolates and
 * formats a colour string per call, which for the five heatmaps of the all-heads view cost more than drawing
 * them; a lookup costs nothing. The domains here are [0, max] and the symmetric [−max, 0, max], so zero
 * (white in the diverging scale) is sampled exactly.
 */
export function colourTable(scale: ColorScale): ColourTable {
  const known = colourTables.get(scale);
  if (known) return known;
  const domain = scale.domain();
  const lo = domain[0];
  const hi = domain[domain.length - 1];
  const fills = Array.from({ length: COLOUR_STEPS }, (_, i) =>
    String(scale(lo + ((hi - lo) * i) / (COLOUR_STEPS - 1))),
  );
  const table = { lo, hi, fills, inks: fills.map(textColorOn), pixels: Uint32Array.from(fills, pixelOf) };
  colourTables.set(scale, table);
  return table;
}

/** A CSS colour as the RGBA bytes an ImageData holds, read as one 32-bit word of this machine's byte order. */
function pixelOf(css: string): number {
  const { r, g, b } = rgb(css);
  return new Uint32Array(Uint8ClampedArray.of(r, g, b, 255).buffer)[0];
}

/** Index of `value` in the table, clamped to its ends (values outside the domain take the end colours). */
export function colourIndex({ lo, hi }: ColourTable, value: number): number {
  const i = Math.round(((value - lo) / (hi - lo || 1)) * (COLOUR_STEPS - 1));
  return Number.isNaN(i) ? 0 : Math.min(COLOUR_STEPS - 1, Math.max(0, i));
}

/** The part of the heatmap a canvas covers, in the heatmap's CSS pixels (a long text's canvas covers only the
 * scrolled box: a 128-token matrix at 64 px cells would otherwise need an 8000² canvas). */
export interface Viewport {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The indices [from, to) of cells of side `cell`, starting at `start`, that overlap [lo, lo + size). */
function span(lo: number, size: number, start: number, cell: number, count: number): [number, number] {
  return [
    Math.max(0, Math.floor((lo - start) / cell)),
    Math.min(count, Math.ceil((lo + size - start) / cell)),
  ];
}

/**
 * Paints the cells of `view` that `viewport` shows (all by default), with their values when `room` allows,
 * onto `ctx`, whose backing store is `dpr` times the viewport's CSS size. Clears the canvas first, so it is
 * safe to call on every new trace and every scroll.
 */
export function drawCells(
  ctx: CanvasRenderingContext2D,
  view: MatrixView,
  scale: ColorScale,
  { gutter, top, cell, cellH, room }: CellGeometry,
  dpr: number,
  viewport: Viewport = { x: 0, y: 0, w: Infinity, h: Infinity },
): void {
  const { matrix: m } = view;
  const table = colourTable(scale);
  const { x, y } = viewport;
  ctx.setTransform(dpr, 0, 0, dpr, -x * dpr, -y * dpr);
  ctx.clearRect(x, y, ctx.canvas.width / dpr, ctx.canvas.height / dpr);
  if (cellH !== undefined && cellH !== cell)
    return drawStrips(ctx, view, table, { gutter, top, cell, cellH }, dpr, viewport);
  const [r0, r1] = span(y, viewport.h, top, cell, m.rows);
  const [c0, c1] = span(x, viewport.w, gutter, cell, m.cols);
  // A 1 px gap parts cells of 4 px or more; smaller ones (a long text zoomed out) would be mostly gap.
  const inner = cell >= 4 ? cell - 1 : cell;
  // Colour-table index of each cell drawn, or −1 for a masked one.
  const shade = new Int32Array(m.rows * m.cols);
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      const k = r * m.cols + c;
      shade[k] = view.masked?.(r, c) ? -1 : colourIndex(table, m.data[k]);
      ctx.fillStyle = shade[k] < 0 ? hatchPattern(ctx, dpr) : table.fills[shade[k]];
      ctx.fillRect(gutter + c * cell, top + r * cell, inner, inner);
    }
  }
  if (!room) return;
  // Decimals from the whole matrix, not the part in view, so scrolling never changes them.
  const digits = cellDigits(m, room, (k) => view.masked?.(Math.floor(k / m.cols), k % m.cols) ?? false);
  ctx.font = `${cellFontSize(cell, room)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      const k = r * m.cols + c;
      ctx.fillStyle = shade[k] < 0 ? '#777' : table.inks[shade[k]];
      ctx.fillText(cellText(view, r, c, digits), gutter + c * cell + cell / 2, top + r * cell + cell / 2);
    }
  }
}

/**
 * Paints a wide embedding's strips (98,304 cells at 128 tokens × 768) straight into an ImageData, one 32-bit
 * word per device pixel from the colour table: a fillRect per cell would cost tens of milliseconds. Cell edges
 * are rounded to device pixels; rows of 4 px or more keep a 1 px gap, as square cells do.
 */
function drawStrips(
  ctx: CanvasRenderingContext2D,
  view: MatrixView,
  table: ColourTable,
  { gutter, top, cell, cellH }: { gutter: number; top: number; cell: number; cellH: number },
  dpr: number,
  viewport: Viewport,
): void {
  const { matrix: m } = view;
  const [r0, r1] = span(viewport.y, viewport.h, top, cellH, m.rows);
  const [c0, c1] = span(viewport.x, viewport.w, gutter, cell, m.cols);
  if (r1 <= r0 || c1 <= c0) return;
  // Device-pixel edges of every column and row in view, relative to the canvas.
  const xs = Array.from({ length: c1 - c0 + 1 }, (_, i) =>
    Math.round((gutter + (c0 + i) * cell - viewport.x) * dpr),
  );
  const ys = Array.from({ length: r1 - r0 + 1 }, (_, i) =>
    Math.round((top + (r0 + i) * cellH - viewport.y) * dpr),
  );
  const gapX = cell >= 4 ? Math.round(dpr) : 0;
  const gapY = cellH >= 4 ? Math.round(dpr) : 0;
  const [left, width] = [xs[0], xs[xs.length - 1] - xs[0]];
  const [upper, height] = [ys[0], ys[ys.length - 1] - ys[0]];
  const image = ctx.createImageData(width, height);
  const words = new Uint32Array(image.data.buffer);
  const masked = pixelOf('#eee');
  for (let r = r0; r < r1; r++) {
    const i = r - r0;
    const rowStart = (ys[i] - upper) * width;
    // The first device row of the strip is filled cell by cell, the others copied from it.
    for (let c = c0; c < c1; c++) {
      const j = c - c0;
      const k = r * m.cols + c;
      const word = view.masked?.(r, c) ? masked : table.pixels[colourIndex(table, m.data[k])];
      words.fill(word, rowStart + xs[j] - left, rowStart + xs[j + 1] - left - gapX);
    }
    for (let y = ys[i] + 1; y < ys[i + 1] - gapY; y++)
      words.copyWithin((y - upper) * width, rowStart, rowStart + width);
  }
  ctx.putImageData(image, left, upper);
}

/** The (row, col) under a point given relative to the heatmap's top-left corner, or null outside the grid. */
export function cellAtPoint(
  x: number,
  y: number,
  rows: number,
  cols: number,
  { gutter, top, cell, cellH = cell }: Pick<CellGeometry, 'gutter' | 'top' | 'cell' | 'cellH'>,
): [number, number] | null {
  const c = Math.floor((x - gutter) / cell);
  const r = Math.floor((y - top) / cellH);
  return r >= 0 && r < rows && c >= 0 && c < cols ? [r, c] : null;
}
