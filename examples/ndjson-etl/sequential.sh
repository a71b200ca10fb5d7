#!/usr/bin/env bash
# The same job as pipeline.yaml, on one process.
cd "$(dirname "$0")" && node ../../dist/examples/ndjson-etl/etl.js < "${1:-events.ndjson}"
