#!/usr/bin/env bash
# The README's tour, as pasted: makes the sample files its commands read in a folder (a fresh
# temporary one, removed at the end, or the one given, kept), then runs each command there and
# shows the start of its output. Exits 1 if any command fails. `npm run tour` runs it.
# test/examples/tour.test.ts checks that every command and file of the README's tour is here.
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# In a clone, `npm install` links the binaries into node_modules/.bin (npm run puts it on PATH).
[ -d "$root/node_modules/.bin" ] && PATH="$root/node_modules/.bin:$PATH"
for command in manifold mf-map; do
  command -v "$command" >/dev/null || {
    echo "tour: $command is not on PATH: see docs/install.md" >&2
    exit 2
  }
done

if [ $# -gt 0 ]; then
  mkdir -p "$1" && cd "$1" || exit 2
else
  folder="$(mktemp -d "${TMPDIR:-/tmp}/manifold-tour.XXXXXX")" || exit 2
  trap 'rm -rf "$folder"' EXIT
  cd "$folder" || exit 2
fi
echo "tour: in $PWD"

# The sample files.
export LC_ALL=C
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "2026-11-30T10:%02d:%02d %s request %d\n", i % 60, i % 60, (i % 97 == 0 ? "ERROR" : "INFO"), i }' > app.log
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "10.0.%d.%d - - [30/Nov/2026:10:00:00 +0000] \"GET /page/%d HTTP/1.1\" 200 %d\n", i % 7, i % 13, i % 50, i }' > access.log
awk 'BEGIN { for (i = 1; i <= 300000; i++) print (i * 7919) % 300007 }' > big.txt
printf 'the quick brown fox\njumps over\nthe lazy dog\n' > in
cp in in.txt
printf 'u%d\tuser %d\n' 1 1 2 2 3 3 > users.tsv
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "e%d\tclick\tu%d\n", i, i % 3 + 1 }' > events.tsv
for i in $(seq 1 200); do echo "The cat and the dog; the bird, the fish. A cat!"; done > book.txt
printf 'north x 10\nsouth x 5\nnorth y 7\n' > sales.txt
printf '{"a":1,"b":2}\n{"a":3,"b":4}\n' > ab.ndjson
printf 'one name\0another name\0' > names
cat > flaky <<'EOF'
#!/bin/sh
# A worker that fails once, on the first block it is given, then works (see --retries).
if mkdir .flaky-failed 2>/dev/null; then
  echo "flaky: failing on purpose, once" >&2
  exit 1
fi
exec tr a-z A-Z
EOF
chmod +x flaky
rm -rf .flaky-failed
cat > wordfreq.yaml <<'EOF'
# wordfreq.yaml: the 20 most frequent words, as map-reduce
input: book.txt
env: { LC_ALL: C }
stages:
  - run: "tr -cs 'A-Za-z' '\\n' | tr 'A-Z' 'a-z'"     # kernel pipes between commands
  - fan: { workers: 4, dispatch: hash, worker: "sort | uniq -c" }
  - run: sort -k1,1nr | head -20
EOF
cat > upper.mjs <<'EOF'
#!/usr/bin/env node
import { defineFilter } from 'manifold-pipes';

defineFilter({
  name: 'upper',
  description: 'Upper-case every line.',
  records: 'text',
  transform: (line) => line.toUpperCase(),
}).main();
EOF
cat > fan.mjs <<'EOF'
import { fan } from 'manifold-pipes';

const summary = await fan(
  { command: ['tr', 'a-z', 'A-Z'], workers: 4, merge: 'ordered', oneToOne: true },
  { input: 'in.txt', output: process.stdout },
);
console.error(`${summary.totals.recordsOut} records`);
for await (const chunk of fan.stream({ command: 'sort -u' }, { input: 'in.txt' })) {
  process.stdout.write(chunk);
}
EOF
# upper.mjs and fan.mjs import the package by name: outside a project that installed it, this
# folder gets a node_modules/manifold-pipes of its own, a link to this package.
if ! (cd "$PWD" && node -e "import('manifold-pipes')" 2>/dev/null); then
  mkdir -p node_modules && ln -sfn "$root" node_modules/manifold-pipes
fi

# The tour's commands, as the README has them.
tour=(
  "manifold fan -j 4 -- awk '/ERROR/' < app.log                  # lines come out whole, as ready"
  "manifold fan --merge ordered --one-to-one -- tr a-z A-Z < in  # in input order, workers kept"
  "manifold fan --dispatch hash --key field:1 -- mf-reduce --key field:1 count < access.log"
  "manifold fan --merge sorted -- sort < big.txt                 # sort in parallel, merge like sort -m"
  "manifold fan --retries 2 --stats - -- ./flaky < big.txt       # a failed block runs again"
  "manifold table build users.tsv --key field:1 --field-sep tab -o users.mft"
  "manifold fan -j 8 --table users=users.mft -- mf-join --table users --key field:3 < events.tsv"
  "manifold check wordfreq.yaml     # every problem at once, as file:line:column"
  "manifold run wordfreq.yaml"
  "manifold graph wordfreq.yaml     # Mermaid (or --format dot)"
  "mf-map 'r.toUpperCase()' < in.txt                  # one output record per input record"
  "mf-map --json '({ ...r, total: r.a + r.b })' < ab.ndjson   # ndjson in, ndjson out"
  "mf-filter 'r.includes(\"ERROR\")' < app.log          # keeps matching lines, byte for byte"
  "mf-reduce --key field:1 sum 3 < sales.txt          # \"key<TAB>sum of field 3\", sorted by key"
  "mf-frame --split nul < names | mf-unframe --join nul   # length-prefixed frames and back"
  "mf-join --table users.mft --key field:3 < events.tsv   # enrich each record from a table"
  "chmod +x upper.mjs && ./upper.mjs < in.txt"
  "node fan.mjs"
)

failed=0
for line in "${tour[@]}"; do
  printf '\n$ %s\n' "$line"
  eval "$line" > .tour-out 2> .tour-err
  status=$?
  head -n 4 .tour-out | cut -c 1-100 | LC_ALL=C tr '\0' '@'
  head -n 4 .tour-err | sed 's/^/  (stderr) /'
  if [ "$status" -ne 0 ]; then
    echo "tour: failed with exit status $status: $line" >&2
    failed=1
  fi
done
rm -f .tour-out .tour-err
[ "$failed" -eq 0 ] && printf '\ntour: every command ran\n'
exit "$failed"
