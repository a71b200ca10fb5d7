/**
 * The Python process starter's (`spawner-python.ts`) two ways of moving bytes so that manifold
 * need not: feeding a command's stdin from a range of manifold's input file (`f`, `sendfile` in
 * a thread per pipe), and writing a ready merge's output to manifold's stdout itself, whole
 * records of one command at a time (`r`). Joined into the starter's script where they stand.
 */

/** Feeds (`f`): a thread per pipe sends the ranges asked for it, in turn, and tells each (`D`). */
export const FEEDS_PYTHON = `# Feeds waiting, by the path of the pipe they go into, the first being sent; a thread per pipe.
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
    threading.Thread(target=feed_pipe, args=(pipe,), daemon=True).start()`;

/**
 * Relays (`r`): a command's stdout read by the starter's main loop, what ends at the last
 * delimiter written to fd 3 (manifold's stdout), the rest kept; its end told after its output.
 */
export const RELAYS_PYTHON = `# Commands whose output this starter writes to manifold's stdout, its fd 3 (r): whole records
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
def write_whole(fd, data):
    # Writes all of data, waiting while a non-blocking fd is full. An error is raised with what
    # went in before it (written): the one loop of every whole write here.
    view = memoryview(data)
    done = 0
    try:
        while done < len(view):
            try:
                done += os.write(fd, view[done:])
            except BlockingIOError:
                select.select([], [fd], [])
    except OSError as e:
        e.written = done
        raise
    return done
def write_out(data):
    global out_failed, writing
    if out_failed:
        return
    error = 0
    # SIGUSR1 raises Gone only while writing is set; its handler may run at any point in here,
    # so Gone is caught around all of it, and nothing else (the reply below) runs while it is.
    try:
        writing = True
        try:
            write_whole(3, data)
        except OSError as e:
            error = e.errno
        finally:
            writing = False
    except Gone:
        writing = False
    if error:
        out_failed = True
        reply('W', '-', error)
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
    stop_input()
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
    child_ended(relay.pid, status)`;

/**
 * Input taken (`i`): manifold's stdin, a pipe, read here and moved into the stdin pipes of the
 * commands that take it (`k` instead of `c`: their pipe stays here), whole records to each,
 * by `splice`, so the kernel moves the pages and nobody copies them. Where each piece ends is
 * found by `tee`ing it into a scratch pipe and reading the scratch's last 16 KiB (what comes
 * before is dropped into /dev/null, unread); a piece with no record end there is read and
 * written instead, its records measured. Each piece goes to the command whose pipe has the
 * most room (readiness, as manifold's dispatch). Its end is told (`E`); a record over
 * --max-record (`I`); what each command was given, before its end (`B`).
 */
export const INPUT_PYTHON = `takers = {}
taker_of = {}
input_state = None
input_done = False
input_stopped = False
class Taker:
    pass
def input_threads():
    global input_state
    if input_state is None:
        import threading
        # Reentrant: SIGUSR1's handler (the main thread) wakes the input thread through it.
        input_state = threading.Condition(threading.RLock())
    return input_state
def take_input(rid, pid, fd):
    with input_threads():
        if input_done:
            os.close(fd)
            return
        taker = Taker()
        taker.fd, taker.rid, taker.gone = fd, rid, False
        taker.count, taker.first, taker.last = 0, None, None
        takers[fd] = taker
        taker_of[pid] = taker
        input_state.notify()
def tell_given(pid):
    if input_state is None:
        return
    with input_state:
        taker = taker_of.pop(pid, None)
        if taker is None or taker.count == 0:
            return
        reply('B', taker.rid, taker.count, *taker.first, *taker.last)
def end_input():
    # The input has ended (or manifold is gone): the commands that take it get its end.
    global input_done
    if input_state is None:
        return
    with input_state:
        input_done = True
        for taker in list(takers.values()):
            input_drop(taker)
def stop_input():
    global input_stopped
    input_stopped = True
    if input_state is not None:
        with input_state:
            input_state.notify()
def input_room(fd):
    # The pipe's size (F_GETPIPE_SZ) less what it holds (FIONREAD).
    held = int.from_bytes(fcntl.ioctl(fd, FIONREAD, bytes(4)), BYTE_ORDER)
    return fcntl.fcntl(fd, 1032) - held
def input_pick():
    while True:
        with input_state:
            while not takers and not input_stopped:
                input_state.wait()
            if input_stopped:
                return None
            fds = list(takers)
        ready = select.select([], fds, [])[1]
        with input_state:
            ready = [fd for fd in ready if fd in takers]
            if ready:
                return takers[max(ready, key=input_room)]
def input_drop(taker):
    with input_state:
        if not taker.gone:
            taker.gone = True
            del takers[taker.fd]
            os.close(taker.fd)
def input_write(taker, data):
    # How much of data went in: all of it, or less once its command is gone (EPIPE).
    if taker.gone:
        return 0
    try:
        return write_whole(taker.fd, data)
    except OSError as e:
        input_drop(taker)
        return e.written
def input_splice(src, taker, null, length, begun):
    # Moves length bytes of src into the taker's pipe; once begun, what it no longer takes
    # (its command gone) goes into /dev/null, so that the next piece starts with a record.
    moved = 0
    while moved < length and not taker.gone:
        try:
            moved += splice(src, taker.fd, length - moved)
        except OSError as e:
            if e.errno != 32:
                raise
            input_drop(taker)
    if moved == 0 and not begun:
        return False
    left = length - moved
    while left > 0:
        left -= splice(src, null, left)
    return True
def splice_copy(src, dst, length):
    # Python before 3.10 has no os.splice: read and write.
    data = os.read(src, min(length, 1048576))
    if not data:
        raise OSError(5, 'the input ended early')
    return write_whole(dst, data)
splice = getattr(os, 'splice', splice_copy)
class TooLarge(Exception):
    pass
def input_run(rid, path, delim, most, cap):
    global FIONREAD, BYTE_ORDER
    total = 0
    error = None
    try:
        # Loaded by the starter that takes an input only, as threads are.
        import ctypes, sys, termios
        FIONREAD, BYTE_ORDER = termios.FIONREAD, sys.byteorder
        libc = ctypes.CDLL(None, use_errno=True)
        libc.tee.restype = ctypes.c_ssize_t
        libc.tee.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_size_t, ctypes.c_uint]
        src = os.open(path, os.O_RDONLY)
        scratch_r, scratch_w = os.pipe()
        # The input's pipe too: a pipeful is a piece, and the piece's pages are moved whole.
        for fd in (src, scratch_r, scratch_w):
            try:
                fcntl.fcntl(fd, 1031, 1048576)
            except OSError:
                pass
        scratch = fcntl.fcntl(scratch_w, 1032)
        null = os.open('/dev/null', os.O_WRONLY)
        # Bytes read past the last piece's end: whole records but the last, which goes on in src.
        carry = b''
        seq = 0
        while True:
            taker = input_pick()
            if taker is None:
                break
            at = total - len(carry)
            last = carry.rfind(delim)
            start = at + last + 1 if last >= 0 else at
            # The piece's end first, found in a copy of what the pipe holds (tee reads nothing).
            # The carry and the piece together: at most cap, unless a record is longer.
            want = min(cap - len(carry), scratch, max(262144, input_room(taker.fd)))
            n = libc.tee(src, scratch_w, max(1, want), 0)
            if n < 0:
                raise OSError(ctypes.get_errno(), 'tee')
            window = min(n, 16384)
            skip = n - window
            while skip > 0:
                skip -= splice(scratch_r, null, skip)
            tail = b''
            while len(tail) < window:
                tail += os.read(scratch_r, window - len(tail))
            end = tail.rfind(delim)
            wrote = input_write(taker, carry)
            if carry and wrote == 0:
                # Its command was gone before it took anything: another takes the piece.
                continue
            if n == 0:
                if carry:
                    input_given(taker, seq, at, len(carry))
                break
            if end >= 0:
                length = n - window + end + 1
                if not input_splice(src, taker, null, length, wrote > 0):
                    continue
                carry = b''
                total += length
            else:
                # No record end near the piece's end: read, measured, to the next record end.
                carry = b''
                # Small reads, so that what one holds past the record end (the next carry) is
                # small, until the record is long.
                while True:
                    piece = os.read(src, 65536 if total - start >= 65536 else 4096)
                    if not piece:
                        break
                    end = piece.find(delim)
                    size = total + (len(piece) if end < 0 else end) - start
                    if size > most:
                        raise TooLarge(start, size)
                    total += len(piece)
                    if end < 0:
                        input_write(taker, piece)
                        continue
                    input_write(taker, piece[:end + 1])
                    carry = piece[end + 1:]
                    break
            input_given(taker, seq, at, total - len(carry) - at)
            seq += 1
    except TooLarge as e:
        error = ('I', rid, e.args[0] + 1, e.args[1])
    except OSError as e:
        error = ('E', rid, '-', e.errno or 5)
    except Exception:
        error = ('E', rid, '-', 5)
    end_input()
    if not input_stopped:
        reply(*(error or ('E', rid, total)))
def input_given(taker, seq, at, length):
    with input_state:
        taker.count += 1
        taker.last = (seq, at, length)
        if taker.first is None:
            taker.first = taker.last
def start_input(rid, path, delim, most, cap):
    input_threads()
    import threading
    threading.Thread(target=input_run, args=(rid, path, delim, most, cap), daemon=True).start()`;
