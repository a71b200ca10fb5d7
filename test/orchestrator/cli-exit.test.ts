import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitAfterStderr } from '../../orchestrator/cli/exit.js';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin } from '../support/proc.js';
import { tempDir } from '../support/temp.js';

// manifold exits once its stderr is written: a Node parent's 'pipe' is a socket pair, written
// asynchronously. A real Unix socket here, its reader paused and then reading, as execa's is.

/** A connected socket whose other end reads nothing until `read()` is called. */
async function stalledSocket(): Promise<{ socket: Socket; read(): void }> {
  const server = createServer();
  const path = join(tempDir('manifold-exit-'), 'socket');
  server.listen(path);
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const socket = connect(path);
  await once(socket, 'connect');
  const [peer] = (await accepted) as [Socket];
  peer.pause();
  onCleanup(() => {
    socket.destroy();
    peer.destroy();
    server.close();
  });
  return { socket, read: () => peer.resume() };
}

/**
 * Asks for the exit with `status` while `socket` holds a write its reader has not taken: none
 * may come before the reader reads (`read`), and exactly one, with `status`, after.
 */
async function exitsOnceRead(socket: Socket, read: () => void, status: number): Promise<void> {
  const exits: number[] = [];
  exitAfterStderr(status, socket, (code) => exits.push(code));
  expect(exits).toEqual([]);
  read();
  expect(await holdsWithin(() => exits.length > 0, 10_000), 'exited').toBe(true);
  expect(exits).toEqual([status]);
}

describe('the exit waits for stderr to be written', () => {
  it('a small last write still queued, that no drain follows: the exit comes once it is out', async () => {
    const { socket, read } = await stalledSocket();
    // Writes smaller than the stream's mark go out at once until the kernel's buffer is full;
    // the next one waits, accepted: nothing was refused, so no 'drain' will come.
    const chunk = Buffer.alloc(4096, 'x');
    for (let i = 0; socket.writableLength === 0; i++) {
      expect(i, 'the socket filled').toBeLessThan(100_000);
      socket.write(chunk);
    }
    expect(socket.writableNeedDrain).toBe(false);
    // Waiting for 'drain', which never comes, it would be Node that exits by itself, with 1.
    await exitsOnceRead(socket, read, 0);
  });

  it('after a refused write, once it is out', async () => {
    const { socket, read } = await stalledSocket();
    const big = Buffer.alloc(1 << 20, 'y');
    expect(socket.write(big)).toBe(false);
    await exitsOnceRead(socket, read, 1);
  });

  it('at once with nothing queued, or after a signal (128 + n) whatever is queued', async () => {
    const { socket } = await stalledSocket();
    const exits: number[] = [];
    exitAfterStderr(0, socket, (status) => exits.push(status));
    socket.write(Buffer.alloc(1 << 20, 'z'));
    exitAfterStderr(143, socket, (status) => exits.push(status));
    expect(exits).toEqual([0, 143]);
  });
});
