// A tool that starts writing FILE through writeAtomically, says "ready" once the temporary is on disk, and
// then waits, so a test can stop it with a signal in the middle of the write.

import { writeFileSync } from 'node:fs';
import { writeAtomically } from '../../src/node/output-file';

await writeAtomically(process.argv[2], async (temporary) => {
  writeFileSync(temporary, 'half a file');
  process.stdout.write('ready\n');
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
