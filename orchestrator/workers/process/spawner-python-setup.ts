/**
 * The start of the Python process starter's script (`spawner-python.ts`): how it waits on its
 * descriptors (`poll`), and its own blocking stderr. Joined into the script where it stands.
 */
export const SETUP_PYTHON = String.raw`# Which of fds can be read (or written) without waiting, waiting till one can: poll(), as
# select() cannot watch a descriptor past 1023 (FD_SETSIZE), and past some 340 workers this
# starter holds such: it died of ValueError. As select() does, an end or error counts as ready.
def readable(fds):
    return polled(fds, select.POLLIN)
def writable(fds):
    return polled(fds, select.POLLOUT)
def pipe_room(fd):
    # The pipe's size (F_GETPIPE_SZ) less what it holds (FIONREAD): what a write may put in now.
    held = int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, bytes(4)), sys.byteorder)
    return fcntl.fcntl(fd, 1032) - held
def polled(fds, events):
    waiting = select.poll()
    for fd in fds:
        waiting.register(fd, events)
    return [fd for fd, _ in waiting.poll()]
# manifold's stderr, a pipe, is non-blocking for every process that shares its open file once
# Node writes there: a command writing to a slow reader would meet EAGAIN and lose its words.
# This starter, and so its commands, write it through an open file of their own, blocking.
try:
    if os.fstat(2).st_mode & 0o170000 == 0o010000:
        err = os.open('/proc/self/fd/2', os.O_WRONLY | os.O_NONBLOCK)
        os.set_blocking(err, True)
        os.dup2(err, 2)
        os.close(err)
except OSError:
    pass`;
