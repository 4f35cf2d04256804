// @vitest-environment jsdom
// The URL holds the whole view: settings survive a round trip, defaults stay out of the link, and a broken
// link falls back to defaults instead of breaking the page; a long text is cut to what a link can hold.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_SETTINGS, type Settings } from '../../src/app/data/types';
import { inputNotices } from '../../src/app/worker/input-notices';
import {
  linkLayerHeadNotice,
  searchToSettings,
  settingsToSearch,
  TEMPERATURE_MAX,
  TEMPERATURE_MIN,
  textForUrl,
  URL_TEXT_LIMIT,
} from '../../src/app/store/url';
import { syncSettingsWithUrl } from '../../src/app/store/url-sync';
import { useAppStore } from '../../src/app/store/store';
import { hubFromSearch } from '../../src/app/data/model-presets';

describe('settings in the URL', () => {
  it('round-trips every field', () => {
    const settings: Settings = {
      text: 'a "quoted" & odd ✨ text',
      mode: 'trainable',
      positions: false,
      causal: true,
      layer: 1,
      head: 3,
      step: 6,
      allHeads: true,
      preset: 'book',
      model: 'https://huggingface.co/x/y/resolve/main/',
      backend: 'cpu',
      temperature: 0.7,
      topK: 40,
      topP: 0.9,
      seed: 1234,
      generateCount: 5,
      row: 2,
      special: true,
      view: 'train',
      ablate: '2.4,1.1',
      ablateMode: 'mean',
    };
    expect(searchToSettings(settingsToSearch(settings))).toEqual(settings);
    expect(settingsToSearch(settings)).toContain('view=train');
    expect(searchToSettings('view=bogus').view).toBe('explore');
  });

  it('writes nothing for the defaults', () => {
    expect(settingsToSearch(DEFAULT_SETTINGS)).toBe('');
    expect(searchToSettings('')).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the parameters that are not settings (hub=) and replaces the ones that are', () => {
    const search = settingsToSearch(
      { ...DEFAULT_SETTINGS, step: 3 },
      '?hub=http%3A%2F%2F127.0.0.1%3A8080&step=5&utm=x&text=old',
    );
    const p = new URLSearchParams(search);
    expect(p.get('step')).toBe('3');
    expect(p.get('hub')).toBe('http://127.0.0.1:8080');
    expect(p.get('utm')).toBe('x');
    expect(p.has('text')).toBe(false); // the text is back to the default, so it leaves the link
    expect(settingsToSearch(DEFAULT_SETTINGS, '?hub=https%3A%2F%2Fmirror.example')).toBe(
      'hub=https%3A%2F%2Fmirror.example',
    );
  });

  it('a link copied after the settings change still names the hub it was opened with', () => {
    window.history.replaceState(
      null,
      '',
      '/explorer/?hub=http%3A%2F%2F127.0.0.1%3A9%2Fmirror&mode=trainable',
    );
    const stop = syncSettingsWithUrl();
    try {
      expect(useAppStore.getState().settings.mode).toBe('trainable');
      useAppStore.setState({ settings: { ...useAppStore.getState().settings, step: 4 } });
      const params = new URLSearchParams(window.location.search);
      expect(window.location.pathname).toBe('/explorer/');
      expect(params.get('step')).toBe('4');
      expect(params.get('mode')).toBe('trainable');
      expect(hubFromSearch(window.location.search)).toBe('http://127.0.0.1:9/mirror');
    } finally {
      stop();
      useAppStore.setState({ settings: DEFAULT_SETTINGS });
      window.history.replaceState(null, '', '/');
    }
  });

  it('counts layers and heads from 1, as the page does', () => {
    const search = settingsToSearch({ ...DEFAULT_SETTINGS, mode: 'trainable', layer: 1, head: 3 });
    const p = new URLSearchParams(search);
    expect([p.get('layer'), p.get('head')]).toEqual(['2', '4']);
    expect(searchToSettings('?layer=1&head=12')).toMatchObject({ layer: 0, head: 11 });
    expect(searchToSettings('?layer=1').layer).toBe(0);
    expect(linkLayerHeadNotice('?layer=1&head=12')).toBeNull();
    expect(linkLayerHeadNotice('?step=6')).toBeNull();
  });

  it('says when the link’s layer or head names none, and what is shown instead', () => {
    expect(searchToSettings('?layer=0&head=-2')).toMatchObject({ layer: 0, head: 0 });
    expect(linkLayerHeadNotice('?layer=0')).toBe(
      'The link asks for layer “0”, which does not exist (layers and heads count from 1): layer 1 is shown instead.',
    );
    expect(linkLayerHeadNotice('?layer=0&head=x')).toBe(
      'The link asks for layer “0” and head “x”, which do not exist (layers and heads count from 1): layer 1, head 1 are shown instead.',
    );
    expect(linkLayerHeadNotice('?head=1001')).toMatch(/^The link asks for head “1001”/);
  });

  it('keeps the link’s notice until another layer or head is picked', () => {
    window.history.replaceState(null, '', '/explorer/?mode=trainable&layer=0&step=6');
    const stop = syncSettingsWithUrl();
    try {
      expect(useAppStore.getState().linkNotice).toMatch(/layer “0”/);
      useAppStore.getState().set({ step: 5 });
      expect(useAppStore.getState().linkNotice).toMatch(/layer “0”/);
      useAppStore.getState().set({ layer: 1 });
      expect(useAppStore.getState().linkNotice).toBeNull();
      expect(new URLSearchParams(window.location.search).get('layer')).toBe('2');
    } finally {
      stop();
      useAppStore.setState({ settings: DEFAULT_SETTINGS, linkNotice: null });
      window.history.replaceState(null, '', '/');
    }
  });

  it('ignores malformed values', () => {
    const s = searchToSettings('?step=99&mode=weird&layer=-1&temp=abc&pos=maybe&backend=tpu');
    expect(s).toEqual(DEFAULT_SETTINGS);
    const sampling = searchToSettings('?topk=-3&topp=0&seed=1.5&gen=999&row=-1');
    expect(sampling).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps exactly the temperatures the slider offers (a link cannot hold one the slider cannot show)', () => {
    expect(searchToSettings(`?temp=${TEMPERATURE_MIN}`).temperature).toBe(TEMPERATURE_MIN);
    expect(searchToSettings(`?temp=${TEMPERATURE_MAX}`).temperature).toBe(TEMPERATURE_MAX);
    for (const outside of [TEMPERATURE_MIN - 0.01, TEMPERATURE_MAX + 0.01, 0, -1])
      expect(searchToSettings(`?temp=${outside}`).temperature).toBe(DEFAULT_SETTINGS.temperature);
  });

  it('keeps the charted row and the sampling settings in the link', () => {
    const search = settingsToSearch({ ...DEFAULT_SETTINGS, step: 6, row: 3, seed: 7, topK: 5, topP: 0.5 });
    expect(new URLSearchParams(search).get('row')).toBe('3');
    expect(searchToSettings(search)).toMatchObject({ row: 3, seed: 7, topK: 5, topP: 0.5 });
    expect(searchToSettings('?row=0').row).toBe(0);
  });

  it('cuts a long text to what a link can hold, on a character boundary, and says so', () => {
    for (const unit of ['a', 'é', '東', '🐱', ' ', '&']) {
      const text = unit.repeat(2_600_000 / unit.length);
      const search = settingsToSearch({ ...DEFAULT_SETTINGS, text });
      expect(search.length).toBeLessThanOrEqual(URL_TEXT_LIMIT + 'text='.length);
      const back = searchToSettings(search).text;
      expect(text.startsWith(back)).toBe(true);
      expect(back.length).toBeGreaterThan(URL_TEXT_LIMIT / 13);
      expect(back).not.toMatch(/[\ud800-\udbff]$/);
    }
    const notices = inputNotices('a'.repeat(10_000), [], false, 128);
    expect(notices).toEqual([expect.stringMatching(/^The address bar keeps only the first 6000 characters/)]);
    expect(inputNotices('a short text', [], false, 128)).toEqual([]);
  });
});

const runs = { numRuns: 200, seed: 41, interruptAfterTimeLimit: 5_000 };

describe('URL parser properties', () => {
  const settings = fc.record({
    text: fc.string({ unit: 'grapheme', maxLength: 300 }),
    mode: fc.constantFrom('naive', 'trainable'),
    positions: fc.boolean(),
    causal: fc.boolean(),
    // Held from 0; a link names them from 1, up to 1000.
    layer: fc.integer({ min: 0, max: 999 }),
    head: fc.integer({ min: 0, max: 999 }),
    step: fc.integer({ min: 1, max: 7 }),
    allHeads: fc.boolean(),
    preset: fc.constantFrom('none', 'book'),
    model: fc.oneof(fc.constant(''), fc.webUrl(), fc.string({ maxLength: 40 })),
    backend: fc.constantFrom('auto', 'webgpu', 'cpu'),
    temperature: fc.constantFrom(TEMPERATURE_MIN, 0.5, 1, 1.35, TEMPERATURE_MAX),
    topK: fc.integer({ min: 0, max: 100_000 }),
    topP: fc.constantFrom(0.01, 0.5, 0.95, 1),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    generateCount: fc.integer({ min: 1, max: 50 }),
    row: fc.option(fc.integer({ min: 0, max: 1000 })),
    special: fc.boolean(),
    view: fc.constantFrom('explore', 'train'),
    ablate: fc.oneof(fc.constant(''), fc.string({ maxLength: 20 })),
    ablateMode: fc.constantFrom('zero', 'mean'),
  }) as fc.Arbitrary<Settings>;

  it('round-trips any settings whose text fits a link', () => {
    fc.assert(
      fc.property(settings, (s) => {
        fc.pre(!textForUrl(s.text).cut);
        expect(searchToSettings(settingsToSearch(s))).toEqual(s);
      }),
      runs,
    );
  });

  it('reads any query string into valid settings without throwing', () => {
    const key = fc.constantFrom('text', 'mode', 'pos', 'causal', 'layer', 'head', 'step', 'heads', 'preset', 'model', 'backend', 'temp', 'special', 'topk', 'topp', 'seed', 'gen', 'row', 'view', 'x'); // prettier-ignore
    const query = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .array(fc.tuple(key, fc.string({ maxLength: 30 })), { maxLength: 8 })
        .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
    );
    fc.assert(
      fc.property(query, (q) => {
        const s = searchToSettings(q);
        expect(['naive', 'trainable']).toContain(s.mode);
        expect(Number.isInteger(s.step) && s.step >= 1 && s.step <= 7).toBe(true);
        expect(s.temperature >= TEMPERATURE_MIN && s.temperature <= TEMPERATURE_MAX).toBe(true);
        expect(typeof s.text).toBe('string');
        expect(searchToSettings(settingsToSearch(s)).mode).toBe(s.mode);
      }),
      runs,
    );
  });
});
