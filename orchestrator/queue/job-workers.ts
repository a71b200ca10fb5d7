import { parseFraming } from '../../filters/index.js';
import { PROTOCOL_NAME } from '../../filters/protocol.js';
import type { WorkerSettings } from '../workers/create.js';
import type { InputHeader } from '../workers/header.js';
import type { JobSpec } from '../workers/queue/job.js';
import type { ServeOptions } from './serve.js';

// The local workers a queue worker runs a job's blocks through (server.ts): its own command,
// with the job's framing, block size and header, over the process transport.

/** The settings of the workers that serve `spec` with `options`' command. */
export function jobWorkers(
  options: ServeOptions,
  spec: JobSpec,
  header: InputHeader,
): WorkerSettings {
  const framing = parseFraming(spec.join, '--join');
  const { command, attribution } = options;
  // An SDK filter under the protocol reads blocks in the job's framing, as in a local fan.
  const protocolArgs = ['--protocol', PROTOCOL_NAME, '--split', spec.split];
  if (spec.join !== spec.split) protocolArgs.push('--join', spec.join);
  const argv = attribution === 'protocol' ? [...command.argv, ...protocolArgs] : command.argv;
  return {
    kind: 'process',
    workers: options.workers,
    command: { ...command, argv },
    tag: options.tag,
    attribution,
    framing,
    maxBacklog: spec.block,
    okStatus: options.okStatus,
    header,
    ...(options.stderr === undefined ? {} : { stderr: options.stderr }),
  };
}
