// The words and operators of a /bin/sh command line, for shell-words.ts: quotes, escapes,
// comments and here-documents are read as the shell reads them; the commands within `$(...)`
// and backquotes go to the grammar (list, nested), which reads the line's commands.

/** A line whose words this reading does not follow: the check then looks at none. */
export class Unsure extends Error {}

export type Token = { kind: 'op'; text: string } | { kind: 'word'; text: string; plain: boolean };

const OPERATORS = ['&&', '||', ';;', ';&', '<<-', '<<', '>>', '<&', '>&', '<>', '>|'];
const ENDS_WORD = ' \t\n|&;<>()';

export abstract class Lexer {
  protected i = 0;
  private heredocs: { delimiter: string; tabs: boolean }[] = [];

  constructor(protected readonly s: string) {}

  /** The commands from here to the end, or to the `)` of a `$(` (`inner`). */
  abstract list(sure: boolean, inner: boolean): void;

  /** The commands of a backquoted text. */
  protected abstract nested(text: string, sure: boolean): void;

  /** Whether `()` follows (a function's name before it), taking it. */
  protected definesFunction(): boolean {
    const rest = /^[ \t]*\([ \t]*\)/.exec(this.s.slice(this.i));
    if (rest === null) return false;
    this.i += rest[0].length;
    return true;
  }

  /** A redirection's word, and a here-document's delimiter, whose text is read at the newline. */
  protected redirection(op: string): void {
    this.blanks();
    const start = this.i;
    const target = this.token(false);
    if (target === null || target.kind !== 'word') throw new Unsure();
    if (op !== '<<' && op !== '<<-') return;
    const raw = this.s.slice(start, this.i);
    if (/[$`\n]/.test(raw)) throw new Unsure();
    const delimiter = raw.replace(/\\(.)/g, '$1').replace(/['"]/g, '');
    this.heredocs.push({ delimiter, tabs: op === '<<-' });
  }

  private blanks(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\\' && this.s[this.i + 1] === '\n') this.i += 2;
      else return;
    }
  }

  /** The next operator (a newline is one) or word; null at the end. */
  protected token(sure: boolean): Token | null {
    this.blanks();
    if (this.s[this.i] === '#') {
      const end = this.s.indexOf('\n', this.i);
      this.i = end < 0 ? this.s.length : end;
    }
    if (this.i >= this.s.length) return null;
    const c = this.s[this.i]!;
    if (c === '\n') {
      this.i++;
      this.hereDocuments();
      return { kind: 'op', text: '\n' };
    }
    const op = OPERATORS.find((o) => this.s.startsWith(o, this.i));
    if (op !== undefined || '|&;<>()'.includes(c)) {
      this.i += (op ?? c).length;
      return { kind: 'op', text: op ?? c };
    }
    const start = this.i;
    const word = this.word(sure);
    // Digits just before < or > are the descriptor the redirection is of (2>&1).
    if (/^\d+$/.test(word.text) && word.plain && /[<>]/.test(this.s[this.i] ?? '')) {
      return this.token(sure);
    }
    return this.i > start ? { kind: 'word', ...word } : null;
  }

  /** A word; its text is checked only if plain (nothing quoted, escaped or expanded). */
  private word(sure: boolean): { text: string; plain: boolean } {
    let text = '';
    let plain = true;
    const s = this.s;
    while (this.i < s.length && !ENDS_WORD.includes(s[this.i]!)) {
      const c = s[this.i]!;
      if (c === '\\') {
        if (s[this.i + 1] !== '\n') plain = false;
        this.i += 2;
      } else if (c === "'") {
        this.i = this.after("'", this.i + 1);
        plain = false;
      } else if (c === '"') {
        this.quoted(sure);
        plain = false;
      } else if (c === '$' || c === '`') {
        this.expansion(sure, false);
        plain = false;
      } else {
        text += c;
        this.i++;
      }
    }
    return { text, plain };
  }

  /** Past the `close` from `from`, backslashes escaping (in $'...'), or not. */
  private after(close: string, from: number, escapes = false): number {
    for (let j = from; j < this.s.length; j++) {
      if (escapes && this.s[j] === '\\') j++;
      else if (this.s[j] === close) return j + 1;
    }
    throw new Unsure();
  }

  /** A double-quoted string, its expansions followed. */
  private quoted(sure: boolean): void {
    this.i++;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) throw new Unsure();
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') this.i += 2;
      else if (c === '$' || c === '`') this.expansion(sure, true);
      else this.i++;
    }
  }

  /** `$...`, `${...}`, `$((...))`, `$(...)` or `` `...` ``: the commands of the last two read. */
  private expansion(sure: boolean, quoted: boolean): void {
    const s = this.s;
    if (s[this.i] === '`') {
      let inner = '';
      let j = this.i + 1;
      for (; s[j] !== '`'; j++) {
        if (j >= s.length) throw new Unsure();
        const escaped = s[j] === '\\' && (quoted ? '`\\$"' : '`\\$').includes(s[j + 1] ?? '');
        if (escaped) j++;
        inner += s[j];
      }
      this.i = j + 1;
      this.nested(inner, sure);
    } else if (s.startsWith('$((', this.i)) {
      this.i = this.arithmetic(this.i + 1);
    } else if (s[this.i + 1] === '(') {
      this.i += 2;
      this.list(sure, true);
    } else if (s[this.i + 1] === '{') {
      this.i += 2;
      while (s[this.i] !== '}') {
        const c = s[this.i];
        if (c === undefined || c === "'" || c === '"') throw new Unsure();
        if (c === '\\') this.i += 2;
        else if (c === '$' || c === '`') this.expansion(false, quoted);
        else this.i++;
      }
      this.i++;
    } else if (s[this.i + 1] === "'" && !quoted) this.i = this.after("'", this.i + 2, true);
    else this.i++;
  }

  /** Past the `((...))` at `from`, looked into no further. */
  private arithmetic(from: number): number {
    let depth = 0;
    for (let j = from; j < this.s.length; j++) {
      const c = this.s[j];
      if (c === "'" || c === '"' || c === '`') break;
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
    }
    throw new Unsure();
  }

  /** The text of the here-documents begun on the line just ended, left unread. */
  private hereDocuments(): void {
    for (const { delimiter, tabs } of this.heredocs) {
      while (this.i < this.s.length) {
        const end = this.s.indexOf('\n', this.i);
        const line = this.s.slice(this.i, end < 0 ? this.s.length : end);
        this.i = end < 0 ? this.s.length : end + 1;
        if ((tabs ? line.replace(/^\t+/, '') : line) === delimiter) break;
      }
    }
    this.heredocs = [];
  }
}
