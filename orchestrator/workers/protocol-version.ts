import { type Greeting, PROTOCOL_VERSION } from '../../filters/protocol.js';
import { manifoldVersion } from '../../filters/sdk/cli.js';

// What is said of a filter whose SDK speaks another version of manifold's block protocol: one
// line for every kind that hears the greeting (a process's, through the attribution layer, and
// a thread's own), beside the kinds rather than in either.

/**
 * Why an instance whose greeting names a protocol this manifold does not speak is failed (an
 * SDK of another manifold's, newer or older): both versions, and what to do.
 */
export function otherVersion(
  { protocol, sdk }: Pick<Greeting, 'protocol' | 'sdk'>,
  ours = PROTOCOL_VERSION,
): string {
  const version = manifoldVersion();
  const its = sdk === null ? '' : ` (its SDK is manifold-pipes ${sdk})`;
  const run = sdk === null ? 'the manifold of its SDK' : `manifold ${sdk}`;
  return `speaks version ${protocol} of manifold's block protocol${its}, and this manifold (${version}) speaks version ${ours}: run it with ${run}, or build it against manifold-pipes ${version}`;
}
