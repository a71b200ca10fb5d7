#!/usr/bin/env node
// Writes a deterministic activity log, "<user> <action>" per line, to stdout: node generate.mjs [lines]
// A reader that goes early (`| head -1`) ends this writer quietly, as `yes` ends: status 141.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
let seed = 3;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const actions = ['login', 'login', 'view', 'view', 'view', 'purchase', 'logout'];
const count = Number(process.argv[2] ?? 200_000);
const lines = [];
for (let i = 0; i < count; i++) {
  const user = `user${String(Math.floor(random() ** 2 * 20_000)).padStart(5, '0')}`;
  lines.push(`${user} ${actions[Math.floor(random() * actions.length)]}`);
  if (lines.length === 10_000) process.stdout.write(`${lines.splice(0).join('\n')}\n`);
}
if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
