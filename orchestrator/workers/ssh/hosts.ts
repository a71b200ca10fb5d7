import { hasControl, quoteWord } from '../../../filters/errors.js';
import { MAX_WORKERS } from '../../options/fan-settings.js';
import { numericHostProblem } from '../host-name.js';

/** A host a fan runs slots on, as `--host [user@]host[:port][/slots]` names it. */
export interface HostSpec {
  /** As written, for messages: `alice@h1:2222`. */
  name: string;
  user?: string;
  host: string;
  port?: number;
  /** How many slots (sessions, each running one instance at a time) it runs. */
  slots: number;
  /** `:` or `local`: this machine, without SSH. */
  local: boolean;
}

/** What the ssh kind needs besides the hosts: how to reach them and what runs there. */
export interface RemoteSettings {
  hosts: HostSpec[];
  /** The ssh program and its options, as words: `['ssh', '-F', 'my_config']`. */
  ssh: string[];
  /** How messages name the option that gave `ssh`: `--ssh`, `hosts.ssh`, `ssh`. */
  sshOption: string;
  /**
   * The folder ssh runs in, so that its options' relative paths (`-F ./ssh_config`, `-i ./key`)
   * are its caller's, as its program's is: a config's folder, the current one on the command line.
   */
  folder?: string;
  /** manifold on the hosts: a path, or a name found on their PATH. */
  remoteManifold: string;
  /** A host heard nothing from for this long (milliseconds) is taken for hung. */
  hostTimeout: number;
  /** How messages name the option that gave `hostTimeout`: `--host-timeout`, `hosts.host-timeout`. */
  hostTimeoutOption?: string;
  /** Paths shipped to each host (`path`, here), seen by its workers at `name` (relative). */
  transfer: { name: string; path: string }[];
  /** Tables shipped to each host, named to its workers at their shipped place. */
  tables: { name: string; path: string }[];
  /** Remove from the hosts, at the end, what this run shipped. */
  cleanup: boolean;
}

const HOST = /^(?:([^@\s/:]+)@)?(\[[^\]\s]+\]|[^@\s/:]+)(?::(\d+))?(?:\/(\d+))?$/;
const LOCAL = /^(?::|local)(?:\/(\d+))?$/;
/** The characters OpenSSH's valid_hostname() refuses in a host name (blanks are HOST's). */
const SSH_REFUSES = /['`"$\\;&<>|(){},]/;

/**
 * Reads `[user@]host[:port][/slots]`, or `:` / `local` (this machine), each with an optional
 * `/slots`; `slots` is the default for a host that says none. Returns a problem as a phrase.
 */
export function parseHost(text: string, slots: number): HostSpec | { problem: string } {
  const local = LOCAL.exec(text);
  if (local !== null) {
    const own = local[1] === undefined ? slots : Number(local[1]);
    const problem = slotsProblem(text, own);
    if (problem !== null) return { problem };
    return { name: 'local', host: 'localhost', slots: own, local: true };
  }
  const match = HOST.exec(text);
  if (match === null) return { problem: `${quoteWord(text)} is not [user@]host[:port][/slots]` };
  const [, user, host, port, own] = match;
  // ssh reads a word that starts with '-' as an option: `--host -1` met "SSH protocol v.1 is no
  // longer supported", and `-oProxyCommand=prog` was an option of ssh's, not a host.
  if (host!.startsWith('-'))
    return {
      problem: `${quoteWord(text)} is not [user@]host[:port][/slots]: a host name never starts with '-'`,
    };
  // ssh refuses these itself (`hostname contains invalid characters`), but only once the run
  // has started: the host was dropped, exit 1, a usage error said as a failure.
  const shellChar = SSH_REFUSES.exec(host!)?.[0];
  if (shellChar !== undefined)
    return {
      problem: `${quoteWord(text)} is not [user@]host[:port][/slots]: a host name has no ${shellChar} in it`,
    };
  // Nor a control character (an escape sequence, DEL), which ssh refuses too, and which a
  // message about the host would otherwise write to a terminal as it is.
  if (hasControl(host!))
    return {
      problem: `${quoteWord(text)} is not [user@]host[:port][/slots]: a host name has no control character in it`,
    };
  // `[::1]` is an address in brackets, ssh given it bare; a lone bracket is the name's own:
  // `x]` and `[zz` reached ssh as `x` and `zz`, and `[]` as an empty name.
  const name = /^\[.+\]$/.test(host!) ? host!.slice(1, -1) : host!;
  const numeric = numericHostProblem(name);
  if (numeric !== null)
    return { problem: `${quoteWord(text)} is not [user@]host[:port][/slots]: ${numeric}` };
  const spec: HostSpec = {
    name: text.replace(/\/\d+$/, ''),
    host: name,
    slots: own === undefined ? slots : Number(own),
    local: false,
    ...(user === undefined ? {} : { user }),
    ...(port === undefined ? {} : { port: Number(port) }),
  };
  const problem = slotsProblem(text, spec.slots);
  if (problem !== null) return { problem };
  if (spec.port !== undefined && (spec.port < 1 || spec.port > 65535)) {
    return { problem: `${quoteWord(text)} has no such port (${spec.port})` };
  }
  return spec;
}

/** A host's slots are as many as -j may be: 1 to MAX_WORKERS. */
function slotsProblem(text: string, slots: number): string | null {
  if (slots < 1) return `${quoteWord(text)} has no slots (/0)`;
  if (slots > MAX_WORKERS)
    return `${quoteWord(text)} has too many slots (at most ${MAX_WORKERS}, as for -j)`;
  return null;
}

/** The lines of a hosts file that name hosts: `#` starts a comment, blank lines are skipped. */
export function hostLines(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((raw, i) => ({ line: i + 1, text: raw.replace(/#.*/, '').trim() }))
    .filter((entry) => entry.text !== '');
}
