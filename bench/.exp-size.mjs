import { build } from 'esbuild';
import { minify } from 'terser';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
const SWAPS = await import('/work/main/rollup.config.mjs').then((m) => m.SWAPS);
const swap = { name: 'tag-swaps', setup: (b) => b.onResolve({ filter: /^\./ }, async (a) => {
  if (a.pluginData?.swapped) return undefined;
  const r = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: a.kind, importer: a.importer, pluginData: { swapped: true } });
  const to = SWAPS[relative(process.cwd(), r.path)];
  return to ? { path: join(process.cwd(), to) } : undefined; }) };
const r = await build({ plugins: [swap], entryPoints: ['src/tag/iife.ts'], bundle: true, minify: false, format: 'iife', write: false, platform: 'browser', target: 'es2020', define: { __DEV__: 'false' } });
const src = r.outputFiles[0].text;
const base = { ecma: 2020, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, mangle: true, format: { comments: false } };
const variants = {
  base,
  unsafe: { ...base, compress: { ...base.compress, unsafe: true, unsafe_comps: true, unsafe_math: true } },
  toplevel: { ...base, toplevel: true },
  p5: { ...base, compress: { ...base.compress, passes: 5 } },
};
for (const [k, o] of Object.entries(variants)) {
  const m = await minify(src, o);
  console.log(k, m.code.length, gzipSync(m.code, { level: 9 }).length);
}
