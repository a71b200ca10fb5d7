/**
 * What manifold says when Node cannot open manifold's own files for want of descriptors (a very
 * low `ulimit -n`; Node holds ~20 descriptors itself). Node's stack trace would be all the user
 * saw, whatever the command; instead one line, exit 2, as for a -j the limit cannot hold
 * (docs/fan.md). Said by the executable (written by build.mjs with this text: it reads the
 * bundle of all the rest of manifold and its code cache) and, in the library's ES modules,
 * when a part loads on demand (load.ts).
 */
export const TOO_FEW_FILES =
  'too many open files to start: the open-file limit (ulimit -n) is too low for Node to load manifold; raise it';
