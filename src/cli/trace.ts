// `npm run trace`: runs a model on a text and writes every intermediate tensor as JSON, in the format the
// explorer exports. Usage:
//   npm run trace -- [--model FILE.safetensors] [--config config.json] (--text "…" | --text-file F)
//                    [--backend cpu|webgpu] [--out trace.json] [--allow-special]

import { runMain } from './args';
import { traceCommand } from './trace-command';

runMain(() => traceCommand(process.argv.slice(2), (line) => process.stderr.write(line + '\n')));
