// The "why" panel's state and its questions to the worker: whether the panel is open and which cell was
// clicked (kept across steps 5 and 6), and the attribution of the head on screen, asked for only while open.

import { useContext, useEffect, useState } from 'react';
import { create } from 'zustand';
import { BridgeContext } from '../../bridge-context';
import type { AttributionResult } from '../../worker/protocol';

interface AttributionUi {
  open: boolean;
  /** [query, key] chosen on the scores or weights heatmap; null shows the head average. */
  cell: [number, number] | null;
  setOpen(open: boolean): void;
  setCell(cell: [number, number] | null): void;
}

export const useAttributionUi = create<AttributionUi>()((set) => ({
  open: false,
  cell: null,
  setOpen: (open) => set({ open }),
  setCell: (cell) => set({ cell }),
}));

/** How long the head on screen must stay before its split is asked for, so typing is never held up. */
export const ATTRIBUTION_IDLE_MS = 200;

export interface AttributionAnswer {
  result: AttributionResult | null;
  error: string | null;
  /** True while the answer on screen is not for the current head, cell and trace. */
  busy: boolean;
}

/** Whether `result` answers the question asked now. */
function answers(
  result: AttributionResult,
  traceId: number,
  layer: number,
  head: number,
  cell: [number, number] | null,
) {
  const sameCell =
    result.cell === null ? cell === null : result.cell[0] === cell?.[0] && result.cell[1] === cell[1];
  return result.id === traceId && result.layer === layer && result.head === head && sameCell;
}

/** The worker's attribution of head `head` of `layer` (both from 0) for trace `traceId`, while `open`. */
export function useAttribution(
  open: boolean,
  traceId: number,
  layer: number,
  head: number,
  cell: [number, number] | null,
): AttributionAnswer {
  const bridge = useContext(BridgeContext);
  // The last answer stays on screen (dimmed) until the next one comes: the last good state is never blanked.
  const [result, setResult] = useState<AttributionResult | null>(null);
  const [error, setError] = useState<{ traceId: number; message: string } | null>(null);
  const [query, key] = cell ?? [-1, -1];
  // Tells the worker while the panel is open, so each keystroke's pass keeps what the split reads.
  useEffect(() => {
    if (!bridge || !open) return;
    bridge.client.post({ type: 'attribution-open', open: true });
    return () => bridge.client.post({ type: 'attribution-open', open: false });
  }, [bridge, open]);
  useEffect(() => {
    if (!bridge || !open) return;
    const unsubscribe = bridge.client.subscribe((message) => {
      if (
        message.type === 'attribution' &&
        message.id === traceId &&
        message.layer === layer &&
        message.head === head
      ) {
        setResult(message);
        setError(null);
      } else if (message.type === 'attribution-error' && message.id === traceId)
        setError({ traceId, message: message.message });
    });
    const timer = setTimeout(
      () =>
        bridge.client.post({
          type: 'attribution',
          id: traceId,
          layer,
          head,
          cell: query >= 0 ? [query, key] : null,
        }),
      ATTRIBUTION_IDLE_MS,
    );
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [bridge, open, traceId, layer, head, query, key]);
  const failed = error?.traceId === traceId ? error.message : null;
  const current = result !== null && answers(result, traceId, layer, head, query >= 0 ? [query, key] : null);
  return { result, error: failed, busy: !current && failed === null };
}
