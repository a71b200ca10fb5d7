/**
 * The process starter (`spawner.ts`), in Perl: perl-base is Essential on Debian and perl is on
 * nearly every Unix, and a perl of a few megabytes forks in a fraction of what manifold's heap
 * costs (docs/performance.md). Requests come on stdin as NUL-ended fields:
 * `s id stderr-piped argc argv... nset key value... nunset key...` starts a command, `c id`
 * closes the starter's copies of its pipe ends (manifold has opened its own by then, through
 * /proc/PID/fd). Replies are lines on stdout, each written whole by one `syswrite` (atomic on a
 * pipe): `P id in out err` (the descriptors of the starter's ends, `-` for no stderr pipe),
 * then `S id pid` once the command's exec succeeded, or `F id errno`, and `X id code signal`
 * (`-` for the one it has not) at its end.
 *
 * The starter forks each command, learns whether its exec succeeded through a close-on-exec
 * pipe, as libuv does, then waits for its end and reports both: one command at a time, so a
 * Perl starter serves one slot (no SIGCHLD handling, which Perl cannot do without a race, is
 * needed). The command
 * leads a process group of its own (as Node's `detached`), gets the pipes as 0 and 1 (and 2 when
 * piped), the rest of its descriptors being close-on-exec, and its environment as the
 * starter's with the request's changes. Both ends of
 * its input pipe stay open in the starter until `c`, so manifold's open of the write end never
 * finds no reader; pipes get 1 MiB (F_SETPIPE_SZ, 1031) where the system allows.
 *
 * A command named without a slash is looked up in its PATH once per starter, not at every
 * block: a search is a failed `execve` per directory before it, which on a virtual machine
 * costs as much as a fork. The child still falls back to `execvp` when the file found is gone,
 * so a command not found ends as it always did (127).
 */
export const SPAWNER_SCRIPT = String.raw`
use POSIX ();
$/ = "\0";
sub field { my $f = <STDIN>; defined $f or POSIX::_exit(0); chop $f; $f }
sub reply { my $l = join(' ', @_) . "\n"; syswrite(STDOUT, $l) }
my %found;
sub found {
  my ($name, $path) = @_;
  return undef if !defined $path || index($name, '/') >= 0;
  my $key = "$name\0$path";
  return $found{$key} if exists $found{$key};
  for my $dir (split /:/, $path, -1) {
    my $file = ($dir eq '' ? '.' : $dir) . "/$name";
    return $found{$key} = $file if -f $file && -x _;
  }
  return undef;
}
while (defined(my $op = <STDIN>)) {
  chop $op;
  my $id = field();
  next if $op eq 'c';
  my $piped = field();
  my @argv = map { field() } 1 .. field();
  my %set = map { field() } 1 .. 2 * field();
  my @unset = map { field() } 1 .. field();
  my ($in_r, $in_w, $out_r, $out_w, $err_r, $err_w, $st_r, $st_w);
  unless (pipe($in_r, $in_w) && pipe($out_r, $out_w) && (!$piped || pipe($err_r, $err_w))
      && pipe($st_r, $st_w)) {
    reply('F', $id, $! + 0);
    next;
  }
  my $path = exists $set{PATH} ? $set{PATH} : (grep { $_ eq 'PATH' } @unset) ? undef : $ENV{PATH};
  my $file = found($argv[0], $path);
  fcntl($in_w, 1031, 1048576);
  fcntl($out_w, 1031, 1048576);
  my $pid = fork;
  if (!defined $pid) { reply('F', $id, $! + 0); next }
  if ($pid == 0) {
    setpgrp(0, 0);
    POSIX::dup2(fileno $in_r, 0);
    POSIX::dup2(fileno $out_w, 1);
    POSIX::dup2(fileno $err_w, 2) if $piped;
    @ENV{keys %set} = values %set;
    delete @ENV{@unset};
    exec { $file } @argv if defined $file;
    exec { $argv[0] } @argv;
    syswrite($st_w, pack('N', $! + 0));
    POSIX::_exit(127);
  }
  setpgrp($pid, $pid);
  close $st_w; close $out_w; close $err_w if $piped;
  reply('P', $id, $pid, fileno $in_w, fileno $out_r, $piped ? fileno $err_r : '-');
  my $close = field();
  field() if $close eq 'c';
  undef $in_r; undef $in_w; undef $out_r; undef $err_r;
  if (sysread($st_r, my $errno, 4) == 4) {
    waitpid($pid, 0);
    reply('F', $id, unpack('N', $errno));
    next;
  }
  reply('S', $id);
  waitpid($pid, 0);
  my $status = $?;
  reply('X', $id, $status & 127 ? ('-', $status & 127) : ($status >> 8, '-'));
}
`;

/**
 * The same starter in Python, preferred where Debian's `/usr/bin/python3` is installed: it starts each
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
 *   their ends, before it exits.
 */
export const SPAWNER_PYTHON = String.raw`
import os, signal, fcntl, select
# As the Perl starter: once manifold is gone, a reply ends it by SIGPIPE, quietly.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
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
    os.write(1, (' '.join(str(p) for p in parts) + '\n').encode())
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
        rid, told = children.pop(pid, (None, False))
        if rid is None:
            continue
        if told:
            tell_end(rid, status)
        else:
            ended[pid] = (rid, status)
def field():
    global buf
    while True:
        i = buf.find(b'\0')
        if i >= 0:
            f = buf[:i]
            buf = buf[i + 1:]
            return f
        ready = select.select([0, wake_r], [], [])[0]
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
                while children:
                    select.select([wake_r], [], [])
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
        # Its ends stay open here until manifold says (c) it has opened its own through /proc;
        # other requests may come first. Its end is told after its start.
        opening[rid] = (pid, (in_r, in_w, out_r, err_r))
        reply('P', rid, pid, in_w, out_r, err_r if piped else '-')
# Anything unforeseen ends the starter with one status, not a traceback on manifold's stderr:
# manifold names the starter's end in one line.
try:
    serve()
except BaseException:
    os._exit(70)
`;
