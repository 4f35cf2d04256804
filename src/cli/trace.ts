// `npm run trace`: runs a model on a text and writes every intermediate tensor as JSON, in the format the
// explorer exports. Usage:
//   npm run trace -- [--model FILE.safetensors] [--config config.json] (--text "…" | --text-file F)
//                    [--backend cpu|webgpu] [--out trace.json] [--allow-special] [--attribute L.H]
// --attribute 2.3 adds head 3 of layer 2's score split over the residual stream (see src/cli/attribute.ts).

import { runMain } from './args';
import { traceCommand } from './trace-command';

runMain(() => traceCommand(process.argv.slice(2), (line) => process.stderr.write(line + '\n')));
