// Gives views the engine bridge (model loading, trace export) and the head detectors' connection without
// passing them through every component.

import { createContext, useContext } from 'react';
import type { Bridge } from './worker/bridge';
import type { DetectorsBridge } from './worker/detectors-bridge';

export const BridgeContext = createContext<Bridge | null>(null);

export function useBridge(): Bridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge needs a BridgeContext provider.');
  return bridge;
}

export const DetectorsContext = createContext<DetectorsBridge | null>(null);

export function useDetectors(): DetectorsBridge {
  const detectors = useContext(DetectorsContext);
  if (!detectors) throw new Error('useDetectors needs a DetectorsContext provider.');
  return detectors;
}
