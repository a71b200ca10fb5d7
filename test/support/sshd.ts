import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type HostsOptions,
  startHosts,
  type TestHost,
  type TestHosts,
} from '../../bench/sshd-hosts.js';

// Real sshd test hosts: the harness lives beside the bench, which starts them too.
export * from '../../bench/sshd-hosts.js';

/** A test file's hosts: read once its beforeAll has started them. */
export interface FileHosts {
  /** The `--ssh` value: `ssh -F <generated config>`. */
  readonly ssh: string;
  readonly hosts: TestHost[];
  /** `--ssh <ssh> --host h1/<slots> --host h2/<slots>...`: every host, `slots` slots each. */
  args(slots?: number): string[];
}

/**
 * Starts `count` test hosts before the file's first test and stops them after its last (their
 * stop checks that no process was left behind).
 */
export function useTestHosts(count: number, options: HostsOptions = {}): FileHosts {
  let started: TestHosts | undefined;
  beforeAll(async () => {
    started = await startHosts(count, options);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  const get = (): TestHosts => {
    if (started === undefined) throw new Error('the test hosts are started in beforeAll');
    return started;
  };
  return {
    get ssh() {
      return get().ssh;
    },
    get hosts() {
      return get().hosts;
    },
    args: (slots = 1) => [
      '--ssh',
      get().ssh,
      ...get().hosts.flatMap((host) => ['--host', `${host.name}/${slots}`]),
    ],
  };
}

/**
 * Hosts a test starts for itself (`const hosts = useHostsPerTest()`, then `await hosts(2)` in a
 * test), each stopped after that test: their stop checks that no process was left behind.
 */
export function useHostsPerTest(): (count: number, options?: HostsOptions) => Promise<TestHosts> {
  const started: TestHosts[] = [];
  afterEach(async () => {
    for (const test of started.splice(0)) await test.stop();
  });
  return async (count, options = {}) => {
    const test = await startHosts(count, options);
    started.push(test);
    return test;
  };
}
