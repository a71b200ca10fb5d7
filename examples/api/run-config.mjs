// Runs a pipeline config, given as an object (a path to a YAML or JSON file works the same).
import { Readable } from 'node:stream';
import { run } from 'manifold-pipes';

const config = {
  stages: [
    { name: 'words', run: "tr -s ' ' '\\n'" },
    {
      name: 'count',
      fan: { worker: 'sort | uniq -c', dispatch: 'hash', merge: 'sorted', key: 'field:2' },
    },
  ],
};
const summary = await run(config, {
  input: Readable.from(['b a c\na b a\n']),
  output: process.stdout,
});
console.log(summary.stages.map((stage) => `${stage.stage}: ${stage.exitCode}`).join(', '));
