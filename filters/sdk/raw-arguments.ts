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
  if (!isMainThread || args.length === 0) return null;
  let cmdline: Buffer;
  try {
    cmdline = readFileSync('/proc/self/cmdline');
  } catch {
    return null;
  }
  const entries = splitEntries(cmdline);
  if (entries.length < args.length) return null;
  const given = entries.slice(entries.length - args.length);
  for (let i = 0; i < args.length; i++) {
    const raw = given[i] as Buffer;
    if (raw.equals(Buffer.from(args[i] as string))) continue;
    return (
      `argument ${i + 1}, ${quoteBytes(raw)}, is not UTF-8: ${program} reads its arguments as ` +
      'UTF-8 text and would take U+FFFD for each byte that is not, changing it; give it in UTF-8'
    );
  }
  return null;
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
