// Matrices that add up, drawn side by side on one colour scale with one cursor shared by all of them: step 4's
// token + position = input and step 5's four terms of a score. The readout under them explains the cell.

import { useMemo, useState, type ReactNode } from 'react';
import type { MatrixView } from '../data/select';
import { Heatmap } from './Heatmap';
import type { Cell } from './heatmap-controls';
import { Legend } from './Legend';
import { divergingScale, maxAbs } from './scales';

interface HeatmapTermsProps {
  /** The matrices, in reading order. */
  views: MatrixView[];
  /** What each title starts with, by position: '+ ', '= ' or ''. */
  signs: string[];
  /** Request id of the trace, so tests can see when the drawings are new. */
  traceId: number;
  /** The readout for the cell under the cursor, which is the same cell in every matrix. */
  readout: (cell: Cell) => ReactNode;
  /** The readout while no cell is pointed at. */
  hint: string;
  /** The legend's label (the one scale covers every matrix). */
  legend: string;
  /** The heading level of the titles, below the heading of the section they sit in. */
  heading: 'h3' | 'h4';
  /** The grid's class, which sets the layout: a row of three, or two by two. */
  gridClassName: string;
  /** Each matrix's class in the grid. */
  termClassName?: string;
  /** The readout's test id. */
  readoutTestId?: string;
}

export function HeatmapTerms({
  views,
  signs,
  traceId,
  readout,
  hint,
  legend,
  heading: Heading,
  gridClassName,
  termClassName,
  readoutTestId,
}: HeatmapTermsProps) {
  const scale = useMemo(() => divergingScale(Math.max(...views.map((v) => maxAbs(v.matrix)))), [views]);
  const [hover, setHover] = useState<Cell | null>(null);
  return (
    <>
      <div className={gridClassName}>
        {views.map((view, i) => (
          <div className={termClassName} key={view.id}>
            <Heading>
              {signs[i] ?? ''}
              {view.title}
            </Heading>
            <Heatmap
              view={view}
              scale={scale}
              traceId={traceId}
              hover={hover}
              onHover={setHover}
              hideReadout
            />
          </div>
        ))}
      </div>
      <p className="readout" aria-live="polite" data-testid={readoutTestId}>
        {hover ? readout(hover) : hint}
      </p>
      <Legend scale={scale} label={legend} />
    </>
  );
}
