import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 ships CJS index.js and ESM index.mjs; type-graphql/Apollo load the CJS one, so tests must too.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
