// Inputs cut at every position, as separate reads give them: decoders, boundary finders and
// the splitter are checked at each cut.

export interface CutOptions {
  /** Cut in three too only up to this length (three-piece cuts grow as its square). */
  threeUpTo?: number;
  /** Also cut into 1-byte reads. */
  bytewise?: boolean;
}

/** Every way to cut `length` bytes: not at all, in two, in three, and into 1-byte reads. */
export function* cutsOf(
  length: number,
  { threeUpTo = Number.POSITIVE_INFINITY, bytewise = false }: CutOptions = {},
): Generator<number[]> {
  yield [];
  for (let a = 0; a <= length; a++) {
    yield [a];
    if (length <= threeUpTo) for (let b = a; b <= length; b++) yield [a, b];
  }
  if (bytewise) yield Array.from({ length: Math.max(length - 1, 0) }, (_, i) => i + 1);
}

/** The pieces of `data` cut at `cuts`, each a copy, so that no two lie side by side. */
export function piecesOf(data: Buffer, cuts: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const end of [...cuts, data.length]) {
    pieces.push(Buffer.from(data.subarray(start, end)));
    start = end;
  }
  return pieces;
}
