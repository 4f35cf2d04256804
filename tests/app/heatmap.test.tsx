// @vitest-environment jsdom
// The heatmap paints one cell per entry (with its value printed when cells are large enough) on a canvas,
// keeps the exact values on its SVG, explains the hovered cell, and charts a row on click or Enter.

import './setup-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { bookTrace } from '../../src/app/data/book-trace';
import { naiveScoresView, weightsView } from '../../src/app/data/select';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { Heatmap } from '../../src/app/views/Heatmap';
import { heatmapLayout } from '../../src/app/views/heatmap-layout';
import { scaleFor } from '../../src/app/views/scales';

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
