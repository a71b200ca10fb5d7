"""The floor of per-block workers on this machine: a fresh `cat` per block, as few other costs as
can be. Usage: per-block-floor.py FILE BLOCK_MIB SLOTS. Each of SLOTS threads takes the next
BLOCK_MIB range of FILE (not cut at record ends: cat does not care), starts `cat` by posix_spawn
on two 1 MiB pipes (manifold's starter's), feeds its stdin from the file by sendfile (no copy
through this process) and copies its output to stdout, until no range is left. No order is
kept and nothing is counted: what is left is the processes, their starts and the pipes, which
manifold's `fan --merge ordered` (per-block workers) pays too (docs/performance.md).
"""
import fcntl
import os
import sys
import threading

F_SETPIPE_SZ = 1031


def main():
    path, block, slots = sys.argv[1], int(sys.argv[2]) << 20, int(sys.argv[3])
    size = os.path.getsize(path)
    source = os.open(path, os.O_RDONLY)
    ranges = [(at, min(block, size - at)) for at in range(0, size, block)]
    lock = threading.Lock()

    def take():
        with lock:
            return ranges.pop(0) if ranges else None

    def one(at, length):
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        for fd in (in_w, out_w):
            try:
                fcntl.fcntl(fd, F_SETPIPE_SZ, 1 << 20)
            except OSError:
                pass
        pid = os.posix_spawn(
            '/usr/bin/cat',
            ['cat'],
            os.environ,
            file_actions=[(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1)],
        )
        os.close(in_r)
        os.close(out_w)

        def feed():
            offset, left = at, length
            while left > 0:
                sent = os.sendfile(in_w, source, offset, left)
                offset += sent
                left -= sent
            os.close(in_w)

        feeder = threading.Thread(target=feed)
        feeder.start()
        while True:
            data = os.read(out_r, 1 << 20)
            if not data:
                break
            os.write(1, data)
        feeder.join()
        os.close(out_r)
        os.waitpid(pid, 0)

    def slot():
        while True:
            taken = take()
            if taken is None:
                return
            one(*taken)

    threads = [threading.Thread(target=slot) for _ in range(slots)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


main()
