import { afterAll, afterEach, beforeEach } from 'vitest';

// Cleanups run after each test of the file that imports this, last registered first, whatever
// the test's outcome: temporary folders, processes a failed test left running. Under
// describe.concurrent nothing tells which test registered which: they run once no test of the
// file is running any more (before, the first test to end killed the processes and removed the
// folders of the others still running).
const cleanups: (() => void)[] = [];
const onFailures: (() => Promise<void>)[] = [];
let running = 0;
let failed = false;
beforeEach(() => {
  running++;
});
afterEach(async (context) => {
  running--;
  failed ||= context.task.result?.state === 'fail';
  if (running > 0) return;
  const said = onFailures.splice(0);
  if (failed) for (const say of said) await say();
  failed = false;
  cleanAll();
});
afterAll(() => cleanAll());

function cleanAll(): void {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
}

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
