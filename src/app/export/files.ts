// The export formats of a matrix, as strings: CSV with token labels and full float32 precision, and a
// self-contained SVG heatmap (same colours, labels and legend as on screen, and a title) for any viewer.

import { csvFormatRows } from 'd3';
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
import { STEPS } from '../steps';
import { cellDigits, fmtFixed } from '../data/format';
import { scaleFor, type ColorScale } from '../views/scales';

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

/**
 * A file name for the current export: the step, then the matrix with layers and heads counted from 1 as the
 * page counts them ("h0.attn_weights.head0" became "layer1.attn_weights.head1").
 */
export function exportFileBase(step: number, view: MatrixView | null): string {
  const id = (view?.id ?? 'tokens')
    .replace(/^h(\d+)\./, (_, l: string) => `layer${Number(l) + 1}.`)
    .replace(/head(\d+)/g, (_, h: string) => `head${Number(h) + 1}`);
  return `attention-step${step}-${id}`.replace(/[^\w.-]+/g, '_');
}

/** The line above an exported picture: the sentence, the model, the step and, when it applies, layer and head. */
export function exportCaption(trace: AppTrace, settings: Settings, modelLabel: string): string {
  const step = STEPS[settings.step - 1];
  const sentence = trace.tokens.join('').replace(/␣/g, ' ');
  const shown = sentence.length > 60 ? `${sentence.slice(0, 59)}…` : sentence;
  const where =
    settings.step < 5
      ? ''
      : settings.mode === 'naive'
        ? ' · naive attention'
        : trace.source === 'book'
          ? ' · trainable, one head'
          : ` · layer ${trace.layer + 1}, head ${Math.min(settings.head, trace.shape.nHead - 1) + 1}`;
  const model = trace.source === 'book' ? 'Book example, chapter 3' : modelLabel;
  return `“${shown}” · ${model} · step ${step.number}: ${step.title}${where}`;
}

/** Header row of column labels, then one row per token: label, values (String(x): every float32 digit). */
export function matrixToCsv(view: MatrixView): string {
  const { matrix: m } = view;
  const rows = Array.from({ length: m.rows }, (_, r) => [
    view.rowLabels[r],
    ...Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols), String),
  ]);
  return csvFormatRows([['token', ...view.colLabels], ...rows]) + '\n';
}

/** Tokens and ids of step 1 as CSV. */
export function tokensToCsv(trace: AppTrace): string {
  const rows = trace.tokens.map((t, i) => [String(i + 1), t, String(trace.ids[i])]);
  return csvFormatRows([['position', 'token', 'id'], ...rows]) + '\n';
}

/** Height of the legend drawn under an exported heatmap. */
const LEGEND_HEIGHT = 56;

/** The colour legend as on the page: the scale's gradient, three ticks with one precision, and what it means. */
function legendSvg(view: MatrixView, scale: ColorScale, x: number, y: number): string[] {
  const domain = scale.domain();
  const lo = domain[0];
  const hi = domain[domain.length - 1];
  const ticks = domain.length === 3 ? [lo, 0, hi] : [lo, (lo + hi) / 2, hi];
  const digits = cellDigits({ data: Float32Array.from(ticks) }, 'narrow');
  const width = 200;
  const label = view.kind === 'weights' ? 'weight (0 = ignored)' : 'value (blue < 0 < red)';
  const stops = Array.from({ length: 11 }, (_, i) => i / 10).map(
    (t) => `<stop offset="${t * 100}%" stop-color="${scale(lo + t * (hi - lo))}"/>`,
  );
  return [
    `<defs><linearGradient id="legend">${stops.join('')}</linearGradient></defs>`,
    `<text x="${x}" y="${y + 12}" font-size="12">${xml(label)}</text>`,
    `<rect x="${x}" y="${y + 18}" width="${width}" height="12" fill="url(#legend)" stroke="#999" stroke-width="0.5"/>`,
    ...ticks.map((t, i) => {
      const tx = x + ((t - lo) / (hi - lo || 1)) * width;
      const anchor = i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle';
      return `<text x="${tx}" y="${y + 44}" font-size="11" text-anchor="${anchor}">${fmtFixed(t, digits)}</text>`;
    }),
  ];
}

/** A standalone SVG heatmap of `view`, with `caption` (see exportCaption) on its first line and its legend. */
export function matrixToSvg(view: MatrixView, caption = ''): string {
  const { matrix: m } = view;
  const scale = scaleFor(view.kind, m, view.masked);
  const cell = m.cols > 40 ? 4 : 40;
  const gutter = 100;
  const heading = caption ? 22 : 0;
  const top = heading + (m.cols > 40 ? 30 : 60);
  const cellH = m.cols > 40 ? 16 : cell;
  const width = Math.max(
    gutter + m.cols * cell + 10,
    8 + 7 * Math.max(caption.length, view.title.length) * 0.9,
    230,
  );
  const height = top + m.rows * cellH + 10 + LEGEND_HEIGHT;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...(caption ? [`<text x="8" y="18" font-size="13" fill="#333">${xml(caption)}</text>`] : []),
    `<text x="8" y="${heading + 18}" font-size="14" font-weight="bold">${xml(view.title)}</text>`,
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
  parts.push(...legendSvg(view, scale, 8, top + m.rows * cellH + 10));
  parts.push('</svg>');
  return parts.join('\n');
}
