/**
 * Takes the first `bytes` bytes off the front of `parts`, which must hold at least that many:
 * whole parts as they are, the one cut as a view of its front (the rest of it stays in `parts`
 * as a view too); nothing is copied. `parts` keeps what is left.
 */
export function takeFront(parts: Buffer[], bytes: number): Buffer[] {
  const taken: Buffer[] = [];
  let left = bytes;
  while (left > 0) {
    const part = parts[0]!;
    if (part.length <= left) {
      taken.push(part);
      parts.shift();
      left -= part.length;
    } else {
      taken.push(part.subarray(0, left));
      parts[0] = part.subarray(left);
      left = 0;
    }
  }
  return taken;
}
