/**
 * How long input that may pause (a pipe, a socket, a terminal; never a regular file) may keep
 * its next bytes back before the whole records already read are passed on, rather than held
 * until a block fills: by manifold when it reads the input itself (`fan/reading.ts`), and by
 * the process starter when it takes a pipe (`process/spawner-python-input.ts`). Input that
 * trickles (a socket, a terminal, `tail -f` over ssh) pauses far longer, and a line's 50 ms
 * is not seen; a fast pipe whose writer is a moment behind (`cat file |`, its writer off the
 * CPU on a loaded machine) seldom this long, and each such cut takes a pause this long: at most
 * 20 more blocks a second, however fast the input. (At 5 ms, `cat 1 GiB | fan -j 2
 * --one-to-one --merge ordered cat` at load 42 had 104-149 blocks more of 48 KB on average, at
 * 50 ms 0-2; waiting only for the event loop's next turn cut such a pipe into blocks of a read
 * or two.)
 */
export const INPUT_PAUSE_MS = 50;
