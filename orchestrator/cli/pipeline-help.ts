// The help after the options of run, check and graph: exit statuses and examples, as fan has.

export const RUN_HELP_AFTER = `
Exit status: 0 success; 1 a stage failed; 2 usage error or a problem in the config (each
problem one line, file:line:column; a command not found is one); 130, 143, 129, 131, 138, 140
or 142 after SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 or SIGALRM; killed by SIGPIPE (141) when the output is closed.

Examples:
  manifold run wordfreq.yaml
  manifold run wordfreq.yaml --set INPUT=book.txt     # \${INPUT} in the config
  manifold run top10.yaml --stats - < access.log       # a JSON summary on stderr at the end
  manifold run etl.yaml --progress --verbose
  generate-config | manifold run -                    # the config from stdin: it needs an input

See docs/config.md.`;

export const CHECK_HELP_AFTER = `
Exit status: 0 the config is good; 2 usage error, or problems in the config, each one line
as file:line:column: message, all of them at once.

Examples:
  manifold check wordfreq.yaml
  manifold check etl.yaml --set DAY=2026-11-30 && manifold run etl.yaml --set DAY=2026-11-30

See docs/config.md.`;

export const GRAPH_HELP_AFTER = `
Exit status: 0 the graph is printed; 2 usage error or problems in the config (as check,
but the input files and the output's folder need not exist: drawing reads no data).

Examples:
  manifold graph wordfreq.yaml                          # Mermaid, for Markdown
  manifold graph wordfreq.yaml --format dot | dot -Tsvg > wordfreq.svg

See docs/config.md.`;
