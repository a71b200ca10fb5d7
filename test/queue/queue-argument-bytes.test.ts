import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { startNats } from '../support/nats.js';
import {
  collect,
  finish,
  spawnManifold,
  spawnShell,
  waitForExit,
  watch,
  within,
} from '../support/spawn.js';

// A queue worker's command is given on its own command line (`manifold worker --queue URL --
// command`): a word of it that is not UTF-8 reaches the command as given, as a fan's does
// (test/orchestrator/fan-argument-bytes.test.ts): refused ("argument 6, $'x\xe9', is not
// UTF-8 ...", exit 2), it would leave the job waiting for a worker.

describe("a queue worker's command word that is not UTF-8", () => {
  it('reaches the command byte for byte', async () => {
    const server = await startNats();
    const coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'bytes']);
    const said = watch(coordinator.stderr!);
    const output = collect(coordinator.stdout!);
    coordinator.stdin!.end('a\n');
    // Its worker goes through /bin/sh, whose printf makes the byte 0xE9 (Node's spawn cannot).
    const line = `E9=$(printf '\\351'); exec ${manifold} worker --queue ${server.url} --job bytes -- printf '%s' "x$E9"`;
    const worker = await finish(spawnShell(line), 30_000);
    expect(worker.stderr).toBe('');
    expect(worker.exitCode).toBe(0);
    const end = await within(waitForExit(coordinator), 20_000, 'the coordinator ended');
    expect((await output).toString('hex')).toBe('78e9');
    expect(end.exitCode, said.text).toBe(0);
  });

  // No server is reached in these: the worker says its line before it would connect.
  const worker = (line: string, env: Record<string, string> = {}) =>
    finish(
      spawnShell(
        `E9=$(printf '\\351'); exec ${manifold} worker --queue nats://127.0.0.1:1 -- ${line}`,
        env,
      ),
      30_000,
    );

  it("a program so named: looked up by its bytes, named as $'...'", async () => {
    const result = await worker('"x$E9"');
    expect(result.stderr).toMatch(
      /^manifold: job "default": queue worker on .+ \(pid \d+\) cannot run \$'x\\xe9': command not found\n$/,
    );
    expect(result.exitCode).toBe(127);
  });

  it("refused where Node's spawn would start it (MANIFOLD_STARTER=spawn), exit 2", async () => {
    const result = await worker(`printf '%s' "x$E9"`, { MANIFOLD_STARTER: 'spawn' });
    expect(result.stderr).toBe(
      "manifold: the workers' command: its argument $'x\\xe9' is not UTF-8, which Node's spawn, " +
        'starting the workers here (MANIFOLD_STARTER=spawn), cannot pass as given: only the ' +
        "process starter can (docs/fan.md) (see 'manifold worker --help')\n",
    );
    expect(result.exitCode).toBe(2);
  });
});
