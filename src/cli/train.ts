// `npm run train`: trains a small GPT on English text (or the generated stories) and writes model.safetensors (F16, official
// GPT-2 layout), config.json and training-log.json; or, with --fixed-batch, runs the check against PyTorch.
//   npm run train -- --out public/models/NAME/ [--corpus english|stories] [--steps N] [--seed S] ... [--resume]
//                    [--backend cpu|webgpu]
//   npm run train -- --model FILE --text-file F --batch B --seq T --steps N --lr LR --weight-decay WD --fixed-batch --log-json
//                    [--backend cpu|webgpu]

import { runMain, UsageError } from './args';
import { backendFrom, runFixedBatch } from './fixed-batch-command';
import { parseTrainArgs } from './train-args';
import { runTraining } from './train-command';

const USAGE = `usage:
  npm run train -- --out DIR [--corpus english|stories] [--min-count N] [--steps N] [--seed S] [--batch B]
                   [--seq T] [--lr LR] [--min-lr-fraction F] [--warmup-steps N] [--weight-decay WD]
                   [--grad-clip G] [--n-embd C] [--n-layer L] [--n-head NH] [--n-positions P] [--stories K]
                   [--eval-every N] [--val-windows N] [--position-init normal|sinusoidal]
                   [--window-starts sentences|any] [--repeat-share S] [--repeat-min-span N]
                   [--repeat-max-span N] [--init-from MODEL_DIR] [--threads N] [--resume]
                   [--backend cpu|webgpu]
  npm run train -- --fixed-batch --model FILE [--config config.json] --text-file F --batch B --seq T --steps N
                   [--lr LR] [--weight-decay WD] [--grad-clip G] [--log-json] [--backend cpu|webgpu]
  (--backend webgpu trains through Node's WebGPU; without an adapter, or if the device is lost, the CPU goes on)`;

runMain(async () => {
  const args = parseTrainArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const backend = backendFrom(args.backend);
  if (args['fixed-batch']) {
    const log = (line: string) => process.stderr.write(line + '\n');
    await runFixedBatch(args, (line) => process.stdout.write(line + '\n'), { log });
    return;
  }
  if (!args.out) throw new UsageError(`give --out DIR to train, or --fixed-batch\n${USAGE}`);
  await runTraining(args, process.argv.slice(2), { backend });
});
