#!/usr/bin/env bash
# The same job as pipeline.yaml, with bash's process substitution.
export LC_ALL=C
input="${1:-activity.txt}"
comm -23 <(awk '$2 == "login" { print $1 }' "$input" | sort -u) \
  <(awk '$2 == "purchase" { print $1 }' "$input" | sort -u)
