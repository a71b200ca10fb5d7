// A join's `{name}` placeholders, found as bash reads its line: what the check counts is what
// the run substitutes.

const NAME = /\{([A-Za-z0-9_]+)\}/y;

/** One `{name}` of a join: where it stands, and whether within double quotes. */
export interface Placeholder {
  name: string;
  index: number;
  length: number;
  quoted: boolean;
}

/**
 * The placeholders of a join's text. A word of an array (`shell` false) is text to its program:
 * every `{name}` in it is one. A shell string is read as bash reads it: within single quotes
 * (or `$'...'`), after a backslash and in a comment a `{name}` is text (`awk '{print}'`, `sed
 * 's/{a}/x/'`); within double quotes it is one (`quoted`), a path as it is outside them.
 */
export function findPlaceholders(text: string, shell: boolean): Placeholder[] {
  const found: Placeholder[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (shell && c === '\\') {
      i += 2;
      continue;
    }
    if (shell && !quoted) {
      const skipped = skipText(text, i);
      if (skipped !== i) {
        i = skipped;
        continue;
      }
    }
    if (shell && c === '"') {
      quoted = !quoted;
      i++;
      continue;
    }
    NAME.lastIndex = i;
    const match = NAME.exec(text);
    if (match === null) {
      i++;
      continue;
    }
    found.push({ name: match[1]!, index: i, length: match[0].length, quoted });
    i += match[0].length;
  }
  return found;
}

/** Past the text bash takes literally from `i` (outside double quotes): quotes, comments. */
function skipText(text: string, i: number): number {
  if (text[i] === "'") return after(text.indexOf("'", i + 1), text);
  if (text.startsWith("$'", i)) {
    // ANSI-C quoting: a backslash escapes the next character, a quote among them.
    let j = i + 2;
    while (j < text.length && text[j] !== "'") j += text[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, text.length);
  }
  // A comment: `#` that begins a word, to the end of its line.
  if (text[i] === '#' && (i === 0 || /[\s;&|()]/.test(text[i - 1]!)))
    return after(text.indexOf('\n', i), text);
  return i;
}

const after = (at: number, text: string) => (at < 0 ? text.length : at + 1);

/**
 * `text` with each placeholder that `replacement` has a value for replaced by it: in double
 * quotes, the quotes closed around it (`"x{a}"` → `"x"<(...)""`), as a process substitution
 * is no path within them.
 */
export function replacePlaceholders(
  text: string,
  shell: boolean,
  replacement: (name: string) => string | null,
): string {
  let out = '';
  let from = 0;
  for (const { name, index, length, quoted } of findPlaceholders(text, shell)) {
    const value = replacement(name);
    if (value === null) continue;
    out += text.slice(from, index) + (quoted ? `"${value}"` : value);
    from = index + length;
  }
  return out + text.slice(from);
}
