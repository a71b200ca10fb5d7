#!/usr/bin/env bash
# The same job as enrich.sh with coreutils join over sorted input: the reference the test
# compares to. inner: each event with its user's record; anti: the events of unknown users.
#   bash sequential.sh users.tsv events.tsv [inner|anti]
set -euo pipefail
export LC_ALL=C
users=${1:-users.tsv}
events=${2:-events.tsv}
mode=${3:-inner}
tab=$(printf '\t')
if [ "$mode" = anti ]; then
  join -t "$tab" -v 1 <(sort -t "$tab" -k1,1 "$events") <(sort -t "$tab" -k1,1 "$users") | sort
else
  # The event's four fields, then the user's whole record, as mf-join writes them.
  join -t "$tab" -o 1.1,1.2,1.3,1.4,2.1,2.2,2.3,2.4 \
    <(sort -t "$tab" -k1,1 "$events") <(sort -t "$tab" -k1,1 "$users") | sort
fi
