// A T×T (or small T×d) matrix as SVG: d3 gives the colours, React draws the cells. Token labels on both axes,
// values in the cells when they fit, a readout that explains the hovered or focused cell, and row selection.

import { memo, useId, useState, type KeyboardEvent, type ReactElement } from 'react';
import type { MatrixView } from '../data/select';
import { fmtCell } from '../data/format';
import type { ColorScale } from './scales';
import { textColorOn } from './scales';
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

/** The (row, col) of the cell under an event, read from the rect's data attributes (one handler per matrix). */
function cellAt(target: EventTarget): [number, number] | null {
  const rect = (target as Element).closest?.('rect.cell');
  return rect ? [Number(rect.getAttribute('data-row')), Number(rect.getAttribute('data-col'))] : null;
}

interface CellsProps {
  /** The matrix whose entries are drawn. */
  view: MatrixView;
  /** The heatmap's one colour scale. */
  scale: ColorScale;
  /** Left and top offsets of the grid, and the side of a cell, in pixels. */
  gutter: number;
  top: number;
  cell: number;
  /** How much room a printed value has, or null to print none. */
  room: 'wide' | 'narrow' | null;
  /** Fill of a masked cell (this heatmap's own hatch pattern, so ids never clash). */
  maskFill: string;
}

/** The grid of cells; memoised so that moving the hover cursor does not redraw every cell. */
const Cells = memo(function Cells({ view, scale, gutter, top, cell, room, maskFill }: CellsProps) {
  const { matrix: m } = view;
  const out: ReactElement[] = [];
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const value = m.data[r * m.cols + c];
      const masked = view.masked?.(r, c) ?? false;
      const fill = masked ? maskFill : scale(value);
      const x = gutter + c * cell;
      const y = top + r * cell;
      out.push(
        <rect
          key={`r${r}-${c}`}
          className="cell"
          x={x}
          y={y}
          width={cell - 1}
          height={cell - 1}
          fill={fill}
          data-row={r}
          data-col={c}
          data-value={value}
          data-masked={masked ? 1 : 0}
        />,
      );
      if (room) {
        out.push(
          <text
            key={`t${r}-${c}`}
            x={x + cell / 2}
            y={y + cell / 2}
            dy="0.35em"
            textAnchor="middle"
            fontSize={cell >= 56 ? 12 : room === 'wide' ? 10 : 11}
            fill={masked ? '#777' : textColorOn(fill)}
            pointerEvents="none"
          >
            {masked ? (view.kind === 'signed' ? '−∞' : '0') : fmtCell(value, room)}
          </text>,
        );
      }
    }
  }
  return <g>{out}</g>;
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
  const hatchId = `hatch-${useId().replace(/[^\w-]/g, '')}`;
  const { matrix: m } = view;
  const { gutter, cell, rotate, top, room, widthPx, heightPx } = heatmapLayout(view, width, maxCell, compact);
  const { focus, setFocus, onKey } = useCellCursor(m.rows, m.cols, onSelectRow);

  return (
    <div className="heatmap" ref={ref}>
      <div className="matrix-scroll" data-arrow-keys>
        <svg
          width={widthPx}
          height={heightPx}
          role="img"
          aria-label={`${view.title}: ${m.rows} by ${m.cols} matrix. Use the arrow keys to read cells, Enter to chart a row.`}
          tabIndex={compact ? -1 : 0}
          onKeyDown={onKey}
          onMouseLeave={() => setFocus(null)}
          onMouseOver={(event) => {
            const hit = cellAt(event.target);
            if (hit) setFocus(hit);
          }}
          onClick={(event) => {
            const hit = cellAt(event.target);
            if (!hit) return;
            setFocus(hit);
            onSelectRow?.(hit[0]);
          }}
          data-matrix-id={view.id}
          data-trace-id={traceId}
          fontFamily="system-ui, sans-serif"
          shapeRendering="crispEdges"
        >
          <defs>
            <pattern
              id={hatchId}
              width={6}
              height={6}
              patternUnits="userSpaceOnUse"
              patternTransform="rotate(45)"
            >
              <rect width={6} height={6} fill="#eee" />
              <line x1={0} y1={0} x2={0} y2={6} stroke="#bbb" strokeWidth={2} />
            </pattern>
          </defs>
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
          <Cells
            view={view}
            scale={scale}
            gutter={gutter}
            top={top}
            cell={cell}
            room={room}
            maskFill={`url(#${hatchId})`}
          />
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
      {!compact && (
        <p className="readout" aria-live="polite" data-testid={`readout-${view.id}`}>
          {focus ? (
            <>
              {view.explain(focus[0], focus[1])}
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
