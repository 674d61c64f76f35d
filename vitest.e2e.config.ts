import { defineConfig } from 'vitest/config';

// e2e: Chromium-only files (playwright-core) and cross-engine files (test/e2e/engines-*.test.ts,
// every test titled with its engine). Run under `xvfb-run -a` for WebKit; E2E_ENGINES narrows the engines.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 60000,
    fileParallelism: false,
    // one line per test, so the CI log lists the engine each test ran in
    reporters: ['verbose'],
  },
});
