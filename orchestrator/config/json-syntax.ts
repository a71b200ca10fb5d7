// A `.json` config is JSON: YAML, which would read it too, also takes what JSON has not (a
// trailing comma, a comment, a quote of '), so JSON's syntax is checked first, here, to say
// where the first such thing stands. JSON.parse says it in words that change with V8, and
// often without a position.

/** The first syntax error of `text` as JSON (RFC 8259), with its offset; null when it is JSON. */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  const reader = new Reader(text);
  try {
    // A byte order mark is allowed before the value (RFC 8259 §8.1).
    if (text.startsWith('\ufeff')) reader.at = 1;
    reader.value();
    reader.blanks();
    if (reader.at < text.length) reader.fail('more after the JSON value');
    return null;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { offset: error.offset, message: error.message };
    throw error;
  }
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

class Reader {
  at = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  fail(message: string, at = this.at): never {
    throw new JsonSyntaxError(at, message);
  }

  /** Skips blanks; a comment, which JSON has not, is the error. */
  blanks(): void {
    while (/[ \t\n\r]/.test(this.#text[this.at] ?? '')) this.at++;
    const c = this.#text[this.at];
    if (c === '#' || (c === '/' && /[/*]/.test(this.#text[this.at + 1] ?? '')))
      this.fail('a comment: JSON has none');
  }

  value(): void {
    this.blanks();
    const c = this.#text[this.at];
    if (c === '{') this.#list('}', 'an object', () => this.#member());
    else if (c === '[') this.#list(']', 'a list', () => this.value());
    else if (c === '"') this.#string();
    else this.#scalar(c);
  }

  /** `true`, `false`, `null` or a number. */
  #scalar(c: string | undefined): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.#text.startsWith(word, this.at)) {
        this.at += word.length;
        return;
      }
    }
    NUMBER.lastIndex = this.at;
    if (c !== undefined && /[-\d]/.test(c) && NUMBER.test(this.#text)) {
      this.at = NUMBER.lastIndex;
      return;
    }
    if (c === undefined) this.fail('the JSON ends where a value should be');
    this.fail(
      c === "'" ? 'expected a value: JSON strings are in double quotes' : 'expected a value',
    );
  }

  /** `{...}` or `[...]`: items separated by commas, none after the last. */
  #list(close: string, what: string, item: () => void): void {
    const open = this.at++;
    this.blanks();
    if (this.#text[this.at] === close) {
      this.at++;
      return;
    }
    for (;;) {
      item();
      this.blanks();
      const c = this.#text[this.at];
      if (c === close) {
        this.at++;
        return;
      }
      if (c === undefined)
        this.fail(`this ${this.#text[open]} is not closed: the JSON ends first`, open);
      if (c !== ',') this.fail(`expected , or ${close} after a value in ${what}`);
      const comma = this.at++;
      this.blanks();
      if (this.#text[this.at] === close)
        this.fail(`a trailing comma: JSON has none before ${close}`, comma);
    }
  }

  #member(): void {
    this.blanks();
    if (this.#text[this.at] !== '"') this.fail('expected a "quoted" key or }');
    this.#string();
    this.blanks();
    if (this.#text[this.at] !== ':') this.fail('expected : after a key');
    this.at++;
    this.value();
  }

  #string(): void {
    const start = this.at++;
    for (;;) {
      const c = this.#text[this.at];
      if (c === undefined) this.fail('a string that does not end', start);
      if (c === '"') {
        this.at++;
        return;
      }
      if (c === '\\') {
        ESCAPE.lastIndex = this.at;
        if (!ESCAPE.test(this.#text)) this.fail('an escape JSON has not');
        this.at = ESCAPE.lastIndex;
      } else if (c < ' ') {
        this.fail('a control character in a string: JSON writes it escaped (\\n, \\t, \\u0000)');
      } else {
        this.at++;
      }
    }
  }
}
