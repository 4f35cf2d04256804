// @vitest-environment jsdom
// Long texts (issue 12): a T×T attention matrix stays a heatmap of square, labelled cells at any T up to 1024,
// scrolls and zooms in its box, charts a far row by click or keyboard, writes indices that cannot run together,
// captions its axes, and the repeated-token notes summarise instead of listing every position.

import './setup-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { matrix } from '../../src/model/attention';
import { softmaxTerms } from '../../src/app/data/explain';
import { subs } from '../../src/app/data/format';
import type { MatrixView } from '../../src/app/data/select';
import { identicalEmbeddingNotices } from '../../src/app/worker/input-notices';
import { Heatmap } from '../../src/app/views/Heatmap';
import { drawCells } from '../../src/app/views/heatmap-canvas';
import { canvasScale, heatmapLayout, labelled } from '../../src/app/views/heatmap-layout';
import { MatrixPanel } from '../../src/app/views/MatrixPanel';
import { repeatList } from '../../src/app/views/RepeatCallout';
import { scaleFor } from '../../src/app/views/scales';

/** A causal T×T attention-weights view over made-up tokens, rows summing to 1. */
function weights(T: number): MatrixView {
  const m = matrix(T, T);
  for (let r = 0; r < T; r++) for (let c = 0; c <= r; c++) m.data[r * T + c] = 1 / (r + 1);
  const tokens = Array.from({ length: T }, (_, i) => (i === T - 1 ? '␣extraordinarily' : `␣w${i}`));
  return {
    id: 'weights',
    title: 'Weights α',
    matrix: m,
    rowLabels: tokens,
    colLabels: tokens,
    columns: 'tokens',
    kind: 'weights',
    masked: (r, c) => c > r,
    explain: (i, j) => softmaxTerms(m, i, j, true, 'ω'),
  };
}

/** Records the cells painted on the page's canvas (jsdom has none). */
function recordCells() {
  const rects: { w: number; h: number }[] = [];
  const ctx = {
    canvas: null as unknown as HTMLCanvasElement,
    setTransform: vi.fn(),
    clearRect: vi.fn(),
    createPattern: () => 'hatch',
    fillRect: (_x: number, _y: number, w: number, h: number) => rects.push({ w, h }),
    fillText: vi.fn(),
  };
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    ctx.canvas = this;
    return (this.isConnected ? ctx : null) as unknown as CanvasRenderingContext2D;
  } as unknown as HTMLCanvasElement['getContext']);
  return rects;
}

afterEach(() => vi.restoreAllMocks());

/** A panel whose charted row lives in the test, as step 6 keeps it in the settings; `charted` records it. */
function ChartedPanel({ view, charted }: { view: MatrixView; charted: number[] }) {
  const [row, setRow] = useState<number | null>(null);
  const select = (r: number) => {
    charted.push(r);
    setRow(r);
  };
  return <MatrixPanel view={view} traceId={1} selectedRow={row} onSelectRow={select} primary />;
}

describe('a long text’s attention heatmap', () => {
  it('stays a heatmap of square cells with thinned token labels above 40 tokens', () => {
    const rects = recordCells();
    const view = weights(54);
    const { container } = render(<ChartedPanel view={view} charted={[]} />);
    const svg = container.querySelector('svg[data-matrix-id]')!;
    expect(svg.getAttribute('data-rows')).toBe('54');
    expect(rects).toHaveLength(54 * 54);
    expect(rects.every(({ w, h }) => w === h)).toBe(true);
    // Cells under 14 px get every n-th label, the first and the last included.
    const rowLabels = [...container.querySelectorAll('.heatmap-rows text')].map((t) => t.textContent);
    expect(rowLabels.length).toBeGreaterThan(5);
    expect(rowLabels.length).toBeLessThan(54);
    expect(rowLabels).toContain('␣w0');
    expect(container.querySelectorAll('.heatmap-cols text').length).toBe(rowLabels.length);
    expect(screen.queryByText(/one column per dimension/)).toBeNull();
    expect(
      screen.getByText(/^54 × 54: one row per token \(the query\), one column per token it can/),
    ).toBeTruthy();
  });

  it('keeps square cells that fit or scroll, up to a 1024-token context, on a canvas of bounded size', () => {
    for (const T of [41, 128, 1024]) {
      for (const width of [350, 830]) {
        const { cell, gutter, top, pad, widthPx, heightPx } = heatmapLayout(weights(T), width, 64, false);
        expect(widthPx - gutter).toBe(T * cell + 2 + pad);
        expect(heightPx - top).toBe(T * cell + 2 + pad);
        expect(cell).toBeGreaterThanOrEqual(6);
        // Drawn at the screen's resolution unless that would pass 4096² device pixels.
        const scale = canvasScale(2, widthPx, heightPx);
        expect(widthPx * heightPx * scale * scale).toBeLessThanOrEqual(4096 * 4096 + 1);
        if (widthPx * heightPx <= 2048 * 2048) expect(scale).toBe(2);
        // The all-heads grid's small multiples fit their tile, square too.
        const tile = heatmapLayout(weights(T), width / 2, 10, true);
        expect(tile.widthPx).toBeLessThanOrEqual(Math.max(width / 2, T + 4));
        expect(tile.widthPx - tile.gutter).toBe(tile.heightPx - tile.top);
      }
    }
  });

  it('starts the row labels below the column-label band, each centred on its row, at every zoom', () => {
    recordCells();
    /** Half the height of a 12 px label, and of a column label standing on its side. */
    const HALF = 6;
    for (const T of [54, 128]) {
      const view = weights(T);
      const { container, unmount } = render(
        <Heatmap view={view} scale={scaleFor('weights', view.matrix)} traceId={1} />,
      );
      for (let zoom = 0; zoom < 3; zoom++) {
        const cellText = container.querySelector('.heatmap-zoom .hint')!.textContent!;
        const cell = Number(cellText.split(' ')[0]);
        const { top, gutter, heightPx } = heatmapLayout(view, 640, 64, false, zoom === 0 ? null : cell);
        const band = container.querySelector('svg.heatmap-cols')!;
        const bandBottom = Number(band.getAttribute('height'));
        const rows = [...container.querySelectorAll('.heatmap-rows text')];
        const first = Number(rows[0].getAttribute('y'));
        const last = Number(rows.at(-1)!.getAttribute('y'));
        const where = `${T} tokens at ${cell} px cells`;
        expect(first - HALF, where).toBeGreaterThanOrEqual(bandBottom);
        expect(Math.abs(first - (top + cell / 2)), where).toBeLessThanOrEqual(0.5);
        // The last label (row T − 1, or the last one thinning keeps) is centred on its row too.
        const lastRow = (last - top - cell / 2) / cell;
        expect(Math.abs(lastRow - Math.round(lastRow)) * cell, where).toBeLessThanOrEqual(0.5);
        expect(lastRow, where).toBeGreaterThan(T - 4);
        expect(last + HALF, where).toBeLessThanOrEqual(heightPx);
        // The first column's label, centred on its column, stands clear of the row labels' corner.
        const transform = band.querySelector('text')!.getAttribute('transform')!;
        const x = Number(/translate\(([\d.]+)/.exec(transform)![1]);
        expect(Math.abs(x - (gutter + cell / 2)), where).toBeLessThanOrEqual(0.5);
        const corner = container.querySelector<HTMLElement>('.heatmap-corner')!;
        expect(x - HALF, where).toBeGreaterThanOrEqual(parseFloat(corner.style.width));
        fireEvent.click(screen.getByRole('button', { name: /Zoom out/ }));
      }
      unmount();
    }
  });

  it('thins labels to every n-th, the first and (when it has room) the last, never two closer than n', () => {
    for (const count of [54, 127, 128, 1024]) {
      for (let step = 1; step <= 6; step++) {
        const shown = Array.from({ length: count }, (_, i) => i).filter((i) => labelled(i, step, count));
        const where = `${count} labels, every ${step}`;
        expect(shown[0], where).toBe(0);
        expect(shown.at(-1)!, where).toBeGreaterThan(count - 1 - step);
        shown.slice(1).forEach((i, k) => expect(i - shown[k], where).toBeGreaterThanOrEqual(step));
      }
    }
    // 128 rows every 2nd: row 127 takes row 126's place; the hovered or charted one is always labelled.
    expect([124, 125, 126, 127].map((i) => labelled(i, 2, 128))).toEqual([true, false, false, true]);
    expect(labelled(125, 2, 128, 125)).toBe(true);
  });

  it('draws only the cells its scrolled box shows when the matrix is too large for one canvas', () => {
    const rects = recordCells();
    const canvas = document.body.appendChild(document.createElement('canvas'));
    canvas.width = 300;
    canvas.height = 200;
    const view = weights(1024);
    const geometry = { gutter: 80, top: 60, cell: 32, room: null };
    // 300 × 200 px from (1000, 2000): columns 28 to 38 and rows 60 to 66 of the 1024² cells.
    drawCells(canvas.getContext('2d')!, view, scaleFor('weights', view.matrix), geometry, 1, {
      x: 1000,
      y: 2000,
      w: 300,
      h: 200,
    });
    expect(rects).toHaveLength(11 * 7);
    canvas.remove();
  });

  it('charts a far row on click, on its label, and from the keyboard, and shows hovered labels whole', () => {
    recordCells();
    const view = weights(128);
    const charted: number[] = [];
    const { container } = render(<ChartedPanel view={view} charted={charted} />);
    const svg = container.querySelector('svg[data-matrix-id]')!;
    const { gutter, top, cell } = heatmapLayout(view, 640, 64, false);
    fireEvent.mouseMove(svg, { clientX: gutter + 0.5 * cell, clientY: top + 127.5 * cell });
    // The long last token shows whole beside its row, and the readout's indices cannot run together.
    expect(container.querySelector('.heatmap-rows')!.textContent).toContain('␣extraordinarily');
    expect(screen.getByTestId('readout-weights').textContent).toMatch(/^α₁₂₈,₁ = exp/);
    fireEvent.click(svg, { clientX: gutter + 0.5 * cell, clientY: top + 120.5 * cell });
    expect(charted.at(-1)).toBe(120);
    // A click on a row's label (in the sticky gutter) charts that row too.
    fireEvent.click(svg, { clientX: gutter / 2, clientY: top + 99.5 * cell });
    expect(charted.at(-1)).toBe(99);
    fireEvent.keyDown(svg, { key: 'PageUp' });
    fireEvent.keyDown(svg, { key: 'PageUp' });
    fireEvent.keyDown(svg, { key: 'ArrowUp' });
    fireEvent.keyDown(svg, { key: 'End' });
    expect(screen.getByTestId('readout-weights').textContent).toMatch(/^α₇₉,₁₂₈ = 0/);
    fireEvent.keyDown(svg, { key: 'Enter' });
    expect(charted.at(-1)).toBe(78);
    expect(screen.getByText(/Where “␣w78” looks/)).toBeTruthy();
    // Its 128 bars scroll in a box of their own rather than lengthening the page by 2560 px.
    expect(container.querySelector<HTMLElement>('.bar-chart-scroll')!.style.overflowY).toBe('auto');
  });

  it('zooms in and out in steps and back to the fitted width', () => {
    recordCells();
    const view = weights(128);
    const cellOf = (container: HTMLElement) =>
      Number(container.querySelector('.heatmap-zoom .hint')!.textContent!.split(' ')[0]);
    const { container } = render(
      <Heatmap view={view} scale={scaleFor('weights', view.matrix)} traceId={1} />,
    );
    const fitted = cellOf(container);
    fireEvent.click(screen.getByRole('button', { name: /Zoom in/ }));
    expect(cellOf(container)).toBeGreaterThan(fitted);
    fireEvent.click(screen.getByRole('button', { name: /Zoom out/ }));
    fireEvent.click(screen.getByRole('button', { name: /Zoom out/ }));
    expect(cellOf(container)).toBeLessThan(fitted);
    fireEvent.click(screen.getByRole('button', { name: /Fit width/ }));
    expect(cellOf(container)).toBe(fitted);
    // Without a row to chart, the matrix does not offer Enter.
    expect(container.querySelector('svg[data-matrix-id]')!.getAttribute('aria-label')).not.toMatch(/Enter/);
  });
});

describe('indices and notes on a long text', () => {
  it('separates two-digit indices with a comma and keeps the book’s ω₂₃', () => {
    expect(subs(2, 3)).toBe('₂₃');
    expect(subs(33, 13)).toBe('₃₃,₁₃');
    expect(subs(3, 13)).toBe('₃,₁₃');
    expect(subs(12, 'ⱼ')).toBe('₁₂,ⱼ');
  });

  it('summarises the repeated tokens of a long text after a few', () => {
    const tokens = Array.from({ length: 128 }, (_, i) => ['␣the', '␣cat', '␣sat', '␣on', '␣mat'][i % 5]);
    const groups = [0, 1, 2, 3, 4].map((k) => tokens.map((_, i) => i).filter((i) => i % 5 === k));
    const list = repeatList(groups, tokens);
    expect(list).toBe(
      '“␣the” (rows 1, 6, 11 and 23 more), “␣cat” (rows 2, 7, 12 and 23 more), “␣sat” (rows 3, 8, 13 and 23 more) and 2 other tokens',
    );
    expect(repeatList([[1, 10]], tokens)).toBe('“␣cat” (rows 2 and 11)');
  });

  it('names a few of many tokens that share one embedding, then counts the rest', () => {
    const ids = Array.from({ length: 30 }, (_, i) => 100 + i);
    const notices = identicalEmbeddingNotices(
      ids,
      ids.map((id) => `w${id}`),
      new Float32Array(30 * 2).fill(1),
      2,
    );
    expect(notices).toEqual([
      expect.stringMatching(/^“w100”, “w101”, “w102”, “w103” and 26 others have identical token embeddings/),
    ]);
  });
});
