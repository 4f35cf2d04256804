// Step 5's naive scores taken apart into token · token, token · position, position · token and position ·
// position: four small heatmaps on one colour scale, one shared cursor whose readout adds the four numbers.

import { useMemo } from 'react';
import { repeatedTokens } from '../data/select';
import { copyScore, splitReadout, splitViews, type ScoreSplit as Split } from '../data/score-split';
import { fmt4, subs } from '../data/format';
import type { AppTrace } from '../data/types';
import { HeatmapTerms } from './HeatmapTerms';
import { withSubscripts } from './MathText';
import './lesson.css';

interface ScoreSplitProps {
  /** The trace whose tokens label the heatmaps. */
  trace: AppTrace;
  /** The four terms (data/score-split.ts). */
  split: Split;
}

/** What the position terms add to the score between the first repeated token's first two copies. */
export function copySentence(trace: AppTrace, split: Split): string | null {
  const [group] = repeatedTokens(trace.ids);
  if (!group) return null;
  const [i, j] = group;
  const { total, token, position } = copyScore(split, i, j);
  const share = total > 0 && position > 0 ? ` (${Math.round((100 * position) / total)}%)` : '';
  return (
    `The two copies of “${trace.tokens[i]}” (rows ${i + 1} and ${j + 1}) score ω${subs(i + 1, j + 1)} = ` +
    `${fmt4(total)} with each other: ${fmt4(token)} is token · token, the same row of wte dotted with itself, ` +
    `and ${fmt4(position)}${share} comes from the three position terms. Without positions, each copy would ` +
    `score exactly ${fmt4(token)} with the other and with itself.`
  );
}

export function ScoreSplit({ trace, split }: ScoreSplitProps) {
  const views = useMemo(() => splitViews(split, trace.tokens), [split, trace.tokens]);
  const sentence = copySentence(trace, split);
  return (
    <section className="score-split" aria-labelledby="score-split-title" data-testid="score-split">
      <h3 id="score-split-title">The score in four parts: x = t + p, so x·x splits in four</h3>
      {sentence && (
        <p className="callout" role="note" data-testid="copy-score">
          {withSubscripts(sentence)}
        </p>
      )}
      <HeatmapTerms
        views={views}
        signs={['', '+ ', '+ ', '+ ']}
        traceId={trace.requestId}
        readout={([row, col]) => splitReadout(split, row, col)}
        hint="Point at a cell of any of the four to see its score as the sum of the four terms."
        legend="term (blue < 0 < red), one scale for all four"
        heading="h4"
        gridClassName="score-split-grid"
        readoutTestId="score-split-readout"
      />
    </section>
  );
}
