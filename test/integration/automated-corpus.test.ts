/**
 * Public automated mail that nobody here wrote (test/fixtures/automated-corpus, see its MANIFEST, plus the
 * bounces and reports of ../shared/corpus/mime) through the real intake on MariaDB, 16 at a time: each is
 * recognised with a reason code, none opens a ticket, none is acknowledged. Human support emails (ours in
 * examples/ and public ones) are never taken for robots. The recognition rate is printed per source.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IntakeResult } from '../../src/services/ingest-email.ts';
import { CORPUS, appWithSmtp } from './harness.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/automated-corpus');
const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
/** Automated messages of the shared public corpus (bounces, complaints, reports). */
const SHARED_AUTOMATED = [
  'flanker/bounce',
  'flanker/complaints',
  'flanker/disposition-notification.eml',
  'mikel/multipart_report_emails',
];
/** Emails people wrote: ours, and the public ones of the shared corpus that are plainly a person's. */
const HUMAN_EXAMPLES = [
  '01-new-order-question-fr.eml',
  '02-compatibility-question-html-en.eml',
  '03-reply-to-01-fr.eml',
  '04-latin1-quoted-printable-fr.eml',
  '05-complaint-damaged-part-en.eml',
  '06-no-message-id-fr.eml',
];
const SHARED_HUMAN = [
  'flanker/iphone.eml',
  'flanker/text-only.eml',
  'flanker/outlook-express.eml',
  'flanker/bilingual-simple.eml',
  'mikel/plain_emails/basic_email.eml',
];
const BATCH = 16;

const setup = appWithSmtp('autocorpus', { ACK_MAX_PER_HOUR: '1000' });

async function files(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  if (!dir.endsWith('/') && /\.(eml|txt)$/.test(dir)) return [dir];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(full)));
    else if (/\.(eml|txt)$/.test(entry.name) && !/^(MANIFEST|README|LICENSE)/i.test(entry.name)) out.push(full);
  }
  return out.sort();
}

async function ingestAll(list: readonly string[]): Promise<Map<string, IntakeResult>> {
  const results = new Map<string, IntakeResult>();
  for (let i = 0; i < list.length; i += BATCH) {
    const batch = list.slice(i, i + BATCH);
    const done = await Promise.all(
      batch.map(async (file) => setup.app.intake.ingest(await readFile(file), { kind: 'file', name: file })),
    );
    batch.forEach((file, j) => results.set(file, done[j]!));
  }
  return results;
}

/** "flufl-bounce", "baunsu", "shared:flanker" … */
function sourceOf(file: string): string {
  if (file.startsWith(FIXTURES)) return path.relative(FIXTURES, file).split(path.sep)[0]!;
  return `shared:${path.relative(CORPUS, file).split(path.sep)[0]}`;
}

describe('public automated mail through the real intake', () => {
  it('recognises every message with a reason code: no ticket, no acknowledgement', async () => {
    const automated = (await files(FIXTURES)).filter((f) => !f.includes(`${path.sep}human${path.sep}`));
    for (const entry of SHARED_AUTOMATED) automated.push(...(await files(path.join(CORPUS, entry))));
    expect(automated.length).toBeGreaterThan(120);

    const results = await ingestAll(automated);
    const bySource = new Map<string, { total: number; recognised: number }>();
    const missed: string[] = [];
    const codes = new Map<string, number>();
    for (const [file, result] of results) {
      const source = sourceOf(file);
      const tally = bySource.get(source) ?? { total: 0, recognised: 0 };
      tally.total++;
      // A second copy of one email (same Message-ID in two collections) was recognised the first time.
      if (result.outcome === 'automated' || result.outcome === 'duplicate') tally.recognised++;
      else missed.push(`${path.relative(process.cwd(), file)}: ${result.outcome}`);
      if (result.outcome === 'automated') codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      bySource.set(source, tally);
    }
    const total = results.size;
    const recognised = total - missed.length;
    console.log(`automated corpus: ${recognised}/${total} recognised (${((100 * recognised) / total).toFixed(1)} %)`);
    for (const [source, t] of bySource) console.log(`  ${source}: ${t.recognised}/${t.total}`);
    console.log('  codes:', Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])));
    expect(missed).toEqual([]);

    // What a person would see: no ticket row, no email to any of them, a code on every record.
    const [tickets] = await setup.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket');
    expect(tickets!.n).toBe(0);
    await setup.app.outbox.deliverPending();
    expect(setup.smtp.received).toEqual([]);
    const [uncoded] = await setup.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM support_message WHERE kind = 'automated' AND (automated_code IS NULL OR automated_reason IS NULL)",
    );
    expect(uncoded!.n).toBe(0);
  }, 600_000);

  it("never takes a person's email for a robot", async () => {
    const human = [
      ...(await files(path.join(FIXTURES, 'human'))),
      ...HUMAN_EXAMPLES.map((f) => path.join(EXAMPLES, f)),
      ...SHARED_HUMAN.map((f) => path.join(CORPUS, f)).filter((f) => existsSync(f)),
    ];
    expect(human.length).toBeGreaterThanOrEqual(8);
    const results = await ingestAll(human);
    const taken = [...results]
      .filter(([, r]) => r.outcome === 'automated')
      .map(([f, r]) => `${path.basename(f)}: ${(r as { code: string }).code}`);
    expect(taken).toEqual([]);
    for (const [f, r] of results)
      expect(['created', 'reply', 'duplicate'], `${path.basename(f)}: ${JSON.stringify(r)}`).toContain(r.outcome);
  }, 120_000);
});
