// Points out what position embeddings are for: with them off, a repeated token gets identical rows.

import { repeatedTokens } from '../data/select';
import type { AppTrace, Settings } from '../data/types';

interface RepeatCalloutProps {
  /** The trace whose tokens are checked for repeats. */
  trace: AppTrace;
  /** Whether position embeddings are on. */
  settings: Settings;
}

export function RepeatCallout({ trace, settings }: RepeatCalloutProps) {
  if (trace.source === 'book') return null;
  const groups = repeatedTokens(trace.ids);
  const list = groups
    .map((g) => `“${trace.tokens[g[0]]}” (rows ${g.map((i) => i + 1).join(' and ')})`)
    .join(', ');
  if (!settings.positions) {
    return groups.length ? (
      <p className="callout" role="note" data-testid="repeat-callout">
        Position embeddings are off, so {list} get <strong>identical rows</strong>: without positions the
        model cannot tell the copies apart.
      </p>
    ) : (
      <p className="callout subtle" role="note">
        No token repeats here, so there is nothing identical to see. Note that “the” and “␣the” are different
        tokens; try “the cat saw the dog and the bird”.
      </p>
    );
  }
  return groups.length ? (
    <p className="callout subtle" role="note">
      {list} repeat{groups.length === 1 && groups[0].length > 1 ? 's' : ''}. Their rows differ only because of
      the position embeddings; turn them off to see them become identical.
    </p>
  ) : null;
}
