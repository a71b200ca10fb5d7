// An AbortSignal stops the run: the workers are stopped before the promise rejects.
import { Readable, Writable } from 'node:stream';
import { fan } from 'manifold-pipes';

const controller = new AbortController();
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const running = fan(
  { command: ['sleep', '60'], workers: 2 },
  { input: Readable.from(['x\n']), output: discard, signal: controller.signal },
);
setTimeout(() => controller.abort(), 100);
try {
  await running;
} catch (error) {
  console.log(error.name, error.code);
}
