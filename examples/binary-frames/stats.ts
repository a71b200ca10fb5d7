#!/usr/bin/env node
import { defineFilter } from 'manifold-pipes';

/**
 * Statistics of float64 arrays: each input record is one frame of little-endian doubles (as
 * length-prefixed frames carry them, byte for byte); each output record is one line:
 * frame number, count, min, max and mean.
 */
defineFilter({
  name: 'frame-stats',
  description: 'count, min, max and mean of each frame of float64 values',
  split: 'frames',
  join: 'lines',
  transform(record, context) {
    if (record.length % 8 !== 0)
      throw new Error(`a frame of ${record.length} bytes is not float64 values`);
    // The record is a view of the input: read the doubles in place, without copying.
    const count = record.length / 8;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const value = record.readDoubleLE(i * 8);
      if (value < min) min = value;
      if (value > max) max = value;
      sum += value;
    }
    return `${context.recordNumber}\t${count}\t${min.toFixed(6)}\t${max.toFixed(6)}\t${(sum / count).toFixed(6)}`;
  },
}).main();
