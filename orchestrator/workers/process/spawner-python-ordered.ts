/**
 * The Python process starter's ordered relays (`spawner-python.ts`, `r` with a block number):
 * per-block commands under `--merge ordered` whose output the starter writes to manifold's
 * stdout itself, in the blocks' order, holding later blocks' until their turn
 * (docs/performance.md, "Per-block workers' output written by the starter"). Joined into the
 * starter's script after the relays it orders (`spawner-python-io.ts`).
 */
export const ORDERED_PYTHON = String.raw`# Ordered relays (r with a block number: per-block commands under --merge ordered): the output
# of block next_block is written as it comes; a later block's is held until its turn, and its
# end told only once it is out, as any relayed command's. What is held past held_most is not
# read further (its command waits on its pipe), the next block's always is.
ordered = {}
next_block = 1
held_most = 0
def waiting(relay):
    return relay.block is not None and relay.block != next_block
def held_bytes():
    return sum(r.filled + len(r.held) * PIECE for r in ordered.values() if r.block != next_block)
def reading():
    fds = list(relays)
    if ordered and held_bytes() >= held_most:
        fds = [fd for fd in fds if not waiting(relays[fd])]
    return fds
def relay_done(relay):
    # Its output is all read and its status known: ended now, unless it waits for its turn
    # having exited well (one that failed is told at once, its output never written).
    if waiting(relay) and ended_well(relay) and not relay.failed:
        return
    if waiting(relay):
        relay.failed = True
    relay_end(relay)
def settle():
    # Once the fan stops (abandoned), ordered relays that ended waiting for their turn end.
    abandoned()
    for relay in list(ordered.values()):
        if relay.failed and relay.fd is None and relay.status is not None:
            relay_end(relay)
def advance():
    # The next block's relay: what it holds goes out, and if it has ended, so does it, and on.
    relay = ordered.get(next_block)
    if relay is not None and not relay.failed:
        write_held(relay)
        if relay.fd is None and relay.status is not None:
            # Its end moves next_block on, and so comes back here for the one after.
            relay_end(relay)`;
