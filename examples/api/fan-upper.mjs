// Upper-cases lines with two `tr` workers, in input order, and reports the summary.
import { Readable } from 'node:stream';
import { fan } from 'manifold-pipes';

const input = Readable.from(['apple\nbanana\n', 'cherry\n']);
const summary = await fan(
  { command: ['tr', 'a-z', 'A-Z'], workers: 2, merge: 'ordered', oneToOne: true },
  { input, output: process.stdout },
);
console.log(`${summary.totals.recordsIn} records in, ${summary.totals.recordsOut} out`);
