// @vitest-environment jsdom
// The URL holds the whole view: settings survive a round trip, defaults stay out of the link, and a broken
// link falls back to defaults instead of breaking the page.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/app/data/types';
import { searchToSettings, settingsToSearch } from '../../src/app/store/url';

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
      special: true,
    };
    expect(searchToSettings(settingsToSearch(settings))).toEqual(settings);
  });

  it('writes nothing for the defaults', () => {
    expect(settingsToSearch(DEFAULT_SETTINGS)).toBe('');
    expect(searchToSettings('')).toEqual(DEFAULT_SETTINGS);
  });

  it('ignores malformed values', () => {
    const s = searchToSettings('?step=99&mode=weird&layer=-1&temp=abc&pos=maybe&backend=tpu');
    expect(s).toEqual(DEFAULT_SETTINGS);
  });
});
