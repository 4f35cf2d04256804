// The work of `npm run trace`, apart from its entry point so tests can run it in-process: every option and
// file is checked before the model loads, and the JSON is written to a temporary file, then renamed.

import { InputError, quoteValue } from '../model/errors';
import { parseArgs, UsageError } from './args';
import { attributionFields, checkAttributeRange, parseAttribute } from './attribute';
import {
  ABLATION_MODES,
  checkAblation,
  formatHeadList,
  parseHeadList,
  type Ablation,
  type AblationMode,
} from '../model/ablation';
import { traceText, type Engine } from '../model/engine';
import { CpuEngine } from '../model/cpu/forward';
import { createCpuKernels } from '../model/wasm/select';
import { checkFinite } from '../model/finite';
import type { BackendName } from '../model/trace';
import { loadDefaultModel } from '../node/default-model';
import { checkRegularFile, loadModelFile, readTextFile } from '../node/files';
import { createNodeEngine } from '../node/engines';
import { checkOutputFile, writeAtomically } from '../node/output-file';
import { writeTraceJson } from '../node/trace-file';

export const TRACE_USAGE =
  'usage: npm run trace -- [--model FILE.safetensors] [--config config.json] (--text "…" | --text-file F) ' +
  '[--backend cpu|webgpu] [--out trace.json] [--allow-special] [--attribute L.H] ' +
  '[--ablate L.H[,L.H…] [--ablate-mode zero|mean]]';

export const TRACE_OPTIONS = {
  model: 'string',
  config: 'string',
  text: 'string',
  'text-file': 'string',
  backend: 'string',
  out: 'string',
  'allow-special': 'boolean',
  attribute: 'string',
  ablate: 'string',
  'ablate-mode': 'string',
  help: 'boolean',
} as const;

type TraceArgs = ReturnType<typeof parseArgs<typeof TRACE_OPTIONS>>;

/** Everything that can be checked without loading the model; returns the text and the output path. */
export function checkTraceArgs(args: TraceArgs): {
  text: string;
  out: string | null;
  backend: BackendName;
  attribute: { layer: number; head: number } | null;
  ablation: Ablation | undefined;
} {
  if ((args.text === undefined) === (args['text-file'] === undefined))
    throw new UsageError('give exactly one of --text or --text-file (see --help)');
  const backend = args.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgpu')
    throw new UsageError(`--backend must be cpu or webgpu, not ${quoteValue(backend)}`);
  if (args.config !== undefined && args.model === undefined) throw new UsageError('--config needs --model');
  if (args.model !== undefined) checkRegularFile(args.model, 'model file');
  if (args.config !== undefined) checkRegularFile(args.config, 'config file');
  const attribute = args.attribute === undefined ? null : parseAttribute(args.attribute);
  const ablation = checkAblateArgs(args);
  const out = args.out === undefined ? null : checkOutputFile(args.out);
  const text = args['text-file'] === undefined ? args.text! : readTextFile(args['text-file'], 'text file');
  return { text, out, backend, attribute, ablation };
}

/** --ablate and --ablate-mode as far as they can be checked without the model (its heads come later). */
function checkAblateArgs(args: TraceArgs): Ablation | undefined {
  const mode = args['ablate-mode'];
  if (args.ablate === undefined) {
    if (mode !== undefined) throw new UsageError('--ablate-mode needs --ablate (the heads to knock out)');
    return undefined;
  }
  if (mode !== undefined && !ABLATION_MODES.includes(mode as AblationMode))
    throw new UsageError(`--ablate-mode must be zero or mean, not ${quoteValue(mode)}`);
  try {
    return { heads: parseHeadList(args.ablate), mode: (mode ?? 'zero') as AblationMode };
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(`--ablate: ${error.message}`);
    throw error;
  }
}

/** Runs `npm run trace` with these arguments; progress and notices go to `log`, JSON to `stdout`. */
export async function traceCommand(
  argv: string[],
  log: (line: string) => void,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const args = parseArgs(argv, TRACE_OPTIONS);
  if (args.help) {
    stdout.write(TRACE_USAGE + '\n');
    return;
  }
  const { text, out, backend, attribute, ablation } = checkTraceArgs(args);
  const weights =
    args.model !== undefined
      ? await loadModelFile(args.model, args.config)
      : (await loadDefaultModel()).weights;
  if (attribute) checkAttributeRange(attribute, weights.config);
  for (const notice of weights.notices ?? []) log(`note: ${notice}`);
  checkAblation(ablation, weights.config);
  // The CPU engine on WebAssembly SIMD with worker threads (the numbers do not depend on the thread count).
  const engine: Engine =
    backend === 'cpu'
      ? new CpuEngine(weights, (await createCpuKernels()).kernels)
      : await createNodeEngine(weights, backend);
  try {
    const request = { logits: 'all' as const, ablate: ablation };
    const trace = await traceText(engine, text, request, { allowSpecial: args['allow-special'] });
    checkFinite(trace.tensors, 'no trace was written');
    const extras = attribute ? attributionFields(weights, trace, attribute) : {};
    if (out) {
      await writeAtomically(out, (temporary) => writeTraceJson(temporary, trace, engine.description, extras));
      log(
        `wrote ${out}: ${trace.ids.length} tokens${trace.truncated ? ' (truncated)' : ''}, ` +
          `${Object.keys(trace.tensors).length} tensors, backend ${engine.description}` +
          (ablation ? `, heads ${formatHeadList(ablation.heads)} knocked out (${ablation.mode})` : ''),
      );
    } else await writeTraceJson(stdout as never, trace, engine.description, extras);
  } finally {
    engine.dispose();
  }
}
