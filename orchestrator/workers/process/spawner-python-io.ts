/**
 * The Python process starter's (`spawner-python.ts`) writing of a ready merge's output to
 * manifold's stdout itself, whole records of one command at a time (`r`), so that manifold need
 * not; feeding commands' stdin is in `spawner-python-feeds.ts`. Joined into the starter's script
 * where it stands.
 */

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
                writable([fd])
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
def write_records(relay, data):
    global out_open
    abandoned()
    if relay.failed or waiting(relay):
        return
    if out_open:
        write_out(relay.delim)
        out_open = False
    write_out(data)
# Read buffers of a MiB, used again: fresh memory costs a page fault per 4 KiB here, more than
# the copy into it (a held block's output in one growing buffer took 1 s a 64 MiB).
PIECE = 1048576
spare = []
def piece():
    return spare.pop() if spare else bytearray(PIECE)
def spared(buf):
    if len(buf) == PIECE and len(spare) < 96:
        spare.append(buf)
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
            relay.filled = relay.whole = 0
            for buf, _ in relay.held:
                spared(buf)
            relay.held = []
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
# After a round in which a relay's read found less than SMALL bytes, this starter rests REST
# seconds before it polls again: the command fills its pipe (a MiB) meanwhile, read then in
# fewer, larger reads. Read at once, a command that writes 4 KiB at a time (mawk, and C's stdio,
# into a pipe) woke this starter for every write: a poll, a read, a search and a write per 4 KiB
# (1.35 s of CPU for 'fan -j 2 awk' on 1 GiB). The rest is short enough for a command writing
# 4 GB/s not to fill its pipe meanwhile; whatever it read is written before it.
# Only a command that has written STEADY bytes already: a short output (a per-block worker's
# of a small block, a few lines) is read and told at once, with no rest per block.
SMALL = 8192
STEADY = 1048576
REST = 0.00025
rest_due = False
def rest_if_due():
    global rest_due
    if rest_due:
        rest_due = False
        time.sleep(REST)
def relay_read(relay):
    global rest_due
    abandoned()
    if relay.filled == len(relay.buf) and relay.whole > 0:
        # Held for its turn, and full: its whole records are put aside, the start of a record
        # moved into a fresh piece.
        relay.held.append((relay.buf, relay.whole))
        buf = piece()
        rest = relay.filled - relay.whole
        buf[0:rest] = relay.buf[relay.whole:relay.filled]
        relay.buf, relay.filled, relay.whole = buf, rest, 0
    if relay.filled == len(relay.buf):
        # One record fills the buffer: it grows, as far as a record may.
        relay.buf.extend(bytes(len(relay.buf)))
    view = memoryview(relay.buf)
    n = os.readv(relay.fd, [view[relay.filled:]])
    view.release()
    relay.read += n
    if 0 < n < SMALL and relay.read >= STEADY:
        rest_due = True
    if n == 0:
        del relays[relay.fd]
        os.close(relay.fd)
        relay.fd = None
        if relay.status is not None:
            relay_done(relay)
        return
    if relay.failed:
        return
    # buf holds whole records up to relay.whole (only while held for its turn), then the start
    # of a record.
    searched = max(relay.whole, relay.filled - len(relay.delim) + 1)
    held = relay.filled - relay.whole
    relay.filled += n
    at = relay.buf.rfind(relay.delim, searched, relay.filled)
    # The delimiter of a record over --max-record, found whole, or -1.
    long = -1
    if at >= 0 and held > 0:
        # The record held from the reads before ends in this one: it may be too long now.
        first = relay.buf.find(relay.delim, searched, relay.filled)
        if first - relay.whole > relay.max:
            long = first
    if long < 0 and at >= 0 and at - relay.whole > relay.max:
        # Whole records of more than the limit in all: one of them may be over it.
        long = over_long(relay.buf, relay.delim, relay.whole, at + len(relay.delim), relay.max)
    if long >= 0:
        relay.filled = long
        at = -1
    if at >= 0:
        relay.whole = at + len(relay.delim)
    if relay.whole > 0 and not waiting(relay):
        write_held(relay)
    if relay.filled - relay.whole > relay.max:
        # Its size from its own start: the whole records before it in the same read are not it;
        # nor, while it goes on, a delimiter begun at its end.
        start = relay.buf.rfind(relay.delim, relay.whole, relay.filled)
        start = relay.whole if start < 0 else start + len(relay.delim)
        size = relay.filled - start
        if long < 0:
            size -= begun(relay.buf, start, relay.filled, relay.delim)
        if size > relay.max:
            # A record longer than --max-record: manifold fails the run; the rest is read,
            # unwritten.
            relay.failed = True
            reply('M', relay.rid, size)
            relay.filled = relay.whole = 0
def begun(buf, start, end, delim):
    # How many bytes of delim buf[start:end] ends with: a delimiter begun, split across reads.
    for k in range(min(len(delim) - 1, end - start), 0, -1):
        if buf[end - k:end] == delim[:k]:
            return k
    return 0
def over_long(buf, delim, start, end, most):
    # The end of a record in buf[start:end] longer than most, or -1 (start: a record's start;
    # end: just past a record's delimiter, which cannot overlap itself). A window of most bytes
    # holds only shorter records, so only one reaching from a window into a later one is
    # measured, by the first delimiter that begins in each window and the last: two searches a
    # window, not one a record.
    size = len(delim)
    last = start
    at = start
    while at < end:
        stop = min(at + most + size - 1, end)
        first = buf.find(delim, at, stop)
        if first >= 0:
            if first - last > most:
                return first
            last = buf.rfind(delim, first, stop) + size
        at += most
    return -1
def write_held(relay):
    # Its whole records out (those put aside first); the start of a record kept at the front.
    for buf, end in relay.held:
        write_records(relay, memoryview(buf)[:end])
        spared(buf)
    relay.held = []
    end = relay.whole
    if end > 0:
        write_records(relay, memoryview(relay.buf)[:end])
        relay.buf[0:relay.filled - end] = relay.buf[end:relay.filled]
        relay.filled -= end
        relay.whole = 0
def ended_well(relay):
    # Exited with a status that --ok-status takes: its last record, unended, is kept.
    return os.WIFEXITED(relay.status) and os.WEXITSTATUS(relay.status) in relay.ok
def relay_end(relay):
    global out_open, next_block
    abandoned()
    status = relay.status
    kept = ended_well(relay)
    if relay.filled - relay.whole > relay.max and kept and not relay.failed:
        # Its last record, ended by its end: a delimiter begun there is the record's, and counts.
        relay.failed = True
        reply('M', relay.rid, relay.filled - relay.whole)
    if relay.filled > 0 and kept and not relay.failed:
        write_records(relay, memoryview(relay.buf)[:relay.filled])
        out_open = True
    relay.filled = relay.whole = 0
    for buf, _ in relay.held:
        spared(buf)
    relay.held = []
    spared(relay.buf)
    del relay_of[relay.pid]
    child_ended(relay.pid, status)
    if relay.block is None:
        return
    del ordered[relay.block]
    # After a block that failed nothing more is written: the run stops (--halt now).
    if relay.block == next_block and kept and not relay.failed:
        next_block += 1
        advance()`;
