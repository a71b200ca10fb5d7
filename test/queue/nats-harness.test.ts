import { existsSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { startNats } from '../support/nats.js';

// The harness the queue's tests stand on: a real server, found ready, restarted with its store.
describe('test/support/nats.ts', () => {
  it('starts a JetStream server on a loopback port, keeps its store across a restart, and stops it', async () => {
    const server = await startNats();
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await connect({ servers: server.url });
    expect(nc.info?.jetstream).toBe(true);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'kept', subjects: ['kept'] });
    await nc.close();
    const { pid, port } = server;
    await server.stop();
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    await server.start();
    expect(server.port).toBe(port);
    const again = await connect({ servers: server.url });
    const names = await (await jetstreamManager(again)).streams.names().next();
    expect(names).toEqual(['kept']);
    await again.close();
    await server.stop();
  });

  it('starts a server without JetStream when asked', async () => {
    const server = await startNats({ jetstream: false });
    const nc = await connect({ servers: server.url });
    expect(nc.info?.jetstream ?? false).toBe(false);
    await nc.close();
  });
});
