// The token labels of a heatmap, in two bands that stay in view while the cells scroll (sticky row labels on the
// left, column labels on top): every label while they fit, every n-th when crowded, and in full where hovered.

import type { CSSProperties } from 'react';
import { clip, labelled, type HeatmapLayout } from './heatmap-layout';

interface LabelBandProps {
  /** Token (or dimension) labels along this axis. */
  labels: string[];
  /** Where the grid sits and how crowded the labels are. */
  layout: HeatmapLayout;
  /** Index under the cursor: its label is shown whole, bold and over its neighbours. */
  active?: number | null;
  /** Index drawn bold (the charted row). */
  selected?: number | null;
}

/** A label with a halo of page colour, so a whole label on hover reads over the thinned ones around it. */
const HALO = { stroke: 'var(--paper, #fff)', strokeWidth: 4, paintOrder: 'stroke' } as const;

const band: CSSProperties = { gridArea: '1 / 1', position: 'sticky', zIndex: 2, pointerEvents: 'none' };

export function RowLabels({ labels, layout, active, selected }: LabelBandProps) {
  const { gutter, top, cellH, labelStep, heightPx } = layout;
  // Centred on its row; the layout's pad keeps the first and last clear of the column labels and the edge.
  const rowY = (r: number) => top + r * cellH + cellH / 2;
  return (
    <svg
      className="heatmap-rows"
      width={gutter}
      height={heightPx}
      style={{ ...band, left: 0, justifySelf: 'start', overflow: 'visible' }}
      aria-hidden="true"
      fontSize={12}
      fill="currentColor"
    >
      <rect width={gutter} height={heightPx} fill="var(--paper, #fff)" />
      {labels.map((label, r) => {
        if (r === active || !labelled(r, labelStep, labels.length, selected)) return null;
        return (
          <text
            key={r}
            x={gutter - 6}
            y={rowY(r)}
            dy="0.35em"
            textAnchor="end"
            fontWeight={selected === r ? 700 : 400}
          >
            {clip(label, 12)}
          </text>
        );
      })}
      {active != null && active < labels.length && (
        // Whole, and starting at the left edge when it is longer than the gutter (it then runs over the cells).
        <text
          x={labels[active].length > 12 ? 4 : gutter - 6}
          y={rowY(active)}
          dy="0.35em"
          textAnchor={labels[active].length > 12 ? 'start' : 'end'}
          fontWeight={700}
          {...HALO}
        >
          {labels[active]}
        </text>
      )}
    </svg>
  );
}

export function ColumnLabels({ labels, layout, active }: LabelBandProps) {
  const { gutter, top, pad, cell, labelStep, rotate, widthPx } = layout;
  // The band ends `pad` above the grid, where the first row's label begins.
  const height = top - pad;
  const place = (c: number) => {
    const x = gutter + c * cell + cell / 2;
    return rotate
      ? { transform: `translate(${x},${height - 6}) rotate(${rotate})`, dy: rotate === -90 ? '0.35em' : 0 }
      : { x, y: height - 7, textAnchor: 'middle' as const };
  };
  return (
    <svg
      className="heatmap-cols"
      width={widthPx}
      height={height}
      style={{ ...band, top: 0, alignSelf: 'start' }}
      aria-hidden="true"
      fontSize={12}
      fill="currentColor"
    >
      <rect width={widthPx} height={height} fill="var(--paper, #fff)" />
      {labels.map((label, c) =>
        c === active || !labelled(c, labelStep, labels.length) ? null : (
          <text key={c} {...place(c)}>
            {clip(label, 10)}
          </text>
        ),
      )}
      {active != null && active < labels.length && (
        <text {...place(active)} fontWeight={700} {...HALO}>
          {clip(labels[active], 14)}
        </text>
      )}
    </svg>
  );
}

/** The corner where the two bands meet, above both, so cells never show through it while scrolling. */
export function LabelCorner({ layout }: { layout: HeatmapLayout }) {
  return (
    <div
      className="heatmap-corner"
      aria-hidden="true"
      style={{
        ...band,
        zIndex: 3,
        left: 0,
        top: 0,
        justifySelf: 'start',
        alignSelf: 'start',
        // Short of the grid by the pad, so it hides neither the first row's label nor the first column's.
        width: layout.gutter - layout.pad,
        height: layout.top - layout.pad,
        background: 'var(--paper, #fff)',
      }}
    />
  );
}
