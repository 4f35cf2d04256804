// The export formats of a matrix, as strings: CSV with token labels and full float32 precision, and a
// self-contained SVG heatmap (same colours, labels and legend as on screen, and a title) for any viewer.

import { csvFormatRows } from 'd3';
import { formatHeadList, type Ablation } from '../../model/ablation';
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
import { clip } from '../views/heatmap-layout';
import { scaleFor, type ColorScale } from '../views/scales';

/**
 * XML 1.0 allows no C0 control character but tab, newline and carriage return, and no lone surrogate; a file
 * name holding one (\u0001, ESC) made the SVG ill-formed and the PNG fail. Each control shows as its Unicode
 * picture (␁, ␛), so the title still says what the name holds; a lone surrogate becomes U+FFFD.
 */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex -- these control characters are the ones XML forbids
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` as XML text or attribute content: escaped, and with the characters XML cannot hold made visible. */
const xml = (s: string) =>
  s
    .replace(XML_INVALID, (c) => (c < '\u0020' ? String.fromCharCode(0x2400 + c.charCodeAt(0)) : '\ufffd'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

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
export function exportFileBase(step: number, view: MatrixView | null, ablation?: Ablation): string {
  const id = (view?.id ?? 'tokens')
    .replace(/^h(\d+)\./, (_, l: string) => `layer${Number(l) + 1}.`)
    .replace(/head(\d+)/g, (_, h: string) => `head${Number(h) + 1}`);
  return `attention-step${step}-${id}${ablationSuffix(ablation)}`.replace(/[^\w.-]+/g, '_');
}

/** "-ablated-2.4_1.1-zero" for a run with knocked-out heads (counted from 1), "" for the intact model. */
export function ablationSuffix(ablation?: Ablation): string {
  return ablation ? `-ablated-${formatHeadList(ablation.heads).replace(/,/g, '_')}-${ablation.mode}` : '';
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
  const ablated = trace.ablation
    ? ` · heads ${formatHeadList(trace.ablation.heads)} knocked out (${trace.ablation.mode})`
    : '';
  return `“${shown}” · ${model}${ablated} · step ${step.number}: ${step.title}${where}`;
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

/** Side of the grid an exported token × token matrix aims for: 128 tokens get 7 px cells, a short text 40 px. */
const EXPORT_GRID = 960;
/** Pixels a 12 px label needs along its axis; closer labels are thinned to every n-th, as on the page. */
const LABEL_PITCH = 14;

/** The indices labelled along an axis of `count` cells of side `cell`: every step-th, and the last in place of
 * the one before it when the two would be closer than a label's height. */
function labelIndices(count: number, step: number, cell: number): number[] {
  const picked = Array.from({ length: Math.ceil(count / step) }, (_, i) => i * step);
  const last = picked[picked.length - 1];
  if (last !== count - 1) {
    if ((count - 1 - last) * cell < LABEL_PITCH) picked.pop();
    picked.push(count - 1);
  }
  return picked;
}

/** Where an exported matrix's parts go. Token × token and narrow matrices get square cells; a wide T × d
 * embedding gets strips (one pixel or a few per dimension), its rows tall enough to label. */
export function exportLayout(view: MatrixView, caption: string) {
  const { matrix: m } = view;
  const square = view.columns === 'tokens' || m.cols <= 40;
  const side = Math.max(2, Math.min(40, Math.floor(EXPORT_GRID / Math.max(m.rows, m.cols))));
  const cellW = square ? side : Math.max(1, Math.min(4, Math.floor(1536 / m.cols)));
  const cellH = square ? side : m.rows > 40 ? 8 : 16;
  const rowStep = Math.ceil(LABEL_PITCH / cellH);
  const colStep = square ? Math.ceil(LABEL_PITCH / cellW) : 0;
  // Room for the first and last labels, centred on rows thinner than a label, as on the page.
  const pad = Math.max(0, Math.ceil(7 - Math.min(cellW, cellH) / 2));
  const longestRow = Math.max(...view.rowLabels.map((l) => clip(l, 12).length), 1);
  const gutter = Math.max(40, longestRow * 7.5 + 10) + pad;
  const heading = caption ? 22 : 0;
  const longestCol = Math.max(...view.colLabels.map((l) => clip(l, 10).length), 1);
  const rotate = square && cellW < 40;
  const band = !square ? 10 : rotate ? Math.min(90, longestCol * 7 + 14) : 30;
  const top = heading + 28 + band + pad;
  const width = Math.max(
    gutter + m.cols * cellW + pad + 10,
    8 + 7 * Math.max(caption.length, view.title.length) * 0.9,
    230,
  );
  const height = top + m.rows * cellH + pad + 10 + LEGEND_HEIGHT;
  return { cellW, cellH, rowStep, colStep, rotate, gutter, top, heading, width, height };
}

/** A standalone SVG heatmap of `view`, with `caption` (see exportCaption) on its first line and its legend. */
export function matrixToSvg(view: MatrixView, caption = ''): string {
  const { matrix: m } = view;
  const scale = scaleFor(view.kind, m, view.masked);
  const { cellW, cellH, rowStep, colStep, rotate, gutter, top, heading, width, height } = exportLayout(
    view,
    caption,
  );
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...(caption ? [`<text x="8" y="18" font-size="13" fill="#333">${xml(caption)}</text>`] : []),
    `<text x="8" y="${heading + 18}" font-size="14" font-weight="bold">${xml(view.title)}</text>`,
  ];
  labelIndices(m.rows, rowStep, cellH).forEach((r) => {
    const label = view.rowLabels[r];
    const y = top + r * cellH + cellH / 2;
    parts.push(
      `<text x="${gutter - 6}" y="${y}" dy="0.35em" font-size="12" text-anchor="end">${xml(clip(label, 12))}</text>`,
    );
  });
  if (colStep) {
    labelIndices(m.cols, colStep, cellW).forEach((c) => {
      const label = view.colLabels[c];
      const x = gutter + c * cellW + cellW / 2;
      parts.push(
        rotate
          ? `<text transform="translate(${x},${top - 6}) rotate(-90)" dy="0.35em" font-size="12">${xml(clip(label, 10))}</text>`
          : `<text x="${x}" y="${top - 8}" font-size="12" text-anchor="middle">${xml(clip(label, 10))}</text>`,
      );
    });
  }
  // A 1 px gap parts cells of 4 px or more, as on the page.
  const gapW = cellW >= 4 ? 1 : 0;
  const gapH = cellH >= 4 ? 1 : 0;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const value = m.data[r * m.cols + c];
      const fill = view.masked?.(r, c) ? '#ddd' : scale(value);
      parts.push(
        `<rect x="${gutter + c * cellW}" y="${top + r * cellH}" width="${cellW - gapW}" height="${cellH - gapH}" fill="${fill}"><title>${value}</title></rect>`,
      );
    }
  }
  parts.push(...legendSvg(view, scale, 8, height - LEGEND_HEIGHT));
  parts.push('</svg>');
  return parts.join('\n');
}
