// Runs every benchmark in this folder, one after another, in child processes (so one's
// warm-up or memory does not skew the next). Figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) (failed++, console.log(`bench/${f} exited with ${r.status ?? r.signal}`));
}
process.exit(failed ? 1 : 0);
