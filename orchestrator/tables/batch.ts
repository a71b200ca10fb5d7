import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../../filters/errors.js';
import { viewOf } from '../../filters/framing/view.js';
import type { Table } from '../../filters/tables/open.js';
import { AnswerWriter, NDJSON, type ValueEncoding } from './answers.js';

/** A batch request's limits and wishes. */
export interface BatchOptions {
  encoding: ValueEncoding;
  /** The largest body read, in bytes: past it, 413. */
  maxBody: number;
}

/** What went wrong with a request before its answers started: a status and one line. */
export interface Refusal {
  status: number;
  message: string;
}

/**
 * Answers `POST /NAME` with keys one per line (`\n`; a final newline is optional, an empty
 * line is an empty key, which no table holds), read and answered as the body streams in.
 * Calls `refuse` when the body is too large before any answer was sent; after that, the only
 * honest signal left is to cut the connection.
 */
export function answerLines(
  req: IncomingMessage,
  res: ServerResponse,
  table: Table,
  options: BatchOptions,
  refuse: (refusal: Refusal) => void,
): void {
  const answers = new AnswerWriter(res, options.encoding);
  let pending: Buffer | null = null;
  let read = 0;
  // Sent with the first block of answers: until then, a refusal can still have its status.
  res.setHeader('content-type', NDJSON);
  req.on(
    'data',
    guarded(res, (chunk: Buffer) => {
      read += chunk.length;
      if (read > options.maxBody) {
        req.removeAllListeners('data');
        if (!res.headersSent) refuse(tooLarge(options.maxBody));
        else res.destroy();
        return;
      }
      let text = chunk;
      if (pending !== null) {
        text = Buffer.concat([pending, chunk]);
        pending = null;
      }
      let from = 0;
      let ready = true;
      for (let newline = text.indexOf(10); newline >= 0; newline = text.indexOf(10, from)) {
        ready = answers.answer(table.get(viewOf(text, from, newline - from))) && ready;
        from = newline + 1;
      }
      if (from < text.length) pending = Buffer.from(text.subarray(from));
      if (!ready) {
        req.pause();
        res.once('drain', () => req.resume());
      }
    }),
  );
  req.on(
    'end',
    guarded(res, () => {
      if (read > options.maxBody) return;
      if (pending !== null) answers.answer(table.get(pending));
      answers.flush(true);
    }),
  );
}

/**
 * Answers `POST /NAME` with a JSON array of key strings (`Content-Type: application/json`):
 * the body is read whole (up to the limit), then answered as lines are.
 */
export function answerJson(
  req: IncomingMessage,
  res: ServerResponse,
  table: Table,
  options: BatchOptions,
  refuse: (refusal: Refusal) => void,
): void {
  const chunks: Buffer[] = [];
  let read = 0;
  req.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > options.maxBody) {
      req.removeAllListeners('data');
      refuse(tooLarge(options.maxBody));
    } else chunks.push(chunk);
  });
  req.on(
    'end',
    guarded(res, () => {
      if (read > options.maxBody) return;
      let keys: unknown;
      try {
        keys = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        keys = undefined;
      }
      if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string')) {
        refuse({ status: 400, message: 'the body is not a JSON array of strings' });
        return;
      }
      res.setHeader('content-type', NDJSON);
      const answers = new AnswerWriter(res, options.encoding);
      const list = keys as string[];
      // As many answers as the response takes, then the rest when it drains.
      const answerFrom = guarded(res, (first: number) => {
        for (let i = first; i < list.length; i++) {
          if (!answers.answer(table.get(list[i]!))) {
            res.once('drain', () => answerFrom(i + 1));
            return;
          }
        }
        answers.flush(true);
      });
      answerFrom(0);
    }),
  );
}

/**
 * `handle`, with a fault (a table's files damaged) answered 500 while no answer has started,
 * or the connection cut after: a listener's throw would otherwise end the server.
 */
function guarded<T extends unknown[]>(res: ServerResponse, handle: (...args: T) => void) {
  return (...args: T): void => {
    try {
      handle(...args);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = `lookup failed: ${describeError(error)}\n`;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(body);
    }
  };
}

export function tooLarge(maxBody: number): Refusal {
  return { status: 413, message: `the body is larger than --max-body (${maxBody} bytes)` };
}
