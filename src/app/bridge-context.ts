// Gives views the engine bridge (model loading, trace export) without passing it through every component.

import { createContext, useContext } from 'react';
import type { Bridge } from './worker/bridge';

export const BridgeContext = createContext<Bridge | null>(null);

export function useBridge(): Bridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge needs a BridgeContext provider.');
  return bridge;
}
