#!/usr/bin/env node
// Writes deterministic data to stdout, TAB-separated:
//   node generate.mjs users [count]          user_id  name  country  plan
//   node generate.mjs events [count] [users] user_id  time  action  amount
// Events name users up to 10% past the last one: those find no user (the anti-join's share).
// A reader that goes early (`| head -1`) ends this writer quietly, as `yes` ends: status 141.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
let seed = 17;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const id = (i) => `u${String(i).padStart(7, '0')}`;
const [kind, countText, usersText] = process.argv.slice(2);
const count = Number(countText ?? 50_000);
const users = Number(usersText ?? 5_000);
const NAMES = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'frances', 'ken', 'radia'];
const COUNTRIES = ['FR', 'DE', 'GB', 'JP', 'BR', 'US', 'IN', 'NG'];
const PLANS = ['free', 'free', 'free', 'pro', 'team'];
const ACTIONS = ['view', 'view', 'view', 'click', 'buy'];
const line =
  kind === 'users'
    ? // Users in a scrambled order: a table build must not need sorted input.
      (i) => `${id((i * 7919) % count)}\t${pick(NAMES)}${i}\t${pick(COUNTRIES)}\t${pick(PLANS)}`
    : kind === 'events'
      ? (i) =>
          `${id(Math.floor(random() * users * 1.1))}\t${1_764_460_800 + i}\t${pick(ACTIONS)}\t${Math.floor(random() * 10_000)}`
      : null;
if (line === null) {
  process.stderr.write('usage: node generate.mjs users|events [count] [users]\n');
  process.exit(2);
}
const lines = [];
for (let i = 0; i < count; i++) {
  lines.push(line(i));
  if (lines.length === 10_000) process.stdout.write(`${lines.splice(0).join('\n')}\n`);
}
if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
