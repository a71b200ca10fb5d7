import { Command } from 'commander';

type Run = (status: Promise<number>) => void;

/** The options of `manifold table serve`, as commander gives them. */
export interface ServeCommandOptions {
  listen?: string;
  socket?: string;
  listenAny?: boolean;
  maxBody: string;
}

const EXAMPLES = `
The address it listens on is printed as one line on stdout (a URL, or the socket's path), and
nothing else is: scripts read that line. It runs until SIGTERM, SIGINT or SIGHUP, then stops
taking connections, lets the requests under way finish (2 s at most) and exits 0.

Requests:
  GET  /              the tables and their meta, as JSON
  GET  /NAME          one table's meta
  GET  /NAME/KEY      the value's bytes and a newline (200), or 404 with a line; KEY is
                      URL-encoded (%FF...)
  POST /NAME          keys one per line (or a JSON array of strings with
                      Content-Type: application/json): NDJSON back, one line per key in
                      order, the value as a JSON string or null; ?encoding=base64 for bytes

Examples:
  exec 3< <(manifold table serve users.mft); server=$!; read -r url <&3   # a free port: its URL
  curl -s "$url/users/u1001"   # the value's bytes and a newline
  printf 'u1001\\nu9\\n' | curl -s --data-binary @- "$url/users"   # a JSON string, then null
  kill "$server"
  sock=$(mktemp -d)/users.sock   # a folder of your own, not a path every user shares
  exec 3< <(manifold table serve users=users.mft --socket "$sock"); server=$!; read -r _ <&3
  curl -s --unix-socket "$sock" http://localhost/users/u1001
  kill "$server"; wait "$server"; rmdir "\${sock%/*}"   # it removes its socket as it stops
  manifold table serve users.mft --listen 0.0.0.0:0 --listen-any   # other hosts too: no auth
      (a fixed port, --listen 127.0.0.1:8080, is one for every user and run: a second is refused)
`;

/** `manifold table serve <table>...`: lookups over HTTP, for workers that cannot open LMDB. */
export function tableServeCommand(run: Run): Command {
  return new Command('serve')
    .description(
      'Serve tables over HTTP (loopback or a Unix socket): GET one key, POST a batch of keys.',
    )
    .argument(
      '<table...>',
      'a table directory (named by its file name without extension: users.mft is users) or NAME=PATH',
    )
    .option('--listen <host:port>', 'the TCP address; port 0 picks a free one', '127.0.0.1:0')
    .option('--socket <path>', 'listen on a Unix socket at this path instead of TCP')
    .option('--listen-any', 'allow --listen on an address that is not loopback')
    .option('--max-body <size>', 'the largest request body (a batch of keys): past it, 413', '64M')
    .addHelpText('after', EXAMPLES)
    .action((tables: string[], options: ServeCommandOptions, command: Command) => {
      // Whether --listen was given, not its default: --socket excludes only a given one.
      const given = command.getOptionValueSource('listen') === 'cli';
      run(
        import('./table-serve-run.js').then((m) =>
          m.runServe(tables, { ...options, listen: given ? options.listen : undefined }),
        ),
      );
    });
}
