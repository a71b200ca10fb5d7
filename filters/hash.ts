const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a, 32 bits, of data[from, to): stable across runs and machines, so a key meets the same
 * worker, and the same table shard, every time. Hashes the bytes where they lie, with no copy.
 */
export function hashBytes(data: Uint8Array, from = 0, to = data.length): number {
  let hash = FNV_OFFSET;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ data[i]!, FNV_PRIME);
  return hash >>> 0;
}
