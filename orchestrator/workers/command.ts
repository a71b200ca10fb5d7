/** What to run: a program and its arguments, or a shell command line. */
export interface CommandSpec {
  /** Program and arguments; with `shell`, one command line for /bin/sh -c. */
  argv: string[];
  shell: boolean;
  env?: Record<string, string>;
  /** The folder it runs in (a config's, for its fans). @default manifold's working directory */
  cwd?: string;
}
