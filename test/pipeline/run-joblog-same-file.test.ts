import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { records } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// A fan's `joblog:` written over the config's input, its output, `--stats` or another fan's job
// log: `check` passed, and `run` replaced the file, exit 0 (the input became the job log's
// header and a row; QA). `manifold fan` refuses each (fan-same-file.test.ts); a config's is a
// problem at the joblog's place, by check and by run, before anything runs.

const HEADER = 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval';

/** Runs `script` in sh in a folder holding `data.txt` (records 1-100) and `c.yaml`. */
async function inFolder(config: string, script: string) {
  const dir = tempDir('manifold-joblog-same-');
  writeFileSync(join(dir, 'data.txt'), records(1, 100));
  writeFileSync(join(dir, 'c.yaml'), config);
  const result = await execa('sh', ['-c', script, manifold], { cwd: dir, reject: false });
  const read = (name: string) =>
    existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null;
  return { exitCode: result.exitCode, stderr: result.stderr, read };
}

const fan = (joblog: string) => `  - fan: {worker: cat, joblog: ${joblog}}\n`;

describe("a fan's joblog in a config", () => {
  it.each([
    ['the input', `input: data.txt\nstages:\n${fan('data.txt')}`, '< /dev/null', '3:32'],
    ['stdin', `stages:\n${fan('data.txt')}`, '< data.txt', '2:32'],
    ['the output, not made yet', `output: o.txt\nstages:\n${fan('o.txt')}`, '< data.txt', '3:32'],
    [
      'the output and input',
      `input: data.txt\noutput: data.txt\nstages:\n${fan('data.txt')}`,
      '',
      '4:32',
    ],
    ['stdout', `stages:\n${fan('o.txt')}`, '< data.txt > o.txt', '2:32'],
    ['stdout by its name', `stages:\n${fan('/dev/stdout')}`, '< data.txt > o.txt', '2:32'],
    ["another fan's joblog", `stages:\n${fan('j.tsv')}${fan('./j.tsv')}`, '< data.txt', '3:32'],
    [
      'its own at the other use of its pipeline',
      `pipelines:\n  p:\n  ${fan('j.tsv')}stages:\n  - use: p\n  - use: p\n`,
      '< data.txt',
      '3:34',
    ],
  ])(
    'over %s is a problem at its place, by check and by run: nothing replaced',
    async (_, config, redirect, place) => {
      for (const command of ['check', 'run']) {
        const said = await inFolder(config, `"$0" ${command} c.yaml ${redirect}`);
        expect({ command, exitCode: said.exitCode, stderr: said.stderr }).toEqual({
          command,
          exitCode: 2,
          stderr: expect.stringMatching(
            new RegExp(`^c\\.yaml:${place}: joblog "[^"]+" is [^\\n]+$`),
          ),
        });
        expect(said.read('data.txt')).toBe(records(1, 100));
        expect(said.read('j.tsv')).toBeNull();
      }
    },
  );

  it('says which file it would replace', async () => {
    const lines = await Promise.all(
      [
        [`input: data.txt\nstages:\n${fan('data.txt')}`, ''],
        [`stages:\n${fan('data.txt')}`, '< data.txt'],
        [`stages:\n${fan('/dev/stdout')}`, '< data.txt > o.txt'],
        [`stages:\n${fan('j.tsv')}${fan('./j.tsv')}`, '< data.txt'],
        [`pipelines:\n  p:\n  ${fan('j.tsv')}stages:\n  - use: p\n  - use: p\n`, '< data.txt'],
      ].map(async ([config, redirect]) => {
        const said = await inFolder(config!, `"$0" check c.yaml ${redirect}`);
        return said.stderr.replace(/"\/[^"]*\/data\.txt"/, '"DIR/data.txt"');
      }),
    );
    expect(lines).toEqual([
      'c.yaml:3:32: joblog "data.txt" is the input file too (input "DIR/data.txt"): the report would replace it',
      'c.yaml:2:32: joblog "data.txt" is the input file too (stdin): the report would replace it',
      'c.yaml:2:32: joblog "/dev/stdout" is the output file too: the report would replace the output',
      `c.yaml:3:32: joblog "./j.tsv" is the joblog of stage stages[0] too: one fan's rows would replace the other's`,
      `c.yaml:3:34: joblog "j.tsv" is written at each use of its pipeline: one fan's rows would replace the other's`,
    ]);
  });

  it('that is the --stats file of the run is refused before it runs, the job log kept', async () => {
    const said = await inFolder(
      `stages:\n${fan('s.json')}`,
      'echo kept > s.json; "$0" run c.yaml --stats ./s.json < data.txt > out',
    );
    expect({ exitCode: said.exitCode, stderr: said.stderr, s: said.read('s.json') }).toEqual({
      exitCode: 2,
      stderr:
        'manifold: --stats ./s.json is the joblog of stage stages[0] too: the summary would replace the job log',
      s: 'kept\n',
    });
  });

  it.each([
    [
      '/dev/stdout, a pipe, as manifold fan writes it',
      `stages:\n${fan('/dev/stdout')}`,
      '< data.txt | cat > o.txt',
      'o.txt',
    ],
    ['stderr (-)', `stages:\n${fan('"-"')}`, '< data.txt > o.txt 2> log', 'log'],
    [
      'a file a pipeline no stage uses names too',
      `pipelines:\n  p:\n  ${fan('j.tsv')}stages:\n${fan('j.tsv')}`,
      '< data.txt > o.txt',
      'j.tsv',
    ],
  ])('written to %s runs, its rows and the output whole', async (_, config, redirect, log) => {
    const said = await inFolder(config, `"$0" run c.yaml ${redirect}`);
    expect({ exitCode: said.exitCode, stderr: said.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(said.read('o.txt')).toContain(records(1, 100));
    expect(said.read(log)).toContain(HEADER);
  });

  it('the fan command line says the same of its --joblog over stdout by its name', async () => {
    const said = await inFolder('', '"$0" fan --joblog /dev/stdout -- cat < data.txt > o.txt');
    expect([said.exitCode, said.stderr]).toEqual([
      2,
      'manifold: --joblog /dev/stdout is the output file too: the report would replace the output',
    ]);
  });
});
