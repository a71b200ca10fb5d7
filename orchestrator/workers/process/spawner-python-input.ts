// The Python process starter's (`spawner-python.ts`) third way of moving bytes so that manifold
// need not: a piped input moved into the commands' stdin pipes by `splice`.

import { INPUT_PAUSE_MS } from '../input-pause.js';

/**
 * Input taken (`i`): manifold's stdin, a pipe, read here and moved into the stdin pipes of the
 * commands that take it (`k` instead of `c`: their pipe stays here), whole records to each,
 * by `splice`, so the kernel moves the pages and nobody copies them. Where each piece ends is
 * found by `tee`ing it into a scratch pipe and reading the scratch's last 16 KiB (what comes
 * before is dropped into /dev/null, unread), or, for pieces under 16 KiB (`--block 16`), read
 * whole anyway, many cut from one copy of up to 64 KiB read once; a piece with no record end
 * there has that record read to its end, measured, and written whole (none of a record over
 * --max-record is given), and goes on as any piece;
 * whole records read past that end go once the pipe has held nothing for INPUT_PAUSE_MS. Each
 * piece goes to the command whose pipe has the most room (readiness, as manifold's
 * dispatch). Its end is told (`E`); a record over --max-record (`I`) or a failed read (`E` with
 * an errno), before anything ends, the commands' pipes left open; what each command was
 * given, before its end (`B`): each write of a piece is noted before it is made, so a command
 * that ends in the middle of a piece is told given it.
 */
export const INPUT_PYTHON = `# How long a pipe may hold nothing before the whole records read from it go (ms).
INPUT_PAUSE = ${INPUT_PAUSE_MS}
takers = {}
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
def new_taker(rid, pid, fd):
    taker = Taker()
    taker.fd, taker.rid, taker.pid, taker.gone, taker.start = fd, rid, pid, False, None
    # Its pipe's size (F_GETPIPE_SZ), asked once: its room is that less what it holds.
    taker.size = fcntl.fcntl(fd, 1032)
    taker.count, taker.first, taker.last, taker.before = 0, None, None, None
    takers[fd] = taker
    if pid is not None:
        taker_of[pid] = taker
    return taker
def take_input(rid, pid, fd):
    with input_threads():
        if input_done:
            os.close(fd)
            return
        new_taker(rid, pid, fd)
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
        drop_unstarted()
        for taker in list(takers.values()):
            input_drop(taker)
def fail_input():
    # Reading the input failed: no more commands take it, but those that do keep their pipes.
    global input_done
    with input_threads():
        input_done = True
        drop_unstarted()
def stop_input():
    global input_stopped
    input_stopped = True
    if input_state is not None:
        with input_state:
            drop_unstarted()
class TooLarge(Exception):
    pass
def input_run(rid, path, delim, most, cap):
    total = 0
    error = None
    try:
        # Loaded by the starter that takes an input only, as threads are.
        import ctypes
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
        # A piece that goes on in the same taker: (taker, where it starts).
        going_on = None
        # Pieces smaller than the window are read whole anyway: the input's bytes from look_at
        # on are teed and read once for many of them (LOOK at a time), not a tee and a read
        # each (--block 16: a piece of a record or two). Bytes of the input, wherever they go.
        small = cap <= 16384
        if small:
            quick_calls(ctypes)
        look = b''
        look_at = 0
        while True:
            room = None
            if going_on is None:
                picked = input_pick()
                if picked is None:
                    break
                taker, room = picked
                at = total - len(carry)
            else:
                taker, at = going_on
                going_on = None
            last = carry.rfind(delim)
            start = total - len(carry) + last + 1 if last >= 0 else total - len(carry)
            if last >= 0 and input_paused(src):
                # Whole records read past a record end, and the pipe has held nothing since:
                # they go now and the piece ends, as manifold cuts input that pauses (tail -f),
                # rather than wait for the pipe's next write. Its command gone before it took
                # any of them, another takes them.
                if taker.start is not None and not input_start(taker):
                    continue
                input_given(taker, seq, at, start - at)
                if input_write(taker, carry[:last + 1]) > 0:
                    carry = carry[last + 1:]
                elif not input_ungiven(taker, seq, at, total - len(carry) - at):
                    continue
                seq += 1
                continue
            # The piece's end first, found in a copy of what the pipe holds (tee reads nothing).
            # The carry and the piece together: at most cap, unless a record is longer.
            if room is None:
                room = pipe_room(taker.fd)
            want = max(1, min(cap - (total - at), scratch, max(262144, room)))
            if small:
                if look_at + len(look) - total < want:
                    # As a tee of the piece would: what the pipe holds, if less than the piece.
                    n = libc.tee(src, scratch_w, min(scratch, LOOK), 0)
                    if n < 0:
                        raise OSError(ctypes.get_errno(), 'tee')
                    look = read_whole(scratch_r, n)
                    look_at = total
                n = min(want, look_at + len(look) - total)
                window = n
                tail = look[total - look_at:total - look_at + n]
            else:
                n = libc.tee(src, scratch_w, want, 0)
                if n < 0:
                    raise OSError(ctypes.get_errno(), 'tee')
                window = min(n, 16384)
                skip = n - window
                while skip > 0:
                    skip -= splice(scratch_r, null, skip)
                tail = read_whole(scratch_r, window)
            end = tail.rfind(delim)
            if end < 0 and n > 0:
                # No record end near the piece's end: that record is read to its end first and
                # goes whole, with what came before it in the piece. Nothing of a record goes
                # before its end is read, so one over --max-record fails the run with none of
                # it given, as when manifold reads the input.
                more, ended = read_record(src, start, total, most, delim)
                total += len(more)
                carry += more
                cut = len(carry) if ended else carry.rfind(delim) + 1
                # Not started, and failing to: another takes it all (in the carry).
                if taker.start is not None and not input_start(taker):
                    continue
                input_given(taker, seq, at, total - len(carry) + cut - at)
                if input_write(taker, carry[:cut]) == 0:
                    # Its command was gone before it took anything: another takes it.
                    if input_ungiven(taker, seq, at, total - len(carry) - at):
                        seq += 1
                    continue
                carry = carry[cut:]
                # The piece goes on past that record in the same taker, up to cap as any piece,
                # rather than ending there (a piece of that record alone: "bytes
                # 1048572-1048578" between pieces of a MiB).
                if not taker.gone and total - len(carry) - at < cap:
                    going_on = (taker, at)
                    continue
                input_given(taker, seq, at, total - len(carry) - at)
                seq += 1
                continue
            begun = total - len(carry) > at
            if taker.start is not None:
                # Not started yet (t): it starts now that there is input for it (none: the
                # input has ended), or, failing to, another is picked (the piece is found again).
                if n == 0 and not carry:
                    break
                if not input_start(taker):
                    continue
            input_given(taker, seq, at, total - at)
            wrote = input_write(taker, carry) if carry else 0
            if carry and wrote == 0:
                # Its command was gone before it took anything: another takes the piece.
                if input_ungiven(taker, seq, at, total - len(carry) - at):
                    seq += 1
                continue
            if n == 0:
                if total > at:
                    input_given(taker, seq, at, total - at)
                break
            length = n - window + end + 1
            input_given(taker, seq, at, total + length - at)
            if not input_splice(src, taker, null, length, begun or wrote > 0):
                input_ungiven(taker, seq, at, 0)
                continue
            carry = b''
            total += length
            input_given(taker, seq, at, total - len(carry) - at)
            seq += 1
    except TooLarge as e:
        error = ('I', rid, e.args[0] + 1, e.args[1])
    except OSError as e:
        error = ('E', rid, '-', e.errno or 5)
    except Exception:
        error = ('E', rid, '-', 5)
    if error is None:
        end_input()
        if not input_stopped:
            reply('E', rid, total)
        return
    # The run fails for it: told first, and the commands' inputs are not ended (manifold stops
    # them, as when it reads the input itself). Ended, each answered for the input before the
    # failure as for all of it, and all could end before the failure was told: the run then
    # ended well, exit 0, the rest of the input lost.
    if not input_stopped:
        reply(*error)
    fail_input()
# How much of the input is teed and read at once for pieces under the window (small).
LOOK = 65536
def input_paused(src):
    # Whether src, a pipe, holds nothing and is not at its end, and stays so INPUT_PAUSE ms.
    waiting = select.poll()
    waiting.register(src, select.POLLIN)
    return not waiting.poll(INPUT_PAUSE)
def input_given(taker, seq, at, length):
    # Piece seq, from byte at, is length bytes given to taker so far: told as given should its
    # command end before the piece does, so each write of a piece is noted before it is made.
    if length <= 0:
        return
    with input_state:
        if taker.last is None or taker.last[0] != seq:
            taker.before = (taker.count, taker.first, taker.last)
            taker.count += 1
        taker.last = (seq, at, length)
        if taker.first is None or taker.first[0] == seq:
            taker.first = taker.last
def input_ungiven(taker, seq, at, length):
    # The piece's last write was not taken (its command gone): it ends before it, length
    # bytes, or, nothing of it taken, is not given. Whether it was.
    if length > 0:
        input_given(taker, seq, at, length)
        return True
    with input_state:
        if taker.last is not None and taker.last[0] == seq:
            taker.count, taker.first, taker.last = taker.before
    return False
def start_input(rid, path, delim, most, cap):
    input_threads()
    import threading
    try:
        threading.Thread(target=input_run, args=(rid, path, delim, most, cap), daemon=True).start()
    except RuntimeError:
        # No thread to take it (out of processes): EAGAIN, rather than the starter's end.
        reply('E', rid, '-', 11)`;
