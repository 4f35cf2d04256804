// Where a heatmap's parts go: label gutters, a square cell side (fitted to the width or chosen by zoom) or, for a
// wide T × d embedding, strips, how many labels fit, and the caption. Apart from the component so any size, up
// to a 1024-token context, is testable.

import type { MatrixView } from '../data/select';

export const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Cell sides the zoom buttons step through, in CSS pixels. */
export const ZOOM_STEPS = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];

/** Pixels a 12 px label needs along its axis; closer labels are thinned to every n-th. */
const LABEL_PITCH = 14;

/** Half the height of a 12 px label: a label centred on a thinner row reaches this far past it. */
const LABEL_HALF = 7;

/**
 * Largest canvas in device pixels, by area (64 MB of pixels) and by side (Chromium's limit is 32767): a
 * 1024-token matrix at 16 px cells would need a 16384² canvas. A bigger heatmap is drawn at a lower resolution.
 */
const MAX_CANVAS_PIXELS = 4096 * 4096;
const MAX_CANVAS_SIDE = 16384;

/** Device pixels per CSS pixel for a canvas of this CSS size: the screen's, or less for a huge one. */
export const canvasScale = (screenDpr: number, widthPx: number, heightPx: number) =>
  Math.min(
    screenDpr,
    Math.sqrt(MAX_CANVAS_PIXELS / (widthPx * heightPx)),
    MAX_CANVAS_SIDE / Math.max(widthPx, heightPx),
  );

export interface HeatmapLayout {
  /** Width of the row-label gutter and height of the column-label band, in CSS pixels (the grid starts there). */
  gutter: number;
  top: number;
  /** Room left around the grid so the labels of its first and last rows and columns, centred on rows or columns
   * thinner than a label, stay clear of the other band and of the edges. */
  pad: number;
  /** Side of a square cell; for strips, a cell's width. */
  cell: number;
  /** Height of a row: `cell` for square cells, more for strips. */
  cellH: number;
  /** Slant (−55°) or stand (−90°) the column labels when cells are narrow. */
  rotate: false | -55 | -90;
  /** 'wide' prints 4 decimals in a cell, 'narrow' 2, null none. */
  room: 'wide' | 'narrow' | null;
  /** Every labelStep-th row and column is labelled (1: all). */
  labelStep: number;
  /** Whether columns are labelled (strips, one per dimension, are not). */
  columnLabels: boolean;
  widthPx: number;
  heightPx: number;
}

/** The cell side that fits `cols` columns into `width`, before the zoom bounds. */
const fittedCell = (width: number, gutter: number, cols: number) => Math.floor((width - gutter - 4) / cols);

/**
 * The layout at a given width. `zoom` is a cell side from ZOOM_STEPS, or null to fit the width: then cells are
 * never below 16 px for a narrow matrix (it stays readable) or 6 px for a wide one (it scrolls in its box).
 */
export function heatmapLayout(
  view: MatrixView,
  width: number,
  maxCell: number,
  compact: boolean,
  zoom: number | null = null,
): HeatmapLayout {
  const { matrix: m, rowLabels, colLabels } = view;
  const longest = Math.max(...rowLabels.map((l) => clip(l, 12).length), 1);
  const labelGutter = compact ? 2 : Math.min(110, longest * 7.5 + 10);
  // A small multiple always fits its tile (down to 1 px cells at 128 tokens on a phone); a full heatmap scrolls.
  const minCell = compact ? 1 : m.cols > 40 ? 6 : 16;
  const cell = zoom ?? Math.max(minCell, Math.min(maxCell, fittedCell(width, labelGutter, m.cols)));
  const pad = compact ? 0 : Math.max(0, Math.ceil(LABEL_HALF - cell / 2));
  const gutter = labelGutter + pad;
  const rotate = compact || cell >= 48 ? false : cell >= 16 ? -55 : -90;
  const longestCol = Math.max(...colLabels.map((l) => clip(l, 10).length), 1);
  const band = compact ? 2 : rotate ? Math.min(90, longestCol * (rotate === -90 ? 7 : 6) + 14) : 22;
  const top = band + pad;
  const room = compact ? null : cell >= 44 ? 'wide' : cell >= 34 ? 'narrow' : null;
  const labelStep = compact ? 0 : Math.max(1, Math.ceil(LABEL_PITCH / cell));
  return {
    gutter,
    cell,
    cellH: cell,
    columnLabels: !compact,
    rotate,
    top,
    pad,
    room,
    labelStep,
    widthPx: gutter + m.cols * cell + 2 + pad,
    heightPx: top + m.rows * cell + 2 + pad,
  };
}

/** A T × d matrix wider than this (an embedding of 768 dimensions) is drawn as strips, not square cells; token ×
 * token matrices stay square at any T. */
const SQUARE_MAX_COLS = 40;

/** Whether `view` is drawn as strips: one thin column per dimension, rows tall enough to label. */
export const drawnAsStrips = (view: MatrixView) =>
  view.matrix.cols > SQUARE_MAX_COLS && view.columns !== 'tokens';

/**
 * The layout of a wide embedding at a given width: columns as thin as the width needs (down to 1 px, up to
 * 24), rows 18 px tall (8 px above 40 tokens), row labels only, thinned like a heatmap's.
 */
export function stripLayout(view: MatrixView, width: number): HeatmapLayout {
  const { matrix: m, rowLabels } = view;
  const longest = Math.max(...rowLabels.map((l) => clip(l, 12).length), 1);
  const labelGutter = Math.min(110, longest * 7.5 + 10);
  const cell = Math.max(1, Math.min(24, fittedCell(width, labelGutter, m.cols)));
  const cellH = m.rows > 40 ? 8 : 18;
  const pad = Math.max(0, Math.ceil(LABEL_HALF - cellH / 2));
  const gutter = labelGutter + pad;
  return {
    gutter,
    top: pad,
    pad,
    cell,
    cellH,
    columnLabels: false,
    rotate: false,
    room: null,
    labelStep: Math.max(1, Math.ceil(LABEL_PITCH / cellH)),
    widthPx: gutter + m.cols * cell + 2 + pad,
    heightPx: pad + m.rows * cellH + 2 + pad,
  };
}

/** The next zoom step in or out from the current cell side (fitted sides fall between steps). */
export function nextZoom(cell: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOM_STEPS.find((s) => s > cell) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1];
  return [...ZOOM_STEPS].reverse().find((s) => s < cell) ?? ZOOM_STEPS[0];
}

/**
 * Whether a row or column index gets a label: every labelStep-th, and the one hovered or charted. The last index
 * is labelled when it lies at least half a step past the last regular one, which then gives way to it, so no two
 * thinned labels are ever closer than a step (pos 126 and pos 127 ran into each other).
 */
export function labelled(
  index: number,
  step: number,
  count: number,
  ...always: (number | null | undefined)[]
) {
  if (always.includes(index)) return true;
  const last = count - 1;
  const tail = last % step;
  const lastLabelled = tail === 0 || tail >= step / 2;
  if (index === last) return lastLabelled;
  return index % step === 0 && !(lastLabelled && index === last - tail);
}

/** One line on what the rows and columns are, shown until a cell is hovered. */
export function axesCaption(view: MatrixView): string {
  const { rows, cols } = view.matrix;
  return view.columns === 'tokens'
    ? `${rows} × ${cols}: one row per token (the query), one column per token it can attend to (the key).`
    : `${rows} × ${cols}: one row per token, one column per dimension.`;
}
