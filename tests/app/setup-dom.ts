// Shared set-up for the component tests: jsdom has no canvas, so getContext answers null quietly (the views
// skip drawing), and every test starts from the default settings with nothing loaded.

import { afterEach, vi } from 'vitest';
import { cleanup } from '@testing-library/react';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { useAppStore } from '../../src/app/store/store';

HTMLCanvasElement.prototype.getContext = vi.fn(() => null) as unknown as HTMLCanvasElement['getContext'];

const initial = useAppStore.getState();

afterEach(() => {
  cleanup();
  useAppStore.setState({ ...initial, settings: DEFAULT_SETTINGS }, true);
});
