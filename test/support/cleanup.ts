import { afterEach } from 'vitest';

// Cleanups run after each test of the file that imports this, last registered first, whatever
// the test's outcome: temporary folders, processes a failed test left running.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => void): void {
  cleanups.push(cleanup);
}
