// The help after the options of run, check and graph: exit statuses and examples, as fan has.

export const RUN_HELP_AFTER = `
Exit status: 0 success; 1 a stage failed; 2 usage error or a problem in the config (each
problem one line, file:line:column; a command not found is one); 130, 143, 129, 131, 138, 140
or 142 after SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 or SIGALRM; killed by SIGPIPE (141) when the output is closed.

Examples:
  manifold run examples/word-frequency/pipeline.yaml --set INPUT=- < README.md   # \${INPUT} in the config; - is stdin
  node examples/access-log/generate.mjs 1000 |
    manifold run examples/access-log/pipeline.yaml --set INPUT=- --stats -   # a JSON summary on stderr at the end
  node examples/ndjson-etl/generate.mjs 1000 |
    manifold run examples/ndjson-etl/pipeline.yaml --set INPUT=- --progress --verbose
  echo '{input: README.md, stages: [{run: wc -l}]}' | manifold run -   # the config from stdin: it needs an input

Each example runs as pasted from the root of manifold's repository. See docs/config.md.`;

export const CHECK_HELP_AFTER = `
Exit status: 0 the config is good; 2 usage error, or problems in the config (an input or
output /dev/fd/N the shell did not give among them), each one line as file:line:column:
message, all of them at once.

Examples:
  manifold check examples/word-frequency/pipeline.yaml --set INPUT=-
  manifold check examples/word-frequency/pipeline.yaml --set INPUT=README.md   # relative: the config's folder's
  manifold check examples/access-log/pipeline.yaml --set INPUT=- &&
    node examples/access-log/generate.mjs 1000 | manifold run examples/access-log/pipeline.yaml --set INPUT=-

Each example runs as pasted from the root of manifold's repository. See docs/config.md.`;

export const GRAPH_HELP_AFTER = `
Exit status: 0 the graph is printed; 2 usage error or problems in the config (as check,
but the input files and the output's folder need not exist: drawing reads no data).

Examples:
  manifold graph examples/word-frequency/pipeline.yaml                 # Mermaid, for Markdown
  manifold graph examples/set-difference/pipeline.yaml --format dot    # Graphviz: | dot -Tsvg > graph.svg

Each example runs as pasted from the root of manifold's repository. See docs/config.md.`;
