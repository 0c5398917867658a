/**
 * Every public torture, malformed and bounce email in ../shared/corpus/mime goes through intake:
 * each gets an outcome, none throws, none blocks the event loop, and no bounce or report is answered.
 * Plus the hostile cases of the issue: a 50 MB attachment, 200 nested levels, an unknown charset.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IntakeResult } from '../../src/services/intake-result.ts';
import { eml } from './eml.ts';
import { CORPUS, appWithSmtp } from './harness.ts';

const setup = appWithSmtp('corpus', { ACK_MAX_PER_HOUR: '1000' });

/** Longest gap between timer ticks while `work` runs: how long the event loop was held. */
async function maxEventLoopBlock<T>(work: () => Promise<T>): Promise<{ result: T; blockedMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  try {
    const result = await work();
    return { result, blockedMs: worst };
  } finally {
    clearInterval(timer);
  }
}

async function listEml(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listEml(full)));
    else if (entry.name.endsWith('.eml') || !entry.name.includes('.')) {
      if (!/^(LICENSE|COPYING|README)/i.test(entry.name)) out.push(full);
    }
  }
  return out.sort();
}

const haveCorpus = existsSync(CORPUS);
if (!haveCorpus)
  console.warn(
    `The public MIME corpus is absent (${CORPUS}): its test does not run. It is expected at ../shared/corpus/mime beside the project.`,
  );

describe.runIf(haveCorpus)('the public MIME corpus', () => {
  it('gives every message an outcome, throws on none, and acknowledges no bounce or report', async () => {
    const files = await listEml(CORPUS);
    expect(files.length).toBeGreaterThan(100);
    const outcomes = new Map<string, IntakeResult>();
    const { blockedMs } = await maxEventLoopBlock(async () => {
      for (const file of files)
        outcomes.set(file, await setup.app.intake.ingest(await readFile(file), { kind: 'file', name: file }));
    });
    expect(outcomes.size).toBe(files.length);
    for (const [file, result] of outcomes) {
      expect(['created', 'reply', 'duplicate', 'automated', 'rejected', 'spam'], file).toContain(result.outcome);
    }
    // Bounces and reports, by folder or by structure: none may have been acknowledged.
    const reportish = [...outcomes.keys()].filter((f) =>
      /\/(bounce|complaints|multipart_report_emails)\/|disposition-notification\.eml$/.test(f),
    );
    expect(reportish.length).toBeGreaterThan(10);
    const acknowledged: string[] = [];
    for (const file of reportish) {
      const result = outcomes.get(file)!;
      if (result.outcome === 'created' && result.acknowledgement === 'queued')
        acknowledged.push(path.relative(CORPUS, file));
    }
    expect(acknowledged).toEqual([]);
    await setup.app.outbox.deliverPending();
    const answeredDaemons = setup.smtp.received.filter((m) =>
      m.envelopeTo.some((a) => /mailer-daemon|postmaster/i.test(a)),
    );
    expect(answeredDaemons).toEqual([]);
    const counts = [...outcomes.values()].reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }),
      {},
    );
    console.log(`corpus: ${files.length} messages →`, counts, `event loop held at most ${Math.round(blockedMs)} ms`);
    expect(blockedMs).toBeLessThan(200);
  }, 300_000);
});

describe('hostile emails', () => {
  it('keeps a 50 MB attachment out, stores the email with a note, and never holds the event loop 200 ms', async () => {
    const b64 = Buffer.alloc(50 * 1024 * 1024, 0x41)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const body = [
      '--big',
      'Content-Type: text/plain',
      '',
      'Here is the video of the noise.',
      '--big',
      'Content-Type: video/mp4; name="noise.mp4"',
      'Content-Disposition: attachment; filename="noise.mp4"',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--big--',
    ].join('\r\n');
    const email = eml({
      from: 'video@customer.example',
      subject: 'Strange noise',
      mime: { contentType: 'multipart/mixed; boundary="big"', body },
    });
    const { result, blockedMs } = await maxEventLoopBlock(() => setup.app.intake.ingest(email.raw, { kind: 'test' }));
    expect(result.outcome).toBe('created');
    const ticketId = (result as { ticketId: number }).ticketId;
    const [att] = await setup.db.query<{ dropped: string; size: number }>(
      'SELECT dropped, size FROM support_attachment WHERE ticket_id = ?',
      [ticketId],
    );
    expect(att).toEqual({ dropped: 'oversized', size: 50 * 1024 * 1024 });
    const [msg] = await setup.db.query<{ notes: string }>(
      "SELECT notes FROM support_message WHERE ticket_id = ? AND kind = 'ticket'",
      [ticketId],
    );
    expect(String(msg!.notes)).toMatch(/noise\.mp4.*not kept/);
    expect(blockedMs).toBeLessThan(200);
  }, 120_000);

  it('survives a message nested 200 levels deep', async () => {
    let body = 'Deep inside: my order is late.';
    for (let i = 200; i > 0; i--)
      body = `--l${i}\r\nContent-Type: ${i === 200 ? 'text/plain' : `multipart/mixed; boundary="l${i + 1}"`}\r\n\r\n${body}\r\n--l${i}--`;
    const email = eml({ from: 'deep@customer.example', mime: { contentType: 'multipart/mixed; boundary="l1"', body } });
    const { result, blockedMs } = await maxEventLoopBlock(() => setup.app.intake.ingest(email.raw, { kind: 'test' }));
    expect(['created', 'rejected']).toContain(result.outcome);
    expect(blockedMs).toBeLessThan(200);
  });

  it('falls back sensibly on a charset nobody knows', async () => {
    const email = eml({
      from: 'charset@customer.example',
      mime: {
        contentType: 'text/plain; charset="x-unknown-martian"',
        body: 'Bonjour, ma commande est en retard. Merci.',
      },
    });
    const result = await setup.app.intake.ingest(email.raw, { kind: 'test' });
    expect(result.outcome).toBe('created');
    const [row] = await setup.db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      (result as { ticketId: number }).ticketId,
    ]);
    expect(row!.msg_content).toContain('ma commande est en retard');
  });

  it('rejects bytes that are not an email at all, and keeps them', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const result = await setup.app.intake.ingest(garbage, { kind: 'test' });
    expect(['rejected', 'automated', 'created']).toContain(result.outcome);
    if (result.outcome === 'rejected') expect(result.keptAt).toBeTruthy();
  });
});
