// The before/after views of an ablation: the next-token list on both models, each token's loss on the text
// coloured by how much worse (red) or better (blue) it got, and every later head's attention and scores.

import type { HeadGrid } from '../../model/head-detectors';
import { formatScore } from '../views/HeadDetectorPanel';
import { divergingScale, textColorOn } from '../views/scales';
import type { AblationCompareResult } from '../worker/protocol';

/** 12.3%, or two significant digits for tiny probabilities. */
const percent = (p: number) => (p >= 0.01 ? `${(p * 100).toFixed(1)}%` : `${(p * 100).toPrecision(2)}%`);
/** A score as the head detectors write it (".19", "1", "0"), or a dash where the text gives none. */
const score = (x: number | null | undefined) => (x === null || x === undefined ? '–' : formatScore(x));

interface NextTokensProps {
  /** The comparison of the trace on screen. */
  result: AblationCompareResult;
}

/** The likeliest next tokens before and after, with probability and rank on both sides. */
export function NextTokenComparison({ result }: NextTokensProps) {
  return (
    <table className="ablation-table" data-testid="ablation-next">
      <caption>Next token, before and after</caption>
      <thead>
        <tr>
          <th scope="col">Token</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {result.nextTokens.map((token) => {
          const change = token.after.rank - token.before.rank;
          return (
            <tr key={token.id} className={change > 0 ? 'fell' : change < 0 ? 'rose' : undefined}>
              <th scope="row" className="token">
                {token.text}
              </th>
              <td>
                {percent(token.before.probability)} <span className="rank">#{token.before.rank}</span>
              </td>
              <td>
                {percent(token.after.probability)} <span className="rank">#{token.after.rank}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface LossStripProps {
  /** The tokens of the text, as shown on the page. */
  tokens: string[];
  result: AblationCompareResult;
}

/** Each token after the first, coloured by its loss after minus before: red got worse, blue got better. */
export function LossStrip({ tokens, result }: LossStripProps) {
  const { before, after } = result;
  const deltas = Array.from(after.losses, (loss, t) => loss - before.losses[t]);
  const limit = Math.max(0.5, ...deltas.map(Math.abs));
  const scale = divergingScale(limit);
  const mean = (a: Float32Array) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
  if (deltas.length === 0)
    return <p className="hint">A one-token text has no token to predict, so there is no loss to compare.</p>;
  return (
    <div className="loss-compare" data-testid="ablation-loss">
      <h3>Loss of each token</h3>
      <p className="hint">
        Mean loss {mean(before.losses).toFixed(3)} before, {mean(after.losses).toFixed(3)} after. Red:
        predicted worse with the heads knocked out; blue: better.
      </p>
      <ol className="loss-strip">
        {deltas.map((delta, t) => {
          const background = scale(delta);
          const label = `${tokens[t + 1]}: loss ${before.losses[t].toFixed(2)} before, ${after.losses[t].toFixed(2)} after`;
          return (
            <li
              key={t}
              style={{ background, color: textColorOn(background) }}
              className={delta > limit / 2 ? 'worse' : undefined}
              title={label}
              aria-label={label}
            >
              {tokens[t + 1]}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

interface LaterHeadsProps {
  result: AblationCompareResult;
  /** The first layer (from 0) with a knocked-out head: heads after it are the ones that can change. */
  firstLayer: number;
}

/** Every head of the layers after the first ablated one: how far its attention moved, and its scores. */
export function LaterHeadsTable({ result, firstLayer }: LaterHeadsProps) {
  const { before, after, attentionMoved } = result;
  const cell = (grid: HeadGrid | null, l: number, h: number) => grid?.[l]?.[h] ?? null;
  const rows = attentionMoved.flatMap((row, l) =>
    l > firstLayer ? row.map((moved, h) => ({ l, h, moved })) : [],
  );
  if (rows.length === 0)
    return <p className="hint">The knocked-out heads are in the last layer: no later head can change.</p>;
  return (
    <div className="ablation-scroll" tabIndex={0} role="region" aria-label="Later heads, before and after">
      <table className="ablation-table" data-testid="ablation-heads">
        <caption>Later heads, before → after</caption>
        <thead>
          <tr>
            <th scope="col">Head</th>
            <th scope="col">Attention moved</th>
            <th scope="col">Previous token</th>
            <th scope="col">Induction</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ l, h, moved }) => {
            const [prevBefore, prevAfter] = [
              cell(before.scores.previousToken, l, h),
              cell(after.scores.previousToken, l, h),
            ];
            const [indBefore, indAfter] = [cell(before.induction, l, h), cell(after.induction, l, h)];
            const changed = moved > 0.1 || Math.abs((indAfter ?? 0) - (indBefore ?? 0)) > 0.1;
            return (
              <tr
                key={`${l}.${h}`}
                className={changed ? 'changed' : undefined}
                data-head={`${l + 1}.${h + 1}`}
              >
                <th scope="row">
                  {l + 1}.{h + 1}
                </th>
                <td>{score(moved)}</td>
                <td>
                  {score(prevBefore)} → {score(prevAfter)}
                </td>
                <td>
                  {score(indBefore)} → {score(indAfter)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
