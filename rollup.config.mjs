import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const isDev = process.env.NODE_ENV === 'development';
// COHORTKIT_OUT_DIR builds elsewhere (experiments, the packaging checks) and leaves dist/ alone.
const out = process.env.COHORTKIT_OUT_DIR || 'dist';
// Dev-only warnings are wrapped in `if (__DEV__)` and stripped from production builds.
const define = { __DEV__: JSON.stringify(isDev) };
const replaceDev = () => ({
  name: 'replace-dev',
  transform(code) {
    return code.includes('__DEV__') ? { code: code.replaceAll('__DEV__', define.__DEV__), map: null } : null;
  },
});
const external = (id) => id === 'idb' || id.startsWith('node:') || id === 'pg' || id.startsWith('@electric-sql/');
const entries = { index: 'src/index.ts', ldp: 'src/ldp.ts', server: 'src/server.ts' };

export default [
  // npm package: ESM for each public entry. idb stays a dependency.
  {
    input: { ...entries, 'cohortkit-collector': 'src/server/bin.ts' },
    output: {
      dir: out,
      format: 'es',
      sourcemap: true,
      chunkFileNames: 'chunks/[name]-[hash].js',
      banner: (chunk) => (chunk.name === 'cohortkit-collector' ? '#!/usr/bin/env node' : ''),
    },
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', outDir: out }), replaceDev()],
  },
  // Declarations: one self-contained .d.ts per public entry (shared types in chunks/*.d.ts), so
  // every relative import carries its extension and resolves under nodenext, node16 and bundler.
  {
    input: entries,
    output: { dir: out, format: 'es', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  },
  // Script tag / tag managers: one minified IIFE, global `Cohortkit`, idb bundled inside.
  {
    input: 'src/tag/iife.ts',
    output: { file: `${out}/cohortkit.iife.js`, format: 'iife', name: 'Cohortkit', sourcemap: true, inlineDynamicImports: true },
    plugins: [
      resolve({ browser: true }),
      typescript({ tsconfig: './tsconfig.build.json', outDir: out }),
      replaceDev(),
      terser({ ecma: 2020, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, mangle: true, format: { comments: false } }),
    ],
  },
];
