// The export formats of a matrix, as strings: CSV with token labels and full float32 precision, and a
// self-contained SVG heatmap (same colours and labels as on screen) that opens in any viewer.

import type { MatrixView } from '../data/select';
import {
  embeddingView,
  contextViews,
  inputEmbeddingView,
  naiveScoresView,
  trainableScoresViews,
  weightsView,
} from '../data/select';
import type { AppTrace, Settings } from '../data/types';
import { scaleFor } from '../views/scales';

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The matrix the current step is about (what Export writes), or null on step 1. */
export function primaryView(trace: AppTrace, settings: Settings): MatrixView | null {
  switch (settings.step) {
    case 2:
      return embeddingView(trace, trace.source === 'book' ? 'input_emb' : 'tok_emb');
    case 3:
      return embeddingView(trace, 'pos_emb');
    case 4:
      return inputEmbeddingView(trace, settings);
    case 5:
      return settings.mode === 'naive'
        ? naiveScoresView(trace, settings)
        : trainableScoresViews(trace, settings)[1];
    case 6:
      return weightsView(trace, settings);
    case 7:
      return contextViews(trace, settings)[0];
    default:
      return null;
  }
}

/** Header row of column labels, then one row per token: label, values. */
export function matrixToCsv(view: MatrixView): string {
  const { matrix: m } = view;
  const lines = [['token', ...view.colLabels].map(csvField).join(',')];
  for (let r = 0; r < m.rows; r++) {
    const values = Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols), String);
    lines.push([csvField(view.rowLabels[r]), ...values].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Tokens and ids of step 1 as CSV. */
export function tokensToCsv(trace: AppTrace): string {
  return (
    ['position,token,id', ...trace.tokens.map((t, i) => `${i + 1},${csvField(t)},${trace.ids[i]}`)].join(
      '\n',
    ) + '\n'
  );
}

/** A standalone SVG heatmap of `view`. */
export function matrixToSvg(view: MatrixView): string {
  const { matrix: m } = view;
  const scale = scaleFor(view.kind, m, view.masked);
  const cell = m.cols > 40 ? 4 : 40;
  const gutter = 100;
  const top = m.cols > 40 ? 30 : 60;
  const width = gutter + m.cols * cell + 10;
  const height = top + m.rows * (m.cols > 40 ? 16 : cell) + 10;
  const cellH = m.cols > 40 ? 16 : cell;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="18" font-size="14">${xml(view.title)}</text>`,
  ];
  view.rowLabels.forEach((label, r) =>
    parts.push(
      `<text x="${gutter - 6}" y="${top + r * cellH + cellH / 2 + 4}" font-size="12" text-anchor="end">${xml(label)}</text>`,
    ),
  );
  if (m.cols <= 40) {
    view.colLabels.forEach((label, c) =>
      parts.push(
        `<text x="${gutter + c * cell + cell / 2}" y="${top - 6}" font-size="11" text-anchor="middle">${xml(label.slice(0, 6))}</text>`,
      ),
    );
  }
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const value = m.data[r * m.cols + c];
      const masked = view.masked?.(r, c);
      const fill = masked ? '#ddd' : scale(value);
      parts.push(
        `<rect x="${gutter + c * cell}" y="${top + r * cellH}" width="${cell - (cell > 4 ? 1 : 0)}" height="${cellH - 1}" fill="${fill}"><title>${value}</title></rect>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
