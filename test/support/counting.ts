// Numbered lines written as bytes, a counter's digits stepped in place: the suite's inputs run to
// millions of lines, which as one string each and a join cost seconds of CPU and a collector's
// work in every file that made them (4,194,304 records, ~1.2 s here; these ~0.1 s).

/**
 * The lines `<prefix><n>\n` for n from `from` to `to` (whole numbers of at least 0), each `n`
 * at least `width` digits wide, zeros before it, as a text of one byte per character: `prefix`
 * is ASCII.
 */
export function countedLines(from: number, to: number, prefix = '', width = 1): string {
  const count = Math.max(0, to - from + 1);
  if (count === 0) return '';
  const head = Buffer.from(prefix, 'latin1');
  const widest = Math.max(width, String(to).length);
  const out = Buffer.allocUnsafe(count * (head.length + widest + 1));
  const digits = Buffer.from(String(from).padStart(widest, '0'), 'latin1');
  // The first digit written: zeros before it past `width` are not.
  let first = widest - Math.max(width, String(from).length);
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += head.copy(out, at);
    for (let k = first; k < widest; k++) out[at++] = digits[k]!;
    out[at++] = 10;
    let k = widest - 1;
    while (k >= 0 && digits[k] === 57) digits[k--] = 48;
    if (k >= 0) digits[k]! += 1;
    if (k < first) first = k;
  }
  return out.toString('latin1', 0, at);
}

/**
 * Whether `output` holds the lines `countedLines(from, to, '', width)` writes, each once, in any
 * order: what a sort of a million lines and a comparison said, in one pass over the bytes.
 */
export function holdsEachOnce(output: Buffer, from: number, to: number, width: number): boolean {
  const count = to - from + 1;
  if (String(to).length > width || output.length !== count * (width + 1)) return false;
  const seen = new Uint8Array(count);
  for (let at = 0; at < output.length; at += width + 1) {
    if (output[at + width] !== 10) return false;
    let n = 0;
    for (let k = 0; k < width; k++) {
      const digit = output[at + k]! - 48;
      if (digit < 0 || digit > 9) return false;
      n = n * 10 + digit;
    }
    const i = n - from;
    if (i < 0 || i >= count || seen[i] === 1) return false;
    seen[i] = 1;
  }
  return true;
}
