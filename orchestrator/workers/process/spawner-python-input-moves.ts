// The Python process starter's taken input (`spawner-python-input.ts`): how a piece is moved,
// the pick of the command that takes it, the calls that move it, and the reads of the input.

/**
 * Which taker gets the next piece (the one whose pipe has most room, as manifold's readiness
 * dispatch), and the moves into its pipe: `splice`, a write for a piece that was read, and for
 * pieces under 16 KiB calls that keep Python's lock (`ctypes.PyDLL`) and never wait. A taker
 * whose command is gone is dropped. Joined after `INPUT_PYTHON` in the starter's script.
 */
export const INPUT_MOVES_PYTHON = `# Pieces under 16 KiB: a taker's room asked (FIONREAD) and a piece spliced in without waiting,
# by calls made holding the GIL (ctypes.PyDLL), not os's, which hand it to the main thread and
# back around each call (a futex wake a call while the main thread relays). A pipe that cannot
# take a piece says so (EAGAIN): input_full, and the next pick polls for the takers ready.
class Quick:
    pass
quick = None
input_full = False
def quick_calls(ctypes):
    global quick
    lib = ctypes.PyDLL(None, use_errno=True)
    lib.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]
    lib.splice.restype = ctypes.c_ssize_t
    lib.splice.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                           ctypes.c_size_t, ctypes.c_uint]
    quick = Quick()
    quick.lib, quick.errno, quick.count = lib, ctypes.get_errno, ctypes.c_int()
    quick.held = ctypes.byref(quick.count)
def splice_into(src, dst, length):
    if quick is None:
        return splice(src, dst, length)
    # SPLICE_F_NONBLOCK (2): what the pipe has room for, or EAGAIN.
    n = quick.lib.splice(src, None, dst, None, length, 2)
    if n < 0:
        raise OSError(quick.errno(), 'splice')
    return n
def taker_room(taker):
    # What a write into its pipe may put in now (pipe_room, its pipe's size known).
    if quick is not None:
        if quick.lib.ioctl(taker.fd, termios.FIONREAD, quick.held) < 0:
            raise OSError(quick.errno(), 'ioctl')
        return taker.size - quick.count.value
    held = int.from_bytes(fcntl.ioctl(taker.fd, termios.FIONREAD, bytes(4)), sys.byteorder)
    return taker.size - held
def input_pick():
    # A taker that can take a piece now, the one with the most room, and that room: asked once
    # a piece (a poll, a FIONREAD a ready taker), for both the choice and the piece's size.
    # Quick calls: every taker is taken as ready until a splice finds one full (input_full).
    global input_full
    while True:
        with input_state:
            while not takers and not input_stopped:
                input_state.wait()
            if input_stopped:
                return None
            fds = list(takers)
        if quick is not None and not input_full:
            ready = fds
        else:
            input_full = False
            ready = writable(fds)
        with input_state:
            ready = [fd for fd in ready if fd in takers]
            if not ready:
                continue
            room, fd = -1, None
            for each in ready:
                has = taker_room(takers[each])
                if has > room:
                    room, fd = has, each
            taker = takers[fd]
        # A command that reads a little at a time is let drain its pipe first, as a feed's is
        # (its command may be gone meanwhile, its pipe closed: the splice then finds it gone).
        if room < FEED_ROOM:
            time.sleep(FEED_REST)
            room = None
        return taker, room
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
    global input_full
    moved = 0
    while moved < length and not taker.gone:
        try:
            moved += splice_into(src, taker.fd, length - moved)
        except BlockingIOError:
            # Its pipe is full (quick calls): another takes the piece, or, begun, it waits.
            if moved == 0 and not begun:
                input_full = True
                return False
            writable([taker.fd])
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
def read_record(src, start, total, most, delim):
    # Reads src to the end of the record that starts at byte start (total: the bytes read so
    # far), or to the input's end: (what it read, whether the input ended). Small reads, so
    # that what one holds past the record's end (the next carry) is small, until it is long.
    got = bytearray()
    while True:
        piece = os.read(src, 65536 if total - start >= 65536 else 4096)
        if not piece:
            return got, True
        end = piece.find(delim)
        size = total + (len(piece) if end < 0 else end) - start
        if size > most:
            raise TooLarge(start, size)
        total += len(piece)
        got += piece
        if end >= 0:
            return got, False
def read_whole(fd, length):
    # length bytes of a pipe that holds them (a tee's copy).
    got = []
    while length > 0:
        data = os.read(fd, length)
        got.append(data)
        length -= len(data)
    return b''.join(got)`;
