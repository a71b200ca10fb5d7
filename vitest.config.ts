import { defineConfig } from 'vitest/config';

// Every Node process reads and parses the CA bundle NODE_EXTRA_CA_CERTS names as it starts (~40 ms
// of CPU each on the CI machine, which sets it), and the tests start thousands: about a seventh
// of the suite's CPU. No test makes a TLS connection but the package test's `npm install`, which
// is given it back (MANIFOLD_TEST_EXTRA_CA_CERTS). The test processes inherit this environment.
const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
if (extraCaCerts !== undefined) {
  process.env.MANIFOLD_TEST_EXTRA_CA_CERTS = extraCaCerts;
  delete process.env.NODE_EXTRA_CA_CERTS;
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // A timeout catches a hang; with four files at once on two cores a heavy case takes up to
    // ~2x its time with two.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Four files at once on the 2-core CI machine, not vitest's cores - 1: most tests wait on
    // child processes, servers, timeouts and pipes. With two files at once a fifth of the CPU
    // was idle; on an AMD EPYC host (2026-12-07) three ran the suite in 25 min on 1.4 cores, four
    // in 21.5 min on 1.64, the same CPU (docs/development.md).
    maxWorkers: 4,
    // Each test file's process imports execa (~200 modules: ~120 ms of CPU as files, in every
    // one of ~220 files); bundled once into one file by vite's optimizer, ~0.1 s less each.
    server: { deps: { inline: ['execa'] } },
    deps: { optimizer: { ssr: { enabled: true, include: ['execa'] } } },
  },
});
