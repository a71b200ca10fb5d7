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
 *   commands started with `k`, by `splice`: `spawner-python-input.ts`.
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

export const SPAWNER_PYTHON = String.raw`
import os, signal, fcntl, select, sys, time, termios
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
        ready = readable([0, wake_r, *reading()])
        for fd in ready:
            if fd in relays:
                relay_read(relays[fd])
        if wake_r in ready:
            reap()
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
    if keep and pid is not None:
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
        if op == b'r' and not relay_of and not relays:
            die_with_manifold()
        if op == b'r':
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
        made = []
        try:
            in_r, in_w = os.pipe(); made += [in_r, in_w]
            if into is None:
                out_r, out_w = os.pipe(); made += [out_r, out_w]
            else:
                # Not blocking: a pipe whose reader is gone is ENXIO here, not a wait for ever.
                out_r, out_w = None, os.open(into, os.O_WRONLY | os.O_NONBLOCK); made.append(out_w)
                os.set_blocking(out_w, True)
            err_r, err_w = os.pipe() if piped else (None, None)
            made += [err_r, err_w]
        except OSError as e:
            close(*made)
            reply('F', rid, e.errno)
            continue
        for fd in (in_w, out_w):
            try:
                fcntl.fcntl(fd, 1031, 1048576)
            except OSError:
                pass
        actions = [(DUP2, in_r, 0), (DUP2, out_w, 1)]
        if piped:
            actions.append((DUP2, err_w, 2))
        path = env.get(b'PATH', b'/bin:/usr/bin')
        file = lookup(argv[0], path)
        program = argv[0] if b'/' in argv[0] else file
        pid = None
        error = 2
        if cwd:
            # The command starts in its folder: the starter goes there for the start (a spawn
            # has no folder of its own to give), and back.
            try:
                os.chdir(cwd)
            except OSError as e:
                error = e.errno
                program = None
        while program is not None:
            try:
                pid = spawn(program, argv, env, file_actions=actions, setpgroup=0, setsigdef=defaults)
                break
            except OSError as e:
                error = e.errno
            if error == 8 and argv[0] != b'/bin/sh':
                argv = [b'/bin/sh', program] + argv[1:]
                program = b'/bin/sh'
            elif error == 2 and file is not None:
                found.pop((argv[0], path), None)
                again = lookup(argv[0], path)
                program = again if again != file else None
                file = again
            else:
                program = None
        if cwd:
            os.fchdir(home)
        close(out_w, err_w)
        if pid is None:
            close(in_r, in_w, out_r, err_r)
            reply('F', rid, error)
            continue
        children[pid] = (rid, False)
        if relay is not None:
            relay.fd, relay.rid, relay.pid = out_r, rid, pid
            relay.buf, relay.filled, relay.held = piece(), 0, []
            relay.status, relay.failed, relay.whole = None, False, 0
            relays[out_r] = relay
            if relay.block is not None:
                ordered[relay.block] = relay
            relay_of[pid] = relay
            out_r = None
        # Its ends stay open here until manifold says (c) it has opened its own through /proc;
        # other requests may come first. Its end is told after its start.
        opening[rid] = (pid, (in_r, in_w, out_r, err_r))
        reply('P', rid, pid, in_w, '-' if out_r is None else out_r, err_r if piped else '-')
# Anything unforeseen ends the starter with one status, not a traceback on manifold's stderr:
# manifold names the starter's end in one line.
try:
    serve()
except BaseException:
    os._exit(70)
`;
