/**
 * Many emails at once (an import, an IMAP catch-up): the store then writes several emails in one
 * shared transaction. What a user sees must not change: every email its own ticket, customer and
 * acknowledgement, and a conflict between two of them resolved as if they had come one by one.
 */
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MailparserEmailParser } from '../../adapters/mailparser/mailparser-email-parser.ts';
import { MysqlIntakeStore } from '../../adapters/mysql/mysql-intake-store.ts';
import { isAppError } from '../../src/domain/errors.ts';
import type { MessageRecord } from '../../src/ports/intake-store.ts';
import type { IntakeResult } from '../../src/services/intake-result.ts';
import { eml } from './eml.ts';
import { appWithSmtp } from './harness.ts';

const setup = appWithSmtp('intake_concurrency');

const ingest = (raw: Buffer) => setup.app.intake.ingest(raw, { kind: 'test' });

function createdTicket(result: IntakeResult): number {
  expect(result.outcome).toBe('created');
  return result.outcome === 'created' ? result.ticketId : -1;
}

describe('emails arriving together', () => {
  it('each become their own ticket, with their own customer and acknowledgement', async () => {
    const emails = Array.from({ length: 40 }, (_, i) =>
      eml({
        from: `"Claire Martin" <client${i}@together.example>`,
        subject: `Question ${i} sur ma commande`,
        body: `Bonjour, ma commande n° CMD-${1000 + i} n'est pas arrivée.\n\nMerci`,
      }),
    );
    const results = await Promise.all(emails.map((e) => ingest(e.raw)));
    const ticketIds = results.map(createdTicket);
    expect(new Set(ticketIds).size).toBe(40);

    // Each ticket carries its own email's subject, order and customer: nothing mixed up between them.
    for (let i = 0; i < 40; i++) {
      const [row] = await setup.db.query<Record<string, string>>(
        'SELECT m.msg_subject, m.msg_ord_id, c.cst_mail, c.cst_fname, t.customer_email FROM ___xtr_msg m JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id JOIN support_ticket t ON t.ticket_id = m.msg_id WHERE m.msg_id = ?',
        [ticketIds[i]],
      );
      expect(row).toEqual({
        msg_subject: `Question ${i} sur ma commande`,
        msg_ord_id: `CMD-${1000 + i}`,
        cst_mail: `client${i}@together.example`,
        cst_fname: 'Claire',
        customer_email: `client${i}@together.example`,
      });
    }
    const [inbound] = await setup.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM support_message WHERE kind = 'ticket' AND peer_address LIKE '%@together.example'",
    );
    expect(Number(inbound?.n)).toBe(40);

    await setup.smtp.waitFor(40);
    const acknowledged = new Set(
      setup.smtp.received.flatMap((m) => m.envelopeTo).filter((a) => a.endsWith('@together.example')),
    );
    expect(acknowledged.size).toBe(40);
  });

  it('two first emails from one new customer, arriving with others, share one customer row and leave the others untouched', async () => {
    const first = eml({
      from: '"Nadia Benali" <nadia@twice.example>',
      subject: 'Ma facture',
      body: 'Bonjour, je ne trouve pas ma facture.',
    });
    const second = eml({
      from: '"Nadia Benali" <nadia@twice.example>',
      subject: 'Mon adresse de livraison',
      body: "Bonjour, j'ai changé d'adresse.",
    });
    const others = Array.from({ length: 10 }, (_, i) =>
      eml({ from: `other${i}@twice.example`, subject: `Autre ${i}` }),
    );
    const [a, b, ...rest] = await Promise.all([first, second, ...others].map((e) => ingest(e.raw)));

    const ticketA = createdTicket(a!);
    const ticketB = createdTicket(b!);
    expect(ticketA).not.toBe(ticketB);
    const customers = await setup.db.query<{ cst_id: number }>(
      "SELECT cst_id FROM ___xtr_customer WHERE cst_mail = 'nadia@twice.example'",
    );
    expect(customers).toHaveLength(1);
    const owners = await setup.db.query<{ msg_cst_id: string }>(
      'SELECT msg_cst_id FROM ___xtr_msg WHERE msg_id IN (?, ?)',
      [ticketA, ticketB],
    );
    expect(owners.map((o) => o.msg_cst_id)).toEqual([String(customers[0]!.cst_id), String(customers[0]!.cst_id)]);
    expect([a, b].filter((r) => r?.outcome === 'created' && r.customerCreated)).toHaveLength(1);

    const otherTickets = rest.map(createdTicket);
    expect(new Set(otherTickets).size).toBe(10);
    const [count] = await setup.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM ___xtr_customer WHERE cst_mail LIKE '%@twice.example'",
    );
    expect(Number(count?.n)).toBe(11);
  });

  it('the same email delivered twice at once is one ticket and one duplicate', async () => {
    const email = eml({ from: 'paul@dup.example', subject: 'En double' });
    const results = await Promise.all([
      ingest(email.raw),
      ingest(email.raw),
      ...Array.from({ length: 6 }, (_, i) => ingest(eml({ from: `p${i}@dup.example` }).raw)),
    ]);
    expect(
      results
        .slice(0, 2)
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['created', 'duplicate']);
    expect(results.slice(2).every((r) => r.outcome === 'created')).toBe(true);
    const rows = await setup.db.query(
      "SELECT msg_id FROM ___xtr_msg m JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id WHERE c.cst_mail = 'paul@dup.example'",
    );
    expect(rows).toHaveLength(1);
  });
});

describe('the store, when emails share one transaction', () => {
  const record = (messageId: string): MessageRecord => ({
    messageId,
    ticketId: null,
    threadEntryId: null,
    direction: 'inbound',
    kind: 'automated',
    outcome: 'automated_skipped',
    threadSignal: null,
    automatedKind: 'bulk',
    automatedReason: 'test',
    peerAddress: 'robot@store.example',
    subject: messageId,
    inReplyTo: [],
    references: [],
    language: null,
    bodyText: null,
    originalText: null,
    notes: [],
    source: 'test',
    rawSize: 1,
    delivery: null,
    at: new Date(),
  });

  /** Stores one email's rows: a legacy reply row (written at once) and its message row (with the commit). */
  const storeOne = (store: MysqlIntakeStore, messageId: string, fail = false) =>
    store.transaction(async (tx) => {
      const legacyId = await tx.addReply({
        ticketId: 999_999,
        customerId: 1,
        subject: messageId,
        content: messageId,
        staffId: null,
        at: new Date(),
      });
      await tx.recordMessage(record(messageId));
      if (fail) throw new Error(`${messageId} fails`);
      return legacyId;
    });

  it("keeps each email's rows atomic: one failing email or one duplicate Message-ID costs the others nothing", async () => {
    const store = new MysqlIntakeStore(setup.db.database, { maxGroup: 16, parallelGroups: 1 });
    // Stored together as one group, which fails twice over: each is then stored again alone, in order.
    const ids = Array.from({ length: 8 }, (_, i) => `store-${i}@store.example`);
    const outcomes = await Promise.allSettled([
      storeOne(store, ids[0]!),
      storeOne(store, ids[1]!),
      storeOne(store, ids[2]!, true),
      storeOne(store, ids[3]!),
      storeOne(store, ids[1]!), // the same Message-ID as the second: a duplicate
      ...ids.slice(4).map((id) => storeOne(store, id)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const failed = outcomes[2] as PromiseRejectedResult;
    expect((failed.reason as Error).message).toContain('store-2@store.example fails');
    const duplicate = outcomes[4] as PromiseRejectedResult;
    expect(isAppError(duplicate.reason) && duplicate.reason.code).toBe('email.duplicate');

    const messages = await setup.db.query<{ message_id: string; legacy_rows: number }>(
      "SELECT m.message_id, (SELECT COUNT(*) FROM ___xtr_msg x WHERE x.msg_subject = m.message_id) AS legacy_rows FROM support_message m WHERE m.message_id LIKE 'store-%' ORDER BY m.message_id",
    );
    expect(messages.map((m) => [m.message_id, Number(m.legacy_rows)])).toEqual(
      ids.filter((id) => id !== ids[2]).map((id) => [id, 1]),
    );
    const [orphans] = await setup.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM ___xtr_msg WHERE msg_subject = 'store-2@store.example'",
    );
    expect(Number(orphans?.n)).toBe(0);
  });
});

describe('emails arriving in one batch (an IMAP catch-up, an import)', () => {
  /** A first email slower to read (a 1 MB attachment), then quick ones: they finish parsing first. */
  function slowFirst(from: string, subject: string): { raw: Buffer; messageId: string | null } {
    const attachment = Buffer.alloc(1024 * 1024, 7)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    return eml({
      from,
      subject,
      mime: {
        contentType: 'multipart/mixed; boundary="b1"',
        body: [
          '--b1',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Bonjour, voici la photo du disque de frein reçu abîmé.',
          '--b1',
          'Content-Type: image/jpeg; name="disque.jpg"',
          'Content-Transfer-Encoding: base64',
          'Content-Disposition: attachment; filename="disque.jpg"',
          '',
          attachment,
          '--b1--',
          '',
        ].join('\r\n'),
      },
    });
  }

  it('number their tickets in the order the emails came, not the order they finished parsing', async () => {
    const first = slowFirst('"Luc Morel" <luc@order.example>', 'Disque reçu abîmé');
    const later = Array.from({ length: 5 }, (_, i) =>
      eml({ from: `later${i}@order.example`, subject: `Suivant ${i}` }),
    );
    const results = await Promise.all([first, ...later].map((e) => ingest(e.raw)));
    const ids = results.map(createdTicket);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('from one new customer, keep their order, and the acknowledgement limit withholds the last ones, not the first', async () => {
    const orders = Array.from({ length: 7 }, (_, i) =>
      eml({
        from: '"Garage Durand" <contact@garage-durand.example>',
        subject: `Commande ${60001 + i}`,
        body: `Bonjour, où en est la commande ${60001 + i} ?`,
      }),
    );
    const results = await Promise.all(orders.map((e) => ingest(e.raw)));
    const ids = results.map(createdTicket);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const acknowledged = results.map((r) => (r.outcome === 'created' ? r.acknowledgement : null));
    expect(acknowledged.slice(0, 5)).toEqual(Array(5).fill('queued'));
    expect(acknowledged.slice(5).every((a) => a?.startsWith('suppressed'))).toBe(true);
  });

  it('a quick follow-up to a slow first email lands on its ticket, not on a ticket of its own', async () => {
    const first = slowFirst('"Inès Garnier" <ines@order.example>', 'Commande CMD-77120 : disque abîmé');
    const followUp = eml({
      from: '"Inès Garnier" <ines@order.example>',
      subject: 'Re: Commande CMD-77120 : disque abîmé',
      inReplyTo: `<${first.messageId}>`,
      references: `<${first.messageId}>`,
      body: "J'oubliais : c'est le disque avant gauche.",
    });
    const [a, b] = await Promise.all([ingest(first.raw), ingest(followUp.raw)]);
    const ticket = createdTicket(a!);
    expect(b).toMatchObject({ outcome: 'reply', ticketId: ticket, signal: 'in_reply_to' });
    const tickets = await setup.db.query(
      "SELECT msg_id FROM ___xtr_msg m JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id WHERE c.cst_mail = 'ines@order.example' AND m.msg_subject NOT LIKE 'Re:%'",
    );
    expect(tickets).toHaveLength(1);
  });
});

describe('a batch of new and known customers together', () => {
  it('is numbered in arrival order within a commit group, although a new customer takes more statements to reach its ticket row', async () => {
    // Known customers: they wrote before.
    for (let i = 0; i < 3; i++) await ingest(eml({ from: `known${i}@mixed.example`, subject: `Avant ${i}` }).raw);
    const batch = Array.from({ length: 8 }, (_, i) =>
      eml({ from: i % 2 ? `known${((i - 1) / 2) % 3}@mixed.example` : `new${i}@mixed.example`, subject: `Lot ${i}` }),
    );
    // Parsed beforehand and handed over in one go, so that they form one commit group whatever the load
    // (across two groups stored at the same instant the order is best-effort).
    const parser = new MailparserEmailParser({
      attachmentDir: path.join(os.tmpdir(), 'ticketrelay-test-mixed'),
      attachmentMaxBytes: 1024 * 1024,
    });
    const parsed = await Promise.all(batch.map((e) => parser.parse(e.raw)));
    const results = await Promise.all(
      parsed.map((email, i) => setup.app.intake.ingestParsed(email, { kind: 'test' }, batch[i]!.raw)),
    );
    const ids = results.map(createdTicket);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
