import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:packaging`: checks of the packed tarball as a user installs it (needs a built dist/).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    environment: 'node',
    include: ['test/packaging/**/*.pkg.ts'],
    globalSetup: ['test/packaging/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
