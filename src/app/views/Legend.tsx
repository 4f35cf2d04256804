// A colour legend: the scale's gradient with a few ticks, so every heatmap says what its colours mean.

import { useId } from 'react';
import { cellDigits, fmtFixed } from '../data/format';
import type { ColorScale } from './scales';

interface LegendProps {
  /** The heatmap's own colour scale. */
  scale: ColorScale;
  /** What the colours stand for, e.g. "score ω". */
  label: string;
  /** Width of the gradient bar in pixels. */
  width?: number;
}

export function Legend({ scale, label, width = 200 }: LegendProps) {
  const gradientId = `legend-${useId().replace(/[^\w-]/g, '')}`;
  const domain = scale.domain();
  const lo = domain[0];
  const hi = domain[domain.length - 1];
  const stops = Array.from({ length: 11 }, (_, i) => i / 10);
  const ticks = domain.length === 3 ? [lo, 0, hi] : [lo, (lo + hi) / 2, hi];
  // One precision for every tick, as in the heatmap.
  const digits = cellDigits({ data: Float32Array.from(ticks) }, 'narrow');
  const fmt = (x: number) => fmtFixed(x, digits);
  return (
    <figure className="legend" aria-label={`Colour legend for ${label}: from ${fmt(lo)} to ${fmt(hi)}`}>
      <figcaption>{label}</figcaption>
      <svg width={width + 16} height={34} role="presentation">
        <defs>
          <linearGradient id={gradientId}>
            {stops.map((t) => (
              <stop key={t} offset={`${t * 100}%`} stopColor={scale(lo + t * (hi - lo))} />
            ))}
          </linearGradient>
        </defs>
        <rect
          x={8}
          y={2}
          width={width}
          height={12}
          fill={`url(#${gradientId})`}
          stroke="#999"
          strokeWidth={0.5}
        />
        {ticks.map((t, i) => {
          const x = 8 + ((t - lo) / (hi - lo || 1)) * width;
          return (
            <g key={i}>
              <line x1={x} x2={x} y1={14} y2={18} stroke="#555" />
              <text
                x={x}
                y={30}
                textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}
                fontSize={11}
                fill="currentColor"
              >
                {fmt(t)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
