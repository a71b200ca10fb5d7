import { getSystemErrorMap, inspect } from 'node:util';

/**
 * The one errors module of manifold. Every error that reaches a user carries a stable `code`,
 * the process `exitCode` the command-line edge maps it to, and the original error as `cause`.
 * The library throws these; only a command's entry point turns them into an exit status.
 */

/** Documented exit codes, shared by every manifold command. */
export const ExitCode = {
  ok: 0,
  /** A record or a worker failed. */
  failure: 1,
  /** The command line or a config was wrong. */
  usage: 2,
  /** A command could not be started. */
  notFound: 127,
  interrupted: 130,
  terminated: 143,
} as const;

export type ErrorCode =
  | 'manifold.usage'
  | 'manifold.record'
  | 'manifold.recordTooLarge'
  | 'manifold.truncatedRecord'
  | 'manifold.io'
  /** A worker or a stage failed (the library's fan and run). */
  | 'manifold.failure'
  /** A command could not be found or run: exit status 127. */
  | 'manifold.notFound'
  /** The run was stopped by its AbortSignal. */
  | 'manifold.aborted'
  /** The output's reader went away before the end (a closed pipe, a destroyed stream). */
  | 'manifold.outputClosed'
  /** A table cannot be read or built. */
  | 'manifold.table';

export class ManifoldError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { exitCode: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ManifoldError';
    this.code = code;
    this.exitCode = options.exitCode;
  }
}

/** A wrong option, argument or expression: exit status 2. */
export class UsageError extends ManifoldError {
  constructor(message: string, cause?: unknown) {
    super('manifold.usage', message, { exitCode: ExitCode.usage, cause });
    this.name = 'UsageError';
  }
}

/**
 * Where a record came from: the input's name and the record's 1-based number in it, or, where
 * the records of a stream are not counted, the 1-based offset of its first byte (`tail -c +N`).
 */
export type RecordPosition = { input: string; record: number } | { input: string; byte: number };

function placed(position: RecordPosition): string {
  const input = nameOnOneLine(position.input);
  return 'record' in position ? `${input}:${position.record}` : `${input}: byte ${position.byte}`;
}

/**
 * A record that could not be read or processed: exit status 1, message `input:record: ...` (or
 * `input: byte N: ...`).
 */
export class RecordError extends ManifoldError {
  readonly position: RecordPosition;
  /** What is wrong with the record, without its position. */
  readonly detail: string;

  constructor(
    position: RecordPosition,
    message: string,
    options: { code?: ErrorCode; cause?: unknown } = {},
  ) {
    super(options.code ?? 'manifold.record', `${placed(position)}: ${message}`, {
      exitCode: ExitCode.failure,
      cause: options.cause,
    });
    this.name = 'RecordError';
    this.position = position;
    this.detail = message;
  }

  /** The same error, its record placed in the input named `input` (a file's path, `stdin`). */
  in(input: string): RecordError {
    return this.at({ ...this.position, input });
  }

  /** The same error, its record at `position` (a place in one of several files, say). */
  at(position: RecordPosition): RecordError {
    return new RecordError(position, this.detail, { code: this.code, cause: this.cause });
  }
}

/**
 * A record's own problem (a manifold error that names no record, such as a json: key's "invalid
 * JSON"), placed at `position`; a RecordError, or any other error, as it is.
 */
export function placeAt(position: RecordPosition, error: unknown): unknown {
  if (!(error instanceof ManifoldError) || error instanceof RecordError) return error;
  return new RecordError(position, error.message, { code: error.code, cause: error });
}

/**
 * One line for a user: the message of a manifold error, or the name and message of any other.
 * A thrown string is its own message; any other value thrown says what it was (`threw null`,
 * `threw { code: 'E1' }`) rather than `null` or `[object Object]`.
 */
export function describeError(error: unknown): string {
  if (error instanceof ManifoldError) return error.message;
  if (typeof error === 'string') return error;
  if (isCurrentFolderGone(error)) return CURRENT_FOLDER_GONE;
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
  };
  // An Error, or one like it from another realm (a vm context) or a library's own plain object.
  if (typeof message === 'string') {
    const named = typeof name === 'string' && name !== '' ? name : '';
    return named === '' ? message : message === '' ? named : `${named}: ${message}`;
  }
  if (error instanceof Error) return error.name;
  return `threw ${inspect(error, { breakLength: Number.POSITIVE_INFINITY, depth: 2 })}`;
}

/** What Node's `uv_cwd` error means, in words, and what to do. */
export const CURRENT_FOLDER_GONE =
  'the current folder was deleted (a relative path is found from it, and Node starts no thread without it): cd to a folder that exists';

/**
 * Node's error for a current folder deleted under it (`ENOENT: ..., uv_cwd`), from a path made
 * absolute or a thread started, also as a thread's error reaches its parent (a message only).
 */
export function isCurrentFolderGone(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { syscall, message } = error as { syscall?: unknown; message?: unknown };
  return (
    syscall === 'uv_cwd' || (typeof message === 'string' && /^ENOENT: .*, uv_cwd$/.test(message))
  );
}

/**
 * A message in one line, for the one line a filter writes for an error: the lines of a
 * multi-line message (V8's, a thrown error's own) joined with spaces.
 */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** The exit status an error maps to at a command's edge. */
export function exitCodeOf(error: unknown): number {
  return error instanceof ManifoldError ? error.exitCode : ExitCode.failure;
}

/**
 * A system error in words, as `ls` or `cat` would say it: `too many symbolic links`, not
 * `ELOOP`. Every command says a path it cannot open this way: an input, a table, a config.
 */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return code === undefined ? 'cannot open' : errnoText(code);
  }
}

/**
 * Where libuv's words for a code (Node's) mislead, the C library's, as `cat` says them: reading
 * a directory is no `illegal operation`, and a pipe no socket.
 */
const PLAINER: Record<string, string> = {
  EISDIR: 'is a directory',
  ENOTSUP: 'operation not supported',
};

/** A system error's code in the system's words: `no such file or directory`; null if unknown. */
export function systemWords(code: string): string | null {
  const plainer = PLAINER[code];
  if (plainer !== undefined) return plainer;
  for (const [name, message] of getSystemErrorMap().values()) {
    if (name === code) return message;
  }
  return null;
}

/** A system error's code in the system's words, then the code: `no such file or directory (ENOENT)`; an unknown code as it is. */
export function errnoText(code: string): string {
  const words = systemWords(code);
  return words === null ? code : `${words} (${code})`;
}

/**
 * A file's or word's name as a message says it: as it is when it reads as one word, else quoted
 * as /bin/sh would take it (`''` for an empty one, `'my users.mft'`), as GNU tools quote a name.
 * A name with control characters in it is quoted as bash's `$'...'` (`$'two\nlines'`), as GNU
 * `ls` and bash's `printf %q` write it: the message stays one line, and pasted into bash, the
 * same name. Every message that names a file, a table or an option's word quotes it here.
 */
export function quoteName(word: string): string {
  return CONTROL.test(word) ? `$'${Array.from(word, escapeForBash).join('')}'` : quoteForSh(word);
}

/**
 * A name as a message's place says it (`in.txt:2`): as it is, or where it has a control
 * character (a newline), as bash's `$'...'` takes it back, so that the message stays one line.
 * Not quoted else: a place names inputs as they are and as manifold names them (`stdin`,
 * `worker 1 output`).
 */
export function nameOnOneLine(name: string): string {
  return CONTROL.test(name) ? quoteName(name) : name;
}

/**
 * A word as a message quotes it whatever it is, as commander quotes an option it does not know
 * (`unknown option '--bogus'`): in single quotes, or as bash's `$'...'` when it has a control
 * character in it (`$'--a\nb'`), so that the message stays one line.
 */
export function quoteWord(word: string): string {
  return CONTROL.test(word) ? quoteName(word) : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A word as /bin/sh reads it back: as it is when it reads as one word, else in single quotes.
 * For command lines that a shell runs (dash has no `$'...'`); messages use `quoteName`.
 */
export function quoteForSh(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
const CONTROL = /[\x00-\x1f\x7f]/;

/** Whether `text` has a control character (C0 or DEL), which a message must not write as it is. */
export function hasControl(text: string): boolean {
  return CONTROL.test(text);
}
const BASH_ESCAPES: Record<string, string> = {
  '\n': 'n',
  '\t': 't',
  '\r': 'r',
  '\\': '\\',
  "'": "'",
};

/** One character inside bash's `$'...'`: a control character, `\\` or `'` escaped. */
function escapeForBash(char: string): string {
  const short = BASH_ESCAPES[char];
  if (short !== undefined) return `\\${short}`;
  return CONTROL.test(char) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char;
}

/** A key as a message names it: its text, or, when it is not plain text, bytes as `\\xNN`. */
export function showBytes(key: Uint8Array): string {
  const text = Buffer.from(key).toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
  if (Buffer.from(text).equals(key) && !/[\u0000-\u001f\u007f]/.test(text)) return text;
  let shown = '';
  for (const byte of key) {
    shown +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return shown;
}
