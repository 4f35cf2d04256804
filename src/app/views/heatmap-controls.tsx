// The controls around a matrix: the keyboard cursor over its cells, scrolling a keyed cell into its box beside
// the sticky label bands, and the zoom buttons of a long text.

import type { KeyboardEvent } from 'react';
import { nextZoom, ZOOM_STEPS, type HeatmapLayout } from './heatmap-layout';

/** A cell as [row, column]. */
export type Cell = [number, number];

/** The keyboard cursor: arrow keys move it (Page Up/Down by ten rows, Home/End to a row's ends), Enter or
 * Space charts its row. */
export function cellCursorKeys(
  rows: number,
  cols: number,
  focus: Cell | null,
  setFocus: (cell: Cell | null) => void,
  onSelectRow?: (row: number) => void,
) {
  return (event: KeyboardEvent) => {
    const [r, c] = focus ?? [0, 0];
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      PageUp: [r - 10, c],
      PageDown: [r + 10, c],
      Home: [r, 0],
      End: [r, cols - 1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      event.stopPropagation();
      setFocus([Math.min(rows - 1, Math.max(0, move[0])), Math.min(cols - 1, Math.max(0, move[1]))]);
    } else if ((event.key === 'Enter' || event.key === ' ') && onSelectRow) {
      event.preventDefault();
      onSelectRow(r);
    }
  };
}

/** Scrolls the box just enough that cell (r, c) shows beside the sticky label bands. */
export function scrollIntoBox(
  box: HTMLElement,
  r: number,
  c: number,
  { gutter, top, cell, cellH }: HeatmapLayout,
) {
  const x = gutter + c * cell;
  const y = top + r * cellH;
  if (x - box.scrollLeft < gutter) box.scrollLeft = x - gutter;
  else if (x + cell - box.scrollLeft > box.clientWidth) box.scrollLeft = x + cell - box.clientWidth;
  if (y - box.scrollTop < top) box.scrollTop = y - top;
  else if (y + cellH - box.scrollTop > box.clientHeight) box.scrollTop = y + cellH - box.clientHeight;
}

interface ZoomControlsProps {
  /** The cell side now, in CSS pixels. */
  cell: number;
  /** Whether the cells are fitted to the width (no zoom chosen). */
  fitted: boolean;
  /** Sets a cell side, or null to fit the width again. */
  onZoom: (cell: number | null) => void;
}

export function ZoomControls({ cell, fitted, onZoom }: ZoomControlsProps) {
  return (
    <div className="heatmap-zoom" role="group" aria-label="Zoom">
      <button type="button" onClick={() => onZoom(nextZoom(cell, -1))} disabled={cell <= ZOOM_STEPS[0]}>
        − Zoom out
      </button>
      <button
        type="button"
        onClick={() => onZoom(nextZoom(cell, 1))}
        disabled={cell >= ZOOM_STEPS[ZOOM_STEPS.length - 1]}
      >
        + Zoom in
      </button>
      <button type="button" onClick={() => onZoom(null)} disabled={fitted}>
        Fit width
      </button>
      <span className="hint">{cell} px cells</span>
    </div>
  );
}
