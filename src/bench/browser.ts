// Browser section of `npm run bench`: the time from a keystroke to the updated attention heatmap in headless
// Chromium, for the default model and a 16-token sentence, on the CPU path and on the WebGPU path (p50, p95),
// in naive mode (the default view), then on the CPU path in the heaviest view: trainable with all heads; each
// path and view also with layer 1 head 4 knocked out, to show what an ablation adds to a keystroke.

import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { buildSite, CHROMIUM, launchChromium, projectRoot, serveSite } from './browser-harness';
import { GPT2_124M, randomGPT2Weights } from '../model/random';
import { writeCheckpoint } from '../node/checkpoint';
import { fmt } from './timing';

/** 16 GPT-2 tokens. */
export const BENCH_SENTENCE = 'The quick brown fox jumps over the lazy dog while the cat sleeps on the mat';
const KEYSTROKES = 100;

/** Installs the in-page clock: keydown starts it, the redrawn heatmap (after the next paint) stops it. */
async function installProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe = { start: 0, samples: [] as number[] };
    (window as unknown as { __latency: typeof probe }).__latency = probe;
    window.addEventListener('keydown', () => (probe.start = performance.now()), true);
    new MutationObserver((records) => {
      const redrawn = records.some((r) => (r.target as Element).closest?.('.matrix-panel.primary'));
      if (!redrawn || probe.start === 0) return;
      const start = probe.start;
      probe.start = 0;
      // rAF runs just before the paint; the timeout after it runs once the frame is on screen.
      requestAnimationFrame(() => setTimeout(() => probe.samples.push(performance.now() - start), 0));
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-trace-id'] });
  });
}

const traceId = (page: Page) =>
  page.evaluate(() =>
    Number(document.querySelector('.matrix-panel.primary svg')?.getAttribute('data-trace-id') ?? 0),
  );

/** The views measured: step 6 (attention weights) in the default naive mode, and in trainable mode with the
 * grid of all heads (five heatmaps redrawn per keystroke). */
const VIEWS = {
  naive: { step: '6' },
  'trainable, all heads': { step: '6', mode: 'trainable', heads: '1' },
  'trainable, last layer': { step: '6', mode: 'trainable', layer: '11' },
  // The same views with one head knocked out: the ablation is one more kernel step in the keystroke's pass;
  // the intact model's pass (for the before/after panel) waits until typing pauses.
  'naive, ablated': { step: '6', ablate: '1.4' },
  'trainable, all heads, ablated': { step: '6', mode: 'trainable', heads: '1', ablate: '1.4' },
} as const;
type ViewName = keyof typeof VIEWS;

/** Types KEYSTROKES keys (alternately deleting and restoring the last letter) and returns each latency in ms. */
async function measure(page: Page): Promise<number[]> {
  await installProbe(page);
  await page.locator('#sentence').click();
  await page.keyboard.press('End');
  for (let i = 0; i < KEYSTROKES; i++) {
    const before = await traceId(page);
    const count = await page.evaluate(
      () => (window as unknown as { __latency: { samples: number[] } }).__latency.samples.length,
    );
    await page.keyboard.press(i % 2 === 0 ? 'Backspace' : 't');
    await page.waitForFunction(
      (id) => Number(document.querySelector('.matrix-panel.primary svg')?.getAttribute('data-trace-id')) > id,
      before,
    );
    await page.waitForFunction(
      (n) => (window as unknown as { __latency: { samples: number[] } }).__latency.samples.length > n,
      count,
    );
  }
  return page.evaluate(() => (window as unknown as { __latency: { samples: number[] } }).__latency.samples);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export interface LatencyResult {
  path: 'cpu' | 'webgpu';
  view: ViewName;
  /** What the page says computed the numbers (badge text), e.g. "CPU" or "WebGPU · SwiftShader". */
  backend: string;
  fallbackReason: string | null;
  p50: number;
  p95: number;
  samples: number;
  /** Every latency, in ms, ascending. */
  sortedSamples: number[];
}

/** Measures one path in a fresh browser. */
export async function keystrokeLatency(
  url: string,
  path: 'cpu' | 'webgpu',
  view: ViewName = 'naive',
  model?: string,
): Promise<LatencyResult> {
  const browser = await launchChromium(path === 'webgpu');
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const query = new URLSearchParams({
      text: BENCH_SENTENCE,
      ...VIEWS[view],
      backend: path,
      ...(model ? { model } : {}),
    });
    await page.goto(`${url}?${query}`);
    await page.waitForSelector('[data-testid="model-info"]', { timeout: 120_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="token-strip"] li').length === 16,
      null,
      { timeout: 120_000 },
    );
    const samples = (await measure(page)).sort((a, b) => a - b);
    const backend = (await page.getByTestId('backend').textContent())?.trim() ?? '?';
    const fallbackReason =
      (await page
        .getByTestId('fallback-reason')
        .textContent({ timeout: 1000 })
        .catch(() => null)) ?? null;
    return {
      path,
      view,
      backend,
      fallbackReason,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      samples: samples.length,
      sortedSamples: samples,
    };
  } finally {
    await browser.close();
  }
}

/** Samples of several runs pooled, as one result (the percentiles over all of them). */
function pooled(runs: LatencyResult[]): LatencyResult {
  const all = runs.flatMap((r) => r.sortedSamples).sort((a, b) => a - b);
  return {
    ...runs[0],
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    samples: all.length,
    sortedSamples: all,
  };
}

/**
 * Each measured case with and without head 1.4 knocked out, in the order intact, ablated, ablated, intact
 * (so a machine that slows down or speeds up during the runs weighs on both alike), samples pooled per side.
 */
export async function ablationBench(url: string, intact: LatencyResult[]): Promise<void> {
  for (const first of intact) {
    const view = `${first.view}, ablated` as ViewName;
    if (!(view in VIEWS)) continue;
    const ablated = [
      await keystrokeLatency(url, first.path, view),
      await keystrokeLatency(url, first.path, view),
    ];
    const plain = pooled([first, await keystrokeLatency(url, first.path, first.view)]);
    const knocked = pooled(ablated);
    console.log(
      `keystroke → heatmap, ${first.path} path (${knocked.backend}), ${first.view}, ${plain.samples} keys each: ` +
        `head 1.4 knocked out p50 ${fmt(knocked.p50, 1)} ms, p95 ${fmt(knocked.p95, 1)} ms; intact p50 ` +
        `${fmt(plain.p50, 1)} ms, p95 ${fmt(plain.p95, 1)} ms; ablated / intact p50 ${fmt(knocked.p50 / plain.p50)}×, ` +
        `p95 ${fmt(knocked.p95 / plain.p95)}× (target ≤ 1.10×)`,
    );
  }
}

/** A GPT-2 124M-shaped model with random weights (F16, about 260 MB), written once and kept in the cache. */
function gpt2ShapedModel(): string {
  const dir = path.join(projectRoot(), 'node_modules', '.cache', 'bench-gpt2-124m');
  if (!existsSync(path.join(dir, 'config.json')))
    writeCheckpoint(dir, randomGPT2Weights(GPT2_124M, 3), 'F16');
  return dir;
}

export async function runBrowserBench(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM}.`);
    console.log(`skipped: no Chromium at ${CHROMIUM}`);
    return;
  }
  const root = projectRoot();
  const siteDir = path.join(root, 'dist-bench');
  buildSite(root, 'dist-bench');
  const site = await serveSite({ siteDir, extra: { gpt2: gpt2ShapedModel() } });
  try {
    const results: LatencyResult[] = [];
    for (const [p, view] of [
      ['cpu', 'naive'],
      ['webgpu', 'naive'],
      ['cpu', 'trainable, all heads'],
    ] as const) {
      const r = await keystrokeLatency(site.url, p, view);
      results.push(r);
      console.log(
        `keystroke → heatmap, ${p} path (${r.backend}${r.fallbackReason ? `; ${r.fallbackReason}` : ''}), ${view}, ` +
          `16 tokens, ${r.samples} keys: p50 ${fmt(r.p50, 1)} ms, p95 ${fmt(r.p95, 1)} ms (target ≤ 50 ms)`,
      );
    }
    console.log(`p95 ratio webgpu / cpu (naive): ${fmt(results[1].p95 / results[0].p95)}×`);
    await ablationBench(site.url, results);
    const big = await keystrokeLatency(
      site.url,
      'cpu',
      'trainable, last layer',
      `${site.origin}/extra/gpt2/`,
    );
    console.log(
      `keystroke → heatmap, cpu path (${big.backend}), GPT-2 124M shape (random weights), trainable view of the ` +
        `last layer (all 12 blocks run), 16 tokens, ${big.samples} keys: p50 ${fmt(big.p50, 1)} ms, ` +
        `p95 ${fmt(big.p95, 1)} ms (target ≤ 250 ms); ${fmt(big.p95 / results[0].p95, 1)}× the default model's p95`,
    );
    // Absolute times depend on how busy the machine is; say so next to them.
    console.log(
      `load average ${loadavg()
        .map((x) => fmt(x, 1))
        .join(' ')} on ${cpus().length} cores`,
    );
  } finally {
    await site.close();
  }
}
