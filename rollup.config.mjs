import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const isDev = process.env.NODE_ENV === 'development';
// COHORTKIT_OUT_DIR builds elsewhere (experiments) and leaves dist/ alone; it is never pruned.
const out = process.env.COHORTKIT_OUT_DIR || 'dist';
// Chunk names carry hashes: once every build below has written its files, those a previous
// build left in the output dir (older than this run) are removed so they are never packed.
// Nothing is removed before then, so whoever uses dist/ meanwhile keeps a whole build.
const started = Date.now() - 1000;
let written = 0;
const pruneStale = (builds) => ({
  name: 'prune-stale',
  writeBundle() {
    // Only the repo's own dist/: a COHORTKIT_OUT_DIR is never swept (it could be any folder).
    if (++written < builds || out !== 'dist') return;
    for (const f of readdirSync(out, { recursive: true })) {
      const file = join(out, String(f));
      const st = statSync(file, { throwIfNoEntry: false });
      if (st?.isFile() && st.mtimeMs < started) rmSync(file);
    }
  },
});
// Dev-only warnings are wrapped in `if (__DEV__)` and stripped from production builds.
const define = { __DEV__: JSON.stringify(isDev) };
const replaceDev = () => ({
  name: 'replace-dev',
  transform(code) {
    return code.includes('__DEV__') ? { code: code.replaceAll('__DEV__', define.__DEV__), map: null } : null;
  },
});
// `import css from './x.css?inline'` (as Vite does in the tests): the file's text, comments and
// runs of whitespace removed. `emit` also writes the file (dist/cohortkit-ui.css, for a <link>).
const cssInline = (emit) => ({
  name: 'css-inline',
  resolveId: (src, from) => (src.endsWith('.css?inline') && from ? join(dirname(from), src) : null),
  load(id) {
    if (!id.endsWith('.css?inline')) return null;
    const css = readFileSync(id.slice(0, -'?inline'.length), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ').trim();
    if (emit) this.emitFile({ type: 'asset', fileName: emit, source: `${css}\n` });
    return `export default ${JSON.stringify(css)};`;
  },
});
// The collector's PGlite thread (src/server/collector/pglite-worker.mjs, plain JavaScript): copied
// beside the chunks, where store-pglite's chunk finds it, as it finds it beside its source in src/.
const pgliteWorker = () => ({
  name: 'pglite-worker',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'chunks/pglite-worker.mjs', source: readFileSync('src/server/collector/pglite-worker.mjs', 'utf8') });
  },
});
const external = (id) => id === 'idb' || id.startsWith('node:') || id === 'pg' || id.startsWith('@electric-sql/');
// A new public entry: one line here and its block in package.json `exports` (types, import, default).
const entries = { index: 'src/index.ts', ldp: 'src/ldp.ts', server: 'src/server.ts', catalog: 'src/catalog.ts', ui: 'src/ui.ts' };

// In the tag bundle, modules that load a chunk on demand are swapped for their add-on loaders
// (bench/size-breakdown.mjs applies the same swaps).
export const SWAPS = {
  'src/consent/load-adapters.ts': 'src/tag/load-adapters.ts',
  'src/consent/load-sha256.ts': 'src/tag/load-sha256.ts',
  'src/client/load-reporting.ts': 'src/tag/load-reporting.ts',
  'src/client/load-personalize.ts': 'src/tag/load-personalize.ts',
  'src/client/load-context.ts': 'src/tag/load-context.ts',
  'src/client/load-interests.ts': 'src/tag/load-interests.ts',
  'src/client/load-encrypt.ts': 'src/tag/encrypt.ts',
  'src/storage/encrypt.ts': 'src/tag/encrypt.ts',
};
// The add-ons beside dist/cohortkit.iife.js: src/addons/<name>.ts → cohortkit-<name>.js, global.
export const ADDONS = { interop: 'CohortkitInterop', reporting: 'CohortkitReporting', encrypt: 'CohortkitEncrypt', personalize: 'CohortkitPersonalize', context: 'CohortkitContext', interests: 'CohortkitInterests', sha256: 'CohortkitSha256' };
const tagSwaps = () => ({
  name: 'tag-swaps',
  async resolveId(src, from, o) {
    if (!from || !src.startsWith('.')) return null;
    const r = await this.resolve(src, from, { ...o, skipSelf: true });
    const rel = r && r.id.slice(process.cwd().length + 1);
    return rel && SWAPS[rel] ? join(process.cwd(), SWAPS[rel]) : null;
  },
});
const tagIIFE = (input, file, name, plugins = []) => ({
  input,
  output: { file: `${out}/${file}`, format: 'iife', name, sourcemap: true, inlineDynamicImports: true },
  plugins: [
    ...plugins,
    resolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.build.json', outDir: out }),
    replaceDev(),
    terser({ ecma: 2020, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, mangle: true, format: { comments: false } }),
  ],
});

const builds = [
  // npm package: ESM for each public entry. idb stays a dependency.
  {
    input: { ...entries, 'cohortkit-collector': 'src/server/collector/bin.ts', 'cohortkit-catalog': 'src/catalog/bin.ts' },
    output: {
      dir: out,
      format: 'es',
      sourcemap: true,
      chunkFileNames: 'chunks/[name]-[hash].js',
      banner: (chunk) => (chunk.name === 'cohortkit-collector' || chunk.name === 'cohortkit-catalog' ? '#!/usr/bin/env node' : ''),
    },
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outDir: out }), replaceDev(), cssInline(), pgliteWorker()],
  },
  // Declarations: one self-contained .d.ts per public entry (shared types in chunks/*.d.ts), so
  // every relative import carries its extension and resolves under nodenext, node16 and bundler.
  {
    input: entries,
    output: { dir: out, format: 'es', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  },
  // Script tag / tag managers: one minified IIFE, global `Cohortkit`, idb bundled inside. What only
  // some sites configure is an add-on beside it (below), which the bundle loads from its own directory.
  tagIIFE('src/tag/iife.ts', 'cohortkit.iife.js', 'Cohortkit', [tagSwaps()]),
  // Add-ons: the CMP adapters (TCF, Consent Mode, GPP), private reporting, encryption at rest.
  ...Object.entries(ADDONS).map(([name, global]) => tagIIFE(`src/addons/${name}.ts`, `cohortkit-${name}.js`, global)),
  // The preference center for a script tag: global `CohortkitUI`, its CSS also as dist/cohortkit-ui.css.
  {
    input: 'src/ui/iife.ts',
    output: { file: `${out}/cohortkit-ui.iife.js`, format: 'iife', name: 'CohortkitUI', sourcemap: true },
    plugins: [
      typescript({ tsconfig: './tsconfig.build.json', outDir: out }),
      cssInline('cohortkit-ui.css'),
      terser({ ecma: 2020, compress: { passes: 3, unsafe_arrows: true, pure_getters: true }, mangle: true, format: { comments: false } }),
    ],
  },
];
for (const b of builds) b.plugins.push(pruneStale(builds.length));
export default builds;
