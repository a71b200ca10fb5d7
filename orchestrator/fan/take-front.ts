/**
 * Takes the first `bytes` bytes off the front of `parts`, which must hold at least that many:
 * whole parts as they are, the one cut as a view of its front (the rest of it stays in `parts`
 * as a view too); nothing is copied. `parts` keeps what is left.
 */
export function takeFront(parts: Buffer[], bytes: number): Buffer[] {
  let left = bytes;
  let whole = 0;
  while (whole < parts.length && parts[whole]!.length <= left && left > 0) {
    left -= parts[whole]!.length;
    whole++;
  }
  if (whole === 0 && left > 0) {
    // A block inside one read (small blocks): an array of exactly one, where an empty one
    // pushed into takes room for 17 (136 bytes more, for every block held).
    const part = parts[0]!;
    parts[0] = part.subarray(left);
    return [part.subarray(0, left)];
  }
  // One splice, not a shift per part: a block of many reads (a long record read 1 KiB at a
  // time) would otherwise move the rest of the list once per part, quadratic in the parts.
  const taken = parts.splice(0, whole);
  if (left > 0) {
    const part = parts[0]!;
    taken.push(part.subarray(0, left));
    parts[0] = part.subarray(left);
  }
  return taken;
}
