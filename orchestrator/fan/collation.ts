// The sorted merge orders records by their bytes (`LC_ALL=C sort`'s order); a worker's `sort`
// in a locale of a language orders them otherwise (`a` beside `A`), and the merge stops on its
// output as out of order. The message says where the locale may be why.

/** The locale that decides how a worker's `sort` orders text, by the variable that sets it. */
function collation(env: NodeJS.ProcessEnv): [string, string] | null {
  for (const name of ['LC_ALL', 'LC_COLLATE', 'LANG']) {
    const value = env[name];
    if (value !== undefined && value !== '') return [name, value];
  }
  return null;
}

/**
 * What `not sorted by the key` adds where the workers' locale may order text otherwise than
 * bytes: ` (LANG=en_US.UTF-8 may sort otherwise than by bytes: run the workers with LC_ALL=C)`;
 * nothing under C, POSIX or C.UTF-8 (code points, in bytes' order), or with no locale set.
 * `workers`: what the workers' environment has over manifold's (a config's `env:`).
 */
export function collationHint(workers: NodeJS.ProcessEnv = {}): string {
  const set = collation({ ...process.env, ...workers });
  if (set === null || /^(C|POSIX)([.@]|$)/i.test(set[1])) return '';
  return ` (${set[0]}=${set[1]} may sort otherwise than by bytes: run the workers with LC_ALL=C)`;
}
