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
 *   gone mid-feed is an EPIPE told, not the starter's end.
 */
export const SPAWNER_PYTHON = String.raw`
import os, signal, fcntl, select
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
# Feeds waiting, by the path of the pipe they go into, the first being sent; a thread per pipe.
feeds = {}
feeds_lock = None
def feed_pipe(pipe):
    while True:
        with feeds_lock:
            waiting = feeds[pipe]
            if not waiting:
                del feeds[pipe]
                return
            rid, path, at, length = waiting[0]
        sent = 0
        error = 0
        try:
            # Not blocking to open (a pipe nobody reads is ENXIO, not a wait), blocking to send.
            out = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            try:
                os.set_blocking(out, True)
                src = os.open(path, os.O_RDONLY)
                try:
                    while sent < length:
                        n = os.sendfile(out, src, at + sent, length - sent)
                        if n == 0:
                            break
                        sent += n
                finally:
                    os.close(src)
            finally:
                os.close(out)
        except OSError as e:
            error = e.errno
        with feeds_lock:
            waiting.pop(0)
        reply('D', rid, sent, error)
threading = None
def feed(rid, pipe, path, at, length):
    global feeds_lock, threading
    if threading is None:
        # Only a starter asked to feed loads threads.
        import threading
        feeds_lock = threading.Lock()
    with feeds_lock:
        waiting = feeds.get(pipe)
        if waiting is not None:
            waiting.append((rid, path, at, length))
            return
        feeds[pipe] = [(rid, path, at, length)]
    threading.Thread(target=feed_pipe, args=(pipe,), daemon=True).start()
def tell_end(rid, status):
    if os.WIFSIGNALED(status):
        reply('X', rid, '-', os.WTERMSIG(status))
    else:
        reply('X', rid, os.WEXITSTATUS(status), '-')
def reap():
    try:
        os.read(wake_r, 4096)
    except BlockingIOError:
        pass
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        relay = relay_of.get(pid)
        if relay is not None:
            # Its end is told once what it wrote is out (or dropped, as its status decides).
            relay.status = status
            if relay.fd is None:
                relay_end(relay)
            continue
        child_ended(pid, status)
def child_ended(pid, status):
    rid, told = children.pop(pid, (None, False))
    if rid is None:
        return
    if told:
        tell_end(rid, status)
    else:
        ended[pid] = (rid, status)
# Commands whose output this starter writes to manifold's stdout, its fd 3 (r): whole records
# only, so that two commands' records never mix, as manifold's ready merge writes them. By the
# pipe read, and by pid.
relays = {}
relay_of = {}
class Relay:
    pass
# The last write ended inside a record (a command's last record, without its delimiter): the
# delimiter goes in before more is written, as manifold's RecordSeam does. Once the output
# fails (its reader gone: EPIPE), nothing more is written, and manifold is told (W).
out_open = False
out_failed = False
def write_out(data):
    global out_failed, writing
    if out_failed:
        return
    view = memoryview(data)
    done = 0
    writing = True
    try:
        while done < len(view):
            try:
                done += os.write(3, view[done:])
            except BlockingIOError:
                select.select([], [3], [])
    except Gone:
        pass
    except OSError as e:
        out_failed = True
        reply('W', '-', e.errno)
    finally:
        writing = False
def write_records(relay, end):
    global out_open
    abandoned()
    if relay.failed:
        return
    if out_open:
        write_out(relay.delim)
        out_open = False
    write_out(memoryview(relay.buf)[:end])
class Gone(Exception):
    pass
writing = False
abandon = False
def on_gone(n, f):
    # SIGUSR1: manifold stops its fan (its workers are being stopped) or is gone. What the
    # relayed commands wrote and is not out yet is no longer wanted, as manifold's own ready
    # merge drops output once it stops; a write blocked on a reader that reads nothing is given
    # up, so that their ends can be told.
    global abandon
    abandon = True
    if writing:
        raise Gone()
signal.signal(signal.SIGUSR1, on_gone)
def abandoned():
    global abandon
    if abandon:
        abandon = False
        for relay in relay_of.values():
            relay.failed = True
            relay.filled = 0
def die_with_manifold():
    # A write to manifold's stdout blocks while its reader is slow; should manifold die
    # meanwhile, that write would never end: the kernel sends SIGUSR1 when manifold dies.
    global watched
    if watched:
        return
    watched = True
    # A pipe to manifold's reader takes a MiB at a time, as manifold's own pipes do: fewer,
    # larger writes of the workers' records (the kernel's 64 KiB made four times the writes).
    try:
        fcntl.fcntl(3, 1031, 1048576)
    except OSError:
        pass
    parent = os.getppid()
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGUSR1)
    except Exception:
        return
    if os.getppid() != parent:
        on_gone(0, None)
watched = False
def relay_read(relay):
    abandoned()
    if relay.filled == len(relay.buf):
        # One record fills the buffer: it grows, as far as a record may.
        relay.buf.extend(bytes(len(relay.buf)))
    view = memoryview(relay.buf)
    n = os.readv(relay.fd, [view[relay.filled:]])
    view.release()
    if n == 0:
        del relays[relay.fd]
        os.close(relay.fd)
        relay.fd = None
        if relay.status is not None:
            relay_end(relay)
        return
    if relay.failed:
        return
    searched = max(0, relay.filled - len(relay.delim) + 1)
    held = relay.filled
    relay.filled += n
    at = relay.buf.rfind(relay.delim, searched, relay.filled)
    if at >= 0 and held > 0:
        # The record held from the reads before ends in this one: it may be too long now.
        first = relay.buf.find(relay.delim, searched, relay.filled)
        if first > relay.max:
            relay.filled = first
            at = -1
    if at >= 0:
        end = at + len(relay.delim)
        write_records(relay, end)
        relay.buf[0:relay.filled - end] = relay.buf[end:relay.filled]
        relay.filled -= end
    if relay.filled > relay.max:
        # A record longer than --max-record: manifold fails the run; the rest is read, unwritten.
        relay.failed = True
        reply('M', relay.rid, relay.filled)
        relay.filled = 0
def relay_end(relay):
    global out_open
    abandoned()
    status = relay.status
    kept = os.WIFEXITED(status) and os.WEXITSTATUS(status) in relay.ok
    if relay.filled > 0 and kept and not relay.failed:
        write_records(relay, relay.filled)
        out_open = True
    relay.filled = 0
    del relay_of[relay.pid]
    child_ended(relay.pid, status)
def field():
    global buf
    while True:
        i = buf.find(b'\0')
        if i >= 0:
            f = buf[:i]
            buf = buf[i + 1:]
            return f
        ready = select.select([0, wake_r, *relays], [], [])[0]
        for fd in ready:
            if fd in relays:
                relay_read(relays[fd])
        if wake_r in ready:
            reap()
        if 0 in ready:
            more = os.read(0, 65536)
            if not more:
                # No more requests: the commands still running are waited for, their ends told.
                # One whose pipes manifold never opened (gone before its c) gets the end of its
                # input, and nothing waits on its output: it ends.
                for _, fds in opening.values():
                    close(*fds)
                opening.clear()
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
                while children:
                    for fd in select.select([wake_r, *relays], [], [])[0]:
                        if fd in relays:
                            relay_read(relays[fd])
                    reap()
                os._exit(0)
            buf += more
found = {}
def lookup(name, path):
    if b'/' in name:
        return None
    key = (name, path)
    if key in found:
        return found[key]
    for d in path.split(b':'):
        f = (d or b'.') + b'/' + name
        if os.path.isfile(f) and os.access(f, os.X_OK):
            found[key] = f
            return f
    return None
def fork_spawn(program, argv, env, file_actions, setpgroup, setsigdef):
    # Python before 3.8 has no posix_spawn: fork, and learn the exec's failure by a pipe that
    # closes on its success.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            for _, fd, to in file_actions:
                os.dup2(fd, to)
            for s in setsigdef:
                signal.signal(s, signal.SIG_DFL)
            os.execve(program, argv, env)
        except OSError as e:
            os.write(w, str(e.errno).encode())
        os._exit(127)
    os.close(w)
    failed = os.read(r, 16)
    os.close(r)
    if failed:
        os.waitpid(pid, 0)
        raise OSError(int(failed), 'exec')
    return pid
spawn = getattr(os, 'posix_spawn', fork_spawn)
DUP2 = getattr(os, 'POSIX_SPAWN_DUP2', 1)
base = dict(os.environb)
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
def opened(rid):
    pid, fds = opening.pop(rid, (None, ()))
    close(*fds)
    if pid is None:
        return
    reply('S', rid)
    if pid in children:
        children[pid] = (rid, True)
    elif pid in ended:
        tell_end(*ended.pop(pid))
def serve():
    while True:
        op = field()
        rid = field().decode()
        if op == b'c':
            opened(rid)
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
        if op == b'r' and not relay_of and not relays:
            die_with_manifold()
        if op == b'r':
            # Its output is written here (relays): the record delimiter, --max-record, and the
            # exit statuses after which its last record, without its delimiter, is kept.
            relay = Relay()
            relay.delim = bytes.fromhex(field().decode())
            relay.max = int(field())
            relay.ok = {int(n) for n in field().split(b',')}
        piped = field() == b'1'
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
            out_r, out_w = os.pipe(); made += [out_r, out_w]
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
        close(out_w, err_w)
        if pid is None:
            close(in_r, in_w, out_r, err_r)
            reply('F', rid, error)
            continue
        children[pid] = (rid, False)
        if relay is not None:
            relay.fd, relay.rid, relay.pid = out_r, rid, pid
            relay.buf, relay.filled = bytearray(1048576), 0
            relay.status, relay.failed = None, False
            relays[out_r] = relay
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
