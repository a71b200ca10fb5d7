#!/usr/bin/env node
// Writes deterministic English-like text to stdout: node generate.mjs [words]
// A reader that goes early (`| head -1`) ends this writer quietly, as `yes` ends: status 141.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
let seed = 11;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const words =
  'the of and to in a is that for it as was with be by on not he I this are or his from at which but have an they you were her she there been one all we their has would when if so no what up out about into them can more only other its time could some these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people Mr how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(
    ' ',
  );
const count = Number(process.argv[2] ?? 300_000);
const out = [];
let line = [];
for (let i = 0; i < count; i++) {
  // Zipf-like: early words far more often.
  let word = words[Math.floor(words.length * random() ** 3)];
  if (random() < 0.05) word = word[0].toUpperCase() + word.slice(1);
  line.push(word + (random() < 0.08 ? pickPunctuation() : ''));
  if (line.length >= 8 + Math.floor(random() * 8)) {
    out.push(line.join(' '));
    line = [];
  }
  if (out.length === 5000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
}
out.push(line.join(' '));
process.stdout.write(`${out.join('\n')}\n`);

function pickPunctuation() {
  return [',', '.', ';', '!', '?', '--'][Math.floor(random() * 6)];
}
