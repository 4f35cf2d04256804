// Points out what position embeddings are for: with them off, a repeated token gets identical rows.

import { repeatedTokens } from '../data/select';
import type { AppTrace, Settings } from '../data/types';

/** Repeated tokens named one by one, and positions listed per token, before the rest is only counted. */
const SHOWN = 3;

/** "2, 11 and 20", or "2, 11, 20 and 14 more": a long text repeats "␣the" dozens of times. */
export function positionList(positions: number[]): string {
  const shown = positions.slice(0, SHOWN).map((i) => String(i + 1));
  if (positions.length > SHOWN) return `${shown.join(', ')} and ${positions.length - SHOWN} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown.join('');
}

/** “the” (rows 2 and 11), “a” (rows 4, 9 and 30) and 5 other tokens. */
export function repeatList(groups: number[][], tokens: string[]): string {
  const named = groups.slice(0, SHOWN).map((g) => `“${tokens[g[0]]}” (rows ${positionList(g)})`);
  const rest = groups.length - named.length;
  if (rest > 0) return `${named.join(', ')} and ${rest} other token${rest === 1 ? '' : 's'}`;
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named.join('');
}

interface RepeatCalloutProps {
  /** The trace whose tokens are checked for repeats. */
  trace: AppTrace;
  /** Whether position embeddings are on. */
  settings: Settings;
}

export function RepeatCallout({ trace, settings }: RepeatCalloutProps) {
  if (trace.source === 'book') return null;
  const groups = repeatedTokens(trace.ids);
  const list = repeatList(groups, trace.tokens);
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
