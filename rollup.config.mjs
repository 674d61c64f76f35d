import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const isDev = process.env.NODE_ENV === 'development';
// Dev-only warnings are wrapped in `if (__DEV__)` and stripped from production builds.
const define = { __DEV__: JSON.stringify(isDev) };
const replaceDev = () => ({
  name: 'replace-dev',
  transform(code) {
    return code.includes('__DEV__') ? { code: code.replaceAll('__DEV__', define.__DEV__), map: null } : null;
  },
});

export default [
  // npm package: ESM + .d.ts for each public entry. idb stays a dependency.
  {
    input: { index: 'src/index.ts', ldp: 'src/ldp.ts', server: 'src/server.ts', 'cohortkit-collector': 'src/server/bin.ts' },
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      chunkFileNames: 'chunks/[name]-[hash].js',
      banner: (chunk) => (chunk.name === 'cohortkit-collector' ? '#!/usr/bin/env node' : ''),
    },
    external: (id) => id === 'idb' || id.startsWith('node:') || id === 'pg' || id.startsWith('@electric-sql/'),
    plugins: [typescript({ tsconfig: './tsconfig.build.json' }), replaceDev()],
  },
  // Script tag / tag managers: one minified IIFE, global `Cohortkit`, idb bundled inside.
  {
    input: 'src/tag/iife.ts',
    output: { file: 'dist/cohortkit.iife.js', format: 'iife', name: 'Cohortkit', sourcemap: true, inlineDynamicImports: true },
    plugins: [
      resolve({ browser: true }),
      typescript({ tsconfig: './tsconfig.build.json', declaration: false, declarationDir: undefined }),
      replaceDev(),
      terser({ ecma: 2020, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, mangle: true, format: { comments: false } }),
    ],
  },
];
