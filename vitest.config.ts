import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Builds dist/ once, for the end-to-end tests that spawn `node bin/probekit.js`.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // vitest's summary, then a plain "N passed, N failed, N skipped" line for CI.
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
