/**
 * Intake end to end: real MariaDB, Redis and an SMTP listener; the application built as the CLI
 * builds it. Each assertion is something a user would see: the rows, the email that went out.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { triageJobId } from '../../adapters/queue/bullmq-triage-queue.ts';
import { METADATA_MARKER, parseLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import type { IntakeResult } from '../../src/services/intake-result.ts';
import { eml } from './eml.ts';
import {
  createTestApp,
  startTestApp,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

let setup: TestSetup;
let db: TestDatabase;
let smtp: SmtpListener;
let app: TestApp;

beforeAll(async () => {
  setup = await startTestApp('intake', { smtp: true, env: { ACK_MAX_PER_HOUR: '3', ATTACHMENT_MAX_BYTES: '2KB' } });
  ({ db, smtp, app } = setup);
});

afterAll(async () => {
  await setup?.close();
});

const ingest = (raw: Buffer) => app.intake.ingest(raw, { kind: 'test' });

function created(result: IntakeResult): Extract<IntakeResult, { outcome: 'created' }> {
  expect(result.outcome).toBe('created');
  return result as Extract<IntakeResult, { outcome: 'created' }>;
}

/** Acks addressed to one recipient, as the SMTP listener received them. */
function mailTo(address: string) {
  return smtp.received.filter((m) => m.envelopeTo.includes(address));
}

describe('a new email', () => {
  it('becomes a ticket row the old site can read, with its customer, and one threaded acknowledgement', async () => {
    const email = eml({
      from: '"Jean-Pierre Dupont" <JP.Dupont@Garage.example>',
      subject: 'Plaquettes de frein pour Clio 4',
      body: "Bonjour,\n\nJe voudrais savoir si les plaquettes réf. 4432 conviennent à ma Clio 4 de 2016. C'est pour la commande n° CMD-2024-10482.\n\nMerci d'avance,\nJean-Pierre",
    });
    const result = created(await ingest(email.raw));
    expect(result.customerCreated).toBe(true);
    expect(result.triage).toBe('queued');

    const [ticket] = await db.query<Record<string, string | null>>('SELECT * FROM ___xtr_msg WHERE msg_id = ?', [
      result.ticketId,
    ]);
    expect(ticket).toMatchObject({
      msg_cst_id: String(result.customerId),
      msg_subject: 'Plaquettes de frein pour Clio 4',
      msg_open: '1',
      msg_close: '0',
      msg_parent_id: null,
      msg_cnfa_id: null,
      msg_ord_id: 'CMD-2024-10482',
    });
    expect(ticket?.['msg_date']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const content = String(ticket?.['msg_content']);
    expect(content.startsWith('Bonjour,')).toBe(true);
    const meta = JSON.parse(content.slice(content.indexOf(METADATA_MARKER) + METADATA_MARKER.length)) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({ priority: 'normal', category: 'general', language: 'fr' });
    expect(typeof meta['created_at']).toBe('string');

    const [customer] = await db.query(
      'SELECT cst_mail, cst_fname, cst_name, cst_activ FROM ___xtr_customer WHERE cst_id = ?',
      [result.customerId],
    );
    expect(customer).toEqual({
      cst_mail: 'jp.dupont@garage.example',
      cst_fname: 'Jean-Pierre',
      cst_name: 'Dupont',
      cst_activ: '1',
    });

    const [ours] = await db.query(
      'SELECT status, priority, category, triaged, language FROM support_ticket WHERE ticket_id = ?',
      [result.ticketId],
    );
    expect(ours).toEqual({ status: 'open', priority: 'normal', category: 'general', triaged: 0, language: 'fr' });

    const [ack] = await smtp.waitFor(1).then(() => mailTo('jp.dupont@garage.example'));
    expect(ack).toBeDefined();
    const parsed = ack!.parsed;
    expect(parsed.subject).toBe(`[#${result.ticketId}] Plaquettes de frein pour Clio 4`);
    expect(parsed.inReplyTo).toBe(`<${email.messageId}>`);
    expect(String(parsed.references)).toContain(email.messageId!);
    expect(parsed.messageId).toMatch(/@ticketrelay\.test>$/);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
    expect(parsed.text).toContain(`demande n° ${result.ticketId}`);

    const queue = new Queue('triage', { connection: { url: LOCAL_ENDPOINTS.redisUrl }, prefix: app.queuePrefix });
    const job = await queue.getJob(triageJobId(result.ticketId));
    await queue.close();
    expect(job?.data).toEqual({ ticketId: result.ticketId });
  });

  it('finds an existing customer case-insensitively: the active one with the lowest id', async () => {
    await db.query(
      "INSERT INTO ___xtr_customer (cst_mail, cst_fname, cst_activ) VALUES ('Old.Client@Shop.example', 'Inactive', '0'), ('old.client@shop.example', 'Active', '1'), ('OLD.CLIENT@shop.example', 'Later', '1')",
    );
    const [active] = await db.query<{ cst_id: number }>(
      "SELECT cst_id FROM ___xtr_customer WHERE cst_fname = 'Active'",
    );
    const result = created(
      await ingest(eml({ from: 'old.client@shop.example', body: 'Hello, where is my battery? Thanks' }).raw),
    );
    expect(result.customerId).toBe(active!.cst_id);
    expect(result.customerCreated).toBe(false);
  });

  it("answers the Reply-To address: a contact form's relay (From the form, Reply-To the customer) opens the customer's ticket", async () => {
    const viaForm = eml({
      from: 'Formulaire partenaire <formulaire@partenaire.example>',
      headers: { 'Reply-To': 'Sophie Girard <sophie.girard@replyto.example>' },
      subject: 'Demande via le formulaire',
      body: "Bonjour, je n'ai pas reçu ma facture pour la commande CMD-88120.\n\nSophie Girard",
    });
    const result = created(await ingest(viaForm.raw));
    const [customer] = await db.query<{ cst_mail: string; cst_fname: string; cst_name: string }>(
      'SELECT c.cst_mail, c.cst_fname, c.cst_name FROM ___xtr_customer c JOIN ___xtr_msg m ON m.msg_cst_id = c.cst_id WHERE m.msg_id = ?',
      [result.ticketId],
    );
    expect(customer).toEqual({ cst_mail: 'sophie.girard@replyto.example', cst_fname: 'Sophie', cst_name: 'Girard' });
    const acks = await waitForMailTo('sophie.girard@replyto.example', 1);
    expect(acks[0]!.parsed.text).toMatch(/^Bonjour,\n/);
    expect(smtp.received.some((m) => m.envelopeTo.includes('formulaire@partenaire.example'))).toBe(false);
  });

  it('greets "DUPONT Jean" as Jean, and titles a French email without a subject "(sans objet)"', async () => {
    const result = created(
      await ingest(
        eml({
          from: 'DUPONT Jean <jean.dupont@nosubject.example>',
          subject: '',
          body: "Bonjour, je voudrais savoir si vous avez reçu mon retour de l'étrier. Merci",
        }).raw,
      ),
    );
    const acks = await waitForMailTo('jean.dupont@nosubject.example', 1);
    expect(acks[0]!.parsed.subject).toBe(`[#${result.ticketId}] (sans objet)`);
    expect(acks[0]!.parsed.text).toMatch(/^Bonjour,\n/);
  });

  it('acknowledges in English when the customer writes English', async () => {
    const result = created(
      await ingest(
        eml({
          from: 'Sam Smith <sam@en.example>',
          subject: 'Wrong headlight delivered',
          body: 'Hi,\n\nI ordered a left headlight and you sent me the right one. What should I do?\n\nThanks,\nSam',
        }).raw,
      ),
    );
    const acks = await waitForMailTo('sam@en.example', 1);
    expect(acks[0]!.parsed.text).toContain(`ticket #${result.ticketId}`);
    expect(acks[0]!.parsed.text).toMatch(/^Hello,\n/);
  });

  it('stores attachments on disk by sha256 and keeps an oversized email without its oversized part', async () => {
    const small = Buffer.from('%PDF-1.4 small invoice').toString('base64');
    const big = Buffer.alloc(10_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const mime = [
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Photos of the damaged part attached.',
      '--b1',
      'Content-Type: application/pdf; name="invoice.pdf"',
      'Content-Disposition: attachment; filename="invoice.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      small,
      '--b1',
      'Content-Type: image/jpeg; name="huge.jpg"',
      'Content-Disposition: attachment; filename="huge.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      big,
      '--b1--',
    ].join('\r\n');
    const result = created(
      await ingest(
        eml({ from: 'photo@customer.example', mime: { contentType: 'multipart/mixed; boundary="b1"', body: mime } })
          .raw,
      ),
    );
    const rows = await db.query<{ filename: string; sha256: string | null; size: number; dropped: string | null }>(
      'SELECT filename, sha256, size, dropped FROM support_attachment WHERE ticket_id = ? ORDER BY id',
      [result.ticketId],
    );
    expect(rows.map((r) => [r.filename, r.dropped])).toEqual([
      ['invoice.pdf', null],
      ['huge.jpg', 'oversized'],
    ]);
    const stored = await readFile(
      path.join(app.dataDir, 'attachments', rows[0]!.sha256!.slice(0, 2), rows[0]!.sha256!),
    );
    expect(stored.toString()).toBe('%PDF-1.4 small invoice');
    const [msg] = await db.query<{ notes: string }>(
      'SELECT notes FROM support_message WHERE ticket_id = ? AND kind = ?',
      [result.ticketId, 'ticket'],
    );
    expect(String(msg?.notes)).toContain('huge.jpg');
  });

  it('keeps one file for the same attachment sent twice (a logo in every signature), named by its sha256', async () => {
    const logo = Buffer.from('GIF89a the shop logo bytes');
    const withLogo = (from: string) =>
      eml({
        from,
        mime: {
          contentType: 'multipart/mixed; boundary="b2"',
          body: [
            '--b2',
            'Content-Type: text/plain',
            '',
            'See my signature.',
            '--b2',
            'Content-Type: image/gif; name="logo.gif"',
            'Content-Disposition: attachment; filename="logo.gif"',
            'Content-Transfer-Encoding: base64',
            '',
            logo.toString('base64'),
            '--b2--',
          ].join('\r\n'),
        },
      }).raw;
    const first = created(await ingest(withLogo('logo1@customer.example')));
    const [firstRow] = await db.query<{ sha256: string }>('SELECT sha256 FROM support_attachment WHERE ticket_id = ?', [
      first.ticketId,
    ]);
    const file = path.join(app.dataDir, 'attachments', firstRow!.sha256.slice(0, 2), firstRow!.sha256);
    const before = await stat(file);
    const second = created(await ingest(withLogo('logo2@customer.example')));
    expect((await stat(file)).ino).toBe(before.ino); // not written again
    const rows = await db.query<{ ticket_id: number; sha256: string }>(
      'SELECT ticket_id, sha256 FROM support_attachment WHERE ticket_id IN (?, ?) ORDER BY ticket_id',
      [first.ticketId, second.ticketId],
    );
    expect(rows.map((r) => r.ticket_id)).toEqual([first.ticketId, second.ticketId]);
    expect(rows[0]!.sha256).toBe(rows[1]!.sha256);
    const dir = path.join(app.dataDir, 'attachments');
    expect(await readFile(path.join(dir, rows[0]!.sha256.slice(0, 2), rows[0]!.sha256))).toEqual(logo);
    expect(await readdir(path.join(dir, 'tmp')).catch(() => [])).toEqual([]);
  });

  it('sends at most ACK_MAX_PER_HOUR acknowledgements to one address per hour', async () => {
    const outcomes = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(
        created(await ingest(eml({ from: 'busy@customer.example', subject: `Question ${i}` }).raw)).acknowledgement,
      );
    expect(outcomes.slice(0, 3)).toEqual(['queued', 'queued', 'queued']);
    expect(outcomes[3]).toMatch(/^suppressed: already 3/);
    await waitForMailTo('busy@customer.example', 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailTo('busy@customer.example')).toHaveLength(3);
  });

  it('holds that limit when the emails arrive at the same moment (a burst stored in one group)', async () => {
    const emails = Array.from(
      { length: 7 },
      (_, i) => eml({ from: 'burst@customer.example', subject: `Burst ${i}` }).raw,
    );
    const outcomes = (await Promise.all(emails.map((raw) => ingest(raw)))).map((r) => created(r).acknowledgement);
    expect(outcomes.filter((o) => o === 'queued')).toHaveLength(3);
    expect(outcomes.filter((o) => /^suppressed: already 3/.test(o))).toHaveLength(4);
    await waitForMailTo('burst@customer.example', 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailTo('burst@customer.example')).toHaveLength(3);
  });
});

describe('threading', () => {
  it('puts a reply by In-Reply-To on its ticket, cuts the quoted history and keeps the original', async () => {
    const first = eml({ from: 'thread@customer.example', subject: 'Battery for my 308' });
    const ticket = created(await ingest(first.raw));
    const reply = eml({
      from: 'thread@customer.example',
      subject: 'Re: Battery for my 308',
      inReplyTo: `<${first.messageId}>`,
      references: `<${first.messageId}>`,
      body: 'The VIN is VF3LBHZRHAS123456.\n\nOn Mon, 3 Jun 2024 at 10:00, Support <support@ticketrelay.test> wrote:\n> Which engine does your car have?\n> Thanks',
    });
    const result = await ingest(reply.raw);
    expect(result).toMatchObject({
      outcome: 'reply',
      ticketId: ticket.ticketId,
      signal: 'in_reply_to',
      reopened: false,
    });
    const [row] = await db.query<Record<string, string>>(
      'SELECT msg_parent_id, msg_subject, msg_content, msg_cnfa_id FROM ___xtr_msg WHERE msg_parent_id = ?',
      [String(ticket.ticketId)],
    );
    expect(row).toMatchObject({
      msg_parent_id: String(ticket.ticketId),
      msg_subject: 'Re: Battery for my 308',
      msg_cnfa_id: null,
    });
    expect(row!['msg_content']).toBe('The VIN is VF3LBHZRHAS123456.');
    const [ours] = await db.query<{ original_text: string; thread_signal: string }>(
      "SELECT original_text, thread_signal FROM support_message WHERE kind = 'reply' AND ticket_id = ?",
      [ticket.ticketId],
    );
    expect(ours!.original_text).toContain('Which engine does your car have?');
  });

  it('threads a reply to our acknowledgement by its Message-ID', async () => {
    const ticket = created(await ingest(eml({ from: 'ackreply@customer.example', subject: 'Clutch kit' }).raw));
    const [ack] = await waitForMailTo('ackreply@customer.example', 1);
    const result = await ingest(
      eml({
        from: 'ackreply@customer.example',
        subject: `Re: [#${ticket.ticketId}] Clutch kit`,
        inReplyTo: ack!.parsed.messageId!,
        body: 'Here is the photo.',
      }).raw,
    );
    expect(result).toMatchObject({ outcome: 'reply', ticketId: ticket.ticketId, signal: 'in_reply_to' });
  });

  it('accepts the [#N] subject tag from the ticket customer or a participant, and not from a stranger', async () => {
    const ticket = created(
      await ingest(
        eml({ from: 'tagowner@customer.example', cc: 'colleague@customer.example', subject: 'Alternator' }).raw,
      ),
    );
    const own = await ingest(
      eml({ from: 'TagOwner@customer.example', subject: `Re: [#${ticket.ticketId}] Alternator`, body: 'Any news?' })
        .raw,
    );
    expect(own).toMatchObject({ outcome: 'reply', ticketId: ticket.ticketId, signal: 'subject_tag' });
    const cc = await ingest(
      eml({
        from: 'colleague@customer.example',
        subject: `[#${ticket.ticketId}] Alternator`,
        body: 'Adding the invoice.',
      }).raw,
    );
    expect(cc).toMatchObject({ outcome: 'reply', ticketId: ticket.ticketId, signal: 'subject_tag' });

    const stranger = await ingest(
      eml({
        from: 'stranger@elsewhere.example',
        subject: `Re: [#${ticket.ticketId}] Alternator`,
        body: 'I want to see this ticket',
      }).raw,
    );
    const strangerTicket = created(stranger);
    expect(strangerTicket.ticketId).not.toBe(ticket.ticketId);
    const [note] = await db.query<{ notes: string }>(
      "SELECT notes FROM support_message WHERE ticket_id = ? AND kind = 'ticket'",
      [strangerTicket.ticketId],
    );
    expect(String(note!.notes)).toContain('not on that ticket');
  });

  it('reopens a closed ticket when the customer replies', async () => {
    const first = eml({ from: 'closed@customer.example', subject: 'Refund' });
    const ticket = created(await ingest(first.raw));
    // Closed as an agent closes it: the flags and the metadata block's status.
    await db.query(
      `UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1', msg_content = REPLACE(msg_content, '"status":"open"', '"status":"closed"') WHERE msg_id = ?`,
      [ticket.ticketId],
    );
    await db.query("UPDATE support_ticket SET status = 'closed' WHERE ticket_id = ?", [ticket.ticketId]);
    const result = await ingest(
      eml({
        from: 'closed@customer.example',
        inReplyTo: `<${first.messageId}>`,
        subject: 'Re: Refund',
        body: 'Still not refunded.',
      }).raw,
    );
    expect(result).toMatchObject({ outcome: 'reply', reopened: true });
    const [row] = await db.query<{ msg_open: string; msg_close: string; msg_content: string }>(
      'SELECT msg_open, msg_close, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [ticket.ticketId],
    );
    expect(row).toMatchObject({ msg_open: '1', msg_close: '0' });
    expect(parseLegacyContent(row!.msg_content).metadata).toMatchObject({ status: 'open' });
  });

  it('takes the same email twice as one ticket: the second is a duplicate and changes nothing', async () => {
    const email = eml({ from: 'twice@customer.example', subject: 'Duplicate delivery' });
    const first = created(await ingest(email.raw));
    const [before] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ___xtr_msg');
    const second = await ingest(email.raw);
    expect(second).toEqual({ outcome: 'duplicate', messageId: email.messageId, ticketId: first.ticketId });
    const [after] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ___xtr_msg');
    expect(after!.n).toBe(before!.n);
    // Without a Message-ID, the same bytes twice are still one ticket.
    const noId = eml({ from: 'noid@customer.example', messageId: null, date: 'Mon, 01 Jan 2024 10:00:00 +0000' });
    created(await ingest(noId.raw));
    expect((await ingest(noId.raw)).outcome).toBe('duplicate');
  });
});

describe('automated mail', () => {
  it('stores a bounce of our acknowledgement on its ticket, flags the address and never answers it', async () => {
    const ticket = created(await ingest(eml({ from: 'gone@customer.example', subject: 'Wipers' }).raw));
    const [ack] = await waitForMailTo('gone@customer.example', 1);
    const sentBefore = smtp.received.length;
    const report = [
      '--rep',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--rep',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.example',
      '',
      'Final-Recipient: rfc822; gone@customer.example',
      'Action: failed',
      'Status: 5.1.1',
      '--rep',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${ack!.parsed.messageId}`,
      `Subject: ${ack!.parsed.subject}`,
      '--rep--',
    ].join('\r\n');
    const result = await ingest(
      eml({
        from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
        subject: 'Undelivered Mail Returned to Sender',
        headers: { 'Auto-Submitted': 'auto-replied' },
        mime: { contentType: 'multipart/report; report-type=delivery-status; boundary="rep"', body: report },
      }).raw,
    );
    expect(result).toMatchObject({
      outcome: 'automated',
      kind: 'bounce',
      ticketId: ticket.ticketId,
      flagged: ['gone@customer.example'],
    });
    const [reply] = await db.query<{ msg_content: string }>(
      'SELECT msg_content FROM ___xtr_msg WHERE msg_parent_id = ?',
      [String(ticket.ticketId)],
    );
    expect(reply!.msg_content).toContain('delivery failure');
    // Nothing more goes to that address: a new email from it opens a ticket but gets no acknowledgement.
    const again = created(await ingest(eml({ from: 'gone@customer.example', subject: 'Another question' }).raw));
    expect(again.acknowledgement).toBe('suppressed: the address bounced before');
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(sentBefore);
  });

  it('stores an out-of-office reply to our acknowledgement on its ticket, without answering', async () => {
    const ticket = created(await ingest(eml({ from: 'away@customer.example', subject: 'Oil filter' }).raw));
    const [ack] = await waitForMailTo('away@customer.example', 1);
    const result = await ingest(
      eml({
        from: 'away@customer.example',
        subject: `Out of office: [#${ticket.ticketId}] Oil filter`,
        inReplyTo: ack!.parsed.messageId!,
        headers: { 'Auto-Submitted': 'auto-replied' },
        body: 'I am away until Monday.',
      }).raw,
    );
    expect(result).toMatchObject({ outcome: 'automated', kind: 'auto_reply', ticketId: ticket.ticketId });
    await new Promise((r) => setTimeout(r, 300));
    expect(mailTo('away@customer.example')).toHaveLength(1);
  });

  it('records and skips automated mail that belongs to no ticket: no ticket, no answer', async () => {
    const [before] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ___xtr_msg');
    const cases = [
      eml({
        from: 'news@shop-news.example',
        headers: { 'List-Id': '<news.shop-news.example>', 'List-Unsubscribe': '<mailto:unsub@shop-news.example>' },
      }),
      eml({ from: 'robot@crm.example', headers: { Precedence: 'bulk' } }),
      eml({ from: 'someone@customer.example', headers: { 'X-Autoreply': 'yes' } }),
      eml({ from: 'Support <support@ticketrelay.test>', subject: '[#1] our own mail' }),
    ];
    for (const c of cases) {
      const result = await ingest(c.raw);
      expect(result).toMatchObject({ outcome: 'automated', ticketId: null });
    }
    const [after] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ___xtr_msg');
    expect(after!.n).toBe(before!.n);
    const recorded = await db.query<{ automated_reason: string }>(
      "SELECT automated_reason FROM support_message WHERE outcome = 'automated_skipped'",
    );
    expect(recorded.length).toBeGreaterThanOrEqual(4);
    expect(recorded.every((r) => r.automated_reason.length > 0)).toBe(true);
  });
});

describe('bad input', () => {
  it('rejects an email with no sender, records why and keeps its bytes', async () => {
    const email = eml({ from: null });
    const result = await ingest(email.raw);
    expect(result).toMatchObject({ outcome: 'rejected' });
    const keptAt = (result as Extract<IntakeResult, { outcome: 'rejected' }>).keptAt!;
    expect(await readFile(keptAt)).toEqual(email.raw);
    const [row] = await db.query<{ kind: string; automated_reason: string }>(
      'SELECT kind, automated_reason FROM support_message WHERE message_id = ?',
      [email.messageId],
    );
    expect(row).toEqual({ kind: 'rejected', automated_reason: expect.stringContaining('no sender') });
    // Delivered again (a mail server retrying): still rejected, not a "duplicate" that passes for taken.
    const again = await ingest(email.raw);
    expect(again).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('rejected before') });
    expect(await db.query('SELECT 1 FROM support_message WHERE message_id = ?', [email.messageId])).toHaveLength(1);
  });

  it('takes an email rejected for no sender once a From line is added, in place of its rejection; still without one, says how to fix it', async () => {
    const email = eml({ from: null, subject: 'Fixed by the operator' });
    expect(await ingest(email.raw)).toMatchObject({ outcome: 'rejected' });
    expect(await ingest(email.raw)).toMatchObject({
      outcome: 'rejected',
      reason:
        'this message was rejected before (no sender address); it is still not taken: add a From line to the file kept in the rejected folder and ingest it again',
    });

    const fixed = Buffer.concat([Buffer.from('From: Ada Fixed <ada.fixed@customer.example>\r\n'), email.raw]);
    const result = created(await ingest(fixed));
    const rows = await db.query<{ kind: string; ticket_id: number | null }>(
      'SELECT kind, ticket_id FROM support_message WHERE message_id = ?',
      [email.messageId],
    );
    expect(rows).toEqual([{ kind: 'ticket', ticket_id: result.ticketId }]);
    const [ticket] = await db.query('SELECT msg_subject FROM ___xtr_msg WHERE msg_id = ?', [result.ticketId]);
    expect(ticket).toEqual({ msg_subject: 'Fixed by the operator' });
    expect(await waitForMailTo('ada.fixed@customer.example', 1)).toHaveLength(1);
  });
});

describe('when Redis is down', () => {
  it('still stores the ticket, marked untriaged', async () => {
    const downApp = await createTestApp(db, {
      REDIS_URL: 'redis://127.0.0.1:1',
      SMTP_URL: smtp.url,
      SMTP_ALLOW_PLAIN: 'true',
    });
    try {
      const result = created(
        await downApp.intake.ingest(eml({ from: 'noredis@customer.example', subject: 'Starter motor' }).raw, {
          kind: 'test',
        }),
      );
      expect(result.triage).toBe('deferred');
      const [row] = await db.query('SELECT triaged FROM support_ticket WHERE ticket_id = ?', [result.ticketId]);
      expect(row).toEqual({ triaged: 0 });
      expect(await waitForMailTo('noredis@customer.example', 1)).toHaveLength(1);
    } finally {
      await downApp.close();
    }
  });
});

async function waitForMailTo(address: string, n: number) {
  const until = Date.now() + 10_000;
  while (mailTo(address).length < n) {
    if (Date.now() > until) throw new Error(`expected ${n} emails to ${address}, got ${mailTo(address).length}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return mailTo(address);
}
