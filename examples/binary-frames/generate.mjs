#!/usr/bin/env node
// Writes deterministic float64 arrays as length-prefixed frames to stdout: a 4-byte big-endian
// length, then that many bytes of little-endian doubles. node generate.mjs [frames] [values]
// A reader that goes early (`| head -1`) ends this writer quietly, as `yes` ends: status 141.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
let seed = 13;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const frames = Number(process.argv[2] ?? 2000);
const values = Number(process.argv[3] ?? 1000);
for (let f = 0; f < frames; f++) {
  const n = 1 + Math.floor(random() * values);
  const frame = Buffer.alloc(4 + 8 * n);
  frame.writeUInt32BE(8 * n, 0);
  const centre = random() * 100 - 50;
  for (let i = 0; i < n; i++) frame.writeDoubleLE(centre + (random() - 0.5) * 10, 4 + 8 * i);
  process.stdout.write(frame);
}
