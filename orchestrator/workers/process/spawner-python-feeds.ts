/**
 * The Python process starter's (`spawner-python.ts`) feeding of a command's stdin from a range
 * of manifold's input file (`f`, `sendfile` in a thread per pipe), so that manifold need not
 * touch the bytes. Joined into the starter's script where it stands.
 */

/** Feeds (`f`): a thread per pipe sends the ranges asked for it, in turn, and tells each (`D`). */
export const FEEDS_PYTHON = `# Feeds waiting, by the path of the pipe they go into, the first being sent; a thread per pipe.
feeds = {}
feeds_lock = None
# A command that reads its pipe a little at a time (mawk: 4 KiB) woke a blocking sendfile for
# every read, to send as little again: a wake-up of this starter per 4 KiB (2.2 s for 'fan -j 2
# awk' on 1 GiB of short lines, where awk alone takes 1.5 s). So ranges are sent without
# blocking: when the pipe is full and, woken, this starter finds less than FEED_ROOM free in it,
# it rests FEED_REST seconds while the command drains its MiB, sent then in one piece; room of
# FEED_ROOM or more (cat reads 128 KiB) is filled at once.
FEED_REST = 0.00025
FEED_ROOM = 65536
def little_room(out):
    try:
        return pipe_room(out) < FEED_ROOM
    except OSError:
        return False
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
            # Not blocking to open (a pipe nobody reads is ENXIO, not a wait), nor to send (above).
            out = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            try:
                src = os.open(path, os.O_RDONLY)
                try:
                    while sent < length:
                        try:
                            n = os.sendfile(out, src, at + sent, length - sent)
                        except BlockingIOError:
                            writable([out])
                            if little_room(out):
                                time.sleep(FEED_REST)
                            continue
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
    try:
        threading.Thread(target=feed_pipe, args=(pipe,), daemon=True).start()
    except RuntimeError:
        # No thread to send it (out of processes: ulimit -u counts threads): EAGAIN, for each
        # feed of the pipe, rather than the starter's end.
        with feeds_lock:
            failed = feeds.pop(pipe, [])
        for each in failed:
            reply('D', each[0], 0, 11)`;
