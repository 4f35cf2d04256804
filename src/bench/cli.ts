// `npm run bench`: prints speed figures as ratios measured in one run (these machines are shared and noisy,
// so only ratios mean much here; absolute times count only on the GPU machine). Each section lives in its
// own file and is run in turn; a section prints a line saying why it was skipped when its backend is absent.

import { runAttributionBench } from './attribution';
import { runCpuBench } from './cpu';
import { runWebGpuBench } from './webgpu';
import { runLoadBench } from './load';
import { runBrowserBench } from './browser';
import { runTrainBench } from './webgpu-train';

async function main() {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const sections: [string, () => Promise<void>][] = [
    ['cpu', runCpuBench],
    ['webgpu', runWebGpuBench],
    ['load', runLoadBench],
    ['browser', runBrowserBench],
    ['train', runTrainBench],
    ['attribution', runAttributionBench],
  ];
  for (const [name, run] of sections) {
    if (only.length && !only.includes(name)) continue;
    console.log(`\n== ${name} ==`);
    await run();
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
