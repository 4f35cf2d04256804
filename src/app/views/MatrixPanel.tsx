// One matrix with everything around it: the drawing (square cells, or strips for a wide embedding), its legend,
// its table alternative and, for attention weights, the bar chart of the selected row.

import { useMemo } from 'react';
import type { MatrixView } from '../data/select';
import { BarChart } from './BarChart';
import { Heatmap } from './Heatmap';
import { Legend } from './Legend';
import { MatrixTable } from './MatrixTable';
import { scaleFor } from './scales';

interface MatrixPanelProps {
  /** What to draw. */
  view: MatrixView;
  /** Request id of the trace, for tests and the benchmark. */
  traceId: number;
  /** The charted row (attention weights), or null for none. */
  selectedRow?: number | null;
  /** Called when a row is clicked or chosen with Enter; leave out for a matrix whose rows are not charted. */
  onSelectRow?: (row: number) => void;
  /** Called with a cell clicked or chosen with Enter; leave out where cells are not chosen. */
  onSelectCell?: (cell: [number, number]) => void;
  /** The cell outlined as chosen (the "why" panel's), or null. */
  selectedCell?: [number, number] | null;
  /** Marks the matrix the export buttons and the benchmark use. */
  primary?: boolean;
}

export function MatrixPanel({
  view,
  traceId,
  selectedRow = null,
  onSelectRow,
  onSelectCell,
  selectedCell = null,
  primary = false,
}: MatrixPanelProps) {
  const scale = useMemo(
    () => scaleFor(view.kind, view.matrix, view.masked),
    [view.kind, view.matrix, view.masked],
  );
  const selectable = onSelectRow !== undefined;
  const row = selectable && selectedRow != null && selectedRow < view.matrix.rows ? selectedRow : null;
  const legendLabel = view.kind === 'weights' ? 'weight (0 = ignored)' : 'value (blue < 0 < red)';
  return (
    <section className={`matrix-panel${primary ? ' primary' : ''}`} data-primary={primary ? 1 : undefined}>
      <h3>{view.title}</h3>
      <Heatmap
        view={view}
        scale={scale}
        traceId={traceId}
        selectedRow={row}
        onSelectRow={onSelectRow}
        onSelectCell={onSelectCell}
        selectedCell={selectedCell}
      />
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
