import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** One timed run of a shell command line. */
export interface Timing {
  seconds: number;
}

/**
 * Runs `command` with bash, stdin from /dev/null unless the command redirects it, stdout
 * discarded unless redirected, and returns the wall time. A non-zero exit is an error: a
 * benchmark of a failing command measures nothing.
 */
export function timeCommand(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('bash', ['-o', 'pipefail', '-c', command], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ seconds });
      else reject(new Error(`benchmark command failed (${signal ?? code}): ${command}\n${stderr}`));
    });
  });
}

/**
 * Runs each command `runs` times after one warm-up (none when `warmUp` is false: --quick, where
 * the times mean little) and returns the median wall times. The runs are interleaved (a, b, c,
 * a, b, c, ...) so that a machine that speeds up or slows down during the benchmark affects
 * every case alike, and ratios between cases stay fair.
 */
export async function medianSeconds(
  commands: string[],
  runs: number,
  warmUp = true,
): Promise<Map<string, number>> {
  const times = new Map<string, number[]>(commands.map((command) => [command, []]));
  if (warmUp) for (const command of commands) await timeCommand(command);
  for (let i = 0; i < runs; i++) {
    for (const command of commands) times.get(command)!.push((await timeCommand(command)).seconds);
    process.stderr.write(`  round ${i + 1} of ${runs}\n`);
  }
  const medians = new Map<string, number>();
  for (const [command, list] of times) {
    list.sort((a, b) => a - b);
    medians.set(command, list[Math.floor(list.length / 2)]!);
  }
  return medians;
}

/** True when `command -v name` finds the program. */
export async function hasProgram(name: string): Promise<boolean> {
  try {
    await timeCommand(`command -v ${name} >/dev/null`);
    return true;
  } catch {
    return false;
  }
}

/** The machine, for the record next to the numbers. */
export function describeMachine(): string {
  const cpu = cpus();
  const memory = `${Math.round(totalmem() / 1024 ** 3)} GiB`;
  // Every Node process (manifold, each SDK filter) loads these certificates as it starts:
  // ~40 ms a start on the machine of 2026-12-01, in every start-up figure of the run.
  const certificates = process.env.NODE_EXTRA_CA_CERTS
    ? `; NODE_EXTRA_CA_CERTS is set (each Node process loads it at start)`
    : '';
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${memory}, Node ${process.version}, ${process.platform} ${process.arch}${certificates}`;
}
