// Settings ⇄ URL query string. Only values that differ from the defaults are written, so shared links stay
// short, and anything malformed in a link falls back to the default instead of breaking the page.
// `layer` and `head` count from 1, as the page does (they counted from 0 until issue 27; an older link that
// named one opens the one before it, and `layer=0` gets a notice, see linkLayerHeadNotice).

import { ABLATION_MODES } from '../../model/ablation';
import { BACKEND_PREFERENCES } from '../../model/trace';
import { DEFAULT_SETTINGS, PAGE_VIEWS, type Settings } from '../data/types';

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
  topK: 'topk',
  topP: 'topp',
  seed: 'seed',
  generateCount: 'gen',
  row: 'row',
  special: 'special',
  view: 'view',
  ablate: 'ablate',
  ablateMode: 'ablatemode',
};

/** Settings held from 0 in the store and written from 1 in a link, as the page shows them. */
const COUNTED_FROM_ONE = new Set<keyof Settings>(['layer', 'head']);

function encodeValue(key: keyof Settings, value: Settings[keyof Settings]): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (COUNTED_FROM_ONE.has(key)) return String(Number(value) + 1);
  return String(value);
}

/**
 * How many characters the text may take once encoded in a link. Servers refuse request lines past about
 * 8 KB (a 2.6 MB text made a link that could not be opened), so the rest of the settings keep room.
 */
export const URL_TEXT_LIMIT = 6000;

/** Encoded length of one code point in a query string (UTF-8 bytes, each %XX unless unreserved). */
const encodedLength = (codePoint: number): number =>
  /[A-Za-z0-9*\-._ ]/.test(String.fromCodePoint(codePoint))
    ? 1
    : codePoint < 0x80
      ? 3
      : codePoint < 0x800
        ? 6
        : codePoint < 0x10000
          ? 9
          : 12;

/** The longest start of `text` whose encoded form fits URL_TEXT_LIMIT, never splitting a character. */
export function textForUrl(text: string): { text: string; cut: boolean } {
  let encoded = 0;
  let end = 0;
  while (end < text.length) {
    const codePoint = text.codePointAt(end)!;
    encoded += encodedLength(codePoint);
    if (encoded > URL_TEXT_LIMIT) return { text: text.slice(0, end), cut: true };
    end += codePoint > 0xffff ? 2 : 1;
  }
  return { text, cut: false };
}

const SETTING_PARAMS = new Set(Object.values(KEYS));

/**
 * The query string (without "?") for `settings`; a long text is cut to what a link can hold. Parameters of
 * `current` that are not settings (the presets' `hub=`, a campaign tag) are kept after them: the page rewrites
 * the address on every change, and a link copied afterwards has to open the same page.
 */
export function settingsToSearch(settings: Settings, current = ''): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(KEYS) as (keyof Settings)[]) {
    if (settings[key] === DEFAULT_SETTINGS[key]) continue;
    const value = key === 'text' ? textForUrl(settings.text).text : encodeValue(key, settings[key]);
    params.set(KEYS[key], value);
  }
  for (const [name, value] of new URLSearchParams(current)) {
    if (!SETTING_PARAMS.has(name)) params.append(name, value);
  }
  return params.toString();
}

const intIn = (raw: string | null, min: number, max: number, fallback: number): number => {
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
};
/** Layers and heads a link may name (from 1); a model has far fewer, and the page says when one is missing. */
const COUNT_MAX = 1000;
/** A layer or head number of a link, counted from 1, as the 0-based index the store holds; else `fallback`. */
const countedFromOne = (raw: string | null, fallback: number): number => {
  const n = intIn(raw, 1, COUNT_MAX, 0);
  return n > 0 ? n - 1 : fallback;
};
const numberIn = (raw: string | null, min: number, max: number, fallback: number): number => {
  const n = raw === null || raw === '' ? NaN : Number(raw);
  return n >= min && n <= max ? n : fallback;
};
const oneOf = <T extends string>(raw: string | null, options: readonly T[], fallback: T): T =>
  options.includes(raw as T) ? (raw as T) : fallback;
const flag = (raw: string | null, fallback: boolean): boolean =>
  raw === '1' ? true : raw === '0' ? false : fallback;

/** Most tokens one "generate" may append (each is a full forward pass). */
export const GENERATE_MAX = 50;

/**
 * The temperatures the slider offers and a link may hold: one pair, so a link never sets a value the slider
 * cannot show (links took 0.05–5 while the slider went 0.1–2). The slider's range won: it is what a user
 * can set on the page, so only a hand-edited link loses anything.
 */
export const TEMPERATURE_MIN = 0.1;
export const TEMPERATURE_MAX = 2;

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
    layer: countedFromOne(p.get(KEYS.layer), d.layer),
    head: countedFromOne(p.get(KEYS.head), d.head),
    step: intIn(p.get(KEYS.step), 1, 7, d.step),
    allHeads: flag(p.get(KEYS.allHeads), d.allHeads),
    preset: oneOf(p.get(KEYS.preset), ['none', 'book'] as const, d.preset),
    model: p.get(KEYS.model) ?? d.model,
    backend: oneOf(p.get(KEYS.backend), BACKEND_PREFERENCES, d.backend),
    temperature:
      p.has(KEYS.temperature) && temperature >= TEMPERATURE_MIN && temperature <= TEMPERATURE_MAX
        ? temperature
        : d.temperature,
    topK: intIn(p.get(KEYS.topK), 0, 100_000, d.topK),
    topP: numberIn(p.get(KEYS.topP), 0.01, 1, d.topP),
    seed: intIn(p.get(KEYS.seed), 0, 2 ** 31 - 1, d.seed),
    generateCount: intIn(p.get(KEYS.generateCount), 1, GENERATE_MAX, d.generateCount),
    // A row past the text's end is ignored by the views, so any whole number from 0 up is kept.
    row: p.has(KEYS.row) && intIn(p.get(KEYS.row), 0, 100_000, -1) >= 0 ? Number(p.get(KEYS.row)) : d.row,
    special: flag(p.get(KEYS.special), d.special),
    view: oneOf(p.get(KEYS.view), PAGE_VIEWS, d.view),
    // Kept as written: the heads are checked once the model is known, and a list it cannot run is dropped
    // with a sentence that says why (ablation-bridge.ts), rather than silently here.
    ablate: p.get(KEYS.ablate) ?? d.ablate,
    ablateMode: oneOf(p.get(KEYS.ablateMode), ABLATION_MODES, d.ablateMode),
  };
}

/**
 * The sentence for a link whose layer or head names none at all (0, -1, 2.5, a word), or null: the page shows
 * the first instead, and says so rather than change the view silently. A number past the model's layers or
 * heads is kept in the settings; the attention controls say that one is missing.
 */
export function linkLayerHeadNotice(search: string): string | null {
  const p = new URLSearchParams(search);
  const wrong = (['layer', 'head'] as const).filter(
    (key) => p.has(KEYS[key]) && intIn(p.get(KEYS[key]), 1, COUNT_MAX, 0) === 0,
  );
  if (wrong.length === 0) return null;
  const asked = wrong.map((key) => `${key} “${p.get(KEYS[key])}”`).join(' and ');
  const shown = wrong.map((key) => `${key} ${DEFAULT_SETTINGS[key] + 1}`).join(', ');
  return `The link asks for ${asked}, which ${wrong.length > 1 ? 'do' : 'does'} not exist (layers and heads count from 1): ${shown} ${wrong.length > 1 ? 'are' : 'is'} shown instead.`;
}
