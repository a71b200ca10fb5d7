// Man pages from the manual in docs/ (and the README for manifold(1)), by marked-man, into
// dist/man: package.json `man` lists them, so a global install puts them where `man` looks.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Marked } from 'marked';
import markedMan from 'marked-man';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const FILTERS = ['mf-map', 'mf-filter', 'mf-reduce', 'mf-join', 'mf-frame', 'mf-unframe'];

/** Each page: its name, its one-line description, its Markdown without the first heading. */
const pages = [
  page('manifold', 'Unix-style stream processing in parallel', 'README.md'),
  page('manifold-fan', 'one stream, many workers', 'docs/fan.md'),
  page('manifold-run', 'run, check and graph pipelines from config files', 'docs/config.md'),
  page('manifold-table', 'shared lookup tables for every worker', 'docs/tables.md'),
  page('manifold-hosts', 'workers on other machines over SSH', 'docs/hosts.md'),
  page('manifold-queue', 'workers on any machines through a NATS JetStream queue', 'docs/queue.md'),
  ...FILTERS.map((name) => filterPage(name)),
];

// A table of the manual is a list in its man page: each row a tagged paragraph, its first cell
// the tag, the second below it, and any others after, each named by its column's heading.
// As tbl's table its prose cells were a few words wide, and groff warned of lines it could not
// break or adjust (`man -l dist/man/manifold-run.1`: 13 warnings, a long path wider than its
// column). Cells and rows are passed up marked's string renderer between control characters.
const CELL = '\u0001';
const ROW = '\u0002';
const tableAsList = {
  tablecell(content) {
    return `${content.trim()}${CELL}`;
  },
  tablerow(content) {
    return `${content}${ROW}`;
  },
  table(header, body) {
    const cellsOf = (row) => row.split(CELL).slice(0, -1).map(lineStart);
    const [headings] = header.split(ROW).map(cellsOf);
    const rows = body.split(ROW).slice(0, -1).map(cellsOf);
    const items = rows.map(([tag, ...cells]) => {
      const said = cells.flatMap((cell, i) =>
        cell === '' ? [] : [i === 0 ? cell : `\\fI${headings[i + 1]}\\fP: ${cell}`],
      );
      return ['.TP', tag || '\\&', said.join('\n.br\n')].join('\n');
    });
    this.jumps = true;
    return `${items.join('\n')}\n.PP\n`;
  },
};

/**
 * The roff without the HTML entities marked leaves in code spans (`&quot;`, `&#39;`), which man
 * showed as they are (a table's `{&quot;tables&quot;:...}` was also too long to break): roff's
 * own names for the quotes, which are safe anywhere on a line.
 */
function withoutEntities(roff) {
  return roff.replaceAll('&quot;', '\\(dq').replaceAll('&#39;', '\\(aq');
}

/** A cell's text, made safe to start a roff line: not a request (`.` or `'` first). */
function lineStart(text) {
  return /^[.']/.test(text) ? `\\&${text}` : text;
}

// A link to another file of the repository (`[fan.md](fan.md#failures)`, `../examples`) is its
// text alone: marked-man made each a `.UR` of the relative path, which a man page cannot follow,
// printed as `<performance.md#per-block-workers-output-...>` and, being one long word, made groff
// warn `cannot adjust line` at some widths (MANWIDTH=70 and 100). Web links keep their URL.
const relativeLinks = {
  name: 'link',
  level: 'inline',
  renderer(token) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(token.href) || token.href.startsWith('#')) return false;
    const text = this.parser.parseInline(token.tokens);
    return `\\fI${text}\\fR${token.punctuation ?? ''}`;
  },
};

rmSync('dist/man', { recursive: true, force: true });
mkdirSync('dist/man', { recursive: true });
for (const { name, description, body } of pages) {
  const others = pages.filter((other) => other.name !== name).map((other) => `${other.name}(1)`);
  const markdown = `# ${name}(1) -- ${description}\n\n## DESCRIPTION\n\n${body}\n\n## SEE ALSO\n\n${others.join(', ')}\n`;
  const roff = new Marked({
    ...markedMan,
    renderer: { ...markedMan.renderer, ...tableAsList },
    extensions: [...markedMan.extensions, relativeLinks],
    breaks: false,
    manual: 'manifold',
    manVersion: version,
  }).parse(markdown);
  writeFileSync(`dist/man/${name}.1`, withoutEntities(roff));
}

function page(name, description, file) {
  return { name, description, body: withoutTitle(readFileSync(file, 'utf8')) };
}

/** A filter's page: the introduction all filters share, then its own section. */
function filterPage(name) {
  const text = withoutTitle(readFileSync('docs/binaries.md', 'utf8'));
  const [intro, ...sections] = text.split(/^(?=## )/m);
  const own = sections.filter((section) => section.split('\n')[0].includes(name));
  if (own.length === 0) throw new Error(`docs/binaries.md has no section for ${name}`);
  const title = own[0].split('\n')[0].replace(/^## /, '');
  return {
    name,
    description: `the ${title.replace(/`/g, '')} filter`,
    body: [intro, ...own].join(''),
  };
}

function withoutTitle(markdown) {
  return markdown.replace(/^# .*\n/, '');
}
