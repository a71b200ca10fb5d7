/**
 * How the Python process starter (`spawner-python.ts`) hears its commands end and tells it: a
 * SIGCHLD wakes its poll, `reap` waits for every command ended, and each end is told (`X`) after
 * its start, or, for a relayed command, once what it wrote is out (`Q` first, while what it
 * started holds that output open). Joined into the starter's
 * script where it stands.
 */
export const ENDS_PYTHON = String.raw`def tell_end(rid, status, kind='X'):
    if os.WIFSIGNALED(status):
        reply(kind, rid, '-', os.WTERMSIG(status))
    else:
        reply(kind, rid, os.WEXITSTATUS(status), '-')
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
            # While what it started holds its output open, manifold hears that it ended (Q):
            # the leftovers of a command that failed are stopped.
            relay.status = status
            if relay.fd is None:
                relay_done(relay)
            else:
                tell_end(relay.rid, status, 'Q')
            continue
        child_ended(pid, status)
def child_ended(pid, status):
    rid, told = children.pop(pid, (None, False))
    if rid is None:
        return
    tell_given(pid)
    if told:
        tell_end(rid, status)
    else:
        ended[pid] = (rid, status)`;
