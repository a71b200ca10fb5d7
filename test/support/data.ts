// Generated test data: a small LCG, so that every run sees the same bytes.

/** Numbers in [0, n) drawn from `seed`, the same on every run. */
export function randoms(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

/** Words of several scripts, numbers, a separator and a TAB: what fields and keys meet. */
export const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'café',
  'naïve',
  'über',
  '日本語',
  'x',
  '42',
  '-7',
  '3.14',
  'a|b',
  'tab\there',
  'Zulu',
  'zulu',
];

/** Text lines of varied length and content: mostly unique, some empty, some repeated. */
export function variedLines(count: number, seed: number): string[] {
  const pick = randoms(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = pick(20);
    if (r === 0) return '';
    if (r === 1) return 'the same line again';
    const words = Array.from({ length: pick(14) }, () => WORDS[pick(WORDS.length)]!);
    return [`${i}`, ...words].join(pick(2) === 0 ? ' ' : '  ');
  });
}

/** Random bytes, none of them in `avoid`. */
export function bytes(pick: (n: number) => number, length: number, avoid: number[] = []): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    let byte = pick(256);
    while (avoid.includes(byte)) byte = pick(256);
    out[i] = byte;
  }
  return out;
}

/** `lines` in an order drawn from `seed`, the same on every run. */
export function shuffled<T>(lines: T[], seed: number): T[] {
  const pick = randoms(seed);
  const out = [...lines];
  for (let i = out.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * FASTA: a line before the first sequence, then `count` sequences in order of their names, with
 * `>` inside headers and sequence lines (where `start:>` would cut and `between:\n|>` must not).
 */
export function fasta(count: number): string {
  let text = '; made for a test\n';
  for (let i = 0; i < count; i++) {
    text += `>s${String(i).padStart(3, '0')} len>${i % 7}\n`;
    for (let line = 0; line <= i % 3; line++) text += `${'ACGT>'.repeat(1 + ((i + line) % 9))}\n`;
  }
  return text;
}
