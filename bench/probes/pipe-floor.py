"""What reading a file through a pipe costs, with nothing done with the bytes: the pipe on
stdin (written by `cat FILE`) is sized to a MiB, as manifold's process starter sizes the pipe it
takes a fan's input from, and its pages are spliced into /dev/null, never copied into this
process. Usage: cat FILE | pipe-floor.py. A reader that leaves the kernel's 64 KiB pipe (`dd
bs=1M`) costs `cat` a wake-up every 64 KiB and is no floor: 2-3 times this on some machines.
"""
import fcntl
import os

F_SETPIPE_SZ = 1031
MIB = 1 << 20


def main():
    try:
        fcntl.fcntl(0, F_SETPIPE_SZ, MIB)
    except OSError:
        pass  # not a pipe, or over /proc/sys/fs/pipe-max-size: read it as it is
    sink = os.open('/dev/null', os.O_WRONLY)
    while os.splice(0, sink, MIB) > 0:
        pass


main()
