import { installCleanupHooks } from './support/cleanup.js';
import { installTempHooks } from './support/temp.js';

// Run before every test file, in the process that runs it (vitest's setupFiles).

// A Node warning (a deprecation, a listener leak) fails the test that caused it. Once per
// process: files that share one (vitest's isolate: false) would each add a listener.
const WARNINGS_THROW = Symbol.for('manifold.test.warningsThrow');
if (!(WARNINGS_THROW in globalThis)) {
  Object.defineProperty(globalThis, WARNINGS_THROW, { value: true });
  process.on('warning', (warning) => {
    throw warning;
  });
}

// The cleanups of test/support: each file's own hooks.
installCleanupHooks();
installTempHooks();
