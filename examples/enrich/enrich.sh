#!/usr/bin/env bash
# Events joined with users, hash-partitioned: a table of users in N shards, and a fan of N
# mf-join workers, each given the events of the users of its shard (--dispatch hash on the same
# key) and mapping that shard only. The output is sorted, to compare with sequential.sh.
#   bash enrich.sh users.tsv events.tsv [workers] [inner|anti]
set -euo pipefail
export LC_ALL=C
users=${1:-users.tsv}
events=${2:-events.tsv}
workers=${3:-4}
mode=${4:-inner}
table=$(mktemp -d)/users.mft
trap 'rm -rf "$(dirname "$table")"' EXIT
manifold table build "$users" --key field:1 --field-sep tab --shards "$workers" -o "$table" 2>/dev/null
manifold fan --dispatch hash --key field:1 -j "$workers" --table users="$table" -- \
  mf-join --table users --key field:1 --mode "$mode" < "$events" | sort
