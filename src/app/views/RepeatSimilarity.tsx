// Step 4's numbers for "only slightly": for each repeated token, how alike its copies' rows are in the token,
// position and input embeddings (cosine similarity), in one sentence and a small bar chart.

import { scaleLinear } from 'd3';
import { fmtCosine, type EmbeddingSpace, type RepeatSimilarity as Similarity } from '../data/repeat-stats';
import './lesson.css';

/** Repeated tokens drawn in the chart; a long text's others are counted in the caption. */
const CHARTED = 4;

/** The three bars of a token, in the order of the sum: token + position = input. */
const BARS: { space: EmbeddingSpace; label: string; className: string }[] = [
  { space: 'tok_emb', label: 'token', className: 'bar-token' },
  { space: 'pos_emb', label: 'position', className: 'bar-position' },
  { space: 'input_emb', label: 'input', className: 'bar-input' },
];

interface RepeatSimilarityProps {
  /** One entry per repeated token (data/repeat-stats.ts), first repeated first. */
  similarities: Similarity[];
}

/** The sentence for the first repeated token: the cosines of its two copies in each table. */
export function similaritySentence(s: Similarity): string {
  const rows = `rows ${s.first + 1} and ${s.second + 1}`;
  return (
    `“${s.token}” stands at ${rows}. Its two token embeddings are the same row of wte: cosine similarity ` +
    `${fmtCosine(s.cosine.tok_emb)}. Their position embeddings have cosine ${fmtCosine(s.cosine.pos_emb)}, ` +
    `and their sums, the input embeddings, ${fmtCosine(s.cosine.input_emb)}: ${verdict(s.cosine.input_emb)}`
  );
}

/** What an input-embedding cosine means for the copies: near ones stay alike, far-apart ones drift. */
function verdict(inputCosine: number): string {
  if (inputCosine >= 0.999) return 'the copies are still the same vector.';
  if (inputCosine >= 0.8) return 'the copies still point almost the same way, but no longer exactly.';
  if (inputCosine >= 0.5)
    return 'the copies point roughly the same way, and the positions make a clear difference.';
  return 'the positions pull the copies apart until they point in clearly different directions.';
}

export function RepeatSimilarity({ similarities }: RepeatSimilarityProps) {
  if (!similarities.length) return null;
  const charted = similarities.slice(0, CHARTED);
  const lowest = Math.min(0, ...charted.flatMap((s) => BARS.map((b) => s.cosine[b.space])));
  const width = 320;
  const gutter = 70;
  const valueRoom = 54;
  const x = scaleLinear()
    .domain([lowest, 1])
    .range([gutter, width - valueRoom]);
  const barH = 16;
  const groupH = barH * BARS.length + 26;
  const more = similarities.length - charted.length;
  return (
    <section
      className="repeat-similarity"
      aria-labelledby="repeat-similarity-title"
      data-testid="repeat-similarity"
    >
      <h3 id="repeat-similarity-title">How alike are the copies of a repeated token?</h3>
      <p className="callout" role="note">
        {similaritySentence(similarities[0])}
      </p>
      <figure>
        <figcaption>
          Cosine similarity of the copies’ rows (1 = same direction)
          {more > 0 ? `, for the first ${CHARTED} of ${similarities.length} repeated tokens` : ''}
        </figcaption>
        <svg
          width={width}
          height={charted.length * groupH}
          role="img"
          aria-label={charted
            .map(
              (s) =>
                `${s.token}, rows ${s.first + 1} and ${s.second + 1}: ` +
                BARS.map((b) => `${b.label} ${fmtCosine(s.cosine[b.space])}`).join(', '),
            )
            .join('; ')}
        >
          {charted.map((s, g) => (
            <g key={s.first} transform={`translate(0,${g * groupH})`}>
              <text x={0} y={14} fontSize={13} fontWeight={600} fill="currentColor">
                “{s.token}”, rows {s.first + 1} and {s.second + 1}
              </text>
              {BARS.map((b, k) => {
                const value = s.cosine[b.space];
                const y = 20 + k * barH;
                const [from, to] = [x(Math.min(0, value)), x(Math.max(0, value))];
                return (
                  <g key={b.space}>
                    <text
                      x={gutter - 6}
                      y={y + barH / 2}
                      dy="0.35em"
                      textAnchor="end"
                      fontSize={12}
                      fill="currentColor"
                    >
                      {b.label}
                    </text>
                    <rect
                      className={b.className}
                      x={from}
                      y={y + 2}
                      width={Math.max(0.5, to - from)}
                      height={barH - 4}
                    />
                    <text x={x(1) + 4} y={y + barH / 2} dy="0.35em" fontSize={12} fill="currentColor">
                      {fmtCosine(value)}
                    </text>
                  </g>
                );
              })}
              <line className="zero" x1={x(0)} x2={x(0)} y1={20} y2={20 + BARS.length * barH} />
            </g>
          ))}
        </svg>
      </figure>
    </section>
  );
}
