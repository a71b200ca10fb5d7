import { afterEach } from 'vitest';

// Cleanups run after each test of the file that imports this, last registered first, whatever
// the test's outcome: temporary folders, processes a failed test left running.
const cleanups: (() => void)[] = [];
const onFailures: (() => Promise<void>)[] = [];
afterEach(async (context) => {
  const said = onFailures.splice(0);
  if (context.task.result?.state === 'fail') for (const say of said) await say();
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => void): void {
  cleanups.push(cleanup);
}

/**
 * Runs `say` after the current test if it failed (a timeout included), before the cleanups: to
 * print what a server still running held when the test gave up.
 */
export function onFailure(say: () => Promise<void>): void {
  onFailures.push(say);
}
