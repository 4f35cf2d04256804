// Timing helpers for the benchmark: the median of repeated runs after a warm-up, and readable formatting.

export async function medianMs(
  run: () => unknown | Promise<unknown>,
  repeats = 5,
  warmup = 1,
): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const gflops = (flops: number, ms: number) => flops / (ms * 1e6);
export const fmt = (x: number, digits = 2) => x.toFixed(digits);

/**
 * The median milliseconds of each of `runs`, timed in turn within every repetition (a, b, c, a, b, c, …), so a
 * slow spell on a shared machine falls on all of them alike and their ratios stay fair.
 */
export async function interleavedMedianMs(
  runs: (() => unknown | Promise<unknown>)[],
  repeats = 5,
  warmup = 1,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) for (const run of runs) await run();
  const times = runs.map(() => [] as number[]);
  for (let i = 0; i < repeats; i++) {
    for (const [r, run] of runs.entries()) {
      const start = performance.now();
      await run();
      times[r].push(performance.now() - start);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}
