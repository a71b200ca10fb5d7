// The build after `tsc`: bundles each executable and the SDK entry into one ESM file, commander
// included. Node 20 loads one module several tens of milliseconds faster than the twenty files
// tsc writes, and a filter's start-up is on every pipeline's critical path (docs/performance.md).
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const bins = readdirSync('dist/filters/bin')
  .filter((name) => name.endsWith('.js'))
  .map((name) => `dist/filters/bin/${name}`);

await build({
  entryPoints: [
    { in: 'dist/filters/index.js', out: 'index' },
    ...bins.map((file) => ({ in: file, out: `bin/${file.split('/').pop().replace(/\.js$/, '')}` })),
    { in: 'dist/orchestrator/cli/main.js', out: 'bin/manifold' },
  ],
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // commander is CommonJS: its require() calls need a real require in an ES module.
  banner: {
    js: "import { createRequire as __manifoldRequire } from 'node:module'; const require = __manifoldRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
