import { Command, Option } from 'commander';
import { ExitCode, UsageError } from '../../filters/index.js';
import { manifoldVersion } from '../../filters/sdk/cli.js';
import { probeLine } from '../remote/cache.js';

/** `manifold worker`: the far side of a remote worker (docs/hosts.md). */
export function workerCommand(run: (status: Promise<number>) => void): Command {
  return new Command('worker')
    .description(
      "Serve a coordinator's blocks on this machine: run by manifold fan --host over SSH, not by hand.",
    )
    .addOption(
      new Option('--stdio', 'speak the framed block protocol on stdin and stdout (docs/hosts.md)'),
    )
    .addOption(
      new Option(
        '--probe',
        'say this version and its cache folder, then wait for stdin to end (a connection check)',
      ),
    )
    .addOption(
      new Option(
        '--receive',
        'take shipped files (framed) on stdin into the cache folder, by content hash',
      ),
    )
    .addOption(
      new Option('--heartbeat <ms>', 'with --stdio: say it is alive this often').default('1000'),
    )
    .addOption(
      new Option(
        '--host-timeout <ms>',
        'with --stdio: give up (stopping its command) after hearing nothing for this long',
      ).default('30000'),
    )
    .addHelpText(
      'after',
      `
Exit status: 0 the coordinator closed the session; 1 it went silent, or spoke no frames; 2 usage.

Examples:
  manifold fan --host h1 --host h2 -- cat   # starts 'manifold worker --stdio' on h1 and h2
  ssh h1 manifold worker --probe < /dev/null  # checks that h1 has manifold

See docs/hosts.md.`,
    )
    .action((raw: Record<string, unknown>) => run(runWorker(raw)));
}

async function runWorker(raw: Record<string, unknown>): Promise<number> {
  if (raw.probe) {
    process.stdout.write(`${probeLine(manifoldVersion())}\n`);
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once('end', resolve));
    return ExitCode.ok;
  }
  if (raw.receive) {
    const { receiveStdio } = await import('../remote/receive.js');
    return receiveStdio(process.stdin, process.stdout);
  }
  if (!raw.stdio) throw new UsageError('manifold worker needs --stdio (or --probe, --receive)');
  const heartbeat = milliseconds(raw.heartbeat, '--heartbeat');
  const timeout = milliseconds(raw.hostTimeout, '--host-timeout');
  // Stopped by its coordinator (or a lost connection), never by a terminal's signal.
  process.on('SIGHUP', () => process.stdin.destroy());
  const { serveStdio } = await import('../remote/serve.js');
  return serveStdio({ input: process.stdin, output: process.stdout, heartbeat, timeout });
}

function milliseconds(value: unknown, option: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new UsageError(`${option} must be a whole number of milliseconds (got '${value}')`);
  }
  return ms;
}
