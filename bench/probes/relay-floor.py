"""What a ready merge could cost if manifold's thread never touched the output either: two
persistent `cat`s, each fed block after block of FILE by sendfile (as manifold's process starter
does since 2026-12-02), their outputs relayed to stdout by a thread each of this process, which
reads a worker's pipe a MiB at a time and writes what ends at its last newline, whole lines
under one lock (so no two workers' lines mix), the rest kept for the next read.
Usage: relay-floor.py FILE BLOCK_MIB SLOTS. Blocks end at a line end (found by reading back
from the block's end). No order is kept and nothing is counted (docs/performance.md, "Blocks
sent by the kernel").
"""
import fcntl
import os
import subprocess
import sys
import threading

F_SETPIPE_SZ = 1031
MIB = 1 << 20


def main():
    path, block, slots = sys.argv[1], int(sys.argv[2]) * MIB, int(sys.argv[3])
    source = os.open(path, os.O_RDONLY)
    size = os.fstat(source).st_size
    out_lock = threading.Lock()
    cut_lock = threading.Lock()
    cut = [0]

    def next_block():
        with cut_lock:
            at = cut[0]
            if at >= size:
                return None
            end = min(size, at + block)
            if end < size:
                tail = os.pread(source, min(65536, end - at), end - min(65536, end - at))
                last = tail.rfind(b'\n')
                if last >= 0:
                    end = end - len(tail) + last + 1
            cut[0] = end
            return at, end

    def feed(pipe):
        while True:
            taken = next_block()
            if taken is None:
                break
            at, end = taken
            while at < end:
                at += os.sendfile(pipe, source, at, end - at)
        os.close(pipe)

    def relay(pipe):
        buf = bytearray(MIB)
        view = memoryview(buf)
        filled = 0
        while True:
            n = os.readv(pipe, [view[filled:]])
            if n == 0:
                break
            filled += n
            end = buf.rfind(b'\n', 0, filled) + 1
            if end > 0:
                with out_lock:
                    done = 0
                    while done < end:
                        done += os.write(1, view[done:end])
                buf[0 : filled - end] = buf[end:filled]
                filled -= end
        if filled:
            with out_lock:
                os.write(1, view[:filled])

    threads = []
    children = []
    for _ in range(slots):
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        for fd in (in_w, out_w):
            fcntl.fcntl(fd, F_SETPIPE_SZ, MIB)
        children.append(subprocess.Popen(['cat'], stdin=in_r, stdout=out_w))
        os.close(in_r)
        os.close(out_w)
        threads.append(threading.Thread(target=feed, args=(in_w,)))
        threads.append(threading.Thread(target=relay, args=(out_r,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for child in children:
        child.wait()


main()
