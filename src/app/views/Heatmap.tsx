// A T×T (or small T×d) matrix: d3 gives the colours, a canvas draws the cells and their values, and an SVG on
// top holds the token labels, the row and cell cursors and the keyboard focus. A readout explains the hovered
// or focused cell; clicking or pressing Enter charts a row. The SVG carries the exact values for scripts.

import { memo, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { MatrixView } from '../data/select';
import type { ColorScale } from './scales';
import { cellAtPoint, drawCells, type CellGeometry } from './heatmap-canvas';
import { MathText } from './MathText';
import { useWidth } from './useWidth';

interface HeatmapProps {
  /** The matrix, its labels and its per-cell explanations. */
  view: MatrixView;
  /** The one colour scale for every cell of this heatmap. */
  scale: ColorScale;
  /** Request id of the trace, so tests and the benchmark can see when the drawing is new. */
  traceId: number;
  /** Row shown as a bar chart, if any. */
  selectedRow?: number | null;
  /** Called when a row is clicked or chosen with Enter. */
  onSelectRow?: (row: number) => void;
  /** Largest cell side in pixels (small multiples pass a small one). */
  maxCell?: number;
  /** Hide labels and values (the all-heads grid). */
  compact?: boolean;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

interface CellCanvasProps {
  /** The matrix whose entries are drawn. */
  view: MatrixView;
  /** The heatmap's one colour scale. */
  scale: ColorScale;
  /** Where the grid sits and how much room values get. */
  geometry: CellGeometry;
  /** CSS size of the whole heatmap (the canvas lies under the SVG labels and covers the same box). */
  widthPx: number;
  heightPx: number;
}

/** The cells and their values on one canvas, redrawn before the browser paints the new trace. */
const CellCanvas = memo(function CellCanvas({ view, scale, geometry, widthPx, heightPx }: CellCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const dpr = typeof window === 'undefined' ? 1 : Math.max(1, window.devicePixelRatio || 1);
  const { gutter, top, cell, room } = geometry;
  // A layout effect, not an effect: the new cells must reach the screen in the same frame as the new labels.
  useLayoutEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) drawCells(ctx, view, scale, { gutter, top, cell, room }, dpr);
  }, [view, scale, gutter, top, cell, room, dpr, widthPx, heightPx]);
  return (
    <canvas
      ref={ref}
      className="heatmap-cells"
      width={Math.round(widthPx * dpr)}
      height={Math.round(heightPx * dpr)}
      style={{ width: widthPx, height: heightPx }}
      aria-hidden="true"
    />
  );
});

/** Where everything goes: label gutters, cell size (fitted to the width), and how much room values get. */
export function heatmapLayout(view: MatrixView, width: number, maxCell: number, compact: boolean) {
  const { matrix: m, rowLabels, colLabels } = view;
  const longest = Math.max(...rowLabels.map((l) => clip(l, 12).length), 1);
  const gutter = compact ? 2 : Math.min(110, longest * 7.5 + 10);
  const cell = Math.max(compact ? 4 : 16, Math.min(maxCell, Math.floor((width - gutter - 4) / m.cols)));
  const rotate = !compact && cell < 48;
  const longestCol = Math.max(...colLabels.map((l) => clip(l, 10).length), 1);
  const top = compact ? 2 : rotate ? Math.min(90, longestCol * 6 + 14) : 22;
  const room: 'wide' | 'narrow' | null = compact ? null : cell >= 44 ? 'wide' : cell >= 34 ? 'narrow' : null;
  return {
    gutter,
    cell,
    rotate,
    top,
    room,
    widthPx: gutter + m.cols * cell + 2,
    heightPx: top + m.rows * cell + 2,
  };
}

/** The keyboard cursor: arrow keys move it, Enter or Space charts its row. */
function useCellCursor(rows: number, cols: number, onSelectRow?: (row: number) => void) {
  const [focus, setFocus] = useState<[number, number] | null>(null);
  const onKey = (event: KeyboardEvent) => {
    const [r, c] = focus ?? [0, 0];
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      event.stopPropagation();
      setFocus([Math.min(rows - 1, Math.max(0, r + move[0])), Math.min(cols - 1, Math.max(0, c + move[1]))]);
    } else if ((event.key === 'Enter' || event.key === ' ') && onSelectRow) {
      event.preventDefault();
      onSelectRow(r);
    }
  };
  return { focus, setFocus, onKey };
}

interface AxisLabelsProps {
  /** Token labels of the rows. */
  rowLabels: string[];
  /** Token (or dimension) labels of the columns. */
  colLabels: string[];
  /** Width of the row-label gutter, in pixels. */
  gutter: number;
  /** Height of the column-label band, in pixels. */
  top: number;
  /** Side of a cell, in pixels. */
  cell: number;
  /** Slant the column labels when cells are narrow. */
  rotate: boolean;
  /** Row drawn bold (the charted one). */
  selectedRow?: number | null;
}

function AxisLabels({ rowLabels, colLabels, gutter, top, cell, rotate, selectedRow }: AxisLabelsProps) {
  return (
    <g fontSize={12} fill="currentColor">
      {rowLabels.map((label, r) => (
        <text
          key={`r${r}`}
          x={gutter - 6}
          y={top + r * cell + cell / 2}
          dy="0.35em"
          textAnchor="end"
          fontWeight={selectedRow === r ? 700 : 400}
        >
          {clip(label, 12)}
        </text>
      ))}
      {colLabels.map((label, c) => {
        const x = gutter + c * cell + cell / 2;
        return rotate ? (
          <text key={`c${c}`} transform={`translate(${x},${top - 6}) rotate(-55)`}>
            {clip(label, 10)}
          </text>
        ) : (
          <text key={`c${c}`} x={x} y={top - 7} textAnchor="middle">
            {clip(label, 10)}
          </text>
        );
      })}
    </g>
  );
}

export function Heatmap({
  view,
  scale,
  traceId,
  selectedRow,
  onSelectRow,
  maxCell = 64,
  compact = false,
}: HeatmapProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const { matrix: m } = view;
  const { gutter, cell, rotate, top, room, widthPx, heightPx } = heatmapLayout(view, width, maxCell, compact);
  const geometry = useMemo(() => ({ gutter, top, cell, room }), [gutter, top, cell, room]);
  const { focus, setFocus, onKey } = useCellCursor(m.rows, m.cols, onSelectRow);
  // Every value, exactly as stored (float32 printed in full), row-major: scripts and tests read the matrix
  // here instead of from the pixels. One attribute costs far less than an element per cell.
  const values = useMemo(() => Array.prototype.join.call(m.data, ','), [m]);
  const hitAt = (event: MouseEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return cellAtPoint(event.clientX - box.left, event.clientY - box.top, m.rows, m.cols, geometry);
  };

  return (
    <div className="heatmap" ref={ref}>
      <div className="matrix-scroll" data-arrow-keys>
        <div className="heatmap-stage" style={{ width: widthPx, height: heightPx }}>
          <CellCanvas view={view} scale={scale} geometry={geometry} widthPx={widthPx} heightPx={heightPx} />
          <svg
            width={widthPx}
            height={heightPx}
            role="img"
            aria-label={`${view.title}: ${m.rows} by ${m.cols} matrix. Use the arrow keys to read cells, Enter to chart a row.`}
            tabIndex={compact ? -1 : 0}
            onKeyDown={onKey}
            onMouseLeave={() => setFocus(null)}
            onMouseMove={(event) => {
              const hit = hitAt(event);
              if (hit && (hit[0] !== focus?.[0] || hit[1] !== focus?.[1])) setFocus(hit);
            }}
            onClick={(event) => {
              const hit = hitAt(event);
              if (!hit) return;
              setFocus(hit);
              onSelectRow?.(hit[0]);
            }}
            className={onSelectRow ? 'selectable' : undefined}
            data-matrix-id={view.id}
            data-trace-id={traceId}
            data-rows={m.rows}
            data-cols={m.cols}
            data-values={values}
            fontFamily="system-ui, sans-serif"
            shapeRendering="crispEdges"
          >
            {!compact && (
              <AxisLabels
                rowLabels={view.rowLabels}
                colLabels={view.colLabels}
                gutter={gutter}
                top={top}
                cell={cell}
                rotate={rotate}
                selectedRow={selectedRow}
              />
            )}
            {selectedRow != null && !compact && (
              <rect
                x={gutter - 1}
                y={top + selectedRow * cell - 1}
                width={m.cols * cell + 1}
                height={cell + 1}
                fill="none"
                stroke="#d95f02"
                strokeWidth={2}
              />
            )}
            {focus && !compact && (
              <rect
                x={gutter + focus[1] * cell - 1}
                y={top + focus[0] * cell - 1}
                width={cell + 1}
                height={cell + 1}
                fill="none"
                stroke="#111"
                strokeWidth={2}
              />
            )}
          </svg>
        </div>
      </div>
      {!compact && (
        <p className="readout" aria-live="polite" data-testid={`readout-${view.id}`}>
          {focus ? (
            <>
              <MathText text={view.explain(focus[0], focus[1])} />
              <span className="exact"> (stored float32: {m.data[focus[0] * m.cols + focus[1]]})</span>
            </>
          ) : (
            'Hover over a cell, or focus the matrix and use the arrow keys, to see how each number was computed.'
          )}
        </p>
      )}
    </div>
  );
}
