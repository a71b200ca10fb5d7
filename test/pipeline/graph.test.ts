import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, root, run } from '../helpers.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold graph <config>`: the graph in Mermaid (the default) or Graphviz dot. The output is
// read back into nodes, edges and clusters, so that the tests speak of what is drawn rather than
// of how the text is laid out.

const tempDir = () => makeTempDir('manifold-pipe-graph-');

/** A config in a fresh folder that also holds the data.txt configs may read. */
function writeGraphConfig(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'data.txt'), 'x\n');
  return writeConfig(dir, text);
}

const graph = (config: string, args: string[] = []) =>
  run(manifold, ['graph', config, ...args], '', { cwd: tempDir(), timeout: 20_000 });

/** What a graph draws; shapes named as in dot. */
interface Drawn {
  nodes: { label: string; shape: string }[];
  edges: { from: string; label: string; to: string }[];
  clusters: { label: string; nodes: string[] }[];
}

/**
 * Mermaid label text as shown: the text between the quotes as it is (Mermaid has no backslash
 * escapes), `<br/>` a line break, `#quot;` and `#34;` entities.
 */
const mermaidText = (quoted: string) =>
  quoted
    .slice(1, -1)
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/#quot;/g, '"')
    .replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

const MERMAID_SHAPES: Record<string, string> = {
  '([': 'oval',
  '[[': 'box3d',
  '{{': 'hexagon',
  '[': 'box',
};

function parseMermaid(text: string): Drawn {
  const lines = text.split('\n');
  expect(lines[0]).toMatch(/^(flowchart|graph) LR$/);
  const labels = new Map<string, string>();
  const drawn: Drawn = { nodes: [], edges: [], clusters: [] };
  let cluster: Drawn['clusters'][number] | null = null;
  const pending: [string, string, string][] = [];
  for (const line of lines.slice(1)) {
    const node = /^\s*(\w+)(\(\[|\[\[|\{\{|\[)(".*")(\]\)|\]\]|\}\}|\])$/.exec(line);
    const edge = /^\s*(\w+) -->\|([^|]*)\| (\w+)$/.exec(line);
    const subgraph = /^\s*subgraph \w+\[(".*")\]$/.exec(line);
    if (node) {
      const label = mermaidText(node[3]!);
      labels.set(node[1]!, label);
      drawn.nodes.push({ label, shape: MERMAID_SHAPES[node[2]!]! });
      cluster?.nodes.push(label);
    } else if (edge) {
      pending.push([edge[1]!, edge[2]!, edge[3]!]);
    } else if (subgraph) {
      cluster = { label: mermaidText(subgraph[1]!), nodes: [] };
      drawn.clusters.push(cluster);
    } else if (/^\s*end$/.test(line)) {
      cluster = null;
    } else if (line.trim() !== '') {
      throw new Error(`a Mermaid line not understood: ${line}`);
    }
  }
  drawn.edges = pending.map(([from, label, to]) => ({
    from: labels.get(from)!,
    label,
    to: labels.get(to)!,
  }));
  return drawn;
}

function parseDot(text: string): Drawn {
  const lines = text.split('\n');
  expect(lines[0]).toBe('digraph manifold {');
  expect(text.endsWith('}\n')).toBe(true);
  const labels = new Map<string, string>();
  const drawn: Drawn = { nodes: [], edges: [], clusters: [] };
  let cluster: Drawn['clusters'][number] | null = null;
  const pending: [string, string, string][] = [];
  for (const line of lines.slice(1)) {
    const node = /^\s*(\w+) \[label=(".*"), shape=(\w+)\];$/.exec(line);
    const edge = /^\s*(\w+) -> (\w+) \[label=(".*")\];$/.exec(line);
    const clusterLabel = /^\s*label=(".*");$/.exec(line);
    if (node) {
      const label = JSON.parse(node[2]!) as string;
      labels.set(node[1]!, label);
      drawn.nodes.push({ label, shape: node[3]! });
      cluster?.nodes.push(label);
    } else if (edge) {
      pending.push([edge[1]!, JSON.parse(edge[3]!) as string, edge[2]!]);
    } else if (/^\s*subgraph cluster_\w+ \{$/.test(line)) {
      cluster = { label: '', nodes: [] };
      drawn.clusters.push(cluster);
    } else if (clusterLabel && cluster) {
      cluster.label = JSON.parse(clusterLabel[1]!) as string;
    } else if (/^\s*\}$/.test(line)) {
      cluster = null;
    } else if (!/^\s*rankdir=LR;$/.test(line) && line.trim() !== '') {
      throw new Error(`a dot line not understood: ${line}`);
    }
  }
  drawn.edges = pending.map(([from, label, to]) => ({
    from: labels.get(from)!,
    label,
    to: labels.get(to)!,
  }));
  return drawn;
}

/** Each expected edge is drawn exactly once, and there are no others. */
function expectEdges(drawn: Drawn, expected: [from: RegExp, label: string, to: RegExp][]): void {
  const flat = (label: string) => label.replace(/\n/g, ' / ');
  const listing = drawn.edges.map((e) => `${flat(e.from)} -${e.label}-> ${flat(e.to)}`).join('\n');
  for (const [from, label, to] of expected) {
    const found = drawn.edges.filter(
      (e) => from.test(e.from) && e.label === label && to.test(e.to),
    );
    expect(found.length, `${from} -${label}-> ${to} once, in:\n${listing}`).toBe(1);
  }
  expect(drawn.edges.length, listing).toBe(expected.length);
}

const fullConfig = [
  'input: data.txt',
  'output: out.txt',
  'stages:',
  '  - name: clean',
  "    run: [grep, -v, '^#']",
  '  - name: spread',
  '    fan:',
  '      workers: 3',
  '      dispatch: hash',
  '      key: field:1',
  '      merge: sorted',
  '      worker: sort',
  '  - name: both',
  '    branches:',
  '      left:',
  '        - run: cut -f1',
  '      right:',
  '        - name: second',
  '          run: cut -f2',
  '        - run: [tr, a-z, A-Z]',
  '    join: paste {left} {right}',
  '',
].join('\n');

/** The graph of fullConfig, whichever the format. */
function expectFullGraph(drawn: Drawn): void {
  const shapeOf = (pattern: RegExp) => drawn.nodes.filter((n) => pattern.test(n.label));
  expect(shapeOf(/^data\.txt$/)).toEqual([{ label: 'data.txt', shape: 'oval' }]);
  expect(shapeOf(/^out\.txt$/)).toEqual([{ label: 'out.txt', shape: 'oval' }]);
  expect(shapeOf(/^clean:/)).toEqual([{ label: "clean: grep -v '^#'", shape: 'box' }]);
  // The fan: its width, dispatch and merge, and its worker.
  expect(shapeOf(/^spread:/)).toEqual([
    {
      label: expect.stringMatching(/^spread: .*\b3\b.*hash.*sorted[\s\S]*\bsort$/),
      shape: 'box3d',
    },
  ]);
  expect(shapeOf(/paste/)).toEqual([
    { label: expect.stringMatching(/^both: .*paste \{left\} \{right\}$/), shape: 'hexagon' },
  ]);
  expect(drawn.clusters).toEqual([
    { label: 'branch left', nodes: [expect.stringMatching(/: cut -f1$/)] },
    {
      label: 'branch right',
      nodes: ['second: cut -f2', expect.stringMatching(/: tr a-z A-Z$/)],
    },
  ]);
  const copy = /^both: copy$/;
  const join = /^both: .*paste/;
  expectEdges(drawn, [
    [/^data\.txt$/, 'lines', /^clean:/],
    [/^clean:/, 'lines', /^spread:/],
    [/^spread:/, 'lines', copy],
    [copy, 'lines', /cut -f1$/],
    [copy, 'lines', /^second:/],
    [/^second:/, 'lines', /tr a-z A-Z$/],
    [/cut -f1$/, '{left}', join],
    [/tr a-z A-Z$/, '{right}', join],
    [join, 'lines', /^out\.txt$/],
  ]);
}

describe('manifold graph', () => {
  it('draws Mermaid by default, the same as --format mermaid', async () => {
    const config = writeGraphConfig(fullConfig);
    const plain = await graph(config);
    const mermaid = await graph(config, ['--format', 'mermaid']);
    expect({ exitCode: plain.exitCode, stderr: plain.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(plain.stdout.toString()).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout.toString()).toBe(plain.stdout.toString());
  });

  it('Mermaid: stages, a fan with width, dispatch and merge, branches and a join, framings on edges', async () => {
    const result = await graph(writeGraphConfig(fullConfig));
    expectFullGraph(parseMermaid(result.stdout.toString()));
  });

  it('dot: the same graph, as a digraph with clusters', async () => {
    const config = writeGraphConfig(fullConfig);
    const dot = await graph(config, ['--format', 'dot']);
    expect({ exitCode: dot.exitCode, stderr: dot.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const text = dot.stdout.toString();
    expect(text).toMatch(/^\s*subgraph cluster_\w+ \{\n\s*label="branch left";$/m);
    const drawn = parseDot(text);
    expectFullGraph(drawn);
    expect(drawn).toEqual(parseMermaid((await graph(config)).stdout.toString()));
  });

  it.each(['mermaid', 'dot'])(
    'the set-difference example (%s): both branches and the comm join',
    async (format) => {
      const config = join(root, 'examples', 'set-difference', 'pipeline.yaml');
      const result = await graph(config, ['--format', format, '--set', 'INPUT=/dev/null']);
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 0,
        stderr: '',
      });
      const text = result.stdout.toString();
      for (const word of ['logins', 'buyers', 'comm -23 {logins} {buyers}'])
        expect(text).toContain(word);
      const drawn = format === 'dot' ? parseDot(text) : parseMermaid(text);
      expect(drawn.clusters.map((c) => c.label)).toEqual(['branch logins', 'branch buyers']);
      const comm = /^sets: .*comm -23 \{logins\} \{buyers\}$/;
      expect(drawn.edges.filter((e) => comm.test(e.to)).map((e) => e.label)).toEqual([
        '{logins}',
        '{buyers}',
      ]);
    },
  );

  it('draws a config whose input files, glob and output folder are not there yet', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      'input: [absent.txt, "logs/*.gz"]\noutput: no/such/out.txt\nstages:\n  - run: cat\n',
    );
    const result = await graph(config);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expectEdges(parseMermaid(result.stdout.toString()), [
      [/^absent\.txt, \*\.gz$/, 'lines', /: cat$/],
      [/: cat$/, 'lines', /^out\.txt$/],
    ]);
    // What runs still needs them: check says so.
    const checked = await run(manifold, ['check', config], '', { cwd: dir, timeout: 20_000 });
    expect(checked.exitCode).toBe(2);
    expect(checked.stderr).toMatch(/absent\.txt" does not exist[\s\S]*no file matches/);
  });

  it('draws a use: as the stages of the named pipeline', async () => {
    const config = writeGraphConfig(
      'pipelines:\n  tidy:\n    - run: sort\n    - run: uniq -c\nstages:\n  - run: cat\n  - use: tidy\n',
    );
    const drawn = parseMermaid((await graph(config)).stdout.toString());
    expectEdges(drawn, [
      [/^stdin$/, 'lines', /: cat$/],
      [/: cat$/, 'lines', /: sort$/],
      [/: sort$/, 'lines', /: uniq -c$/],
      [/: uniq -c$/, 'lines', /^stdout$/],
    ]);
  });
});

describe('framings on the edges', () => {
  it('the binary-frames example: frames into the fan, lines out of it', async () => {
    const config = join(root, 'examples', 'binary-frames', 'pipeline.yaml');
    const drawn = parseMermaid(
      (await graph(config, ['--set', 'INPUT=/dev/null'])).stdout.toString(),
    );
    expectEdges(drawn, [
      [/^null$/, 'frames', /^stats:/],
      [/^stats:/, 'lines', /^stdout$/],
    ]);
  });

  it("a fan's output framing (join) is on the edge to the next stage", async () => {
    const config = writeGraphConfig(
      [
        'stages:',
        '  - name: decode',
        '    fan:',
        '      split: frames',
        '      join: lines',
        '      worker: cat',
        '  - name: order',
        '    run: sort',
        '',
      ].join('\n'),
    );
    const drawn = parseMermaid((await graph(config)).stdout.toString());
    expectEdges(drawn, [
      [/^stdin$/, 'frames', /^decode:/],
      [/^decode:/, 'lines', /^order:/],
      [/^order:/, 'lines', /^stdout$/],
    ]);
  });

  // A fan with split "delim:--" feeding one that reads fixed:4 was drawn "fixed:4" alone, hiding
  // the mismatch (QA); a command between them may write any framing: the reader's alone.
  it('a fan or merge that reads otherwise what a fan wrote is drawn with both framings', async () => {
    const config = writeGraphConfig(
      [
        'stages:',
        '  - { name: a, fan: { split: "delim:--", worker: cat } }',
        '  - { name: b, fan: { split: "fixed:4", worker: cat } }',
        '  - { name: c, run: cat }',
        '  - { name: d, fan: { split: nul, worker: cat } }',
        '  - name: e',
        '    branches: { x: [{ run: cat }], y: [{ fan: { split: lines, worker: cat } }] }',
        '    combine: merge',
        '    split: nul',
        '',
      ].join('\n'),
    );
    const drawn = parseMermaid((await graph(config)).stdout.toString());
    expectEdges(drawn, [
      [/^stdin$/, 'delim:--', /^a:/],
      [/^a:/, 'delim:-- read as fixed:4', /^b:/],
      [/^b:/, 'fixed:4', /^c:/],
      [/^c:/, 'nul', /^d:/],
      [/^d:/, 'nul', /^e: copy$/],
      [/^e: copy$/, 'nul', /\.branches\.x\[0\]:/],
      [/^e: copy$/, 'nul read as lines', /\.branches\.y\[0\]:/],
      [/\.branches\.x\[0\]:/, 'nul', /^e: merge$/],
      [/\.branches\.y\[0\]:/, 'lines read as nul', /^e: merge$/],
      [/^e: merge$/, 'nul', /^stdout$/],
    ]);
  });

  it("the last fan's framing is on the edge to the output", async () => {
    const config = writeGraphConfig(
      'stages:\n  - name: etl\n    fan:\n      split: ndjson\n      worker: cat\n',
    );
    const drawn = parseMermaid((await graph(config)).stdout.toString());
    expectEdges(drawn, [
      [/^stdin$/, 'ndjson', /^etl:/],
      [/^etl:/, 'ndjson', /^stdout$/],
    ]);
  });

  it("merged branches' framing (split) is on the edges into the merge", async () => {
    const config = writeGraphConfig(
      [
        'stages:',
        '  - name: both',
        '    branches:',
        '      a:',
        '        - run: cat',
        '      b:',
        '        - run: cat',
        '    combine: merge',
        '    split: nul',
        '',
      ].join('\n'),
    );
    const drawn = parseMermaid((await graph(config)).stdout.toString());
    const into = drawn.edges.filter((e) => /^both: merge/.test(e.to));
    expect(into.map((e) => e.label)).toEqual(['nul', 'nul']);
  });
});

describe('Mermaid labels show each command as written', () => {
  it('double quotes in a command', async () => {
    const command = `awk '$2 == "login" { print $1 }'`;
    const config = writeGraphConfig(`stages:\n  - name: pick\n    run: ${command}\n`);
    const drawn = parseMermaid((await graph(config)).stdout.toString());
    expect(drawn.nodes.map((n) => n.label)).toContain(`pick: ${command}`);
  });

  it('an array command with blanks in a word, quoted as a shell reads it back', async () => {
    // Joined with blanks, `[sed, "s/ a b/x/"]` was drawn `sed s/ a b/x/`: three words.
    const config = writeGraphConfig(
      'stages:\n  - name: edit\n    run: [sed, "s/ a b/x/"]\n  - name: up\n    fan:\n      worker: [grep, -v, "x y"]\n',
    );
    const labels = parseMermaid((await graph(config)).stdout.toString()).nodes.map((n) => n.label);
    expect(labels).toContain("edit: sed 's/ a b/x/'");
    expect(labels.some((label) => label.endsWith("\ngrep -v 'x y'"))).toBe(true);
  });

  it('HTML and entities in a command, drawn as written', async () => {
    // Mermaid reads its strings as HTML: `<b>` was drawn bold, a `#quot;` as a quote.
    const command = `grep "<b>x</b>" | sed "s/#quot;/a&b/"`;
    const config = writeGraphConfig(`stages:\n  - name: pick\n    run: '${command}'\n`);
    const text = (await graph(config)).stdout.toString();
    expect(text).not.toMatch(/<b>|#quot;\/a/);
    expect(parseMermaid(text).nodes.map((n) => n.label)).toContain(`pick: ${command}`);
  });

  it('a backslash and n in a command (the word-frequency example)', async () => {
    const config = join(root, 'examples', 'word-frequency', 'pipeline.yaml');
    const result = await graph(config, ['--set', 'INPUT=/dev/null']);
    const drawn = parseMermaid(result.stdout.toString());
    expect(drawn.nodes.map((n) => n.label)).toContain(
      `words: tr -cs 'A-Za-z' '\\n' | tr 'A-Z' 'a-z' | grep -v '^$'`,
    );
  });
});

describe('thread workers', () => {
  it('a fan of threads says threads, and draws the module without a Node of its own (it drew /usr/bin/node ...)', async () => {
    const dir = tempDir();
    const sdk = join(root, 'dist', 'filters', 'index.js');
    writeFileSync(
      join(dir, 'f.mjs'),
      `import { defineFilter } from '${sdk}';\ndefineFilter({ name: 'f', transform: (r) => r }).main();\n`,
    );
    const config = writeConfig(
      dir,
      "stages:\n  - name: up\n    fan:\n      worker: {run: [mf-map, 'r.toUpperCase()'], threads: true}\n  - name: lo\n    fan:\n      worker: {run: [mf-map, 'r.toLowerCase()']}\n  - name: f\n    fan: {worker: {filter: ./f.mjs, args: [x], threads: true}}\n",
    );
    const result = await graph(config);
    expect(result.stderr.toString()).toBe('');
    const labels = parseMermaid(result.stdout.toString()).nodes.map((n) => n.label);
    expect(labels).toContain(
      "up: fan ×2 threads ready→ready\nmf-map 'r.toUpperCase()' --protocol manifold --split lines",
    );
    expect(labels).toContain("lo: fan ×2 ready→ready\nmf-map 'r.toLowerCase()'");
    expect(labels).toContain(
      `f: fan ×2 threads ready→ready\n${join(dir, 'f.mjs')} x --protocol manifold --split lines`,
    );
  });
});

describe('errors', () => {
  it('a bad --format is a usage error: exit 2, nothing drawn', async () => {
    const result = await graph(writeGraphConfig(fullConfig), ['--format', 'svg']);
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 2,
      stdout: '',
    });
    expect(result.stderr).toMatch(/^manifold: .*svg.*mermaid, dot.*\n$/);
  });

  it('a config with problems: exit 2 with the problems, nothing drawn', async () => {
    const config = writeGraphConfig('stages:\n  - fan:\n      wrkers: 2\n      worker: cat\n');
    const result = await graph(config);
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 2,
      stdout: '',
    });
    expect(result.stderr).toContain(`${config}:3:7: unknown key "wrkers"`);
  });
});
