/**
 * The Python process starter's (`spawner-python.ts`) commands that take the input (`t`) and are
 * started with the first piece of it they are given, as GNU parallel starts no job without
 * data: until then a taker is its stdin pipe alone, made ahead, empty (so the one with most
 * room, as a command's that has taken everything), and the request to start it. The input's
 * thread, picking it (`input_pick`), has the main thread start it (`start_wanted`: the one
 * thread that starts commands and hears them end) and waits. Those never started are told
 * `N` once the input ends or is stopped. Joined into the starter's script where it stands.
 */
export const TAKERS_PYTHON = `want_r, want_w = os.pipe()
os.set_blocking(want_r, False)
wanted = []
def await_input(rid, start):
    try:
        in_r, in_w = os.pipe()
    except OSError as e:
        reply('F', rid, e.errno)
        return
    try:
        fcntl.fcntl(in_w, 1031, 1048576)
    except OSError:
        pass
    with input_threads():
        if input_done or input_stopped:
            close(in_r, in_w)
            reply('N', rid)
            return
        taker = new_taker(rid, None, in_w)
        taker.start, taker.stdin = start, in_r
        input_state.notify()
def input_start(taker):
    # The input's thread: the taker it picked starts now. Whether it runs.
    with input_state:
        wanted.append(taker)
        os.write(want_w, b'.')
        while taker.start is not None and not taker.gone:
            input_state.wait()
        return not taker.gone
def start_wanted():
    # The main thread: starts the takers the input picked, each with the stdin made for it.
    try:
        os.read(want_r, 4096)
    except BlockingIOError:
        pass
    with input_state:
        for taker in wanted:
            if taker.start is None or taker.gone:
                continue
            pid = start_command(*taker.start, stdin=(taker.stdin, taker.fd))
            taker.start = None
            if pid is None:
                input_drop(taker)
            else:
                taker.pid = pid
                taker_of[pid] = taker
        wanted.clear()
        input_state.notify_all()
def drop_unstarted():
    # The input has ended or is stopped: the takers never started never will be.
    for taker in list(takers.values()):
        if taker.start is not None:
            taker.start = None
            close(taker.stdin)
            input_drop(taker)
            reply('N', taker.rid)
    input_state.notify_all()`;
