// Settings every package's vitest project shares: imports of @skystack/* resolve to
// TypeScript source through the "@skystack/source" export condition, so tests need no build.
// Both `resolve` and `ssr.resolve` need the condition (vitest runs tests through the SSR path).
import { defineConfig } from 'vitest/config';

const conditions = ['@skystack/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    benchmark: { include: ['src/**/*.bench.ts', 'test/**/*.bench.ts'] },
  },
});
