/**
 * Threads strangers cannot enter (security review, findings 3, 4, 6 and 8): a message joins a ticket
 * by its headers or its [#N] tag only when the writer is the ticket's customer or already on its
 * thread; copies of agents' replies go only to addresses the customer put on the thread, a few at
 * most; the web form never joins a ticket nor writes into a shop customer's row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import type { Caller } from '../../src/domain/command.ts';
import { eml } from './eml.ts';
import {
  ingestTicket,
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
let front: HttpFrontEnd;

const agent: Caller = { platform: 'slack', userId: 'UHELENE' };

beforeAll(async () => {
  setup = await startTestApp('threadsec', {
    smtp: true,
    env: { ACK_ENABLED: 'false', SPAM_TRUSTED_AUTHSERV_ID: 'mx.shop.example' },
  });
  ({ db, smtp, app } = setup);
  await app.agents.upsert({
    name: 'helene',
    role: 'agent',
    staffId: 12,
    identities: [{ platform: 'slack', kind: 'user', value: 'UHELENE' }],
  });
  front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
}, 60_000);

afterAll(async () => {
  await front?.close();
  await setup?.close();
});

/** The addresses an agent's reply on this ticket reaches, as the SMTP listener saw them. */
async function replyReaches(ticketId: number): Promise<string[]> {
  const before = smtp.received.length;
  const sent = await app.commands.run(agent, `reply ${ticketId} Le remboursement part sur votre carte demain.`);
  expect(sent.ok).toBe(true);
  const mails = await smtp.waitFor(before + 1);
  return [...mails.at(-1)!.envelopeTo].sort();
}

async function participants(ticketId: number): Promise<string[]> {
  const rows = await db.query<{ address: string }>(
    'SELECT address FROM support_participant WHERE ticket_id = ? ORDER BY address',
    [ticketId],
  );
  return rows.map((r) => r.address);
}

describe('a ticket’s thread against strangers', () => {
  it('a stranger quoting the customer’s Message-ID in In-Reply-To opens a new ticket linked to hers, and gets none of her replies', async () => {
    const { ticketId, messageId } = await ingestTicket(app, {
      from: 'Hélène Moreau <helene.moreau@customer.example>',
      subject: 'Remboursement commande 5512',
    });
    const hijack = eml({
      from: 'Stranger <stranger@evil.example>',
      cc: 'spy@evil.example',
      subject: 'Re: Remboursement commande 5512',
      inReplyTo: `<${messageId}>`,
      references: `<${messageId}>`,
      body: 'Please send the refund to IBAN FR76 0000 0000 0000.',
    });
    const result = await app.intake.ingest(hijack.raw, { kind: 'test' });
    expect(result.outcome).toBe('created');
    const newTicket = result.outcome === 'created' ? result.ticketId : -1;
    expect(newTicket).not.toBe(ticketId);
    // Her ticket has nothing of his: no legacy reply row, no participant, still her thread alone.
    expect(await db.query('SELECT msg_id FROM ___xtr_msg WHERE msg_parent_id = ?', [String(ticketId)])).toEqual([]);
    expect(await participants(ticketId)).toEqual(['helene.moreau@customer.example']);
    expect(await replyReaches(ticketId)).toEqual(['helene.moreau@customer.example']);
    // The new ticket says which ticket it pointed at, and her ticket's view says someone else wrote about it.
    const view = await app.commands.run(agent, `view ${newTicket}`);
    expect(view.text).toContain(
      `points at ticket #${ticketId}, but stranger@evil.example is neither its customer nor on its thread`,
    );
    const [event] = await db.query<{ details: unknown }>(
      "SELECT details FROM support_event WHERE ticket_id = ? AND type = 'stranger_linked'",
      [ticketId],
    );
    expect(typeof event!.details === 'string' ? JSON.parse(event!.details) : event!.details).toMatchObject({
      newTicketId: newTicket,
    });
    expect((await app.commands.run(agent, `view ${ticketId}`)).text).toContain(
      `Someone not on this ticket wrote about it: see ticket #${newTicket}`,
    );
  });

  it('a forged Reply-To naming the customer does not let a stranger into her ticket by its [#N] tag', async () => {
    const { ticketId } = await ingestTicket(app, { from: 'paul.durand@customer.example', subject: 'Pièce manquante' });
    const forged = eml({
      from: 'attacker@evil.example',
      headers: { 'Reply-To': 'paul.durand@customer.example' },
      cc: 'spy2@evil.example',
      subject: `Re: [#${ticketId}] Pièce manquante`,
    });
    const result = await app.intake.ingest(forged.raw, { kind: 'test' });
    expect(result).toMatchObject({ outcome: 'created' });
    expect(await participants(ticketId)).toEqual(['paul.durand@customer.example']);
    expect(await replyReaches(ticketId)).toEqual(['paul.durand@customer.example']);
  });

  it('a From our mail server found forged (DMARC fail) adds nobody to the thread, even with the customer’s address', async () => {
    const { ticketId } = await ingestTicket(app, { from: 'claire@customer.example', subject: 'Facture' });
    const spoofed = eml({
      from: 'claire@customer.example',
      cc: 'spy@evil.example',
      subject: `Re: [#${ticketId}] Facture`,
      headers: {
        // Written by our mail server (trusted authserv-id)…
        'Authentication-Results':
          'mx.shop.example; spf=fail smtp.mailfrom=evil.example; dmarc=fail (p=none) header.from=customer.example',
      },
    });
    // …and one the attacker wrote himself, which must not count.
    const withForgedPass = Buffer.from(
      spoofed.raw
        .toString()
        .replace(
          'MIME-Version',
          'Authentication-Results: evil.example; dmarc=pass header.from=customer.example\r\nMIME-Version',
        ),
    );
    expect(await app.intake.ingest(withForgedPass, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    expect(await participants(ticketId)).toEqual(['claire@customer.example']);
    // Her own authenticated mail may copy someone: the garage joins.
    const genuine = eml({
      from: 'claire@customer.example',
      cc: 'garage@partner.example',
      subject: `Re: [#${ticketId}] Facture`,
      headers: {
        'Authentication-Results':
          'mx.shop.example; dkim=pass header.d=customer.example; dmarc=pass header.from=customer.example',
      },
    });
    expect(await app.intake.ingest(genuine.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    expect(await participants(ticketId)).toEqual(['claire@customer.example', 'garage@partner.example']);
    expect(await replyReaches(ticketId)).toEqual(['claire@customer.example', 'garage@partner.example']);
    // The view says, before anyone sends, who gets a copy, and marks what came from another address.
    const view = await app.commands.run(agent, `view ${ticketId}`);
    expect(view.text).toContain('A reply goes to claire@customer.example, copy to garage@partner.example.');
  });

  it('5,000 addresses in Cc put at most a few on the thread, over several emails too', async () => {
    const cc = Array.from({ length: 5000 }, (_, i) => `r${String(i).padStart(4, '0')}@cc-victims.example`).join(', ');
    const { ticketId, messageId } = await ingestTicket(app, {
      from: 'masscc@customer.example',
      cc,
      subject: 'Many copies',
    });
    expect((await participants(ticketId)).length).toBeLessThanOrEqual(6);
    for (let i = 0; i < 3; i++) {
      const more = eml({
        from: 'masscc@customer.example',
        cc: `more${i}a@x.example, more${i}b@x.example`,
        inReplyTo: `<${messageId}>`,
        subject: 'Re: Many copies',
      });
      expect(await app.intake.ingest(more.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    }
    expect((await participants(ticketId)).length).toBeLessThanOrEqual(6);
    expect((await replyReaches(ticketId)).length).toBeLessThanOrEqual(6);
  });

  it('a participant’s message shows in the view as not from the customer’s address', async () => {
    const { ticketId, messageId } = await ingestTicket(app, {
      from: 'lea@customer.example',
      cc: 'garage@partner.example',
      subject: 'Rendez-vous',
    });
    const fromGarage = eml({
      from: 'garage@partner.example',
      inReplyTo: `<${messageId}>`,
      subject: 'Re: Rendez-vous',
      body: 'Nous avons le véhicule.',
    });
    expect(await app.intake.ingest(fromGarage.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    const lines = (await app.commands.run(agent, `view ${ticketId}`)).text.split('\n');
    expect(lines.find((l) => l.startsWith('— garage@partner.example, '))).toMatch(/\(not the customer's address\)$/);
    expect(lines.find((l) => l.startsWith('— lea@customer.example, '))).not.toMatch(/not the customer/);
  });
});

describe('the web form and the shop’s customers', () => {
  const post = (body: unknown) =>
    fetch(`${front.server.url}/api/support/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('never adds to an existing ticket, even with the customer’s address and its [#N] in the subject', async () => {
    const { ticketId } = await ingestTicket(app, { from: 'jeanne@customer.example', subject: 'Retour colis' });
    const r = await post({
      name: 'Jeanne',
      email: 'jeanne@customer.example',
      subject: `[#${ticketId}] Retour colis`,
      message: 'Envoyez le remboursement sur IBAN FR76 1111 2222 3333 plutôt.',
    });
    expect(r.status).toBeLessThan(300);
    const body = (await r.json()) as { ticketId: number };
    expect(body.ticketId).not.toBe(ticketId);
    expect(await db.query('SELECT msg_id FROM ___xtr_msg WHERE msg_parent_id = ?', [String(ticketId)])).toEqual([]);
    const [row] = await db.query<{ status: string }>('SELECT status FROM support_ticket WHERE ticket_id = ?', [
      ticketId,
    ]);
    expect(row?.status).toBe('open');
  });

  it('never writes a phone into an existing customer’s row; the number stays on the ticket', async () => {
    const inserted = (await db.query(
      "INSERT INTO ___xtr_customer (cst_mail, cst_fname, cst_activ) VALUES ('known@customer.example', 'Known', '1')",
    )) as unknown as { insertId: number };
    const r = await post({
      name: 'Known',
      email: 'known@customer.example',
      subject: 'Question',
      message: 'Pouvez-vous me rappeler au sujet de ma commande ?',
      phone: '+33 6 66 66 66 66',
    });
    expect(r.status).toBeLessThan(300);
    const { ticketId } = (await r.json()) as { ticketId: number };
    const [customer] = await db.query<{ cst_tel: string | null; cst_gsm: string | null }>(
      'SELECT cst_tel, cst_gsm FROM ___xtr_customer WHERE cst_id = ?',
      [inserted.insertId],
    );
    expect(customer).toEqual({ cst_tel: null, cst_gsm: null });
    const [ticket] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      ticketId,
    ]);
    expect(ticket!.msg_content).toContain('+33 6 66 66 66 66');
  });
});
