import { afterAll, afterEach, beforeEach } from 'vitest';

// Cleanups: temporary folders, servers, processes a failed test left running; last registered
// first, whatever the outcome. One registered while a test runs (in it or in a beforeEach) is
// the test's; one registered while none runs (in a beforeAll) is the file's, run after its last
// test (before, it ran after the first test, killing a file's server under the tests after it).
// Under describe.concurrent nothing tells which test registered which: a test's cleanups run
// once no test of the file is running any more (before, the first test to end killed the
// processes and removed the folders of the others still running).
const testCleanups: (() => void)[] = [];
const fileCleanups: (() => void)[] = [];
const testFailures: (() => Promise<void>)[] = [];
const fileFailures: (() => Promise<void>)[] = [];
let running = 0;
let failed = false;
let fileFailed = false;
beforeEach(() => {
  running++;
});
afterEach(async (context) => {
  running--;
  failed ||= context.task.result?.state === 'fail';
  if (running > 0) return;
  const said = testFailures.splice(0);
  if (failed) for (const say of said) await say();
  fileFailed ||= failed;
  failed = false;
  cleanAll(testCleanups);
});
afterAll(async () => {
  cleanAll(testCleanups);
  const said = fileFailures.splice(0);
  if (fileFailed) for (const say of said) await say();
  cleanAll(fileCleanups);
});

function cleanAll(cleanups: (() => void)[]): void {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
}

/** Runs `cleanup` after the current test; registered in a `beforeAll`, after the file's last. */
export function onCleanup(cleanup: () => void): void {
  (running > 0 ? testCleanups : fileCleanups).push(cleanup);
}

/**
 * Runs `say` after the current test if it failed (a timeout included), before the cleanups: to
 * print what a server still running held when the test gave up. Registered in a `beforeAll`,
 * after the file's last test if any test failed.
 */
export function onFailure(say: () => Promise<void>): void {
  (running > 0 ? testFailures : fileFailures).push(say);
}
