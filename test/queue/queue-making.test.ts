import { describe, expect, it } from 'vitest';
import { connectQueue, type QueueConnection } from '../../orchestrator/workers/queue/connect.js';
import { readHeader } from '../../orchestrator/workers/queue/header.js';
import { deleteJob, readSpec, startJob } from '../../orchestrator/workers/queue/job.js';
import { jobNames } from '../../orchestrator/workers/queue/names.js';
import { startNats } from '../support/nats.js';

// nats-server before 2.9.15 (Debian's 2.9.10, the tests' and CI's) lists a stream being made
// before its store is: a STREAM.MSG.GET, or a stream info with subjects_filter, that reaches it
// then dereferences the missing store and the server panics (`nil pointer dereference` in
// jsMsgGetRequest). Workers look for their job's description every quarter second while its
// coordinator makes it: the crashes seen in CI. Here readers look without pause while a
// coordinator makes and removes its job again and again; the server must stand throughout.
// (`manifold queue status` asked a stream's subject counts, the other such request, and goes
// the same way, orchestrator/workers/queue/stored.ts; its several requests make it too rare a
// crash to catch here.)

/**
 * Makings of the job, some 50 ms each under the readers' looks. Unfixed, the server crashed by
 * the 50th (at 3 to 48 in 14 runs).
 */
const CYCLES = 80;
/** Readers, each on a connection of its own, and the looks each has under way at once. */
const READERS = 6;
const AT_ONCE = 4;

const names = jobNames('made');

/** A worker's looks: for its job's description (readSpec), and for its header (readHeader). */
const look = (conn: QueueConnection, i: number) =>
  i % 2 === 0 ? readSpec(conn, names) : readHeader(conn, names, 'r');

describe('reading a job while its coordinator makes it', () => {
  it('leaves the server standing', async () => {
    const server = await startNats();
    const pid = server.pid;
    const maker = await connectQueue(server.url);
    const readers = await Promise.all(
      Array.from({ length: READERS }, () => connectQueue(server.url)),
    );
    let making = true;
    let looked = 0;
    const poll = async (conn: QueueConnection) => {
      while (making && server.pid === pid) {
        await Promise.all(
          Array.from({ length: AT_ONCE }, (_, i) => look(conn, i).catch(() => null)),
        );
        looked++;
      }
    };
    const polls = readers.map(poll);
    let cycles = 0;
    try {
      for (; cycles < CYCLES && server.pid === pid; cycles++) {
        const wanted = { split: 'lines', join: 'lines', block: 1024, tries: 1, ackWaitMs: 1000 };
        await startJob(maker, names, wanted, cycles.toString(16).padStart(16, '0'));
        await deleteJob(maker, names);
      }
    } finally {
      making = false;
      await Promise.all(polls);
      await Promise.all([maker, ...readers].map((conn) => conn.close()));
    }
    expect(server.pid, `nats-server crashed and was started again at making ${cycles}`).toBe(pid);
    // The readers looked throughout, not only before or after the makings.
    expect(looked).toBeGreaterThan(CYCLES);
  }, 60_000);
});
