/**
 * How the Python process starter (`spawner-python.ts`) starts a command it was asked for (`s`,
 * `r`, `o`, or a `t` the input starts): its pipes, `posix_spawn` (`spawner-python-spawn.ts`),
 * the relay of its output, and `P` told. `stdin`: the pipe made ahead for a command that takes
 * the input (`await_input`), whose write end stays the input's. Its pid, or None when it could
 * not start (`F` told). Joined into the starter's script where it stands.
 */
export const START_PYTHON = `def start_command(rid, relay, into, piped, cwd, argv, env, stdin=None):
    made = []
    try:
        if stdin is None:
            in_r, in_w = os.pipe(); made += [in_r, in_w]
        else:
            in_r, in_w = stdin
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
        return None
    for fd in (in_w, out_w) if stdin is None else (out_w,):
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
        close(*((in_r, in_w) if stdin is None else ()), out_r, err_r)
        reply('F', rid, error)
        return None
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
    # A stdin made ahead is the input's (await_input): its write end is kept there, not here.
    opening[rid] = (pid, (in_r, in_w if stdin is None else None, out_r, err_r))
    reply('P', rid, pid, in_w, '-' if out_r is None else out_r, err_r if piped else '-')
    return pid
`;
