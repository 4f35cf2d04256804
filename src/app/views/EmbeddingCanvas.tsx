// A T×C embedding (C can be 768) drawn pixel by pixel on a canvas, so it stays fast at any width. Hovering
// shows a cell's value and where it came from; the hovered position can be shared between side-by-side views.

import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { color } from 'd3';
import type { MatrixView } from '../data/select';
import type { ColorScale } from './scales';
import { withSubscripts } from './MathText';
import { useWidth } from './useWidth';

interface EmbeddingCanvasProps {
  /** The T×C matrix with its row labels and explanations. */
  view: MatrixView;
  /** One colour scale for the whole matrix. */
  scale: ColorScale;
  /** Request id of the trace drawn, for tests and the benchmark. */
  traceId: number;
  /** Hovered cell when several canvases share it (step 4); leave out to keep it local. */
  hover?: [number, number] | null;
  /** Called with the cell under the pointer, or null when it leaves. */
  onHover?: (cell: [number, number] | null) => void;
  /** Share of the row the canvas may take (three side by side take a third each). */
  widthShare?: number;
  /** Hide the readout line (step 4 shows one shared readout). */
  hideReadout?: boolean;
}

const LABEL_WIDTH = 74;

export function EmbeddingCanvas({
  view,
  scale,
  traceId,
  hover,
  onHover,
  widthShare = 1,
  hideReadout = false,
}: EmbeddingCanvasProps) {
  const [wrapRef, width] = useWidth<HTMLDivElement>();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [localHover, setLocalHover] = useState<[number, number] | null>(null);
  const cell = hover !== undefined ? hover : localHover;
  const setCell = onHover ?? setLocalHover;
  const { matrix: m } = view;
  const cellW = Math.max(1, Math.min(24, Math.floor((width * widthShare - LABEL_WIDTH) / m.cols)));
  const cellH = m.rows > 40 ? 8 : 18;
  const canvasWidth = LABEL_WIDTH + m.cols * cellW;
  const canvasHeight = m.rows * cellH;

  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(m.cols * cellW, canvasHeight);
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < m.cols; c++) {
        const rgb = color(scale(m.data[r * m.cols + c]))!.rgb();
        for (let y = r * cellH; y < (r + 1) * cellH - (cellH > 4 ? 1 : 0); y++) {
          for (let x = c * cellW; x < (c + 1) * cellW; x++) {
            const k = (y * m.cols * cellW + x) * 4;
            image.data[k] = rgb.r;
            image.data[k + 1] = rgb.g;
            image.data[k + 2] = rgb.b;
            image.data[k + 3] = 255;
          }
        }
      }
    }
    ctx.clearRect(0, 0, canvasWidth, canvasHeight);
    ctx.putImageData(image, LABEL_WIDTH, 0);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = getComputedStyle(canvasRef.current!).color || '#222';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    if (cellH >= 12)
      view.rowLabels.forEach((label, r) =>
        ctx.fillText(label.slice(0, 10), LABEL_WIDTH - 6, r * cellH + cellH / 2),
      );
  }, [m, scale, cellW, cellH, canvasWidth, canvasHeight, view.rowLabels]);

  const onMove = (event: MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const c = Math.floor((event.clientX - box.left - LABEL_WIDTH) / cellW);
    const r = Math.floor((event.clientY - box.top) / cellH);
    setCell(c >= 0 && c < m.cols && r >= 0 && r < m.rows ? [r, c] : null);
  };

  return (
    <div className="embedding" ref={wrapRef}>
      <div className="matrix-scroll">
        <div className="embedding-stack" style={{ width: canvasWidth }}>
          <canvas
            ref={canvasRef}
            width={canvasWidth}
            height={canvasHeight}
            onMouseMove={onMove}
            onMouseLeave={() => setCell(null)}
            role="img"
            aria-label={`${view.title}: ${m.rows} tokens by ${m.cols} dimensions, drawn as colours.`}
            data-matrix-id={view.id}
            data-trace-id={traceId}
          />
          {cell && (
            <div
              className="canvas-cursor"
              style={{
                left: LABEL_WIDTH + cell[1] * cellW - 1,
                top: cell[0] * cellH - 1,
                width: cellW + 1,
                height: cellH + 1,
              }}
            />
          )}
        </div>
      </div>
      {!hideReadout && (
        <p className="readout" aria-live="polite">
          {cell
            ? withSubscripts(view.explain(cell[0], cell[1]))
            : `${m.rows} × ${m.cols}: one row per token, one column per dimension. Hover to read a value.`}
        </p>
      )}
    </div>
  );
}
