#!/usr/bin/env bash
# The same job as pipeline.yaml, on one process.
cd "$(dirname "$0")" && node ../../dist/examples/binary-frames/stats.js < "${1:-samples.frames}"
