/**
 * Numeric order of keys as GNU `sort -n` has it in the C locale, byte for byte, so that a merge
 * of `sort -n` outputs, ours or `sort -m`'s, agrees with the workers that sorted them: leading
 * blanks (space, tab, newline) skipped, an optional `-`, digits, an optional `.` and digits;
 * compared as decimal text, so with no rounding; anything else ends the number, and a key that
 * is no number counts as 0 (`+5`, `1e3` and `abc` are 0, 1 and 0, as for sort). A port of
 * gnulib's strnumcmp (no thousands separator in the C locale), over bytes in place.
 */
export function compareNumbers(a: Uint8Array, b: Uint8Array): number {
  let i = skipBlanks(a, 0);
  let j = skipBlanks(b, 0);
  const negA = a[i] === MINUS;
  const negB = b[j] === MINUS;
  if (negA) i++;
  if (negB) j++;
  if (negA !== negB) {
    // Of two signs, the negative one is smaller unless both are zero.
    if (negA) return hasNonZero(a, i) ? -1 : -Number(hasNonZero(b, j));
    return hasNonZero(b, j) ? 1 : Number(hasNonZero(a, i));
  }
  const order = compareMagnitudes(a, i, b, j);
  return negA ? -order : order;
}

const MINUS = 0x2d;
const POINT = 0x2e;
const ZERO = 0x30;

/** The byte at `at`, or 0 past the end: the key's end ends the number, as sort's NUL does. */
function at(data: Uint8Array, index: number): number {
  return index < data.length ? data[index]! : 0;
}

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= 0x39;
}

function skipBlanks(data: Uint8Array, from: number): number {
  let i = from;
  for (let c = at(data, i); c === 0x20 || c === 0x09 || c === 0x0a; c = at(data, ++i));
  return i;
}

/** Whether the number from `from` (after its sign) has a digit other than 0. */
function hasNonZero(data: Uint8Array, from: number): boolean {
  let i = from;
  while (at(data, i) === ZERO) i++;
  if (at(data, i) === POINT) {
    i++;
    while (at(data, i) === ZERO) i++;
  }
  return isDigit(at(data, i));
}

/** Compares two unsigned numbers: integer parts by length then digits, then fractions. */
function compareMagnitudes(a: Uint8Array, from: number, b: Uint8Array, fromB: number): number {
  let i = from;
  let j = fromB;
  while (at(a, i) === ZERO) i++;
  while (at(b, j) === ZERO) j++;
  let x = at(a, i);
  let y = at(b, j);
  while (x === y && isDigit(x)) {
    x = at(a, ++i);
    y = at(b, ++j);
  }
  if ((x === POINT && !isDigit(y)) || (y === POINT && !isDigit(x))) {
    return compareFractions(a, i, b, j);
  }
  const first = x - y;
  let lengthA = 0;
  let lengthB = 0;
  while (isDigit(at(a, i))) {
    i++;
    lengthA++;
  }
  while (isDigit(at(b, j))) {
    j++;
    lengthB++;
  }
  if (lengthA !== lengthB) return lengthA < lengthB ? -1 : 1;
  if (lengthA === 0) return 0;
  return Math.sign(first);
}

/** Compares the fractions that start at `i` and `j` (at a `.`, or where the number ended). */
function compareFractions(a: Uint8Array, from: number, b: Uint8Array, fromB: number): number {
  let i = from;
  let j = fromB;
  if (at(a, i) === POINT && at(b, j) === POINT) {
    for (;;) {
      const x = at(a, ++i);
      const y = at(b, ++j);
      if (x !== y) {
        if (isDigit(x) && isDigit(y)) return Math.sign(x - y);
        if (isDigit(x)) return trailingNonZero(a, i) ? 1 : 0;
        if (isDigit(y)) return trailingNonZero(b, j) ? -1 : 0;
        return 0;
      }
      if (!isDigit(x)) return 0;
    }
  }
  if (at(a, i) === POINT) return trailingNonZero(a, i + 1) ? 1 : 0;
  if (at(b, j) === POINT) return trailingNonZero(b, j + 1) ? -1 : 0;
  return 0;
}

function trailingNonZero(data: Uint8Array, from: number): boolean {
  let i = from;
  while (at(data, i) === ZERO) i++;
  return isDigit(at(data, i));
}
