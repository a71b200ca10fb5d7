import { type Document, isAlias, isMap, type Node, visit } from 'yaml';
import { quoteName } from '../../filters/errors.js';
import type { Problem } from './problems.js';

// A config's variables: `${NAME}` and `${NAME:-default}`, whose default may itself hold them
// (`${A:-${B:-z}}`, `${A:-pre${B}post}`), as sh's word does; `$${` is a literal `${`. Other
// `${...}` forms (`${#A}`, `${A:=x}`) are left as written, for a shell to read, but within a
// default, where manifold must find the `}` that ends it.

/** A variable as written: its name, its default's pieces, and which `${` of its value it is. */
interface Variable {
  name: string;
  fallback?: Piece[];
  mark: number;
}

type Piece = string | Variable;

/** A value read: its pieces, the offset of each `${` read, and the first thing wrong. */
interface Parsed {
  pieces: Piece[];
  marks: number[];
  problem?: { mark: number; message: string };
}

const NAME = /\$\{([A-Za-z_][A-Za-z0-9_]*)(\}|:-)/y;

/**
 * What is wrong with `name` as a variable that `--set` (or the library's `set`) gives: one that
 * no `${NAME}` can spell (NAME's name) would set nothing the config reads, a slip unsaid.
 */
export function variableNameProblem(name: string): string | null {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return null;
  return `${quoteName(name)} is not a variable name (letters, digits and _, not first a digit)`;
}

/** Reads `text` into pieces, as sh reads a word: within a default, `\` escapes the next character. */
function parse(text: string): Parsed {
  const parsed: Parsed = { pieces: [], marks: [] };
  const word = (from: number, within: Variable | null, into: Piece[]): number => {
    let literal = '';
    let i = from;
    const flush = () => {
      if (literal !== '') into.push(literal);
      literal = '';
    };
    while (i < text.length) {
      if (within && text[i] === '}') {
        flush();
        return i + 1;
      }
      if (within && text[i] === '\\' && i + 1 < text.length) {
        literal += text[i + 1];
        i += 2;
      } else if (text.startsWith('$${', i)) {
        literal += '${';
        i += 3;
      } else if (text.startsWith('${', i)) {
        const mark = parsed.marks.push(i) - 1;
        NAME.lastIndex = i;
        const found = NAME.exec(text);
        if (!found) {
          if (within) {
            parsed.problem ??= {
              mark,
              message: `a default holds ${/^\$\{[A-Za-z0-9_]*.?/.exec(text.slice(i))![0]}...: within one, manifold reads only \${NAME} and \${NAME:-default} (write $\${ for a literal \${)`,
            };
            return text.length;
          }
          literal += '${';
          i += 2;
          continue;
        }
        flush();
        const variable: Variable = { name: found[1]!, mark };
        into.push(variable);
        i = NAME.lastIndex;
        if (found[2] === ':-') {
          variable.fallback = [];
          i = word(i, variable, variable.fallback);
          if (parsed.problem) return text.length;
        }
      } else {
        literal += text[i];
        i++;
      }
    }
    flush();
    if (within)
      parsed.problem ??= {
        mark: within.mark,
        message: `\${${within.name}:- has no closing }: a default ends at the first } that closes no \${ within it (write \\} for a } in it)`,
      };
    return i;
  };
  word(0, null, parsed.pieces);
  return parsed;
}

/**
 * Every variable of every value is substituted, and each unset one, and each default not closed,
 * reported where it stands: the scalar's source is read the same way, and its nth `${` stands
 * for the value's nth where it spells the same. Where the source spells it otherwise (an escape
 * in a quoted string), the scalar's start stands for it. A default is read only when used, as
 * sh reads it: `${A:-${B}}` needs no B while A is set.
 */
export function substitute(
  doc: Document,
  text: string,
  variables: Record<string, string | undefined>,
  problems: Problem[],
  at: (offset: number) => { line: number; column: number },
): void {
  // The top level's env first, from manifold's environment (`PATH: ${PATH}:/opt/bin`); then the
  // rest, which reads its values over the environment's, as sh reads `A=x; echo ${A}`.
  const given = isMap(doc.contents) ? doc.contents.get('env', true) : undefined;
  const env = isAlias(given) ? given.resolve(doc) : given;
  substituteIn(isMap(env) ? env : doc, null, text, variables, problems, at);
  if (!isMap(env)) return;
  // As data, so that keys merged in (`<<: *base`) are there, as the processes get them.
  const own: Record<string, string> = {};
  let values: Record<string, unknown> = {};
  try {
    values = env.toJS(doc, { maxAliasCount: 100 }) ?? {};
  } catch {
    // Aliases expanding past the bound: said where the whole config is read (load.ts).
  }
  for (const [name, value] of Object.entries(values))
    if (['string', 'number', 'boolean'].includes(typeof value)) own[name] = String(value);
  substituteIn(doc, env, text, { ...variables, ...own }, problems, at);
}

function substituteIn(
  within: Document | Node,
  done: Node | null,
  text: string,
  variables: Record<string, string | undefined>,
  problems: Problem[],
  at: (offset: number) => { line: number; column: number },
): void {
  visit(within, {
    Map(_key, node) {
      return node === done ? visit.SKIP : undefined;
    },
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const value = node.value;
      const [start, end] = node.range ?? [0, 0];
      const parsed = parse(value);
      const spelt = parse(text.slice(start, end)).marks;
      const where = (mark: number) => {
        const offset = parsed.marks[mark]!;
        const token = /^\$\{[A-Za-z0-9_]*/.exec(value.slice(offset))![0];
        const source = spelt[mark];
        const same = source !== undefined && text.startsWith(token, start + source);
        return at(same ? start + source : start);
      };
      if (parsed.problem) {
        problems.push({ ...where(parsed.problem.mark), message: parsed.problem.message });
        return;
      }
      const expand = (pieces: Piece[]): string =>
        pieces.map((piece) => (typeof piece === 'string' ? piece : expanded(piece))).join('');
      const expanded = ({ name, fallback, mark }: Variable): string => {
        // Own values only: `${constructor}` is a variable, not Object's constructor.
        const given = Object.hasOwn(variables, name) ? variables[name] : undefined;
        if (given !== undefined && given !== '') return given;
        if (fallback !== undefined) return expand(fallback);
        // Set to nothing (`--set W=`), it is no more usable than unset: but it is not unset.
        problems.push({
          ...where(mark),
          message:
            given === ''
              ? `\${${name}} is empty: give it a value, or a default as \${${name}:-value}`
              : `\${${name}} is not set: set it in the environment, with --set ${name}=..., or give a default as \${${name}:-value}`,
        });
        return '';
      };
      node.value = expand(parsed.pieces);
    },
  });
}

/**
 * The variables given over manifold's environment (`--set`, the library's `set`): those whose
 * value is not the environment's. The processes get them as they get the environment, as
 * `make NAME=VALUE` gives its commands a variable set on its command line: a name has one value
 * for `${NAME}` and the processes alike.
 */
export function givenVariables(
  variables: Record<string, string | undefined>,
): Record<string, string> {
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables))
    if (typeof value === 'string' && process.env[name] !== value)
      Object.defineProperty(given, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  return given;
}
