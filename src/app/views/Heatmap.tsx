// The one matrix component: a T×T (up to 1024 tokens) or small T×d matrix in square cells, or a wide T×d
// embedding in strips. A canvas draws the cells and their values, an SVG over it the cursors and the keyboard
// focus, and sticky bands the token labels while the cells scroll in their box. A readout explains the hovered or
// focused cell (side-by-side matrices can share one); clicking or pressing Enter charts a row. The SVG carries
// the exact values for scripts.

import { memo, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { MatrixView } from '../data/select';
import type { ColorScale } from './scales';
import { cellAtPoint, drawCells, type CellGeometry, type Viewport } from './heatmap-canvas';
import { cellCursorKeys, scrollIntoBox, ZoomControls, type Cell } from './heatmap-controls';
import { axesCaption, canvasScale, drawnAsStrips, heatmapLayout, stripLayout } from './heatmap-layout';
import { ColumnLabels, LabelCorner, RowLabels } from './HeatmapLabels';
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
  /** Called with the cell clicked or chosen with Enter (the "why" panel splits that score). */
  onSelectCell?: (cell: Cell) => void;
  /** The cell whose score the "why" panel splits, outlined; null for none. */
  selectedCell?: Cell | null;
  /** Largest cell side in pixels (small multiples pass a small one). */
  maxCell?: number;
  /** Hide labels and values (the all-heads grid). */
  compact?: boolean;
  /** The cursor's cell when several matrices share it (step 4's sum); leave out to keep it inside. */
  hover?: Cell | null;
  /** Called with the cell under the pointer or keyboard cursor, or null when it leaves. */
  onHover?: (cell: Cell | null) => void;
  /** Hide the readout line (step 4 shows one for its three matrices). */
  hideReadout?: boolean;
}

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
  /** The scrolled box's part of the heatmap, for a heatmap too large for one canvas; null draws it all. */
  viewport: Viewport | null;
}

const screenDpr = () => (typeof window === 'undefined' ? 1 : Math.max(1, window.devicePixelRatio || 1));

/** The cells and their values on one canvas, redrawn before the browser paints the new trace. */
const CellCanvas = memo(function CellCanvas({
  view,
  scale,
  geometry,
  widthPx,
  heightPx,
  viewport,
}: CellCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  // Device pixels per CSS pixel, lowered only if a matrix too large for one canvas has no viewport yet.
  const dpr = viewport ? screenDpr() : canvasScale(screenDpr(), widthPx, heightPx);
  const { gutter, top, cell, cellH, room } = geometry;
  const [cssWidth, cssHeight] = viewport ? [viewport.w, viewport.h] : [widthPx, heightPx];
  const { x = 0, y = 0 } = viewport ?? {};
  // A layout effect, not an effect: the new cells must reach the screen in the same frame as the new labels.
  useLayoutEffect(() => {
    const ctx = ref.current?.getContext('2d');
    const part = { x, y, w: cssWidth, h: cssHeight };
    if (ctx) drawCells(ctx, view, scale, { gutter, top, cell, cellH, room }, dpr, part);
  }, [view, scale, gutter, top, cell, cellH, room, dpr, x, y, cssWidth, cssHeight]);
  return (
    <canvas
      ref={ref}
      className="heatmap-cells"
      width={Math.round(cssWidth * dpr)}
      height={Math.round(cssHeight * dpr)}
      // A viewport's canvas stays in the scrolled box's corner (sticky) and is redrawn as the box scrolls.
      style={{
        width: cssWidth,
        height: cssHeight,
        zIndex: 0,
        ...(viewport && { position: 'sticky', gridArea: '1 / 1', justifySelf: 'start', alignSelf: 'start' }),
      }}
      aria-hidden="true"
    />
  );
});

export function Heatmap({
  view,
  scale,
  traceId,
  selectedRow,
  onSelectRow,
  onSelectCell,
  selectedCell = null,
  maxCell = 64,
  compact = false,
  hover,
  onHover,
  hideReadout = false,
}: HeatmapProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const { matrix: m } = view;
  const [zoom, setZoom] = useState<number | null>(null);
  const strips = !compact && drawnAsStrips(view);
  const layout = strips
    ? stripLayout(view, width)
    : heatmapLayout(view, width, maxCell, compact, compact ? null : zoom);
  const { gutter, cell, cellH, top, room, widthPx, heightPx } = layout;
  const geometry = { gutter, top, cell, cellH, room };
  const [ownFocus, setOwnFocus] = useState<Cell | null>(null);
  const focus = hover !== undefined ? hover : ownFocus;
  const setFocus = onHover ?? setOwnFocus;
  const onKey = cellCursorKeys(m.rows, m.cols, focus, setFocus, onSelectRow);
  // Every value, exactly as stored (float32 printed in full), row-major: scripts and tests read the matrix
  // here instead of from the pixels. One attribute costs far less than an element per cell.
  const values = useMemo(() => Array.prototype.join.call(m.data, ','), [m]);
  // A cell the keyboard moved to may lie outside the scrolled box: bring it in, beside the label bands.
  const keyed = useRef(false);
  useLayoutEffect(() => {
    if (keyed.current && focus && scrollRef.current)
      scrollIntoBox(scrollRef.current, focus[0], focus[1], layout);
    keyed.current = false;
  });
  /** The cell under the pointer; a point on the row labels gives that row and column −1, the column labels none. */
  const hitAt = (event: MouseEvent<SVGSVGElement>): Cell | null => {
    const stage = event.currentTarget.getBoundingClientRect();
    const box = scrollRef.current?.getBoundingClientRect() ?? stage;
    const x = event.clientX - stage.left;
    const y = event.clientY - stage.top;
    if (event.clientY - box.top < top) return null;
    if (event.clientX - box.left < gutter) {
      const row = Math.floor((y - top) / cellH);
      return row >= 0 && row < m.rows ? [row, -1] : null;
    }
    return cellAtPoint(x, y, m.rows, m.cols, geometry);
  };
  // A long text (many rows, or many token columns) scrolls in its own box, with zoom buttons above it; strips
  // scroll sideways only, as the page does.
  const zoomable = !compact && !strips && (m.cols > 24 || m.rows > 24);
  // A heatmap larger than one canvas at the screen's resolution draws only what its box shows.
  const virtual = zoomable && canvasScale(screenDpr(), widthPx, heightPx) < screenDpr();
  const [viewport, setViewport] = useState<Viewport | null>(null);
  const readViewport = () => {
    const box = scrollRef.current;
    if (!virtual || !box) return setViewport(null);
    const next = { x: box.scrollLeft, y: box.scrollTop, w: box.clientWidth, h: box.clientHeight };
    const same = viewport && (Object.keys(next) as (keyof Viewport)[]).every((k) => next[k] === viewport[k]);
    if (!same) setViewport(next);
  };
  // After every render: the box may have been resized, zoomed or scrolled by the keyboard cursor.
  useLayoutEffect(() => readViewport());
  const shape = strips
    ? `${m.rows} tokens by ${m.cols} dimensions, drawn as colours`
    : `${m.rows} by ${m.cols} matrix`;

  return (
    <div className="heatmap" ref={ref}>
      {zoomable && <ZoomControls cell={cell} fitted={zoom === null} onZoom={setZoom} />}
      <div
        className="matrix-scroll"
        ref={scrollRef}
        onScroll={virtual ? readViewport : undefined}
        data-arrow-keys
        style={zoomable ? { overflow: 'auto', maxHeight: '75vh' } : undefined}
      >
        {/* One grid area holds every layer: the SVG of cursors first (scripts read it as the heatmap), the
            canvas under it, and the sticky label bands over both. */}
        <div className="heatmap-stage" style={{ width: widthPx, height: heightPx, display: 'grid' }}>
          <svg
            width={widthPx}
            height={heightPx}
            style={{ gridArea: '1 / 1', zIndex: 1 }}
            role="img"
            aria-label={
              `${view.title}: ${shape}. Use the arrow keys to read cells` +
              (onSelectRow ? ', Enter to chart a row' : '') +
              (onSelectCell ? ', Enter to split that score into its parts' : '') +
              '.'
            }
            tabIndex={compact ? -1 : 0}
            onKeyDown={(event) => {
              keyed.current = true;
              if (event.key === 'Enter' && focus && focus[1] >= 0) onSelectCell?.(focus);
              onKey(event);
            }}
            onMouseLeave={() => setFocus(null)}
            onMouseMove={(event) => {
              const hit = hitAt(event);
              if (hit && hit[1] >= 0 && (hit[0] !== focus?.[0] || hit[1] !== focus?.[1])) setFocus(hit);
            }}
            onClick={(event) => {
              const hit = hitAt(event);
              if (!hit) return;
              setFocus(hit[1] >= 0 ? hit : [hit[0], focus?.[1] ?? 0]);
              onSelectRow?.(hit[0]);
              if (hit[1] >= 0) onSelectCell?.(hit);
            }}
            className={onSelectRow || onSelectCell ? 'selectable' : undefined}
            data-matrix-id={view.id}
            data-trace-id={traceId}
            data-rows={m.rows}
            data-cols={m.cols}
            data-values={values}
            fontFamily="system-ui, sans-serif"
            shapeRendering="crispEdges"
          >
            {selectedRow != null && !compact && (
              <rect
                x={gutter - 1}
                y={top + selectedRow * cellH - 1}
                width={m.cols * cell + 1}
                height={cellH + 1}
                fill="none"
                stroke="#d95f02"
                strokeWidth={2}
              />
            )}
            {selectedCell && selectedCell[0] < m.rows && selectedCell[1] < m.cols && !compact && (
              <rect
                data-testid="selected-cell"
                x={gutter + selectedCell[1] * cell - 1}
                y={top + selectedCell[0] * cellH - 1}
                width={cell + 1}
                height={cellH + 1}
                fill="none"
                stroke="#d95f02"
                strokeWidth={3}
                strokeDasharray="4 2"
              />
            )}
            {focus && !compact && (
              <rect
                x={gutter + focus[1] * cell - 1}
                y={top + focus[0] * cellH - 1}
                width={cell + 1}
                height={cellH + 1}
                fill="none"
                stroke="#111"
                strokeWidth={2}
              />
            )}
          </svg>
          <CellCanvas
            view={view}
            scale={scale}
            geometry={geometry}
            widthPx={widthPx}
            heightPx={heightPx}
            viewport={virtual ? viewport : null}
          />
          {!compact && (
            <>
              <RowLabels labels={view.rowLabels} layout={layout} active={focus?.[0]} selected={selectedRow} />
              {layout.columnLabels && (
                <>
                  <ColumnLabels labels={view.colLabels} layout={layout} active={focus?.[1]} />
                  <LabelCorner layout={layout} />
                </>
              )}
            </>
          )}
        </div>
      </div>
      {!compact && !hideReadout && (
        <p className="readout" aria-live="polite" data-testid={`readout-${view.id}`}>
          {focus ? (
            <>
              <MathText text={view.explain(focus[0], focus[1])} />
              <span className="exact"> (stored float32: {m.data[focus[0] * m.cols + focus[1]]})</span>
            </>
          ) : (
            `${axesCaption(view)} Hover over a cell, or focus the matrix and use the arrow keys, to see how each number was computed.`
          )}
        </p>
      )}
    </div>
  );
}
