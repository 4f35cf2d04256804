// @vitest-environment jsdom
// The heatmap paints one cell per entry (with its value printed when cells are large enough) on a canvas,
// keeps the exact values on its SVG, explains the hovered cell, and charts a row on click or Enter.

import './setup-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { matrix } from '../../src/model/attention';
import type { MatrixView } from '../../src/app/data/select';
import { bookTrace } from '../../src/app/data/book-trace';
import { naiveScoresView, weightsView } from '../../src/app/data/select';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { Heatmap } from '../../src/app/views/Heatmap';
import { HeatmapTerms } from '../../src/app/views/HeatmapTerms';
import { colourIndex, colourTable } from '../../src/app/views/heatmap-canvas';
import { heatmapLayout, stripLayout } from '../../src/app/views/heatmap-layout';
import { divergingScale, scaleFor } from '../../src/app/views/scales';

const view = naiveScoresView(bookTrace(1), { ...DEFAULT_SETTINGS, preset: 'book' });
const scale = scaleFor(view.kind, view.matrix);
/** The width jsdom's heatmaps get (no ResizeObserver, so the hook's fallback): room for 4 decimals. */
const WIDTH = 640;

const HATCH = { pattern: 'hatch' };
/** What the hatch tile (a canvas outside the page) is drawn with: nothing is recorded. */
const tileContext = {
  fillRect: vi.fn(),
  beginPath: vi.fn(),
  moveTo: vi.fn(),
  lineTo: vi.fn(),
  stroke: vi.fn(),
};

/** A 2-d context that records what is drawn on the page's canvas (jsdom has no canvas). */
function recordingContext() {
  const calls = { rects: [] as { x: number; y: number; fill: unknown }[], texts: [] as string[] };
  const ctx = {
    canvas: null as unknown as HTMLCanvasElement,
    fillStyle: '' as unknown,
    font: '',
    textAlign: '',
    textBaseline: '',
    setTransform: vi.fn(),
    clearRect: vi.fn(),
    createPattern: () => HATCH,
    fillRect(x: number, y: number) {
      calls.rects.push({ x, y, fill: this.fillStyle });
    },
    fillText(text: string) {
      calls.texts.push(text);
    },
  };
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    if (!this.isConnected) return tileContext as unknown as CanvasRenderingContext2D;
    ctx.canvas = this;
    return ctx as unknown as CanvasRenderingContext2D;
  } as unknown as HTMLCanvasElement['getContext']);
  return calls;
}

afterEach(() => vi.restoreAllMocks());

describe('Heatmap', () => {
  it('labels rows and columns with the tokens, paints every cell and prints 4 decimals', () => {
    const drawn = recordingContext();
    const { container } = render(<Heatmap view={view} scale={scale} traceId={1} />);
    expect(screen.getAllByText('journey')).toHaveLength(2);
    expect(drawn.rects).toHaveLength(36);
    expect(drawn.texts).toHaveLength(36);
    expect(drawn.texts).toContain('1.4950');
    expect(drawn.texts).toContain('0.9995');
    const svg = container.querySelector('svg')!;
    expect(svg.getAttribute('data-rows')).toBe('6');
    const values = svg.getAttribute('data-values')!.split(',').map(Number);
    expect(values).toHaveLength(36);
    expect(values[1 * 6 + 2]).toBeCloseTo(1.4754, 4);
    // Colours come from a fine table of the scale: the largest value gets the scale's own end colour.
    const largest = values.indexOf(Math.max(...values));
    expect(drawn.rects[largest].fill).toBe(scale(values[largest]));
  });

  it('paints masked cells hatched and prints what the mask set them to', () => {
    const drawn = recordingContext();
    const causal = weightsView(bookTrace(1), {
      ...DEFAULT_SETTINGS,
      preset: 'book',
      mode: 'trainable',
      causal: true,
    });
    expect(causal.masked).toBeDefined();
    render(<Heatmap view={causal} scale={scaleFor(causal.kind, causal.matrix)} traceId={1} />);
    // 15 of the 36 cells lie above the diagonal.
    expect(drawn.rects.filter((r) => r.fill === HATCH)).toHaveLength(15);
    expect(drawn.texts.filter((t) => t === '0')).toHaveLength(15);
  });

  it('explains the hovered cell and selects a clicked row', () => {
    recordingContext();
    const onSelectRow = vi.fn();
    const { container } = render(<Heatmap view={view} scale={scale} traceId={1} onSelectRow={onSelectRow} />);
    const svg = container.querySelector('svg')!;
    const { gutter, top, cell } = heatmapLayout(view, WIDTH, 64, false);
    // Row 2, column 3 (1-based), at the centre of the cell; jsdom puts the SVG's box at (0, 0).
    const at = { clientX: gutter + 2.5 * cell, clientY: top + 1.5 * cell };
    fireEvent.mouseMove(svg, at);
    expect(screen.getByText(/ω₂₃ = x⁽²⁾·x⁽³⁾ = .* = 1\.4754/)).toBeTruthy();
    fireEvent.click(svg, at);
    expect(onSelectRow).toHaveBeenCalledWith(1);
    fireEvent.click(svg, { clientX: 1, clientY: 1 });
    expect(onSelectRow).toHaveBeenCalledTimes(1);
  });

  it('is usable from the keyboard', () => {
    const onSelectRow = vi.fn();
    const { container } = render(<Heatmap view={view} scale={scale} traceId={1} onSelectRow={onSelectRow} />);
    const svg = container.querySelector('svg')!;
    fireEvent.keyDown(svg, { key: 'ArrowDown' });
    fireEvent.keyDown(svg, { key: 'ArrowDown' });
    fireEvent.keyDown(svg, { key: 'ArrowRight' });
    expect(screen.getByText(/ω₃₂ = x⁽³⁾·x⁽²⁾/)).toBeTruthy();
    fireEvent.keyDown(svg, { key: 'Enter' });
    expect(onSelectRow).toHaveBeenCalledWith(2);
  });
});

/** A T × C embedding over made-up tokens, wide enough (C > 40) to be drawn as strips. */
function embedding(T: number, C: number, id = 'tok_emb'): MatrixView {
  const m = matrix(
    T,
    C,
    Float32Array.from({ length: T * C }, (_, k) => Math.sin(k * 0.37) * 2),
  );
  return {
    id,
    title: `Embedding ${id}`,
    matrix: m,
    rowLabels: Array.from({ length: T }, (_, i) => `␣t${i}`),
    colLabels: Array.from({ length: C }, (_, i) => `d${i + 1}`),
    kind: 'signed',
    explain: (r, c) => `E[${r + 1}, ${c + 1}] = ${m.data[r * C + c].toFixed(4)}`,
  };
}

/** A context whose ImageData writes are kept, for the strips of a wide embedding. */
function pixelContext() {
  const put: { image: ImageData; x: number; y: number }[] = [];
  const ctx = {
    canvas: null as unknown as HTMLCanvasElement,
    setTransform: vi.fn(),
    clearRect: vi.fn(),
    fillRect: vi.fn(),
    createImageData: (w: number, h: number) => ({
      width: w,
      height: h,
      data: new Uint8ClampedArray(w * h * 4),
    }),
    putImageData: (image: ImageData, x: number, y: number) => put.push({ image, x, y }),
  };
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    ctx.canvas = this;
    return ctx as unknown as CanvasRenderingContext2D;
  } as unknown as HTMLCanvasElement['getContext']);
  return { put, ctx };
}

describe('one matrix component for wide embeddings too', () => {
  it('draws a wide embedding as strips, each pixel from the heatmap’s colour table', () => {
    const { put, ctx } = pixelContext();
    const view = embedding(5, 64);
    const scale = scaleFor(view.kind, view.matrix);
    const { container } = render(<Heatmap view={view} scale={scale} traceId={3} />);
    expect(ctx.fillRect).not.toHaveBeenCalled();
    expect(put).toHaveLength(1);
    const { image, x, y } = put[0];
    const { gutter, top, cell, cellH } = stripLayout(view, WIDTH);
    expect(cellH).toBe(18);
    // Edges rounded to device pixels (jsdom's ratio is 1).
    expect([x, y]).toEqual([Math.round(gutter), top]);
    expect([image.width, image.height]).toEqual([64 * cell, 5 * cellH]);
    const table = colourTable(scale);
    for (const [r, c] of [
      [0, 0],
      [2, 17],
      [4, 63],
    ]) {
      const at = ((r * cellH + 1) * image.width + c * cell) * 4;
      const word = new Uint32Array(image.data.slice(at, at + 4).buffer)[0];
      expect(word, `cell ${r}, ${c}`).toBe(table.pixels[colourIndex(table, view.matrix.data[r * 64 + c])]);
    }
    // The gap under each row stays clear.
    const gapAt = (cellH - 1) * image.width * 4;
    expect(image.data[gapAt + 3]).toBe(0);
    // Row labels and the values for scripts, as for any heatmap; no column labels for 64 dimensions.
    expect(container.querySelectorAll('.heatmap-rows text')).toHaveLength(5);
    expect(container.querySelector('.heatmap-cols')).toBeNull();
    const svg = container.querySelector('svg[data-matrix-id="tok_emb"]')!;
    expect(svg.getAttribute('data-values')!.split(',')).toHaveLength(5 * 64);
    expect(svg.getAttribute('aria-label')).toMatch(/5 tokens by 64 dimensions, drawn as colours/);
    expect(screen.getByText(/^5 × 64: one row per token, one column per dimension\./)).toBeTruthy();
  });

  it('reads a strip from the pointer and the keyboard', () => {
    pixelContext();
    const view = embedding(5, 64);
    const { container } = render(<Heatmap view={view} scale={divergingScale(2)} traceId={3} />);
    const svg = container.querySelector('svg')!;
    const { gutter, top, cell, cellH } = stripLayout(view, WIDTH);
    fireEvent.mouseMove(svg, { clientX: gutter + 10.5 * cell, clientY: top + 3.5 * cellH });
    expect(screen.getByTestId('readout-tok_emb').textContent).toMatch(/^E\[4, 11\]/);
    fireEvent.keyDown(svg, { key: 'End' });
    fireEvent.keyDown(svg, { key: 'ArrowUp' });
    expect(screen.getByTestId('readout-tok_emb').textContent).toMatch(/^E\[3, 64\]/);
  });

  it('shares one cursor between side-by-side matrices (step 4’s sum)', () => {
    pixelContext();
    const views = [embedding(4, 48, 'tok_emb'), embedding(4, 48, 'pos_emb')];
    function Pair() {
      const [hover, setHover] = useState<[number, number] | null>(null);
      return (
        <>
          {views.map((view) => (
            <Heatmap
              key={view.id}
              view={view}
              scale={divergingScale(2)}
              traceId={1}
              hover={hover}
              onHover={setHover}
              hideReadout
            />
          ))}
          <p data-testid="shared">{hover ? hover.join(',') : 'none'}</p>
        </>
      );
    }
    const { container } = render(<Pair />);
    expect(container.querySelector('.readout')).toBeNull();
    const [first, second] = [...container.querySelectorAll('svg[data-matrix-id]')];
    const { gutter, top, cell, cellH } = stripLayout(views[0], WIDTH);
    fireEvent.mouseMove(first, { clientX: gutter + 5.5 * cell, clientY: top + 2.5 * cellH });
    expect(screen.getByTestId('shared').textContent).toBe('2,5');
    // The other matrix draws the same cursor.
    const cursor = second.querySelector('rect[stroke="#111"]')!;
    expect(Number(cursor.getAttribute('y'))).toBe(top + 2 * cellH - 1);
    expect(Number(cursor.getAttribute('x'))).toBe(gutter + 5 * cell - 1);
    fireEvent.keyDown(second, { key: 'ArrowDown' });
    expect(screen.getByTestId('shared').textContent).toBe('3,5');
    fireEvent.mouseLeave(first);
    expect(screen.getByTestId('shared').textContent).toBe('none');
  });

  it('HeatmapTerms: one cursor and one readout for matrices that add up, titled with their signs', () => {
    pixelContext();
    const views = [embedding(4, 48, 'tok_emb'), embedding(4, 48, 'pos_emb')];
    const { container } = render(
      <HeatmapTerms
        views={views}
        signs={['', '+ ']}
        traceId={1}
        readout={([row, col]) => `cell ${row},${col}`}
        hint="point at a cell"
        legend="one scale"
        heading="h4"
        gridClassName="terms"
        readoutTestId="terms-readout"
      />,
    );
    expect([...container.querySelectorAll('h4')].map((h) => h.textContent)).toEqual([
      views[0].title,
      `+ ${views[1].title}`,
    ]);
    expect(screen.getByTestId('terms-readout').textContent).toBe('point at a cell');
    const [first, second] = [...container.querySelectorAll('svg[data-matrix-id]')];
    const { gutter, top, cell, cellH } = stripLayout(views[0], WIDTH);
    fireEvent.mouseMove(second, { clientX: gutter + 1.5 * cell, clientY: top + 3.5 * cellH });
    expect(screen.getByTestId('terms-readout').textContent).toBe('cell 3,1');
    const cursor = first.querySelector('rect[stroke="#111"]')!;
    expect(Number(cursor.getAttribute('y'))).toBe(top + 3 * cellH - 1);
    fireEvent.mouseLeave(second);
    expect(screen.getByTestId('terms-readout').textContent).toBe('point at a cell');
  });
});
