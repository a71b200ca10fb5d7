// The build after `tsc`: bundles the SDK entry into ES modules, each filter's executable into one
// CommonJS file, commander included, and `manifold` into one CommonJS file run through V8's code
// cache, the packages only a config or a queue needs in files of their own. Node 20 loads one
// file several tens of milliseconds faster than the twenty files tsc writes, and a filter's
// start-up is on every pipeline's critical path (docs/performance.md).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

// Every bundle takes the schema's validator the build compiled (above), not the module that
// compiles it with ajv as it loads (orchestrator/config/schema-validator-source.ts).
const compiledValidator = {
  name: 'compiled-validator',
  setup(build) {
    build.onResolve({ filter: /[\\/]schema-validator-source\.js$/ }, () => ({
      path: resolve('dist/orchestrator/config/schema-validator.js'),
    }));
  },
};

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
  plugins: [compiledValidator],
  logLevel: 'warning',
};

// `manifold` itself: one CommonJS file of its start and all it loads, run by the executable
// through V8's code cache (written at the end of this build). Node 20 keeps no compiled code of
// ES modules between runs, so every start compiled manifold's modules afresh (~70 ms of a fan's
// start, in CPU: docs/performance.md); a classic script takes the code V8 compiled before.
const MANIFOLD = 'dist/bundle/chunks/manifold.cjs';
// The build's mark, on the bundle's first line and at the head of its cache: a cache is taken
// only with the bundle it was made from (V8 checks the source's length, not its text).
const MARK = randomBytes(8).toString('hex');
// How the executable wraps the bundle, as Node wraps a CommonJS module: the cache is of this
// text, so the build's run and the executable must wrap it alike.
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_TAIL = '\n})';
// manifold and the filters' executables are each one CommonJS file: strict, as ES modules are
// (the directive first), with `import.meta.url` the file's own URL.
const STRICT_URL =
  '"use strict";\nvar __manifoldUrl = require("node:url").pathToFileURL(__filename).href;';
const commonJs = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['lmdb'],
  plugins: [compiledValidator],
  define: { 'import.meta.url': '__manifoldUrl' },
  // Without comments and spaces a file is a third smaller: every start reads all of it and
  // makes a string of it (its names are kept, for the stacks MANIFOLD_DEBUG prints).
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
// Packages that only some commands load, bundled in files of their own beside the bundle, each
// group's packages in one (NATS's three share nats-core): yaml and globbing load when a config
// is read, NATS when a queue is. Every other start reads and compiles a bundle a third smaller
// (`fan -j 2 -- cat < /dev/null` ~10% less CPU: docs/performance.md). The bundle requires
// `./vendor-<group>.cjs` and takes the package from it, as Node's require would have.
const VENDORS = {
  config: ['yaml', 'fast-glob'],
  queue: ['@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/obj'],
};
const groupOf = new Map(
  Object.entries(VENDORS).flatMap(([group, names]) => names.map((name) => [name, group])),
);
const vendors = {
  name: 'vendors',
  setup(build) {
    build.onResolve({ filter: /^[@a-z]/ }, ({ path }) =>
      groupOf.has(path) ? { path, namespace: 'vendor' } : undefined,
    );
    build.onResolve({ filter: /^\.\/vendor-[a-z]+\.cjs$/ }, ({ path }) => ({
      path,
      external: true,
    }));
    build.onLoad({ filter: /.*/, namespace: 'vendor' }, ({ path }) => ({
      contents: `module.exports = require('./vendor-${groupOf.get(path)}.cjs')[${JSON.stringify(path)}];`,
      loader: 'js',
    }));
  },
};
for (const [group, names] of Object.entries(VENDORS)) {
  const entries = names.map((name) => `${JSON.stringify(name)}: require(${JSON.stringify(name)})`);
  await build({
    // The packages' own code, as Node would run it: not made strict, no import.meta.url to set.
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    stdin: { contents: `module.exports = {${entries.join(', ')}};`, resolveDir: '.', loader: 'js' },
    outfile: `dist/bundle/chunks/vendor-${group}.cjs`,
  });
}
await build({
  ...commonJs,
  plugins: [...commonJs.plugins, vendors],
  entryPoints: ['dist/orchestrator/cli/manifold.js'],
  outfile: MANIFOLD,
  banner: { js: `// manifold build ${MARK}\n${STRICT_URL}` },
});
// The executable: reads the bundle and its cache under its catch, so that out of descriptors (a
// very low `ulimit -n`) it says one line and exits 2, not Node's stack trace.
{
  const { TOO_FEW_FILES } = await import('./dist/orchestrator/cli/start-limit.js');
  mkdirSync('dist/bundle/bin', { recursive: true });
  writeFileSync(
    'dist/bundle/bin/manifold.js',
    `#!/bin/sh
":" //; while read -r k v; do case $k in SigIgn:) case $v in *[13579bdf]) export MANIFOLD_SIGHUP=ignored;; esac; break;; esac; done 2>/dev/null < /proc/$$/status; exec node "$0" "$@"
// Both a shell script and JavaScript: /bin/sh runs the line above, Node reads a string and a
// comment. Node resets at its start a signal its parent ignored (nohup's SIGHUP, \`trap '' HUP\`):
// the shell, which keeps it, says so (MANIFOLD_SIGHUP, orchestrator/cli/signals.ts), then runs
// this file with node as \`#!/usr/bin/env node\` would.
// Written by build.mjs: manifold's executable. It runs chunks/manifold.cjs (orchestrator/cli/
// manifold.ts and all it loads, bundled) with the code V8 compiled for it as the build ran it
// (manifold.cjs.cache), when that cache is this bundle's and this Node's: docs/development.md.
"use strict";
const { readFileSync, stat } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, '../chunks/manifold.cjs');
// libuv's pool of threads is made now, while the process is small: made later, as a fan's first
// read of a file asks for it, its threads and their malloc arenas came while V8's own threads
// made theirs, and under a tight \`ulimit -v\` a thread could not be made, which aborts Node
// (a fan needed 278 MB of address space over \`node -e 0\`; 22 MB with this). An ES module
// executable made it as the loader read its files: docs/performance.md.
stat(file, () => {});
let source;
let cache;
try {
  source = readFileSync(file, 'utf8');
  cache = readFileSync(\`\${file}.cache\`);
} catch (error) {
  if (error?.code === 'EMFILE') {
    process.stderr.write(${JSON.stringify(`manifold: ${TOO_FEW_FILES}\n`)});
    process.exit(2);
  }
  if (source === undefined) throw error;
}
const mark = source.slice(${'// manifold build '.length}, ${'// manifold build '.length + 16});
const ours = cache?.toString('latin1', 0, 16) === mark;
const cachedData = ours ? cache.subarray(16) : undefined;
// What the bundle's dependencies import() (node:crypto, in a package of NATS's) is imported here.
const script = new Script(${JSON.stringify(WRAP_HEAD)} + source + ${JSON.stringify(WRAP_TAIL)}, {
  filename: file,
  cachedData,
  importModuleDynamically: (specifier) => import(specifier),
});
if (process.env.MANIFOLD_DEBUG) {
  const said =
    cache === undefined ? 'absent' :
    !ours ? "another build's" :
    script.cachedDataRejected ? 'refused by V8 (another Node, or other V8 flags)' : 'taken';
  process.stderr.write(\`manifold: debug: code cache \${said}\\n\`);
}
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
`,
  );
}
await build({
  ...shared,
  // The package entry: the SDK, and the library API whose machinery loads on its first call.
  entryPoints: [{ in: 'dist/orchestrator/index.js', out: 'index' }],
});
// The filters' executables: each one CommonJS file, SDK and commander included. Node 20 starts
// a CommonJS main script sooner than an ES module (it loads no ES module loader, links no
// chunks): `mf-map` on empty input 122 against 147 ms of CPU (docs/performance.md).
// bin/package.json makes the folder's .js files CommonJS, so their names stay what they were;
// a thread requires one (workers/thread/module.ts).
await build({
  ...commonJs,
  outdir: 'dist/bundle',
  entryPoints: bins.map((file) => ({
    in: file,
    out: `bin/${file.split('/').pop().replace(/\.js$/, '')}`,
  })),
  banner: { js: STRICT_URL },
});
writeFileSync('dist/bundle/bin/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);

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

// manifold's code cache: V8's compiled code of the bundle after a small fan has run in it, so
// that a start finds compiled what a fan of processes runs (a command that runs other code
// compiles that as it goes). Made by this Node; another Node, or other V8 flags, rejects it and
// compiles the bundle as if there were none.
{
  const warm = `
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, resolve } = require('node:path');
const { Script } = require('node:vm');
const file = resolve(${JSON.stringify(MANIFOLD)});
const script = new Script(${JSON.stringify(WRAP_HEAD)} + readFileSync(file, 'utf8') + ${JSON.stringify(WRAP_TAIL)}, {
  filename: file,
  importModuleDynamically: (specifier) => import(specifier),
});
process.on('exit', () => {
  // Whole or not at all: a start never reads a cache half written.
  const data = Buffer.concat([Buffer.from(${JSON.stringify(MARK)}, 'latin1'), script.createCachedData()]);
  writeFileSync(file + '.cache.part', data);
  renameSync(file + '.cache.part', file + '.cache');
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
`;
  execFileSync(
    process.execPath,
    ['-e', warm, resolve('dist/bundle/bin/manifold.js'), 'fan', '-j', '2', '--', 'cat'],
    { input: 'a\nb\n', stdio: ['pipe', 'ignore', 'inherit'] },
  );
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
