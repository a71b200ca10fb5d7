import type { CommandSpec } from '../workers/command.js';
import { isNode } from '../workers/thread/module.js';
import { shellQuote } from './commands.js';
import type { Pipeline, Stage } from './model.js';

interface Node {
  id: string;
  label: string;
  shape: 'box' | 'fan' | 'io' | 'branch';
}

interface Edge {
  from: string;
  to: string;
  label: string;
}

interface Cluster {
  id: string;
  label: string;
  nodes: string[];
}

/** The graph of a pipeline: nodes, edges labelled with their framing, branches as clusters. */
function build(pipeline: Pipeline): { nodes: Node[]; edges: Edge[]; clusters: Cluster[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const clusters: Cluster[] = [];
  let counter = 0;
  const add = (label: string, shape: Node['shape']) => {
    const id = `n${counter++}`;
    nodes.push({ id, label, shape });
    return id;
  };
  const inputLabel =
    pipeline.inputs === null ? 'stdin' : pipeline.inputs.map((f) => f.split('/').pop()).join(', ');
  const input = add(inputLabel, 'io');

  /**
   * Adds `stages` after `from`, whose output is in `framing` (`written`: as a fan or a merge
   * wrote it, not taken to be so); returns the last node, the framing of its output, and
   * whether it was written so. Each edge is labelled with the framing of the bytes on it: where
   * a fan or a merge reads otherwise what one wrote, with both (`delim:-- read as fixed:4`).
   */
  const chain = (
    stages: Stage[],
    from: string,
    framing: string,
    cluster?: Cluster,
    written = false,
  ): [string, string, boolean] => {
    let previous = from;
    let current = framing;
    let known = written;
    const readAs = (read: string) =>
      known && read !== current ? `${current} read as ${read}` : read;
    for (const stage of stages) {
      if (stage.kind === 'command') {
        const node = add(`${stage.name}: ${drawn(stage.command)}`, 'box');
        cluster?.nodes.push(node);
        edges.push({ from: previous, to: node, label: current });
        previous = node;
        known = false;
      } else if (stage.kind === 'fan') {
        const o = stage.options;
        // Threads run the module in manifold's process: no Node of their own to draw.
        const threads = o.kind === 'thread';
        const argv =
          threads && isNode(o.command.argv[0]!) ? o.command.argv.slice(1) : o.command.argv;
        const node = add(
          `${stage.name}: fan ×${o.workers}${threads ? ' threads' : ''} ${o.dispatch}→${o.merge}\n${drawn({ ...o.command, argv })}`,
          'fan',
        );
        cluster?.nodes.push(node);
        edges.push({ from: previous, to: node, label: readAs(o.framing.name) });
        previous = node;
        current = o.outputFraming.name;
        known = true;
      } else {
        const head = add(`${stage.name}: copy`, 'branch');
        cluster?.nodes.push(head);
        edges.push({ from: previous, to: head, label: current });
        const ends = stage.branches.map((branch) => {
          const inner: Cluster = {
            id: `c${clusters.length}`,
            label: `branch ${branch.name}`,
            nodes: [],
          };
          clusters.push(inner);
          return chain(branch.stages, head, current, inner, known);
        });
        const combiner =
          stage.combine === 'join'
            ? `${stage.name}: join ${drawn(stage.join!)}`
            : `${stage.name}: ${stage.combine}`;
        const tail = add(combiner, 'branch');
        cluster?.nodes.push(tail);
        ends.forEach(([end, endFraming, endKnown], i) => {
          const label =
            stage.combine === 'join'
              ? `{${stage.branches[i]!.name}}`
              : stage.combine === 'merge'
                ? endKnown && endFraming !== stage.split
                  ? `${endFraming} read as ${stage.split}`
                  : stage.split
                : endFraming;
          edges.push({ from: end, to: tail, label });
        });
        current =
          stage.combine === 'merge'
            ? stage.split
            : stage.combine === 'join'
              ? 'lines'
              : (ends[0]?.[1] ?? current);
        // A merge writes its split; a concat, what its branches wrote; a join, its command's.
        known =
          stage.combine === 'merge' || (stage.combine === 'concat' && ends.every((e) => e[2]));
        previous = tail;
      }
    }
    return [previous, current, known];
  };
  const [last, framing] = chain(pipeline.stages, input, 'lines');
  const output = add(pipeline.output === null ? 'stdout' : pipeline.output.split('/').pop()!, 'io');
  edges.push({ from: last, to: output, label: framing });
  return { nodes, edges, clusters };
}

/**
 * A label as a Mermaid string, drawn as written: Mermaid strings know no backslash escapes and
 * are read as HTML, so `#` (its entities' start), `"`, `<`, `>` and `&` go in as entities
 * (`#35;`, `#quot;`, `#60;`, `#62;`, `#38;`), line breaks as `<br/>`. A command's `<b>` was
 * drawn bold, its `#quot;` as a quote.
 */
function mermaidString(label: string): string {
  const entities: Record<string, string> = {
    '#': '#35;',
    '"': '#quot;',
    '<': '#60;',
    '>': '#62;',
    '&': '#38;',
  };
  return `"${label.replace(/[#"<>&]/g, (c) => entities[c]!).replace(/\n/g, '<br/>')}"`;
}

/** Mermaid flowchart text. */
export function toMermaid(pipeline: Pipeline): string {
  const { nodes, edges, clusters } = build(pipeline);
  const shape = (node: Node) => {
    const text = mermaidString(node.label);
    switch (node.shape) {
      case 'io':
        return `${node.id}([${text}])`;
      case 'fan':
        return `${node.id}[[${text}]]`;
      case 'branch':
        return `${node.id}{{${text}}}`;
      case 'box':
        return `${node.id}[${text}]`;
    }
  };
  const inCluster = new Set(clusters.flatMap((c) => c.nodes));
  const lines = ['flowchart LR'];
  for (const node of nodes) if (!inCluster.has(node.id)) lines.push(`  ${shape(node)}`);
  for (const cluster of clusters) {
    lines.push(`  subgraph ${cluster.id}[${mermaidString(cluster.label)}]`);
    for (const id of cluster.nodes) lines.push(`    ${shape(nodes.find((n) => n.id === id)!)}`);
    lines.push('  end');
  }
  for (const edge of edges) lines.push(`  ${edge.from} -->|${edge.label}| ${edge.to}`);
  return `${lines.join('\n')}\n`;
}

/** Graphviz dot text. */
export function toDot(pipeline: Pipeline): string {
  const { nodes, edges, clusters } = build(pipeline);
  const shapes = { io: 'oval', fan: 'box3d', branch: 'hexagon', box: 'box' };
  const attrs = (node: Node) =>
    `${node.id} [label=${JSON.stringify(node.label)}, shape=${shapes[node.shape]}];`;
  const inCluster = new Set(clusters.flatMap((c) => c.nodes));
  const lines = ['digraph manifold {', '  rankdir=LR;'];
  for (const node of nodes) if (!inCluster.has(node.id)) lines.push(`  ${attrs(node)}`);
  for (const cluster of clusters) {
    lines.push(`  subgraph cluster_${cluster.id} {`, `    label=${JSON.stringify(cluster.label)};`);
    for (const id of cluster.nodes) lines.push(`    ${attrs(nodes.find((n) => n.id === id)!)}`);
    lines.push('  }');
  }
  for (const edge of edges)
    lines.push(`  ${edge.from} -> ${edge.to} [label=${JSON.stringify(edge.label)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * A command as drawn: a shell line as written, an array's words quoted as a shell would read
 * them back (`sed 's/ a b/x/'`), as a worker's sub-pipeline is drawn; they were joined with
 * blanks, so `[sed, "s/ a b/x/"]` read as three words.
 */
function drawn(command: CommandSpec): string {
  return command.shell ? command.argv.join(' ') : shellQuote(command.argv);
}
