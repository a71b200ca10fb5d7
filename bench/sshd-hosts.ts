import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The tests' hosts (test/support/sshd.ts re-exports this) and the bench's `hosts` group's:
// no test runner here, so that the bench can start them too.
// Real sshd servers as test hosts: each in a network namespace of its own, reached over a veth
// pair at an address of its own (as root, as CI runs), or where namespaces cannot be had, on
// a loopback port. Each host has its own HOME (its cache of shipped files) and PATH (a folder
// with `node` and, unless asked otherwise, this build's `manifold`).

export interface TestHost {
  /** The name the generated ssh_config knows it by: `h1`, `h2`... */
  name: string;
  address: string;
  port: number;
  /** Its HOME: shipped files land under it. */
  home: string;
  /** The folder first on its PATH (`node`, `manifold`): a command put here is found there only. */
  bin: string;
  /** The sshd listening for it. */
  sshd: ChildProcess;
  /** The processes its sshd runs for connections (sessions, workers, their commands). */
  processes(): number[];
  /** The host dies: its sshd and every process it runs are killed. */
  kill(): void;
  /** Its network link goes down (namespaces only): the host hangs, as far as anyone can tell. */
  linkDown?(): void;
  /** Every process it runs is stopped (SIGSTOP): it hangs, link and all, on loopback too. */
  hang(): void;
}

export interface TestHosts {
  hosts: TestHost[];
  /** The `--ssh` value: `ssh -F <generated config>`. */
  ssh: string;
  /** Whether the hosts are in network namespaces (else on loopback ports). */
  namespaces: boolean;
  /** Stops every host and removes its namespace and files; throws if a process was left. */
  stop(): Promise<void>;
}

export interface HostsOptions {
  /** Hosts (by index from 0) whose PATH has no manifold. */
  withoutManifold?: number[];
  /** Sessions each sshd allows over one connection (sshd's `MaxSessions`). @default 100 */
  maxSessions?: number;
}

/** The package's folder, from here or from dist/bench/. */
const root = (() => {
  const here = fileURLToPath(new URL('..', import.meta.url));
  return here.endsWith('/dist/') ? here.slice(0, -'dist/'.length) : here;
})();

/** Every process below `parent`, from /proc. */
function descendants(parent: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentOf(Number(name));
    if (ppid !== null) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [parent];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A process's state and parent, or null once it is gone. */
function statOf(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

const parentOf = (pid: number) => statOf(pid)?.ppid ?? null;

/**
 * Every process whose environment has HOME=`home`: a host's, also one its sshd no longer
 * parents. A remote process that reads and writes nothing is not told its connection went, and
 * outlives it, re-parented to init: not manifold's (`worker --stdio` and `--receive` read their
 * stdin, and stop their command when it ends), but a test's stand-in for it that sleeps.
 */
function withHome(home: string): number[] {
  const entry = `HOME=${home}`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry))
        found.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/**
 * Kills `pid` and every process below it. Each is stopped first, and the tree read again until
 * no process is new, so none forks one that goes unkilled. Killed from one list, read before,
 * a host's listening sshd lived on until the list's end: under load long enough to take the
 * connection manifold made again at once on losing its session, and the process it forked for
 * it, on no list, served it: the host killed ran the retried block ('host h1 dropped' never came).
 */
function killTree(pid: number): void {
  const stopped = new Set<number>();
  let found = [pid];
  while (found.length > 0) {
    for (const each of found) {
      killQuietly(each, 'SIGSTOP');
      stopped.add(each);
    }
    found = descendants(pid).filter((each) => !stopped.has(each));
  }
  for (const each of stopped) killQuietly(each);
}

const run = (file: string, args: string[]) =>
  execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

let namespacesWork: boolean | undefined;

/** Whether `ip netns` can be used here (root, with iproute2): tried once per test file. */
function canUseNamespaces(): boolean {
  // MANIFOLD_TEST_LOOPBACK=1 tries the fallback where namespaces would work.
  if (process.env.MANIFOLD_TEST_LOOPBACK) return false;
  if (namespacesWork !== undefined) return namespacesWork;
  const probe = `mfprobe${process.pid % 100000}`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
    namespacesWork = true;
  } catch {
    namespacesWork = false;
  }
  return namespacesWork;
}

const NETS = '/run/manifold-test-nets';

/**
 * A network 10.201.N.0/24 of this set of hosts' own, claimed by a file made with O_EXCL in
 * /run (a claim whose process is gone is taken over). Two test files run at once, and a number
 * picked from the process id alone (as it was) put two sets of hosts on the same addresses
 * when their pids met modulo 250: ssh reached the other set's sshd, and refused its host key.
 * A network with an address on any link here is skipped, claimed or not: a set of hosts whose
 * process was killed leaves its links behind, and a second route to the same addresses sent
 * ssh into the dead set's namespace ("Connection refused").
 */
export function claimNet(): { net: number; release: () => void } {
  mkdirSync(NETS, { recursive: true });
  for (let k = 0; k < 250; k++) {
    const net = ((process.pid + k) % 250) + 1;
    if (run('ip', ['-o', 'addr', 'show', 'to', `10.201.${net}.0/24`]).trim() !== '') continue;
    const file = join(NETS, String(net));
    for (let tried = 0; tried < 2; tried++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return { net, release: () => rmSync(file, { force: true }) };
      } catch {
        let owner = 0;
        try {
          owner = Number(readFileSync(file, 'utf8'));
        } catch {
          // Released meanwhile: try it again.
        }
        if (owner > 0 && statOf(owner) !== null) break;
        rmSync(file, { force: true });
      }
    }
  }
  throw new Error(`no test network free in ${NETS}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once sshd says it listens; rejects if it exits first. */
function listening(sshd: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (/Server listening/.test(log())) resolve();
    };
    sshd.stderr!.on('data', check);
    sshd.once('exit', (code) =>
      reject(new Error(`sshd exited (${code}) before listening:\n${log()}`)),
    );
  });
}

/** Starts `count` sshd test hosts, with a key pair and an ssh_config generated for them. */
export async function startHosts(count: number, options: HostsOptions = {}): Promise<TestHosts> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mf-hosts-')));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const namespaces = canUseNamespaces();
  mkdirSync('/run/sshd', { recursive: true });
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `manifold-test-host ${hostKey}\n`);
  const tag = `mf${process.pid % 100000}`;
  const hosts: TestHost[] = [];
  const cleanups: (() => void)[] = [];
  const claim = namespaces ? claimNet() : null;
  const net = claim?.net ?? 0;
  if (claim !== null) cleanups.push(claim.release);
  let config = [
    'Host *',
    '  User root',
    `  IdentityFile ${join(dir, 'client_key')}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    '  HostKeyAlias manifold-test-host',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  LogLevel ERROR',
    '  ConnectTimeout 5',
    '',
  ].join('\n');
  try {
    for (let i = 0; i < count; i++) {
      const name = `h${i + 1}`;
      const home = join(dir, name, 'home');
      const binDir = join(dir, name, 'bin');
      mkdirSync(home, { recursive: true });
      mkdirSync(binDir, { recursive: true });
      symlinkSync(process.execPath, join(binDir, 'node'));
      // As an install of the package puts them on PATH: manifold and the mf-* filters.
      if (!options.withoutManifold?.includes(i)) {
        const bins = join(root, 'dist', 'bundle', 'bin');
        for (const file of readdirSync(bins).filter((name) => name.endsWith('.js'))) {
          symlinkSync(join(bins, file), join(binDir, file.replace(/\.js$/, '')));
        }
      }
      let address = '127.0.0.1';
      let port = 22;
      let prefix: string[] = [];
      let linkDown: (() => void) | undefined;
      if (namespaces) {
        const ns = `${tag}n${i}`;
        const outer = `${tag}a${i}`;
        address = `10.201.${net}.${i * 4 + 2}`;
        run('ip', ['netns', 'add', ns]);
        cleanups.push(() => run('ip', ['netns', 'del', ns]));
        run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', `${tag}b${i}`]);
        cleanups.push(() => {
          try {
            run('ip', ['link', 'del', outer]);
          } catch {
            // Gone with its namespace's end of the pair.
          }
        });
        run('ip', ['link', 'set', `${tag}b${i}`, 'netns', ns]);
        run('ip', ['addr', 'add', `10.201.${net}.${i * 4 + 1}/30`, 'dev', outer]);
        run('ip', ['link', 'set', outer, 'up']);
        const inside = ['ip', 'netns', 'exec', ns, 'ip'];
        run(inside[0]!, [...inside.slice(1), 'addr', 'add', `${address}/30`, 'dev', `${tag}b${i}`]);
        run(inside[0]!, [...inside.slice(1), 'link', 'set', `${tag}b${i}`, 'up']);
        run(inside[0]!, [...inside.slice(1), 'link', 'set', 'lo', 'up']);
        prefix = ['ip', 'netns', 'exec', ns];
        linkDown = () => run('ip', ['link', 'set', outer, 'down']);
      } else {
        port = await freePort();
      }
      const sshdConfig = join(dir, name, 'sshd_config');
      writeFileSync(
        sshdConfig,
        [
          `Port ${port}`,
          `ListenAddress ${address}`,
          `HostKey ${join(dir, 'host_key')}`,
          `AuthorizedKeysFile ${join(dir, 'client_key.pub')}`,
          'PidFile none',
          'StrictModes no',
          'UsePAM no',
          'PermitRootLogin prohibit-password',
          'MaxStartups 100',
          `MaxSessions ${options.maxSessions ?? 100}`,
          `SetEnv PATH=${binDir}:/usr/bin:/bin HOME=${home}`,
          'LogLevel INFO',
          '',
        ].join('\n'),
      );
      const argv = [...prefix, '/usr/sbin/sshd', '-D', '-e', '-f', sshdConfig];
      const sshd = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      sshd.stderr!.setEncoding('utf8').on('data', (text: string) => {
        log = (log + text).slice(-8192);
      });
      await listening(sshd, () => log);
      const pid = sshd.pid!;
      const processes = () => descendants(pid);
      const kill = () => killTree(pid);
      const hang = () => {
        for (const child of [pid, ...processes()]) {
          try {
            process.kill(child, 'SIGSTOP');
          } catch {
            // Gone already.
          }
        }
      };
      cleanups.push(kill);
      hosts.push({
        ...{ name, address, port, home, bin: binDir, sshd, processes, kill, hang },
        ...(linkDown === undefined ? {} : { linkDown }),
      });
      config += `Host ${name}\n  HostName ${address}\n  Port ${port}\n`;
    }
  } catch (error) {
    for (const cleanup of cleanups.reverse()) cleanup();
    remove();
    throw error;
  }
  const configFile = join(dir, 'ssh_config');
  writeFileSync(configFile, config);
  const stop = async () => {
    const left = hosts.flatMap((host) => [host.sshd.pid!, ...host.processes()]);
    // Those of its processes that outlived their connection, orphaned, are killed too.
    const orphans = hosts
      .flatMap((host) => withHome(host.home))
      .filter((pid) => !left.includes(pid));
    for (const pid of orphans) killQuietly(pid);
    left.push(...orphans);
    for (const cleanup of cleanups.reverse()) {
      try {
        cleanup();
      } catch {
        // Tear down the rest whatever one piece did.
      }
    }
    await Promise.all(
      hosts.map((host) =>
        host.sshd.exitCode !== null || host.sshd.signalCode !== null
          ? undefined
          : new Promise((resolve) => host.sshd.once('exit', resolve)),
      ),
    );
    remove();
    const alive = left.filter((pid) => {
      const stat = statOf(pid);
      return stat !== null && stat.state !== 'Z';
    });
    if (alive.length > 0) throw new Error(`test hosts left processes: ${alive.join(', ')}`);
  };
  return { hosts, ssh: `ssh -F ${configFile}`, namespaces, stop };
}
