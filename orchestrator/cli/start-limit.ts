/**
 * What manifold says when Node cannot open manifold's own files for want of descriptors (a very
 * low `ulimit -n`): Node's loader opens every file of a module's imports at once, and Node holds
 * ~20 descriptors itself. Node's stack trace would be all the user saw, whatever the command;
 * instead one line, exit 2, as for a -j the limit cannot hold (docs/fan.md). Said by the
 * executable (written by build.mjs with this text: it imports all the rest of manifold) and
 * when a fan loads its engine (load.ts).
 */
export const TOO_FEW_FILES =
  'too many open files to start: the open-file limit (ulimit -n) is too low for Node to load manifold; raise it';
