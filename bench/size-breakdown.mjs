// What each source file costs in the script-tag bundle: esbuild, minified, bytes per input,
// and the gzipped total. Run: node bench/size-breakdown.mjs
import { build } from 'esbuild';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

// As rollup.config.mjs does for the tag bundle: modules that load on demand become add-on loaders.
const SWAPS = await import('../rollup.config.mjs').then((m) => m.SWAPS);
const swap = {
  name: 'tag-swaps',
  setup: (b) =>
    b.onResolve({ filter: /^\./ }, async (a) => {
      if (a.pluginData?.swapped) return undefined;
      const r = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: a.kind, importer: a.importer, pluginData: { swapped: true } });
      const to = SWAPS[relative(process.cwd(), r.path)];
      return to ? { path: join(process.cwd(), to) } : undefined;
    }),
};
const r = await build({ plugins: [swap], entryPoints: ['src/tag/iife.ts'], bundle: true, minify: true, format: 'iife', write: false, metafile: true, platform: 'browser', target: 'es2020' });
const out = Object.values(r.metafile.outputs)[0];
const rows = Object.entries(out.inputs).map(([f, v]) => [f, v.bytesInOutput]).sort((a, b) => b[1] - a[1]);
const byDomain = {};
for (const [f, b] of rows) {
  const d = f.startsWith('node_modules/') ? f.split('/')[1] : f.split('/').slice(0, 2).join('/').replace(/\.ts$/, '');
  byDomain[d] = (byDomain[d] ?? 0) + b;
}
console.log('minified bytes per file (before gzip):');
for (const [f, b] of rows) if (b) console.log(String(b).padStart(7), f);
console.log('\nper domain:');
for (const [d, b] of Object.entries(byDomain).sort((a, b) => b[1] - a[1])) console.log(String(b).padStart(7), d);
const gz = gzipSync(r.outputFiles[0].contents, { level: 9 }).length;
console.log(`\ntotal minified ${out.bytes} B, gzip ${gz} B`);
