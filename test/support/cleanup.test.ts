import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from './cleanup.js';
import { tempDir } from './temp.js';

// A cleanup registered in a beforeAll is the file's: it runs after the file's last test. One
// registered in a test runs at that test's end. Before, both ran after the first test, and a
// server a file started before all its tests was gone for the second (queue-harness met it).

let fileDir: string;
let fileChild: ChildProcess;
beforeAll(() => {
  fileDir = tempDir('manifold-cleanup-file-');
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  onCleanup(() => child.kill('SIGKILL'));
  fileChild = child;
});

describe('onCleanup', () => {
  let testDir = '';
  it("keeps a folder and a process of the file's beforeAll through its first test", () => {
    testDir = tempDir('manifold-cleanup-test-');
    expect(existsSync(fileDir)).toBe(true);
    expect(fileChild.killed).toBe(false);
  });

  it("keeps them through the next test; the first test's folder is gone", () => {
    expect(existsSync(fileDir)).toBe(true);
    expect(fileChild.killed).toBe(false);
    expect(testDir).not.toBe('');
    expect(existsSync(testDir)).toBe(false);
  });
});
