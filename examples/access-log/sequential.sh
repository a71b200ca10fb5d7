#!/usr/bin/env bash
# The same job as pipeline.yaml, as one plain shell pipeline: the reference the test compares to.
export LC_ALL=C
awk '$9 < 400 { split($7, p, "?"); print p[1] }' "${1:-access.log}" | grep -v '^/static/' |
  sort | uniq -c | awk '{ print $2 "\t" $1 }' | sort -t "$(printf '\t')" -k2,2nr -k1,1 | head -10
