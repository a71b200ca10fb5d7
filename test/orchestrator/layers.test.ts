import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

// The layers of docs/development.md, checked on the import graph of the source: the fan engine
// reaches workers only through their interfaces and the registry; attribution is written once,
// over any transport; workers know nothing of the engine above them.

const orchestrator = join(root, 'orchestrator');

/** Every .ts file under `folder`, as paths relative to orchestrator/. */
function sources(folder: string): string[] {
  return readdirSync(join(orchestrator, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** The modules a source file imports, as paths relative to orchestrator/ (`fan/engine.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(orchestrator, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((specifier) =>
    relative(orchestrator, resolve(dirname(join(orchestrator, file)), specifier)).replace(
      /\.js$/,
      '.ts',
    ),
  );
}

/** `from → to` for each import of a file under `from` that `forbidden` says is out of bounds. */
function crossings(from: string, forbidden: (target: string) => boolean): string[] {
  return sources(from).flatMap((file) =>
    importsOf(file)
      .filter(forbidden)
      .map((target) => `${file} → ${target}`),
  );
}

/**
 * The folders under workers/ that hold a kind's transport: all but the attribution layer and
 * the frame codec, which kinds share (an SSH session and a queue message carry the same frames).
 */
const shared = ['attribution', 'frame'];
const kindFolders = readdirSync(join(orchestrator, 'workers'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !shared.includes(entry.name))
  .map((entry) => `workers/${entry.name}/`);

const inKindFolder = (target: string) => kindFolders.some((folder) => target.startsWith(folder));

describe('the layers of the orchestrator', () => {
  it('finds the imports it checks (the check itself works)', () => {
    expect(kindFolders).toEqual(expect.arrayContaining(['workers/process/', 'workers/thread/']));
    expect(importsOf('fan/engine.ts')).toContain('workers/types.ts');
    expect(
      crossings('workers/attribution', (target) => target === 'workers/transport.ts'),
    ).not.toEqual([]);
  });

  it('the fan engine imports no concrete transport, nor the attribution classes: only interfaces and the registry', () => {
    expect(
      crossings('fan', (target) => target.startsWith('workers/') && target.split('/').length > 2),
    ).toEqual([]);
  });

  it('workers import nothing from the fan engine, the pipeline, config or the command line', () => {
    const above = ['fan/', 'pipeline/', 'config/', 'cli/'];
    expect(
      crossings('workers', (target) => above.some((layer) => target.startsWith(layer))),
    ).toEqual([]);
  });

  it('config files and the command line resolve options in one place: config imports nothing from cli', () => {
    expect(crossings('config', (target) => target.startsWith('cli/'))).toEqual([]);
  });

  it('the options and the library sit below the command line: neither imports from cli', () => {
    expect(crossings('options', (target) => target.startsWith('cli/'))).toEqual([]);
    expect(crossings('api', (target) => target.startsWith('cli/'))).toEqual([]);
  });

  it('the attribution layer imports no concrete transport: it works over any', () => {
    expect(crossings('workers/attribution', inKindFolder)).toEqual([]);
  });

  it('a kind imports no other kind and no attribution: only the shared modules beside them', () => {
    // workers/*.ts: the transport interface, the command, and helpers any kind may use (which,
    // stderr-prefix), and the frame codec; never another kind's folder, nor attribution.
    for (const folder of kindFolders) {
      const own = (target: string) =>
        target.startsWith(folder) || target.startsWith('workers/frame/');
      expect(
        crossings(
          folder,
          (target) => target.startsWith('workers/') && !own(target) && target.split('/').length > 2,
        ),
      ).toEqual([]);
    }
  });

  it('the frame codec stands alone: it imports nothing else of the orchestrator', () => {
    expect(crossings('workers/frame', (target) => !target.startsWith('workers/frame/'))).toEqual(
      [],
    );
  });

  it('the thread kind reaches the SDK only through its message types, never the fan above it', () => {
    expect(crossings('workers/thread', (target) => target.startsWith('fan/'))).toEqual([]);
    expect(importsOf('workers/thread/transport.ts')).toContain('../filters/transfer.ts');
  });

  it('only the registry picks a kind: no other module imports a kind folder’s entry', () => {
    const entries = (target: string) => inKindFolder(target) && target.endsWith('/kind.ts');
    const importers = ['fan', 'workers', 'pipeline', 'cli', 'config', 'options', 'api'].flatMap(
      (folder) => crossings(folder, entries).map((line) => line.split(' → ')[0]!),
    );
    expect(importers.filter((file) => !inKindFolder(file))).toEqual([
      'workers/registry.ts',
      'workers/registry.ts',
    ]);
  });
});
