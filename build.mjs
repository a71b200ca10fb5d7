// The build after `tsc`: bundles each executable and the SDK entry into one ESM file, commander
// included. Node 20 loads one module several tens of milliseconds faster than the twenty files
// tsc writes, and a filter's start-up is on every pipeline's critical path (docs/performance.md).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { relative, resolve } from 'node:path';
import { build } from 'esbuild';

const bins = readdirSync('dist/filters/bin')
  .filter((name) => name.endsWith('.js'))
  .map((name) => `dist/filters/bin/${name}`);

// The config schema's validator, compiled ahead of time (ajv's standalone code): `manifold run`
// and `check` then start without loading ajv or compiling the schema (~50 ms).
{
  const { Ajv } = await import('ajv');
  const standalone = (await import('ajv/dist/standalone/index.js')).default;
  const { SCHEMA_OPTIONS } = await import('./dist/orchestrator/config/schema-options.js');
  const schema = JSON.parse(readFileSync('orchestrator/config/schema.json', 'utf8'));
  const ajv = new Ajv({ ...SCHEMA_OPTIONS, code: { source: true, esm: true } });
  writeFileSync(
    'dist/orchestrator/config/schema-validator.js',
    standalone(ajv, ajv.compile(schema)),
  );
}

// Chunks are named by their hash: start clean, so no chunk of an earlier build lingers.
rmSync('dist/bundle', { recursive: true, force: true });

const shared = {
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // The config machinery is imported on demand: a chunk of its own, loaded by run, check, graph.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'node20',
  // lmdb is native code (prebuilt binaries in its npm packages): loaded from node_modules as it
  // is, and only when a table is opened (filters/tables/lmdb.ts).
  external: ['lmdb'],
  // commander is CommonJS: its require() calls need a real require in an ES module.
  banner: {
    js: "import { createRequire as __manifoldRequire } from 'node:module'; const require = __manifoldRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

// `manifold` apart from the filters and the package entry: built with them, every module it
// shares with some of them became a chunk of its own, and Node's loader opens all of a start's
// chunks at once (under `ulimit -n 40` they stopped fitting beside Node's own descriptors).
await build({
  ...shared,
  entryPoints: [{ in: 'dist/orchestrator/cli/manifold.js', out: 'chunks/manifold-start' }],
});
// The executable itself imports nothing but its start, so that every file of manifold is opened
// under its catch: out of descriptors (a very low `ulimit -n`), one line and exit 2, not Node's
// stack trace. Nothing statically imported, since esbuild's entries import its runtime chunk.
{
  const { TOO_FEW_FILES } = await import('./dist/orchestrator/cli/start-limit.js');
  mkdirSync('dist/bundle/bin', { recursive: true });
  writeFileSync(
    'dist/bundle/bin/manifold.js',
    `#!/usr/bin/env node
// Written by build.mjs: manifold's executable (orchestrator/cli/manifold.ts is its start).
try {
  await import('../chunks/manifold-start.js');
} catch (error) {
  if (error?.code !== 'EMFILE') throw error;
  process.stderr.write(${JSON.stringify(`manifold: ${TOO_FEW_FILES}\n`)});
  process.exit(2);
}
`,
  );
}
await build({
  ...shared,
  entryPoints: [
    // The package entry: the SDK, and the library API whose machinery loads on its first call.
    { in: 'dist/orchestrator/index.js', out: 'index' },
    ...bins.map((file) => ({ in: file, out: `bin/${file.split('/').pop().replace(/\.js$/, '')}` })),
  ],
});

// The Python process starter compiled ahead, beside the chunks (workers/process/spawner-launch.ts
// finds it there): its bytecode is checked against the source by hash, not by the file's time,
// which npm's package does not keep. Without Debian's python3 here, Python writes it on first use.
{
  const { SPAWNER_PYTHON } = await import('./dist/orchestrator/workers/process/spawner-python.js');
  const file = 'dist/bundle/starter/manifold_starter.py';
  mkdirSync('dist/bundle/starter', { recursive: true });
  writeFileSync(file, SPAWNER_PYTHON);
  if (existsSync('/usr/bin/python3')) {
    const compile =
      'import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True, ' +
      'invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)';
    execFileSync('/usr/bin/python3', ['-I', '-S', '-c', compile, file], { stdio: 'inherit' });
  }
}

// In a clone, link our own binaries into node_modules/.bin, as installing the package would:
// `npx manifold` then runs this build, and never looks the name up in the registry.

if (existsSync('node_modules')) {
  const { bin } = JSON.parse(readFileSync('package.json', 'utf8'));
  mkdirSync('node_modules/.bin', { recursive: true });
  for (const [name, target] of Object.entries(bin)) {
    const link = `node_modules/.bin/${name}`;
    rmSync(link, { force: true });
    symlinkSync(relative('node_modules/.bin', resolve(target)), link);
  }
}
