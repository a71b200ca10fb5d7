import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FEEDS_PYTHON } from '../../orchestrator/workers/process/spawner-python-feeds.js';
import { INPUT_PYTHON } from '../../orchestrator/workers/process/spawner-python-input.js';

// Out of processes (ulimit -u counts threads), the Python process starter could not start the
// thread that sends a block into a worker's pipe, or takes a piped input: Python's RuntimeError
// ended the starter (status 70), and manifold said a worker `exited with status 126 (not
// executable)`, exit 127, or `the process starter is gone`, exit 1. Now each is told EAGAIN
// (errno 11), which manifold says as out of processes, exit 2. The starter's own code, run by
// Debian's Python with every thread's start refused, as the system refuses it.

const REFUSE_THREADS = `import threading
def _refused(self):
    raise RuntimeError("can't start new thread")
threading.Thread.start = _refused
told = []
def reply(*fields):
    told.append(' '.join(str(f) for f in fields))
`;

function runPython(script: string): string {
  return execFileSync('/usr/bin/python3', ['-I', '-S', '-c', script], { encoding: 'utf8' });
}

describe('the process starter, refused a thread', () => {
  it('a block to send into a pipe: each feed of it told EAGAIN, none left waiting', () => {
    const out = runPython(`${REFUSE_THREADS}${FEEDS_PYTHON}
feed(7, '/nonexistent/pipe', '/etc/hostname', 0, 10)
feed(8, '/nonexistent/pipe', '/etc/hostname', 10, 10)
print(told, feeds)
`);
    expect(out).toBe("['D 7 0 11', 'D 8 0 11'] {}\n");
  });

  it('a piped input to take: told EAGAIN', () => {
    const out = runPython(`${REFUSE_THREADS}${INPUT_PYTHON}
start_input(3, '/dev/null', b'\\n', 1 << 26, 1 << 20)
print(told)
`);
    expect(out).toBe("['E 3 - 11']\n");
  });
});
