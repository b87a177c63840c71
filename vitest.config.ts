import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'obs/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
  },
});
