/**
 * The process starter (`spawner.ts`) in Python, preferred to the Perl one (`spawner-script.ts`,
 * which describes the protocol) where Debian's `/usr/bin/python3` is installed: it starts each
 * command with `posix_spawn`, which glibc makes a `vfork` (the child shares the starter's
 * memory until its exec), where Perl can only `fork` and copy its page tables. Measured on the
 * bench's virtual machine, a block's `cat` from request to exit: 9.4 ms by Perl's fork and
 * exec, 4.1 ms by `posix_spawn` (docs/performance.md). The protocol, the pipes, the lookup
 * kept per command, the process group and the replies are the Perl script's, with these
 * differences:
 * - it runs many commands at once, so one serves every slot of a fan: it does not wait for a
 *   command's end but hears it by SIGCHLD (through `signal.set_wakeup_fd`, which `select` sees
 *   beside the requests), and a command's `c` may come after other requests;
 * - an exec that fails is known at the start, so `F` may come instead of `P`;
 * - SIGPIPE and SIGXFSZ, which Python ignores, are reset for the command;
 * - on a Python too old for `posix_spawn` (before 3.8) it forks, and learns of a failed exec
 *   by a pipe that closes on exec, as the Perl script does;
 * - once manifold closes its requests, it waits for the commands still running, and tells
 *   their ends, before it exits;
 * - it feeds a command's stdin from a range of manifold's input file (`f`): `sendfile`, in a
 *   thread per pipe, so the kernel moves the bytes from the page cache into the pipe and
 *   manifold's thread never touches them. Feeds of one pipe run in the order asked; each is told
 *   (`D id sent errno`) once done, its pipe's end closed here. SIGPIPE is ignored, so a command
 *   gone mid-feed is an EPIPE told, not the starter's end;
 * - it writes a command's output to manifold's stdout itself (`r`: a ready merge), whole records
 *   of one command at a time. They are in `spawner-python-feeds.ts` and `spawner-python-io.ts`;
 * - it takes manifold's piped stdin (`i`) and moves whole records into the stdin pipes of the
 *   commands started with `k`, by `splice`: `spawner-python-input.ts`; a command asked for
 *   with `t` (as `r`, and one such) is started with the first piece it is given, and one given
 *   none is never started but told `N`: `spawner-python-takers.ts`.
 * How a command is found and started (`posix_spawn`, or fork and exec) is in
 * `spawner-python-spawn.ts`; how a command's end is heard and told, in `spawner-python-ends.ts`.
 */

import { ENDS_PYTHON } from './spawner-python-ends.js';
import { FEEDS_PYTHON } from './spawner-python-feeds.js';
import { INPUT_PYTHON } from './spawner-python-input.js';
import { INPUT_MOVES_PYTHON } from './spawner-python-input-moves.js';
import { RELAYS_PYTHON } from './spawner-python-io.js';
import { ORDERED_PYTHON } from './spawner-python-ordered.js';
import { SETUP_PYTHON } from './spawner-python-setup.js';
import { SPAWN_PYTHON } from './spawner-python-spawn.js';
import { START_PYTHON } from './spawner-python-start.js';
import { TAKERS_PYTHON } from './spawner-python-takers.js';

export const SPAWNER_PYTHON = String.raw`
# _signal, the C module under Python's signal: the same functions and numbers, without the
# enums signal.py builds as it loads (enum, functools, collections: ~7 ms of every start).
import os, _signal as signal, fcntl, select, sys, time, termios
${SETUP_PYTHON}
# A feed into a command gone is told as EPIPE; once manifold is gone, a reply ends the starter,
# quietly, as the Perl starter's SIGPIPE does.
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
# Commands run side by side: their ends are heard by SIGCHLD, through a pipe select() watches.
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False)
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda n, f: None)
buf = b''
# pid -> request id, and whether its start was told (its end is told after it).
children = {}
ended = {}
def reply(*parts):
    # One write of a short line: whole, whichever thread writes it.
    try:
        os.write(1, (' '.join(str(p) for p in parts) + '\n').encode())
    except BrokenPipeError:
        os._exit(0)
${FEEDS_PYTHON}
${INPUT_PYTHON}
${INPUT_MOVES_PYTHON}
${TAKERS_PYTHON}
${ENDS_PYTHON}
${RELAYS_PYTHON}
${ORDERED_PYTHON}
def field():
    global buf
    while True:
        i = buf.find(b'\0')
        if i >= 0:
            f = buf[:i]
            buf = buf[i + 1:]
            return f
        rest_if_due()
        ready = readable([0, wake_r, want_r, *reading()])
        for fd in ready:
            if fd in relays:
                relay_read(relays[fd])
        if wake_r in ready:
            reap()
        if want_r in ready:
            start_wanted()
        if ordered:
            settle()
        if 0 in ready:
            more = os.read(0, 65536)
            if not more:
                # No more requests: the commands still running are waited for, their ends told.
                # One whose pipes manifold never opened (gone before its c) gets the end of its
                # input, and nothing waits on its output: it ends.
                for _, fds in opening.values():
                    close(*fds)
                opening.clear()
                end_input()
                # Manifold ends this only once every relayed command has ended: one still
                # running means manifold is gone. Its output goes nowhere now, as when manifold
                # read it: its next write ends it (SIGPIPE).
                for relay in list(relays.values()):
                    del relays[relay.fd]
                    os.close(relay.fd)
                    relay.fd = None
                    relay.failed = True
                    if relay.status is not None:
                        relay_end(relay)
                # Ordered relays that ended and wait for their turn: it will not come.
                for relay in list(relay_of.values()):
                    if relay.fd is None and relay.status is not None:
                        relay.failed = True
                        relay_end(relay)
                while children:
                    rest_if_due()
                    for fd in readable([wake_r, *relays]):
                        if fd in relays:
                            relay_read(relays[fd])
                    reap()
                os._exit(0)
            buf += more
${SPAWN_PYTHON}
${START_PYTHON}
base = dict(os.environb)
# The starter's own folder, to come back to after starting a command in another (\`cwd\`).
home = os.open('.', os.O_RDONLY | os.O_DIRECTORY)
# Manifold's stdout, where it gave it (fd 3): written for relayed commands, never theirs.
try:
    os.set_inheritable(3, False)
except OSError:
    pass
defaults = [signal.SIGPIPE, signal.SIGXFSZ, signal.SIGCHLD]
def close(*fds):
    for fd in fds:
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
# Request id -> (pid, this starter's copies of its pipe ends), until manifold has opened its own.
opening = {}
def opened(rid, keep=False):
    pid, fds = opening.pop(rid, (None, ()))
    if keep and pid is not None and fds[1] is not None:
        # k: its stdin is written here, from the input taken (i).
        take_input(rid, pid, fds[1])
        fds = (fds[0], None, *fds[2:])
    close(*fds)
    if pid is None:
        return
    reply('S', rid)
    if pid in children:
        children[pid] = (rid, True)
    elif pid in ended:
        tell_end(*ended.pop(pid))
def serve():
    global held_most
    while True:
        op = field()
        rid = field().decode()
        if op == b'c' or op == b'k':
            opened(rid, op == b'k')
            continue
        if op == b'e':
            # No more input is wanted: the input thread stops.
            stop_input()
            continue
        if op == b'i':
            # Takes manifold's input (a path in /proc): its record delimiter, --max-record, and
            # the largest piece moved at once.
            path = field()
            delim = bytes.fromhex(field().decode())
            most = int(field())
            start_input(rid, path, delim, most, int(field()))
            continue
        if op == b'f':
            pipe = field()
            path = field()
            at = int(field())
            feed(rid, pipe, path, at, int(field()))
            continue
        if op == b'z':
            # Sizes manifold's own input pipe (a path in /proc) to 1 MiB, where it may: fewer,
            # larger reads of it. Nothing is told.
            try:
                fd = os.open(field(), os.O_RDONLY | os.O_NONBLOCK)
                try:
                    fcntl.fcntl(fd, 1031, 1048576)
                finally:
                    os.close(fd)
            except OSError:
                pass
            continue
        relay = None
        # o: its stdout is the pipe at this path (a /proc path of manifold's: the write end of
        # a pipe another process reads, as sort -m does), not a pipe to manifold.
        into = field() if op == b'o' else None
        if op in (b'r', b't') and not relay_of and not relays:
            die_with_manifold()
        if op in (b'r', b't'):
            # Its output is written here (relays): the record delimiter, --max-record, and the
            # exit statuses after which its last record, without its delimiter, is kept.
            relay = Relay()
            relay.read = 0
            relay.delim = bytes.fromhex(field().decode())
            relay.max = int(field())
            relay.ok = {int(n) for n in field().split(b',')}
            # The block whose output it is, under --merge ordered ('-': none), and how much
            # of later blocks' output may be held (--merge-memory).
            block = field()
            relay.block = None if block == b'-' else int(block)
            held_most = int(field())
        piped = field() == b'1'
        cwd = field()
        argv = [field() for _ in range(int(field()))]
        changes = [(field(), field()) for _ in range(int(field()))]
        unset = [field() for _ in range(int(field()))]
        env = dict(base)
        for k in unset:
            env.pop(k, None)
        env.update(changes)
        if op == b't':
            # t: r's, its stdin the input taken (i), and started with the first piece of it
            # that it is given (input_pick): given none, it never starts.
            await_input(rid, (rid, relay, None, piped, cwd, argv, env))
            continue
        start_command(rid, relay, into, piped, cwd, argv, env)
# Anything unforeseen ends the starter with one status, not a traceback on manifold's stderr:
# manifold names the starter's end in one line.
try:
    serve()
except BaseException:
    os._exit(70)
`;
