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

/** Runs a command `runs` times after one warm-up and returns the median wall time. */
export async function medianSeconds(command: string, runs: number): Promise<number> {
  await timeCommand(command);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timeCommand(command)).seconds);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
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
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${memory}, Node ${process.version}, ${process.platform} ${process.arch}`;
}
