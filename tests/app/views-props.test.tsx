// @vitest-environment jsdom
// Props-only views (issue 12, code health): MatrixPanel and AllHeadsGrid take everything through props and
// report clicks through callbacks; the step that renders them reads the store. Rendered here with no store set-up.

import './setup-dom';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { bookTrace } from '../../src/app/data/book-trace';
import { weightsView } from '../../src/app/data/select';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { useAppStore } from '../../src/app/store/store';
import { AllHeadsGrid } from '../../src/app/views/AllHeadsGrid';
import { heatmapLayout } from '../../src/app/views/heatmap-layout';
import { MatrixPanel } from '../../src/app/views/MatrixPanel';
import { modelTrace } from '../helpers/model-trace';

const settings = { ...DEFAULT_SETTINGS, preset: 'book' as const, mode: 'trainable' as const };
const view = weightsView(bookTrace(1), settings);

describe('props-only views', () => {
  it('neither view imports the store', () => {
    for (const file of ['MatrixPanel.tsx', 'AllHeadsGrid.tsx']) {
      const source = readFileSync(path.join(process.cwd(), 'src/app/views', file), 'utf8');
      expect(source, file).not.toMatch(/store\/store|useAppStore/);
    }
  });

  it('MatrixPanel charts the row it is given and reports a clicked one, leaving the store alone', () => {
    const onSelectRow = vi.fn();
    const before = useAppStore.getState().settings;
    const { container, rerender } = render(
      <MatrixPanel view={view} traceId={1} selectedRow={null} onSelectRow={onSelectRow} primary />,
    );
    expect(screen.getByText(/Click a row/)).toBeTruthy();
    const svg = container.querySelector('svg[data-matrix-id]')!;
    const { gutter, top, cell } = heatmapLayout(view, 640, 64, false);
    fireEvent.click(svg, { clientX: gutter + 0.5 * cell, clientY: top + 2.5 * cell });
    expect(onSelectRow).toHaveBeenCalledWith(2);
    expect(useAppStore.getState().settings).toBe(before);
    rerender(<MatrixPanel view={view} traceId={1} selectedRow={2} onSelectRow={onSelectRow} primary />);
    expect(screen.getByText(/Where “.*” looks/)).toBeTruthy();
    expect(screen.queryByText(/Click a row/)).toBeNull();
  });

  it('MatrixPanel without onSelectRow offers no chart, whatever row it is given', () => {
    render(<MatrixPanel view={view} traceId={1} selectedRow={2} />);
    expect(screen.queryByText(/Click a row/)).toBeNull();
    expect(screen.queryByText(/Where “.*” looks/)).toBeNull();
  });

  it('AllHeadsGrid marks the current head and reports a clicked one, leaving the store alone', async () => {
    const trace = await modelTrace('the cat sat on the mat');
    const onSelectHead = vi.fn();
    const before = useAppStore.getState().settings;
    render(
      <AllHeadsGrid
        trace={trace}
        settings={{ ...DEFAULT_SETTINGS, mode: 'trainable', head: 1 }}
        onSelectHead={onSelectHead}
      />,
    );
    const tiles = screen.getAllByRole('button', { name: /^Head \d+$/ });
    expect(tiles).toHaveLength(trace.shape.nHead);
    expect(tiles[1].getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(tiles[trace.shape.nHead - 1]);
    expect(onSelectHead).toHaveBeenCalledWith(trace.shape.nHead - 1);
    expect(useAppStore.getState().settings).toBe(before);
  });
});
