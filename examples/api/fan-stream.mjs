// Reads a fan's output in code: whole records per chunk, as fast as the loop takes them.
import { Readable } from 'node:stream';
import { fan } from 'manifold-pipes';

const input = Readable.from(['# header\nalpha\n# note\nbeta\ngamma\n']);
const kept = [];
for await (const chunk of fan.stream(
  { command: "sed '/^#/d'", workers: 2, merge: 'ordered', perBlock: true, block: 8 },
  { input },
)) {
  kept.push(...chunk.toString().split('\n').filter(Boolean));
}
console.log(kept.join(' '));
