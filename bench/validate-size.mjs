// What option/argument validation costs, before (the frozen hand-written validators in
// test/fixtures/old-validate/) and now (the schema walker), in the same run: esbuild-minified and
// gzipped bytes of all seven validators and their kit (errors, catalog and CMP adapters left out).
// Run: node bench/validate-size.mjs   (V=1 for bytes per file)
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const ext = { name: 'ext', setup: (b) => b.onResolve({ filter: /(errors|\/catalog|load-adapters)$/ }, (a) => ({ path: a.path, external: true })) };
const size = async (entry) => {
  const r = await build({ plugins: [ext], entryPoints: [entry], bundle: true, minify: true, format: 'esm', write: false, target: 'es2020', metafile: true });
  const js = r.outputFiles[0].contents;
  if (process.env.V) for (const [f, v] of Object.entries(Object.values(r.metafile.outputs)[0].inputs)) if (v.bytesInOutput) console.log(String(v.bytesInOutput).padStart(7), f);
  return { min: js.length, gz: gzipSync(js, { level: 9 }).length };
};
const before = await size('test/fixtures/old-validate/entry.ts');
const now = await size('test/fixtures/validate-entry-new.ts');
const pct = (a, b) => `${(100 * (1 - b / a)).toFixed(1)}% smaller`;
console.log(`validation, minified: ${before.min} B → ${now.min} B (${pct(before.min, now.min)})`);
console.log(`validation, gzip:     ${before.gz} B → ${now.gz} B (${pct(before.gz, now.gz)})`);
