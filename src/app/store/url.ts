// Settings ⇄ URL query string. Only values that differ from the defaults are written, so shared links stay
// short, and anything malformed in a link falls back to the default instead of breaking the page.

import { DEFAULT_SETTINGS, type Settings } from '../data/types';

const KEYS: Record<keyof Settings, string> = {
  text: 'text',
  mode: 'mode',
  positions: 'pos',
  causal: 'causal',
  layer: 'layer',
  head: 'head',
  step: 'step',
  allHeads: 'heads',
  preset: 'preset',
  model: 'model',
  backend: 'backend',
  temperature: 'temp',
  special: 'special',
};

function encodeValue(value: Settings[keyof Settings]): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/** The query string (without "?") for `settings`. */
export function settingsToSearch(settings: Settings): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(KEYS) as (keyof Settings)[]) {
    if (settings[key] !== DEFAULT_SETTINGS[key]) params.set(KEYS[key], encodeValue(settings[key]));
  }
  return params.toString();
}

const intIn = (raw: string | null, min: number, max: number, fallback: number): number => {
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
};
const oneOf = <T extends string>(raw: string | null, options: readonly T[], fallback: T): T =>
  options.includes(raw as T) ? (raw as T) : fallback;
const flag = (raw: string | null, fallback: boolean): boolean =>
  raw === '1' ? true : raw === '0' ? false : fallback;

/** Settings read from a query string; unknown or broken values keep their defaults. */
export function searchToSettings(search: string): Settings {
  const p = new URLSearchParams(search);
  const d = DEFAULT_SETTINGS;
  const temperature = Number(p.get(KEYS.temperature));
  return {
    text: p.get(KEYS.text) ?? d.text,
    mode: oneOf(p.get(KEYS.mode), ['naive', 'trainable'] as const, d.mode),
    positions: flag(p.get(KEYS.positions), d.positions),
    causal: flag(p.get(KEYS.causal), d.causal),
    layer: intIn(p.get(KEYS.layer), 0, 1000, d.layer),
    head: intIn(p.get(KEYS.head), 0, 1000, d.head),
    step: intIn(p.get(KEYS.step), 1, 7, d.step),
    allHeads: flag(p.get(KEYS.allHeads), d.allHeads),
    preset: oneOf(p.get(KEYS.preset), ['none', 'book'] as const, d.preset),
    model: p.get(KEYS.model) ?? d.model,
    backend: oneOf(p.get(KEYS.backend), ['auto', 'webgpu', 'cpu'] as const, d.backend),
    temperature:
      p.has(KEYS.temperature) && temperature >= 0.05 && temperature <= 5 ? temperature : d.temperature,
    special: flag(p.get(KEYS.special), d.special),
  };
}
