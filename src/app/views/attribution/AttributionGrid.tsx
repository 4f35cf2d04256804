// The query-components × key-components table of the "why" panel: one coloured cell per pair of groups (a
// layer is one row and column until it is expanded), each cell the part of the score that pair adds.

import { useMemo } from 'react';
import { divergingScale, textColorOn } from '../scales';
import { cellText, groupComponents, groupGrid, shortLabel } from './attribution-groups';

export interface AttributionGridProps {
  /** Component names, query side and key side alike. */
  components: string[];
  /** The N×N terms, [query component][key component], row-major. */
  grid: Float32Array;
  /** Layers (from 1) shown component by component. */
  expanded: ReadonlySet<number>;
  /** What the grid is, for its caption ("one cell" or "the head average"). */
  caption: string;
}

export function AttributionGrid({ components, grid, expanded, caption }: AttributionGridProps) {
  const groups = useMemo(() => groupComponents(components, expanded), [components, expanded]);
  const values = useMemo(() => groupGrid(grid, components.length, groups), [grid, components, groups]);
  const scale = useMemo(
    () => divergingScale(Math.max(1e-6, ...values.flat().map((v) => Math.abs(v)))),
    [values],
  );
  return (
    <>
      <p className="attribution-legend">
        Rows are the query’s components, columns the key’s; each cell is what that pair adds (red) or takes
        away (blue). “bias” is LayerNorm’s β through W plus W’s own bias; “attn bias” is a layer’s c_proj
        bias. The key’s “bias” column adds the same to every key a query sees, so it cannot change where the
        head looks.
      </p>
      <div className="attribution-scroll" tabIndex={0} role="region" aria-label={`${caption}, scrollable`}>
        <table className="attribution-grid" data-testid="attribution-grid" data-size={groups.length}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">query component</span>
                <span aria-hidden="true">q ╲ k</span>
              </th>
              {groups.map((g) => (
                <th key={g.label} scope="col" title={g.expandable ? `${g.label}: the whole layer` : g.label}>
                  {shortLabel(g.label)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.map((row, r) => (
              <tr key={row.label}>
                <th scope="row" title={row.label}>
                  {shortLabel(row.label)}
                </th>
                {values[r].map((value, c) => {
                  const background = scale(value);
                  return (
                    <td key={groups[c].label} style={{ background, color: textColorOn(background) }}>
                      {cellText(value)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
