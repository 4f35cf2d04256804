// Step 4's row comparison: pick two tokens and see their rows of one embedding table side by side, folded into
// grids of readable cells, with the difference drawn on the same colour scale, so a small difference looks small.

import { useId, useMemo, useState } from 'react';
import { cosine, distance, fmtCosine, rowOf, type EmbeddingSpace } from '../data/repeat-stats';
import { fmt4 } from '../data/format';
import { dimLabels, repeatedTokens, type MatrixView } from '../data/select';
import type { AppTrace } from '../data/types';
import { matrix } from '../../model/attention';
import { Legend } from './Legend';
import { MatrixTable } from './MatrixTable';
import { divergingScale, type ColorScale } from './scales';
import './lesson.css';

/** The tables a user may compare: the short words the picker shows, and the name the summary uses. */
export interface CompareSpace {
  space: EmbeddingSpace;
  label: string;
  name: string;
}

interface RowCompareProps {
  /** The trace whose embedding rows are compared. */
  trace: AppTrace;
  /** The tables offered, first one picked at the start. */
  spaces: CompareSpace[];
}

/** A vector's cells: 16 to a line up to 256 dimensions, 32 beyond, so GPT-2 small's 768 stay on screen. */
function gridShape(C: number): { perLine: number; cell: number } {
  return C <= 256 ? { perLine: 16, cell: 14 } : { perLine: 32, cell: 10 };
}

interface VectorGridProps {
  /** What the grid shows, e.g. "“␣the”, row 2". */
  title: string;
  values: ArrayLike<number>;
  scale: ColorScale;
  /** The dimension under the pointer, outlined in every grid. */
  hovered: number | null;
  onHover: (dimension: number | null) => void;
}

function VectorGrid({ title, values, scale, hovered, onHover }: VectorGridProps) {
  const { perLine, cell } = gridShape(values.length);
  const lines = Math.ceil(values.length / perLine);
  const at = (d: number) => ({ x: (d % perLine) * cell, y: Math.floor(d / perLine) * cell });
  return (
    <figure className="vector-grid">
      <figcaption>{title}</figcaption>
      <svg
        width={perLine * cell + 1}
        height={lines * cell + 1}
        role="img"
        aria-label={`${title}: ${values.length} values, dimension by dimension, ${perLine} to a line`}
        onMouseLeave={() => onHover(null)}
      >
        {Array.from(values, (v, d) => (
          <rect
            key={d}
            {...at(d)}
            width={cell}
            height={cell}
            fill={scale(v)}
            onMouseEnter={() => onHover(d)}
          />
        ))}
        {hovered != null && hovered < values.length && (
          <rect className="vector-cursor" {...at(hovered)} width={cell} height={cell} />
        )}
      </svg>
    </figure>
  );
}

/** The two rows and their difference as a 3×C matrix, for the table that lists every number. */
function tableView(labels: string[], rows: Float32Array[]): MatrixView {
  const C = rows[0].length;
  const m = matrix(3, C);
  rows.forEach((row, r) => m.data.set(row, r * C));
  return {
    id: 'row-compare',
    title: 'The two rows and their difference',
    matrix: m,
    rowLabels: labels,
    colLabels: dimLabels(C),
    kind: 'signed',
    explain: (r, c) => `${labels[r]}[${c + 1}] = ${fmt4(m.data[r * C + c])}`,
  };
}

/** "Input embeddings: cosine similarity 0.841; the difference has length 0.58, 42% of the first row's 1.38; …" */
function summary(table: string, rowA: Float32Array, rowB: Float32Array, diff: Float32Array): string {
  const similarity = `${table}: cosine similarity ${fmtCosine(cosine(rowA, rowB))}`;
  const { apart, length } = distance(rowA, rowB);
  if (apart === 0)
    return `${similarity}; the two rows are identical, with a difference of 0 in every dimension.`;
  let largest = 0;
  diff.forEach((v, c) => (largest = Math.abs(v) > Math.abs(diff[largest]) ? c : largest));
  const share =
    length > 0 ? `, ${Math.round((100 * apart) / length)}% of the first row’s ${fmt4(length)}` : '';
  return (
    `${similarity}; the difference has length ${fmt4(apart)}${share}; ` +
    `largest at dimension ${largest + 1} (${fmt4(diff[largest])}).`
  );
}

/** Positions of the first repeated token's first two copies, or the first two tokens. */
function startingPair(trace: AppTrace): [number, number] {
  const [group] = repeatedTokens(trace.ids);
  return group ? [group[0], group[1]] : [0, Math.min(1, trace.tokens.length - 1)];
}

export function RowCompare({ trace, spaces }: RowCompareProps) {
  const id = useId();
  const key = trace.ids.join(',');
  // The picks belong to one sentence: a new text starts again from its first repeated token.
  const [picked, setPicked] = useState<{ key: string; a: number; b: number } | null>(null);
  const [a, b] = picked?.key === key ? [picked.a, picked.b] : startingPair(trace);
  const [spaceName, setSpaceName] = useState<EmbeddingSpace>(spaces[0].space);
  const space = spaces.find((s) => s.space === spaceName) ?? spaces[0];
  const [hovered, setHovered] = useState<number | null>(null);
  const table = trace.tensors[space.space];
  const rowA = rowOf(table, a);
  const rowB = rowOf(table, b);
  const diff = useMemo(() => rowA.map((v, c) => v - rowB[c]), [rowA, rowB]);
  const scale = useMemo(() => {
    let limit = 1e-6;
    for (let c = 0; c < rowA.length; c++) limit = Math.max(limit, Math.abs(rowA[c]), Math.abs(rowB[c]));
    return divergingScale(limit);
  }, [rowA, rowB]);
  const name = (i: number) => `“${trace.tokens[i]}”, row ${i + 1}`;
  const pick = (which: 'a' | 'b', value: number) =>
    setPicked({ key, a: which === 'a' ? value : a, b: which === 'b' ? value : b });
  const options = trace.tokens.map((token, i) => (
    <option key={i} value={i}>
      {i + 1} {token}
    </option>
  ));
  return (
    <section className="row-compare" aria-labelledby={`${id}-title`} data-testid="row-compare">
      <h3 id={`${id}-title`}>Compare two rows</h3>
      <div className="row-compare-controls">
        <label>
          First token{' '}
          <select value={a} onChange={(e) => pick('a', Number(e.target.value))} data-arrow-keys>
            {options}
          </select>
        </label>
        <label>
          Second token{' '}
          <select value={b} onChange={(e) => pick('b', Number(e.target.value))} data-arrow-keys>
            {options}
          </select>
        </label>
        {spaces.length > 1 && (
          <fieldset className="row-compare-spaces">
            <legend>Table</legend>
            {spaces.map((s) => (
              <label key={s.space}>
                <input
                  type="radio"
                  name={`${id}-space`}
                  value={s.space}
                  checked={s.space === space.space}
                  onChange={() => setSpaceName(s.space)}
                />{' '}
                {s.label}
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <p className="row-compare-summary" data-testid="row-compare-summary">
        {summary(space.name, rowA, rowB, diff)}
      </p>
      <div className="row-compare-grids">
        <VectorGrid title={name(a)} values={rowA} scale={scale} hovered={hovered} onHover={setHovered} />
        <VectorGrid title={name(b)} values={rowB} scale={scale} hovered={hovered} onHover={setHovered} />
        <VectorGrid
          title={`Difference: row ${a + 1} − row ${b + 1}`}
          values={diff}
          scale={scale}
          hovered={hovered}
          onHover={setHovered}
        />
      </div>
      <p className="readout" aria-live="polite">
        {hovered != null && hovered < rowA.length
          ? `dimension ${hovered + 1}: ${fmt4(rowA[hovered])} − ${fmt4(rowB[hovered])} = ${fmt4(diff[hovered])}`
          : 'Point at a cell to read that dimension in both rows and their difference.'}
      </p>
      <Legend scale={scale} label="value (blue < 0 < red), one scale for the rows and their difference" />
      <MatrixTable
        view={tableView([name(a), name(b), 'difference'], [rowA, rowB, diff])}
        maxCols={rowA.length}
      />
    </section>
  );
}
