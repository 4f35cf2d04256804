// One matrix with everything around it: the drawing (SVG heatmap for T×T, canvas for wide embeddings), its
// legend, its table alternative and, for attention weights, the bar chart of the selected row.

import { useMemo } from 'react';
import type { MatrixView } from '../data/select';
import { useAppStore } from '../store/store';
import { BarChart } from './BarChart';
import { EmbeddingCanvas } from './EmbeddingCanvas';
import { Heatmap } from './Heatmap';
import { Legend } from './Legend';
import { MatrixTable } from './MatrixTable';
import { scaleFor } from './scales';

interface MatrixPanelProps {
  /** What to draw. */
  view: MatrixView;
  /** Request id of the trace, for tests and the benchmark. */
  traceId: number;
  /** Whether clicking a row charts it (attention weights). */
  selectable?: boolean;
  /** Marks the matrix the export buttons and the benchmark use. */
  primary?: boolean;
}

/** Matrices of dimensions wider than this are drawn pixel by pixel; token × token ones stay heatmaps at any T. */
const SVG_MAX_COLS = 40;

export function MatrixPanel({ view, traceId, selectable = false, primary = false }: MatrixPanelProps) {
  const scale = useMemo(
    () => scaleFor(view.kind, view.matrix, view.masked),
    [view.kind, view.matrix, view.masked],
  );
  // The charted row lives in the settings, so a shared link opens with the same bar chart.
  const selectedRow = useAppStore((s) => s.settings.row);
  const set = useAppStore((s) => s.set);
  const row = selectable && selectedRow != null && selectedRow < view.matrix.rows ? selectedRow : null;
  const onSelectRow = selectable ? (r: number) => set({ row: r }) : undefined;
  const legendLabel = view.kind === 'weights' ? 'weight (0 = ignored)' : 'value (blue < 0 < red)';
  return (
    <section className={`matrix-panel${primary ? ' primary' : ''}`} data-primary={primary ? 1 : undefined}>
      <h3>{view.title}</h3>
      {view.matrix.cols > SVG_MAX_COLS && view.columns !== 'tokens' ? (
        <EmbeddingCanvas view={view} scale={scale} traceId={traceId} />
      ) : (
        <Heatmap view={view} scale={scale} traceId={traceId} selectedRow={row} onSelectRow={onSelectRow} />
      )}
      <div className="matrix-footer">
        <Legend scale={scale} label={legendLabel} />
        {row != null && (
          <BarChart
            values={view.matrix.data.subarray(row * view.matrix.cols, (row + 1) * view.matrix.cols)}
            labels={view.colLabels}
            query={view.rowLabels[row]}
            scale={scale}
          />
        )}
      </div>
      {selectable && row == null && (
        <p className="hint">Click a row (or press Enter on it) to chart where that token looks.</p>
      )}
      <MatrixTable view={view} />
    </section>
  );
}
