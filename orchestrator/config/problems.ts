import { oneLine } from '../../filters/errors.js';
import { ManifoldError } from '../../filters/index.js';

/** One thing wrong with a config, where it is. */
export interface Problem {
  line: number;
  column: number;
  message: string;
}

/**
 * The column of what follows `lineBefore` (its line's text before it): characters counted as
 * code points, as editors count them, a tab one, so an emoji before a problem is one column
 * (JavaScript's string length counts it two).
 */
export function columnAfter(lineBefore: string): number {
  let column = 1;
  for (const _ of lineBefore) column++;
  return column;
}

/** All the problems of a config at once: reported as `<file>:<line>:<column>: <message>`, exit 2. */
export class ConfigError extends ManifoldError {
  readonly problems: Problem[];

  constructor(file: string, problems: Problem[]) {
    // One place said wrong twice (a map merged into two stages, `<<: *fan`) is said once.
    const said = new Set<string>();
    const sorted = problems
      .filter((p) => {
        const key = `${p.line}:${p.column}:${p.message}`;
        if (said.has(key)) return false;
        said.add(key);
        return true;
      })
      .sort((a, b) => a.line - b.line || a.column - b.column);
    super(
      'manifold.usage',
      // One line each, whatever a value quoted in it holds (`workers: "1\n2"`).
      sorted.map((p) => oneLine(`${file}:${p.line}:${p.column}: ${p.message}`)).join('\n'),
      {
        exitCode: 2,
      },
    );
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}

/**
 * The nearest of `candidates` to a misspelt `word`, for "did you mean" hints. A name written in
 * another face's case (`one-to-one` for the library's `oneToOne`, `okStatus` for a config's
 * `ok-status`) is the same name, however far apart its letters.
 */
export function nearest(word: string, candidates: string[]): string | null {
  const bare = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
  const same = candidates.find((candidate) => bare(candidate) === bare(word));
  if (same !== undefined) return same;
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}
