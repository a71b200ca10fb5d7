import { describe, expect, it } from 'vitest';
import { describeStartError, isOutOfResources } from '../../orchestrator/workers/limits.js';

// The process starter reports a refused start as a plain object with errno's name, Python's:
// errno 11 is `EWOULDBLOCK` there, `EAGAIN` in Node (one number on Linux). Matched as EAGAIN
// only, a run out of processes (`ulimit -u`) said `cannot start worker 6: [object Object]`.

describe("the system's refusal to start a worker, in words", () => {
  it("the starter's EWOULDBLOCK is out of processes, as Node's EAGAIN", () => {
    for (const code of ['EAGAIN', 'EWOULDBLOCK']) {
      expect(isOutOfResources({ code })).toBe(true);
      expect(describeStartError({ code })).toBe(
        'out of processes (EAGAIN, ulimit -u); use fewer workers (-j) or raise the limit',
      );
    }
  });

  it("another code of the starter's is said in the system's words, not [object Object]", () => {
    expect(describeStartError({ code: 'ENOMEM' })).toBe('not enough memory (ENOMEM)');
    expect(isOutOfResources({ code: 'ENOMEM' })).toBe(false);
  });
});
