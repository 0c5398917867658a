/**
 * Writes generated emails as 00001.eml, 00002.eml… for trying intake by hand.
 *   npx tsx bench/write-emails.ts OUT_DIR COUNT [SEED]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEmails } from './generate-emails.ts';

const [outDir, countArg, seedArg] = process.argv.slice(2);
const count = Number(countArg);
const seed = seedArg === undefined ? 1 : Number(seedArg);
if (!outDir || !Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  console.error('usage: npx tsx bench/write-emails.ts OUT_DIR COUNT [SEED]');
  process.exit(2);
}

const started = performance.now();
const emails = generateEmails(count, seed);
const generatedMs = Math.round(performance.now() - started);
mkdirSync(outDir, { recursive: true });
const width = Math.max(5, String(count).length);
const kinds: Record<string, number> = {};
emails.forEach((e, i) => {
  writeFileSync(join(outDir, `${String(i + 1).padStart(width, '0')}.eml`), e.raw);
  kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
});
console.log(
  `wrote ${count} emails to ${outDir} (generated in ${generatedMs} ms, written in ${Math.round(performance.now() - started - generatedMs)} ms, seed ${seed}): ` +
    Object.entries(kinds)
      .map(([k, n]) => `${k}=${n}`)
      .join(' '),
);
