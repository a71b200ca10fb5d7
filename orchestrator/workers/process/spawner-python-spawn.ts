/**
 * How the Python process starter (`spawner-python.ts`) finds a command and starts it: a lookup
 * of the name in PATH kept per command, and `posix_spawn` (a `vfork` in glibc), or on a Python
 * before 3.8 a fork and exec that learns of a failed exec by a pipe closed on exec. Joined into
 * the starter's script where it stands.
 */
export const SPAWN_PYTHON = `found = {}
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
DUP2 = getattr(os, 'POSIX_SPAWN_DUP2', 1)`;
