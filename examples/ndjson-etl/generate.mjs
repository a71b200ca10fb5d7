#!/usr/bin/env node
// Writes deterministic payment events as ndjson to stdout, some of them invalid on purpose:
// node generate.mjs [events]
// A reader that goes early (`| head -1`) ends this writer quietly, as `yes` ends: status 141.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
let seed = 5;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const currencies = ['EUR', 'USD', 'GBP', 'JPY'];
const countries = ['fr', 'de', 'us', 'gb', 'jp', 'br'];
const count = Number(process.argv[2] ?? 100_000);
const lines = [];
for (let i = 0; i < count; i++) {
  const event = {
    id: i + 1,
    ts: 1_795_000_000_000 + i * 37_000,
    user: `u${Math.floor(random() * 5000)}`,
    amount: (random() * 500).toFixed(2),
    currency: currencies[Math.floor(random() * currencies.length)],
    country: countries[Math.floor(random() * countries.length)],
  };
  if (random() < 0.03) delete event.amount;
  if (random() < 0.02) event.amount = 'n/a';
  lines.push(JSON.stringify(event));
  if (lines.length === 10_000) process.stdout.write(`${lines.splice(0).join('\n')}\n`);
}
if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
