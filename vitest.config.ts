import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two files at once, not vitest's cores - 1 (one, on the 2-core CI machine): most tests wait
    // on child processes, servers and pipes, so a second file fills the idle core.
    maxWorkers: 2,
  },
});
