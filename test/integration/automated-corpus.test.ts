/**
 * Public automated mail that nobody here wrote (test/fixtures/automated-corpus, see its MANIFEST, plus the
 * bounces and reports of ../shared/corpus/mime) through the real intake on MariaDB, 16 at a time: each is
 * recognised with a reason code, none opens a ticket, none is acknowledged. Human support emails (ours in
 * examples/ and public ones) are never taken for robots. The recognition rate, tickets and acknowledgements
 * are printed per source. The bounces whose source's own tests say what they are (EXPECTED-bounces.json) are
 * read by src/domain/bounce.ts and compared: failed recipients, hard or soft, the original Message-ID.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MailparserEmailParser } from '../../adapters/mailparser/mailparser-email-parser.ts';
import { bounceDetails } from '../../src/domain/bounce.ts';
import type { IntakeResult } from '../../src/services/intake-result.ts';
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
  'flanker/bz2-attachment.eml',
  'flanker/enclosed.eml',
  'flanker/mailgun-pic.eml',
  'flanker/multi-received-headers.eml',
  'flanker/quoted-printable.eml',
  'flanker/relative.eml',
  'flanker/russian-attachment-yahoo.eml',
  'flanker/signed.eml',
  'flanker/torture-part.eml',
  'mikel/plain_emails/basic_email.eml',
  'mikel/plain_emails/raw_email.eml',
  'mikel/plain_emails/raw_email_reply.eml',
  'mikel/plain_emails/raw_email_simple.eml',
  'mikel/plain_emails/raw_email_with_partially_quoted_subject.eml',
  'mikel/mime_emails/raw_email2.eml',
  'mikel/mime_emails/raw_email_with_binary_encoded.eml',
  'mikel/mime_emails/raw_email_with_nested_attachment.eml',
  'mikel/mime_emails/sig_only_email.eml',
  'mikel/mime_emails/two_from_in_message.eml',
];
const BATCH = 16;

const setup = appWithSmtp('autocorpus', { ACK_MAX_PER_HOUR: '1000' });

async function files(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  if (!dir.endsWith('/') && /\.(eml|txt|msg)$/.test(dir)) return [dir];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(full)));
    else if (/\.(eml|txt|msg)$/.test(entry.name) && !/^(MANIFEST|README|LICENSE)/i.test(entry.name)) out.push(full);
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
    expect(automated.length).toBeGreaterThanOrEqual(500);

    const results = await ingestAll(automated);
    const bySource = new Map<
      string,
      { total: number; recognised: number; duplicates: number; tickets: number; acks: number }
    >();
    const missed: string[] = [];
    const codes = new Map<string, number>();
    for (const [file, result] of results) {
      const source = sourceOf(file);
      const tally = bySource.get(source) ?? { total: 0, recognised: 0, duplicates: 0, tickets: 0, acks: 0 };
      tally.total++;
      // A second copy of one email (same Message-ID in two collections) was recognised the first time.
      if (result.outcome === 'automated' || result.outcome === 'duplicate') tally.recognised++;
      else missed.push(`${path.relative(process.cwd(), file)}: ${result.outcome}`);
      if (result.outcome === 'duplicate') tally.duplicates++;
      if (result.outcome === 'created') {
        tally.tickets++;
        if (result.acknowledgement === 'queued') tally.acks++;
      }
      if (result.outcome === 'automated') codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      bySource.set(source, tally);
    }
    const total = results.size;
    const recognised = total - missed.length;
    console.log(`automated corpus: ${recognised}/${total} recognised (${((100 * recognised) / total).toFixed(1)} %)`);
    for (const [source, t] of bySource)
      console.log(
        `  ${source}: ${t.recognised}/${t.total} recognised (${t.duplicates} as a duplicate), ${t.tickets} tickets, ${t.acks} acknowledgements`,
      );
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
    expect(human.length).toBeGreaterThanOrEqual(40);
    const results = await ingestAll(human);
    const taken = [...results]
      .filter(([, r]) => r.outcome === 'automated')
      .map(([f, r]) => `${path.basename(f)}: ${(r as { code: string }).code}`);
    console.log(`human emails: ${human.length}, taken for robots: ${taken.length}`);
    expect(taken).toEqual([]);
    for (const [f, r] of results)
      expect(['created', 'reply', 'duplicate'], `${path.basename(f)}: ${JSON.stringify(r)}`).toContain(r.outcome);
  }, 120_000);

  it('reads the failed recipient, hard or soft and the original Message-ID as the sources expect', async () => {
    const { expected } = JSON.parse(await readFile(path.join(FIXTURES, 'EXPECTED-bounces.json'), 'utf8')) as {
      expected: Record<string, Expected>;
    };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bounce-corpus-'));
    const parser = new MailparserEmailParser({ attachmentDir: dir, attachmentMaxBytes: 10 * 1024 * 1024 });
    const tally: Record<'recipients' | 'hard' | 'messageId', [number, number]> = {
      recipients: [0, 0],
      hard: [0, 0],
      messageId: [0, 0],
    };
    const wrong: string[] = [];
    try {
      for (const [file, want] of Object.entries(expected)) {
        const details = bounceDetails(await parser.parse(await readFile(path.join(FIXTURES, file))));
        const got = details.recipients.map((r) => r.address.toLowerCase());
        const check = (field: keyof typeof tally, ok: boolean, what: string) => {
          tally[field][1]++;
          if (ok) tally[field][0]++;
          else wrong.push(`${file}: ${field} ${what}`);
        };
        if (want.recipients)
          check(
            'recipients',
            want.recipients.every((a) => got.includes(a)),
            `expected ${want.recipients.join(', ')}, got ${got.join(', ') || 'none'}`,
          );
        if (want.recipientsAnyOf)
          check(
            'recipients',
            want.recipientsAnyOf.some((a) => got.includes(a)),
            `expected one of ${want.recipientsAnyOf.join(', ')}, got ${got.join(', ') || 'none'}`,
          );
        if (want.hard !== undefined) {
          const hard = details.recipients.map((r) => r.hard);
          check(
            'hard',
            hard.length > 0 && hard.every((h) => h === want.hard),
            `expected ${want.hard ? 'hard' : 'soft'}, got ${JSON.stringify(hard)}`,
          );
        }
        if (want.messageId)
          check(
            'messageId',
            details.originalMessageIds.includes(want.messageId),
            `expected ${want.messageId}, got ${details.originalMessageIds.join(', ') || 'none'}`,
          );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const pct = ([ok, n]: [number, number]) => `${ok}/${n} (${((100 * ok) / n).toFixed(0)} %)`;
    console.log(
      `bounce details as the sources expect them: recipients ${pct(tally.recipients)}, hard/soft ${pct(tally.hard)}, original Message-ID ${pct(tally.messageId)}`,
    );
    if (wrong.length > 0) console.log(`  not as expected:\n  ${wrong.join('\n  ')}`);
    expect(tally.hard[1]).toBeGreaterThan(40);
    // Floors at the figures measured when this test was written: a change that reads fewer right fails.
    expect(tally.recipients[0] / tally.recipients[1]).toBeGreaterThanOrEqual(FLOOR.recipients);
    expect(tally.hard[0] / tally.hard[1]).toBeGreaterThanOrEqual(FLOOR.hard);
    expect(tally.messageId[0] / tally.messageId[1]).toBeGreaterThanOrEqual(FLOOR.messageId);
  }, 120_000);
});

interface Expected {
  readonly recipients?: readonly string[];
  readonly recipientsAnyOf?: readonly string[];
  readonly hard?: boolean;
  readonly messageId?: string;
}

const FLOOR = { recipients: 1, hard: 1, messageId: 1 };
