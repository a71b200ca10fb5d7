// A failing worker rejects with a coded error that names it and carries its last stderr lines.
import { Readable, Writable } from 'node:stream';
import { fan } from 'manifold-pipes';

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
try {
  await fan(
    { command: 'echo "cannot parse line 1" >&2; exit 3', workers: 1 },
    { input: Readable.from(['x\n']), output: discard },
  );
} catch (error) {
  console.log(error.code, error.exitCode);
  console.log(error.failures[0].replace(/pid \d+/, 'pid N'));
  console.log(error.stderr.join('\n'));
}
try {
  await fan({ command: ['cat'], block: 'big' }, { input: Readable.from([]), output: discard });
} catch (error) {
  console.log(error.code, error.message);
}
