/**
 * The end and start expressions of `between-re:` run as one RegExp, `<end>(?=<start>)`, where a
 * group's number counts the groups of both: each expression is rewritten so that its own
 * backreferences (`\1`, `\k<name>`) still mean its own groups, and its escapes that were no
 * backreference alone (`\2` with one group is the byte 0x02) stay what they were.
 */

/**
 * The offsets of `source`'s characters that are its syntax: neither escaped (`\(`) nor inside a
 * class (`[(]`), whose opening `[` is one.
 */
export function* syntaxOffsets(source: string): Generator<number> {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else {
      if (c === '[') inClass = true;
      yield i;
    }
  }
}

/** The groups of `source` (a JavaScript RegExp without flags): how many, and their names. */
function groupsOf(source: string): { count: number; names: Map<string, number> } {
  const names = new Map<string, number>();
  let count = 0;
  for (const i of syntaxOffsets(source)) {
    if (source[i] !== '(') continue;
    const name = groupName(source, i);
    if (name !== null) names.set(name, count + 1);
    if (name !== null || source[i + 1] !== '?') count++;
  }
  return { count, names };
}

/** How many capturing groups `source` has. */
export function countGroups(source: string): number {
  return groupsOf(source).count;
}

/**
 * `source` to be run after `before` capturing groups of another expression: its backreferences
 * numbered after them, its named groups plain ones (both expressions may name a group alike),
 * a `\<digits>` that was an octal escape or a digit (no group of that number) said as `\xHH`.
 */
export function ownGroups(source: string, before: number): string {
  const { count, names } = groupsOf(source);
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && !inClass) {
      const reference = backreference(source, i + 1, { count, names, before });
      if (reference !== null) {
        out += reference.said;
        i = reference.next - 1;
        continue;
      }
    }
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i++;
    } else if (inClass) {
      out += c;
      inClass = c !== ']';
    } else if (c === '[') {
      out += c;
      inClass = true;
    } else if (c === '(' && groupName(source, i) !== null) {
      out += '(';
      i = source.indexOf('>', i);
    } else out += c;
  }
  return out;
}

/** The name of the group `(?<name>` at `at`, or null. */
function groupName(source: string, at: number): string | null {
  if (!source.startsWith('(?<', at)) return null;
  const next = source[at + 3];
  if (next === '=' || next === '!') return null;
  const close = source.indexOf('>', at + 3);
  return close < 0 ? null : source.slice(at + 3, close);
}

/**
 * The escape after the `\` before `at` said anew, when it is a backreference (numbered after
 * `before` groups) or a `\<digits>` that is none; `next` where the source goes on. Null for any
 * other escape.
 */
function backreference(
  source: string,
  at: number,
  { count, names, before }: { count: number; names: Map<string, number>; before: number },
): { said: string; next: number } | null {
  const named = source[at] === 'k' && source[at + 1] === '<';
  const close = named ? source.indexOf('>', at) : -1;
  const group = named ? names.get(source.slice(at + 2, close)) : undefined;
  if (group !== undefined) return { said: `\\${group + before}`, next: close + 1 };
  const digits = /^[1-9][0-9]*/.exec(source.slice(at))?.[0];
  if (digits === undefined) return null;
  if (Number(digits) <= count) {
    return { said: `\\${Number(digits) + before}`, next: at + digits.length };
  }
  // No such group: as JavaScript reads it then, an octal escape of up to three digits (at most
  // 0o377), or the digit 8 or 9 itself.
  const octal = /^(?:[0-3][0-7]{0,2}|[4-7][0-7]?)/.exec(digits)?.[0] ?? digits[0]!;
  const code = /^[0-7]/.test(octal) ? Number.parseInt(octal, 8) : octal.charCodeAt(0);
  return { said: `\\x${code.toString(16).padStart(2, '0')}`, next: at + octal.length };
}
