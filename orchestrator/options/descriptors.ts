import { constants, fstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

// What a descriptor named by a path (`/dev/fd/N`) is, and whether it can be used: for the
// config's checks (placed at its key), the run (pipeline/given-descriptor.ts) and the library.

/** The names of the standard descriptors, as Linux's /dev has them: links to /proc/self/fd/N. */
const STANDARD = new Map([
  ['/dev/stdin', 0],
  ['/dev/stdout', 1],
  ['/dev/stderr', 2],
]);

/**
 * The descriptor `/dev/fd/N`, `/proc/self/fd/N`, `/dev/stdin`, `/dev/stdout` or `/dev/stderr`
 * names, or null for any other path. Each is the descriptor, never the file it leads to: opened
 * by its name, that file would be emptied, or a temporary one made in /dev/fd.
 */
export function descriptorNamed(path: string): number | null {
  const named = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(path);
  return named ? Number(named[1]) : (STANDARD.get(path) ?? null);
}

/**
 * Why `fd` cannot be used for `use` (`is not open`, `is open for reading only`, `is Node's own
 * (an eventpoll), not one manifold was given`), or null when it can. The library's caller is
 * the process, and its descriptors are its to give, but for those Node holds for itself:
 * writing one killed the caller (SIGSEGV), reading one never ended.
 */
export function descriptorProblem(
  fd: number,
  use: 'read' | 'write',
): { why: string; cause?: unknown } | null {
  try {
    fstatSync(fd);
  } catch (cause) {
    return { why: 'is not open', cause };
  }
  const all = descriptors();
  if (all === null || !all.has(fd)) return null;
  // 0, 1 and 2 are the shell's to give, never Node's own; but stdin may be open to read only.
  const own = fd > 2 ? nodeOwn(fd, all) : null;
  if (own !== null) return { why: `is Node's own (${own}), not one manifold was given` };
  const { access } = all.get(fd)!;
  if (use === 'write' && access === constants.O_RDONLY) return { why: 'is open for reading only' };
  if (use === 'read' && access === constants.O_WRONLY) return { why: 'is open for writing only' };
  return null;
}

/** What /proc/self/fd says of each open descriptor: what it is, and how it was opened. */
type Descriptors = Map<number, { link: string; access: number }>;

/** This process's descriptors, or null without /proc to ask (not Linux): then all are taken. */
function descriptors(): Descriptors | null {
  const all: Descriptors = new Map();
  try {
    for (const name of readdirSync('/proc/self/fd')) {
      try {
        const link = readlinkSync(`/proc/self/fd/${name}`);
        const flags = /^flags:\s*([0-7]+)$/m.exec(
          readFileSync(`/proc/self/fdinfo/${name}`, 'utf8'),
        );
        all.set(Number(name), { link, access: flags ? Number.parseInt(flags[1]!, 8) & 3 : -1 });
      } catch {}
    }
  } catch {
    return null;
  }
  return all;
}

/**
 * What a descriptor Node holds for itself is (`an eventpoll`, `a pipe`), or null. Node's event
 * loop keeps epoll and eventfd descriptors (anonymous inodes) and pipes to wake itself (both
 * ends held here) from 3 up; writing there crashed manifold (SIGABRT) or left it deaf to
 * signals. A pipe given (`57>&1`, `3< <(cmd)`) has its other end in another process.
 * (Close-on-exec tells nothing: Node sets it on the low descriptors it inherits.)
 */
function nodeOwn(fd: number, all: Descriptors): string | null {
  const { link } = all.get(fd)!;
  const anonymous = /^anon_inode:\[?([\w-]+)\]?$/.exec(link)?.[1];
  if (anonymous !== undefined) return `${/^[aeiou]/.test(anonymous) ? 'an' : 'a'} ${anonymous}`;
  if (!link.startsWith('pipe:')) return null;
  const ends = [...all.values()].filter((end) => end.link === link);
  const reads = ends.some((end) => end.access === constants.O_RDONLY);
  const writes = ends.some((end) => end.access === constants.O_WRONLY);
  return reads && writes ? 'a pipe' : null;
}

/**
 * What stops the descriptor that `path` names (`/dev/fd/N`, `/dev/stdin`) from being read (the
 * input) or written (the output), as the line that says it; null when it can be, or `path`
 * names none. `given` as for `descriptorProblem`.
 */
export function namedDescriptorProblem(
  path: string,
  use: 'read' | 'write',
  given = true,
): string | null {
  const fd = descriptorNamed(path);
  if (fd === null) return null;
  const problem = descriptorProblem(fd, use);
  if (problem === null) return null;
  return descriptorLine(fd, path, use, problem.why, given);
}

/**
 * The line saying why the descriptor `fd`, which `path` names, cannot be used for `use`; with
 * `hint`, the shell's way to give it (the command line's: the library's caller opens its own).
 */
export function descriptorLine(
  fd: number,
  path: string,
  use: 'read' | 'write',
  why: string,
  hint = true,
): string {
  const [verb, noun, redirect] =
    use === 'write' ? ['write', 'output', '>'] : ['read', 'input', '<'];
  const line = `cannot ${verb} ${noun} "${path}": descriptor ${fd} ${why}`;
  return hint ? `${line} (give it, as \`${fd}${redirect}file\`)` : line;
}
