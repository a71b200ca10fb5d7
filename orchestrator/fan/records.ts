import { createBoundaryFinder } from '../../filters/framing/boundary.js';
import type { Framing } from '../../filters/index.js';

/**
 * Counts the records in bytes that hold whole records (a final one may lack its delimiter),
 * with the framing's boundary finder; raw bytes count a record a part.
 */
export function countRecords(parts: Buffer[], framing: Framing): number {
  if (framing.kind === 'raw') return parts.length;
  const finder = createBoundaryFinder(framing);
  let count = 0;
  for (const part of parts) count += finder.advance(part, 0, Number.POSITIVE_INFINITY).found;
  count += finder.finish?.().length ?? 0;
  return finder.midRecord ? count + 1 : count;
}
