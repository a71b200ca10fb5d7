import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/**
 * The first argument of this process that is not UTF-8 text, said as a usage problem, or null.
 * Node decodes its arguments as UTF-8 and puts U+FFFD for every byte that is not, so that
 * `grep $'\xe9'` would reach a worker as `grep` of EF BF BD and select nothing, silently. The
 * bytes as given are in /proc/self/cmdline (Linux); the process's own arguments are its last
 * entries (node's own options come before the script's). Elsewhere nothing can be told: null.
 * Every manifold command and every filter executable checks its command line here first.
 */
export function argumentNotText(
  program: string,
  args: readonly string[] = process.argv.slice(2),
): string | null {
  const words = argumentWords(args);
  const at = words.findIndex(holdsBytes);
  return at === -1 ? null : notTextProblem(program, at, words[at] as string);
}

/**
 * `args` as given, each a word that keeps its bytes (`wordFromBytes`): the same strings where
 * they are UTF-8 text, and where /proc/self/cmdline cannot be read (not Linux, a thread).
 */
export function argumentWords(args: readonly string[] = process.argv.slice(2)): string[] {
  if (!isMainThread || args.length === 0) return [...args];
  let cmdline: Buffer;
  try {
    cmdline = readFileSync('/proc/self/cmdline');
  } catch {
    return [...args];
  }
  const entries = splitEntries(cmdline);
  if (entries.length < args.length) return [...args];
  const given = entries.slice(entries.length - args.length);
  return args.map((arg, i) => {
    const raw = given[i] as Buffer;
    return raw.equals(Buffer.from(arg)) ? arg : wordFromBytes(raw);
  });
}

/** The usage problem of argument `index` (from 0), `word`, that holds bytes not UTF-8. */
export function notTextProblem(program: string, index: number, word: string): string {
  return (
    `argument ${index + 1}, ${quoteBytes(wordBytes(word))}, is not UTF-8: ${program} reads ` +
    'its arguments as UTF-8 text and would take U+FFFD for each byte that is not, changing it; ' +
    'give it in UTF-8'
  );
}

// A word of a worker's command keeps the bytes it was given that are not UTF-8 as Python's
// `surrogateescape` does (PEP 383): byte 0xHH (80 to FF) is the lone surrogate U+DCHH, which no
// UTF-8 text decodes to. Such a word is a string still, so the command's words are joined,
// placed (`{}`) and sent as JSON (to a host) as any; where it becomes a process's argv, its
// bytes are written back (`wordBytes`), byte for byte.

/** A lone U+DC80 to U+DCFF: a byte kept (`wordFromBytes`). */
const KEPT_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** `bytes` as a word: its UTF-8 characters as they are, each other byte kept as U+DC80 + it. */
export function wordFromBytes(bytes: Buffer): string {
  let word = '';
  for (let i = 0; i < bytes.length; ) {
    const char = characterAt(bytes, i);
    if (char === null) {
      word += String.fromCharCode(0xdc00 + (bytes[i] as number));
      i++;
      continue;
    }
    word += char.text;
    i += char.length;
  }
  return word;
}

/** Whether `word` keeps bytes that are not UTF-8 (`wordFromBytes`). */
export function holdsBytes(word: string): boolean {
  return KEPT_BYTE.test(word);
}

/** The bytes of `word`: UTF-8, and each byte it keeps as itself (`wordFromBytes`). */
export function wordBytes(word: string): Buffer {
  if (!holdsBytes(word)) return Buffer.from(word);
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < word.length; i++) {
    const unit = word.charCodeAt(i);
    const kept = unit >= 0xdc80 && unit <= 0xdcff;
    const paired = i > 0 && word.charCodeAt(i - 1) >= 0xd800 && word.charCodeAt(i - 1) <= 0xdbff;
    if (!kept || paired) continue;
    parts.push(Buffer.from(word.slice(from, i)), Buffer.of(unit - 0xdc00));
    from = i + 1;
  }
  parts.push(Buffer.from(word.slice(from)));
  return Buffer.concat(parts);
}

/** `text` with each byte it keeps (`wordFromBytes`) as `\xHH`, for a message that quotes a word. */
export function escapeKeptBytes(text: string): string {
  return text.replace(
    new RegExp(KEPT_BYTE.source, 'g'),
    (unit) => `\\x${(unit.charCodeAt(0) - 0xdc00).toString(16)}`,
  );
}

/** `word` as a message shows it: as it is, or in `$'...'` where it keeps bytes not UTF-8. */
export function showWord(word: string): string {
  return holdsBytes(word) ? quoteBytes(wordBytes(word)) : word;
}

/** /proc/self/cmdline's entries: each ends with a NUL. */
function splitEntries(cmdline: Buffer): Buffer[] {
  const entries: Buffer[] = [];
  let start = 0;
  for (let end = cmdline.indexOf(0); end !== -1; end = cmdline.indexOf(0, start)) {
    entries.push(cmdline.subarray(start, end));
    start = end + 1;
  }
  return entries;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as bash's `$'...'` says them, pasted back the same bytes: UTF-8 characters as they are,
 * every other byte, control characters, `\` and `'` escaped (`$'caf\xe9'`).
 */
export function quoteBytes(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i < bytes.length; ) {
    const char = characterAt(bytes, i);
    if (char === null) {
      text += `\\x${(bytes[i] as number).toString(16).padStart(2, '0')}`;
      i++;
      continue;
    }
    text += escapeChar(char.text);
    i += char.length;
  }
  return `$'${text}'`;
}

/** The UTF-8 character that starts at byte `at`, or null where none does. */
function characterAt(bytes: Buffer, at: number): { text: string; length: number } | null {
  for (let length = 1; length <= 4 && at + length <= bytes.length; length++) {
    try {
      return { text: strict.decode(bytes.subarray(at, at + length)), length };
    } catch {
      // Not whole yet, or not UTF-8: one byte more.
    }
  }
  return null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
const CONTROL = /^[\x00-\x1f\x7f]$/;

function escapeChar(char: string): string {
  if (char === '\\' || char === "'") return `\\${char}`;
  if (char === '\n') return '\\n';
  if (char === '\t') return '\\t';
  if (CONTROL.test(char)) return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  return char;
}
