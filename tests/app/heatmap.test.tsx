// @vitest-environment jsdom
// The heatmap draws one cell per entry with its exact value, prints values when cells are large enough,
// explains the hovered cell, and charts a row on click or Enter.

import './setup-dom';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { bookTrace } from '../../src/app/data/book-trace';
import { naiveScoresView } from '../../src/app/data/select';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { Heatmap } from '../../src/app/views/Heatmap';
import { scaleFor } from '../../src/app/views/scales';

const view = naiveScoresView(bookTrace(1), { ...DEFAULT_SETTINGS, preset: 'book' });
const scale = scaleFor(view.kind, view.matrix);

describe('Heatmap', () => {
  it('labels rows and columns with the tokens and prints 4 decimals', () => {
    const { container } = render(<Heatmap view={view} scale={scale} traceId={1} />);
    expect(container.querySelectorAll('rect.cell')).toHaveLength(36);
    expect(screen.getAllByText('journey')).toHaveLength(2);
    expect(screen.getByText('1.4950')).toBeTruthy();
    const cell = container.querySelector('rect[data-row="1"][data-col="2"]')!;
    expect(Number(cell.getAttribute('data-value'))).toBeCloseTo(1.4754, 4);
  });

  it('explains the hovered cell and selects a clicked row', () => {
    const onSelectRow = vi.fn();
    const { container } = render(<Heatmap view={view} scale={scale} traceId={1} onSelectRow={onSelectRow} />);
    const cell = container.querySelector('rect[data-row="1"][data-col="2"]')!;
    fireEvent.mouseOver(cell);
    expect(screen.getByText(/ω₂₃ = x⁽²⁾·x⁽³⁾ = .* = 1\.4754/)).toBeTruthy();
    fireEvent.click(cell);
    expect(onSelectRow).toHaveBeenCalledWith(1);
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
