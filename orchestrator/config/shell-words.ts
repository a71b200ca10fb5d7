// The programs a /bin/sh command line surely runs, read without running it, for a config's
// check (commands.ts). A false refusal is worse than a program not found as the line runs:
// where the reading is not sure of the line's words (case, [[ ]], (( )), aliases, eval, a
// sourced file), it gives none, and it gives only the commands that run whatever the line's
// conditions say (not those after && or ||, in an if's or a loop's body, or in a function),
// and none after a command that may end the line or its loop early (exit, break, set -e ...).

import { Lexer, Unsure } from './shell-lexer.js';

/** What a line's commands are: those surely run, functions defined, every command word. */
export interface LineCommands {
  sure: string[];
  functions: Set<string>;
  used: Set<string>;
  /** A command that may end the line or a loop early was read: none after it is sure. */
  stopped: boolean;
}

type Frame = { kind: 'top' | '(' | '{' | 'if' | 'loop'; base: boolean; now: boolean };
type Expect = 'command' | 'args' | 'forName' | 'forIn' | 'forWords';

const REDIRECTIONS = new Set(['<', '>', '>>', '<&', '>&', '<>', '>|', '<<', '<<-']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STOPPERS = ['exit', 'return', 'break', 'continue'];
// `set -e` ends the line at the first command that fails.
const ERREXIT = /\bset\b[^\n;|&]*(?:-[A-Za-z]*e|errexit)/;
const UNSURE_WORDS = new Set(['case', 'esac', 'in', '[[', 'function', 'coproc', 'select']);

/** The commands of `script`, or null where this reading is not sure of them. */
export function readCommands(script: string): LineCommands | null {
  const found: LineCommands = { sure: [], functions: new Set(), used: new Set(), stopped: false };
  const stoppers = new Set(ERREXIT.test(script) ? [...STOPPERS, 'set'] : STOPPERS);
  try {
    new Scanner(script, found, stoppers).list(true, false);
  } catch (error) {
    if (error instanceof Unsure) return null;
    throw error;
  }
  return found;
}

class Scanner extends Lexer {
  constructor(
    s: string,
    private readonly found: LineCommands,
    private readonly stoppers: Set<string>,
  ) {
    super(s);
  }

  protected nested(text: string, sure: boolean): void {
    new Scanner(text, this.found, this.stoppers).list(sure, false);
  }

  /** A list of commands, to the end, or to its `)` (a `$(...)`'s, `inner`). */
  list(sure: boolean, inner: boolean): void {
    const frames: Frame[] = [{ kind: 'top', base: sure, now: sure }];
    const top = () => frames.at(-1)!;
    let expect: Expect = 'command';
    let command = '';
    // A function's body (one compound command) runs only where it is called.
    let body = false;
    const open = (kind: Frame['kind']) => {
      const now = body ? false : top().now;
      frames.push({ kind, base: now, now });
      body = false;
      expect = 'command';
    };
    const close = (kind: Frame['kind']) => {
      if (top().kind !== kind) throw new Unsure();
      frames.pop();
      expect = 'args';
    };
    const branch = (...kinds: Frame['kind'][]) => {
      if (!kinds.includes(top().kind)) throw new Unsure();
      top().base = top().now = false;
      expect = 'command';
    };
    for (;;) {
      const token = this.token(top().now);
      if (token === null) {
        if (inner || frames.length > 1) throw new Unsure();
        return;
      }
      if (token.kind === 'op') {
        const op = token.text;
        if (op === ';' || op === '&' || op === '\n') {
          top().now = top().base;
          expect = 'command';
        } else if (op === '&&' || op === '||') {
          top().now = false;
          expect = 'command';
        } else if (op === '|') expect = 'command';
        else if (op === '(') {
          // `((` is bash's arithmetic, or two subshells: not sure which.
          if (expect !== 'command' || this.s[this.i] === '(') throw new Unsure();
          open('(');
        } else if (op === ')') {
          if (inner && frames.length === 1) return;
          close('(');
        } else if (REDIRECTIONS.has(op)) this.redirection(op);
        else throw new Unsure();
        continue;
      }
      const { text, plain } = token;
      // `exec` with a program runs it in the shell's place; with redirections only, goes on.
      if (expect === 'args' && command === 'exec') this.found.stopped = true;
      if (expect === 'args' || expect === 'forWords') continue;
      if (expect === 'forName') {
        expect = 'forIn';
        continue;
      }
      if (expect === 'forIn') {
        if (plain && text === 'in') expect = 'forWords';
        else if (plain && text === 'do') branch('loop');
        else throw new Unsure();
        continue;
      }
      if (plain && UNSURE_WORDS.has(text)) throw new Unsure();
      if (plain && (text === 'if' || text === 'while' || text === 'until')) {
        open(text === 'if' ? 'if' : 'loop');
      } else if (plain && text === 'for') {
        open('loop');
        expect = 'forName';
      } else if (plain && text === '{') open('{');
      else if (plain && (text === 'then' || text === 'else' || text === 'elif')) branch('if');
      else if (plain && text === 'do') branch('loop');
      else if (plain && text === 'fi') close('if');
      else if (plain && text === 'done') close('loop');
      else if (plain && text === '}') close('{');
      else if (plain && text === '!') expect = 'command';
      else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) {
        // An assignment before the command; `a=(1 2)` is bash's array.
        if (this.s[this.i] === '(') throw new Unsure();
      } else {
        if (body) throw new Unsure();
        if (this.definesFunction()) {
          if (!plain || !NAME.test(text)) throw new Unsure();
          this.found.functions.add(text);
          body = true;
          expect = 'command';
          continue;
        }
        command = plain ? text : '';
        if (plain) {
          this.found.used.add(text);
          if (top().now && !this.found.stopped) this.found.sure.push(text);
          if (this.stoppers.has(text)) this.found.stopped = true;
        }
        expect = 'args';
      }
    }
  }
}
