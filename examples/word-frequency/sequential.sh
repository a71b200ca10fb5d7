#!/usr/bin/env bash
# The same job as pipeline.yaml, as one plain shell pipeline.
export LC_ALL=C
tr -cs 'A-Za-z' '\n' < "${1:-book.txt}" | tr 'A-Z' 'a-z' | grep -v '^$' | sort | uniq -c |
  sort -k1,1nr -k2,2 | head -20
