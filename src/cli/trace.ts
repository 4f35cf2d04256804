// `npm run trace`: runs a model on a text and writes every intermediate tensor as JSON, in the format the
// explorer exports. Usage:
//   npm run trace -- [--model FILE.safetensors] [--config config.json] (--text "…" | --text-file F)
//                    [--backend cpu|webgpu] [--out trace.json] [--allow-special]

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, runMain, UsageError } from './args';
import { traceText, type Engine } from '../model/engine';
import { CpuEngine } from '../model/cpu/forward';
import { loadDefaultModel } from '../node/default-model';
import { loadModelFile } from '../node/files';
import { createNodeEngine } from '../node/engines';
import { writeTraceJson } from '../node/trace-file';

const USAGE =
  'usage: npm run trace -- [--model FILE.safetensors] [--config config.json] (--text "…" | --text-file F) ' +
  '[--backend cpu|webgpu] [--out trace.json] [--allow-special]';

runMain(async () => {
  const args = parseArgs(process.argv.slice(2), {
    model: 'string',
    config: 'string',
    text: 'string',
    'text-file': 'string',
    backend: 'string',
    out: 'string',
    'allow-special': 'boolean',
    help: 'boolean',
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if ((args.text === undefined) === (args['text-file'] === undefined)) {
    throw new UsageError('give exactly one of --text or --text-file (see --help)');
  }
  const backend = args.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgpu')
    throw new UsageError(`--backend must be cpu or webgpu, not "${backend}"`);
  let text = args.text ?? '';
  if (args['text-file'] !== undefined) {
    if (!existsSync(args['text-file']))
      throw new UsageError(`cannot find the text file ${args['text-file']}`);
    text = readFileSync(args['text-file'], 'utf8');
  }
  if (args.config && !args.model) throw new UsageError('--config needs --model');

  const weights = args.model
    ? await loadModelFile(args.model, args.config)
    : (await loadDefaultModel()).weights;
  for (const notice of weights.notices ?? [])
    process.stderr.write(`note: ${notice}
`);
  const engine: Engine =
    backend === 'cpu' ? new CpuEngine(weights) : await createNodeEngine(weights, backend);
  try {
    const trace = await traceText(engine, text, { logits: 'all' }, { allowSpecial: args['allow-special'] });
    if (args.out) {
      await writeTraceJson(args.out, trace, engine.description);
      process.stderr.write(
        `wrote ${path.resolve(args.out)}: ${trace.ids.length} tokens${trace.truncated ? ' (truncated)' : ''}, ` +
          `${Object.keys(trace.tensors).length} tensors, backend ${engine.description}\n`,
      );
    } else await writeTraceJson(process.stdout, trace, engine.description);
  } finally {
    engine.dispose();
  }
});
