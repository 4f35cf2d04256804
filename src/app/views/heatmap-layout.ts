// Where a heatmap's parts go: label gutters, a square cell side (fitted to the width or chosen by zoom), how
// many labels fit, and the caption. Apart from the component so any size, up to a 1024-token context, is testable.

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
  /** Side of a (square) cell. */
  cell: number;
  /** Slant (−55°) or stand (−90°) the column labels when cells are narrow. */
  rotate: false | -55 | -90;
  /** 'wide' prints 4 decimals in a cell, 'narrow' 2, null none. */
  room: 'wide' | 'narrow' | null;
  /** Every labelStep-th row and column is labelled (1: all). */
  labelStep: number;
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
    rotate,
    top,
    pad,
    room,
    labelStep,
    widthPx: gutter + m.cols * cell + 2 + pad,
    heightPx: top + m.rows * cell + 2 + pad,
  };
}

/** The next zoom step in or out from the current cell side (fitted sides fall between steps). */
export function nextZoom(cell: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOM_STEPS.find((s) => s > cell) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1];
  return [...ZOOM_STEPS].reverse().find((s) => s < cell) ?? ZOOM_STEPS[0];
}

/** Whether a row or column index gets a label: every labelStep-th, the last, and the one hovered or charted. */
export const labelled = (
  index: number,
  step: number,
  count: number,
  ...always: (number | null | undefined)[]
) => index % step === 0 || (index === count - 1 && index % step >= step / 2) || always.includes(index);

/** One line on what the rows and columns are, shown until a cell is hovered. */
export function axesCaption(view: MatrixView): string {
  const { rows, cols } = view.matrix;
  return view.columns === 'tokens'
    ? `${rows} × ${cols}: one row per token (the query), one column per token it can attend to (the key).`
    : `${rows} × ${cols}: one row per token, one column per dimension.`;
}
