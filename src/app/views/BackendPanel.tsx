// Which hardware computes the numbers: the WebGPU adapter, or the CPU with the reason, and a switch.

import { useAppStore } from '../store/store';
import type { BackendPreference } from '../../model/trace';

/** "WASM SIMD · 2 threads, in a background worker" from the engine's "CPU · WASM SIMD · 2 threads". */
const cpuKernels = (description: string) =>
  `${description.replace(/^CPU( · )?/, '')}${description.includes('·') ? ', ' : ''}in a background worker`;

export function BackendPanel() {
  const backend = useAppStore((s) => s.backend);
  const preference = useAppStore((s) => s.settings.backend);
  const set = useAppStore((s) => s.set);
  return (
    <section className="backend-panel" aria-label="Compute backend">
      <h2>Compute</h2>
      <p data-testid="backend">
        <span className={`badge ${backend.name === 'webgpu' ? 'ok' : ''}`}>
          {backend.name === 'webgpu' ? 'WebGPU' : backend.name === 'cpu' ? 'CPU' : '…'}
        </span>{' '}
        {backend.name === 'webgpu' ? backend.description : cpuKernels(backend.description)}
      </p>
      {backend.name === 'cpu' && backend.cpuNote && (
        <p className="hint" data-testid="cpu-note">
          {backend.cpuNote}
        </p>
      )}
      {backend.fallbackReason && (
        <p className="hint" data-testid="fallback-reason">
          {backend.fallbackReason}
        </p>
      )}
      <label>
        Run on{' '}
        <select value={preference} onChange={(e) => set({ backend: e.target.value as BackendPreference })}>
          <option value="auto">WebGPU if available</option>
          <option value="webgpu">WebGPU</option>
          <option value="cpu">CPU</option>
        </select>
      </label>
    </section>
  );
}
