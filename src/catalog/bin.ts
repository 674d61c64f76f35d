// `npx cohortkit-catalog <config.json>`: the segment catalog as Markdown (see README, "Segment catalog").
import { readFile } from 'node:fs/promises';
import { runCatalogCli } from './cli';

runCatalogCli(process.argv.slice(2), {
  readFile: (p) => readFile(p, 'utf8'),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
}).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(`cohortkit-catalog: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
