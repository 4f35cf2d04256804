// The text alternative of a matrix: a real table (token rows, labelled columns) inside a disclosure, for screen
// readers and for anyone who wants to copy numbers. Wide embeddings show their first columns only.

import { useState } from 'react';
import type { MatrixView } from '../data/select';
import { fmt4 } from '../data/format';

interface MatrixTableProps {
  /** The matrix to list. */
  view: MatrixView;
  /** Most columns to list (a 768-wide embedding would be unreadable as a table). */
  maxCols?: number;
}

export function MatrixTable({ view, maxCols = 16 }: MatrixTableProps) {
  const { matrix: m } = view;
  const cols = Math.min(m.cols, maxCols);
  // The table is built only while open: typing redraws the matrices often, and a closed table costs nothing.
  const [open, setOpen] = useState(false);
  return (
    <details className="matrix-table" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Show the numbers as a table</summary>
      {open && (
        // A table wider than its box scrolls sideways, and a box that scrolls takes the keyboard focus.
        <div className="matrix-scroll" tabIndex={0} role="group" aria-label={`${view.title}, as a table`}>
          <table>
            <caption>
              {view.title}
              {cols < m.cols ? ` (first ${cols} of ${m.cols} columns)` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">token</th>
                {view.colLabels.slice(0, cols).map((label, c) => (
                  <th scope="col" key={c}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {view.rowLabels.map((label, r) => (
                <tr key={r}>
                  <th scope="row">{label}</th>
                  {Array.from({ length: cols }, (_, c) => (
                    <td key={c}>
                      {view.masked?.(r, c)
                        ? view.kind === 'signed'
                          ? 'masked'
                          : '0 (masked)'
                        : fmt4(m.data[r * m.cols + c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
