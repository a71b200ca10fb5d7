import { closeSync, constants, openSync, writeSync } from 'node:fs';

/**
 * Lets a process waiting to read `fifo` (`read x < fifo` in a worker) go, by writing it a line:
 * whether a reader was there. Never blocks: an open for writing with no reader would wait for
 * ever (ENXIO, false, here), and with it every test of its file.
 */
export function releaseFifo(fifo: string): boolean {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    writeSync(fd, 'go\n');
  } finally {
    closeSync(fd);
  }
  return true;
}
