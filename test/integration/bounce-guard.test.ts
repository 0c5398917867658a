/**
 * Bounces against the real intake on MariaDB (issue 16, security review finding 7): a bounce changes
 * state — flags an address, lands on a ticket, sends an email again — only when it cites an email we
 * sent to that address, or comes back to that email's own return path (VERP). A forged DSN naming a
 * customer is recorded with its reason code, and does nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeResult } from '../../src/services/intake-result.ts';
import { dsn, eml } from './eml.ts';
import { startTestApp, type SmtpListener, type TestApp, type TestDatabase, type TestSetup } from './harness.ts';

let setup: TestSetup;
let db: TestDatabase;
let smtp: SmtpListener;
let app: TestApp;
let verpApp: TestApp;

beforeAll(async () => {
  setup = await startTestApp('bounceguard', { smtp: true, env: { ACK_MAX_PER_HOUR: '100' } });
  ({ db, smtp, app } = setup);
  verpApp = await setup.anotherApp({ BOUNCE_VERP: 'true' });
});

afterAll(async () => {
  await setup?.close();
});

function created(result: IntakeResult): Extract<IntakeResult, { outcome: 'created' }> {
  expect(result.outcome).toBe('created');
  return result as Extract<IntakeResult, { outcome: 'created' }>;
}

/**
 * The email to `address` once the mail server has it and the outbox has recorded it as sent: the server
 * takes the message before the outbox hears its 250, so the row says 'sent' a moment after.
 */
async function waitForMailTo(address: string): Promise<(typeof smtp.received)[number]> {
  for (let i = 0; i < 200; i++) {
    const found = smtp.received.find((m) => m.envelopeTo.includes(address));
    const id = found?.parsed.messageId?.replace(/[<>]/g, '');
    if (id) {
      const [row] = await db.query<{ delivery: string }>('SELECT delivery FROM support_message WHERE message_id = ?', [
        id,
      ]);
      if (row?.delivery === 'sent') return found!;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail to ${address} recorded as sent`);
}

const flags = async (address: string) =>
  db.query<{ address: string }>('SELECT address FROM support_address_flag WHERE address = ?', [address]);
const repliesOn = async (ticketId: number) =>
  db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_parent_id = ?', [String(ticketId)]);

describe('a forged bounce (security review, finding 7)', () => {
  it('naming a customer and her ticket, but citing nothing we sent: recorded with its code, nothing flagged, nothing on the thread', async () => {
    const ticket = created(
      await app.intake.ingest(eml({ from: 'Hélène Moreau <helene.moreau@example.net>', subject: 'Brake pads' }).raw, {
        kind: 'test',
      }),
    );
    await waitForMailTo('helene.moreau@example.net');
    const forged = dsn({
      from: 'MAILER-DAEMON@evil.example',
      subject: `Undelivered Mail Returned to Sender [#${ticket.ticketId}]`,
      recipient: 'helene.moreau@example.net',
      status: '5.1.1',
      action: 'failed',
      text: 'Delivery failed. Please contact the customer at attacker@evil.example instead.',
    });
    const result = await app.intake.ingest(forged, { kind: 'test' });
    expect(result).toMatchObject({
      outcome: 'automated',
      kind: 'bounce',
      code: 'bounce.dsn',
      ticketId: null,
      flagged: [],
    });
    expect(await flags('helene.moreau@example.net')).toEqual([]);
    expect(await repliesOn(ticket.ticketId)).toEqual([]);
    const [row] = await db.query<{ outcome: string; automated_code: string; notes: string }>(
      'SELECT outcome, automated_code, notes FROM support_message WHERE message_id = ?',
      [(result as { messageId: string }).messageId],
    );
    expect(row).toMatchObject({ outcome: 'automated_skipped', automated_code: 'bounce.dsn' });
    expect(String(row!.notes)).toContain('bounce cites no email we sent to helene.moreau@example.net');
    // The agent can still write to her: the address is not flagged.
    const again = created(
      await app.intake.ingest(eml({ from: 'helene.moreau@example.net', subject: 'Another question' }).raw, {
        kind: 'test',
      }),
    );
    expect(again.acknowledgement).toBe('queued');
  });

  it('citing our email to someone else: it does not flag the address it names', async () => {
    created(await app.intake.ingest(eml({ from: 'paul@example.org', subject: 'Filters' }).raw, { kind: 'test' }));
    const ackToPaul = await waitForMailTo('paul@example.org');
    const forged = dsn({
      recipient: 'victim@example.org',
      status: '5.1.1',
      action: 'failed',
      original: `Message-ID: ${ackToPaul.parsed.messageId}`,
    });
    const result = await app.intake.ingest(forged, { kind: 'test' });
    expect(result).toMatchObject({ outcome: 'automated', kind: 'bounce', ticketId: null, flagged: [] });
    expect(await flags('victim@example.org')).toEqual([]);
  });
});

describe('a real bounce of our email', () => {
  it('hard (5.1.1), citing our acknowledgement: lands on the ticket and flags the address', async () => {
    const ticket = created(
      await app.intake.ingest(eml({ from: 'gone@example.com', subject: 'Wipers' }).raw, { kind: 'test' }),
    );
    const ack = await waitForMailTo('gone@example.com');
    const result = await app.intake.ingest(
      dsn({
        recipient: 'gone@example.com',
        status: '5.1.1',
        action: 'failed',
        original: `Message-ID: ${ack.parsed.messageId}`,
      }),
      { kind: 'test' },
    );
    expect(result).toMatchObject({
      outcome: 'automated',
      kind: 'bounce',
      code: 'bounce.dsn',
      ticketId: ticket.ticketId,
      flagged: ['gone@example.com'],
    });
    expect(await flags('gone@example.com')).toHaveLength(1);
    expect((await repliesOn(ticket.ticketId))[0]?.msg_content).toContain('delivery failure');
  });

  it('soft (4.2.2, mailbox full): the email waits in the outbox again, the address is not flagged', async () => {
    created(await app.intake.ingest(eml({ from: 'full@example.com', subject: 'Mirror' }).raw, { kind: 'test' }));
    const ack = await waitForMailTo('full@example.com');
    const ackId = ack.parsed.messageId!.replace(/[<>]/g, '');
    const [before] = await db.query<{ delivery: string }>('SELECT delivery FROM support_message WHERE message_id = ?', [
      ackId,
    ]);
    expect(before!.delivery).toBe('sent');
    const result = await app.intake.ingest(
      dsn({ recipient: 'full@example.com', status: '4.2.2', action: 'failed', original: `Message-ID: <${ackId}>` }),
      { kind: 'test' },
    );
    expect(result).toMatchObject({ outcome: 'automated', kind: 'bounce', flagged: [], retried: ['full@example.com'] });
    expect(await flags('full@example.com')).toEqual([]);
    const [after] = await db.query<{ delivery: string; bounce_count: number; delivery_next_at: Date | null }>(
      'SELECT delivery, bounce_count, delivery_next_at FROM support_message WHERE message_id = ?',
      [ackId],
    );
    expect(after).toMatchObject({ delivery: 'pending', bounce_count: 1 });
    expect(after!.delivery_next_at!.getTime()).toBeGreaterThan(Date.now() + 20 * 60_000);
  });

  it('with BOUNCE_VERP: our email leaves with a return path of its own, and a bounce to it that quotes nothing is traced', async () => {
    created(await verpApp.intake.ingest(eml({ from: 'verp@example.com', subject: 'Clutch' }).raw, { kind: 'test' }));
    const ack = await waitForMailTo('verp@example.com');
    expect(ack.envelopeFrom).toMatch(/^support\+bounce-[0-9a-z]+\.[0-9a-z]+\.[0-9a-f]{12}@ticketrelay\.test$/);
    // An Exchange NDR: From "MAILER-DAEMON <>", no report part, no quoted headers; sent to the return path.
    const ndr = [
      'From: MAILER-DAEMON <>',
      `To: <${ack.envelopeFrom}>`,
      'Subject: Undeliverable: Clutch',
      `Message-ID: <ndr.${Date.now()}@mx.example.com>`,
      'Content-Type: text/plain',
      '',
      'Delivery has failed to these recipients or groups:',
      '',
      'verp@example.com',
      "The e-mail address you entered couldn't be found. 550 5.1.10 RESOLVER.ADR.RecipientNotFound",
    ].join('\r\n');
    const result = await verpApp.intake.ingest(Buffer.from(ndr), { kind: 'test' });
    expect(result).toMatchObject({
      outcome: 'automated',
      kind: 'bounce',
      code: 'bounce.no_sender',
      flagged: ['verp@example.com'],
    });
    expect((result as { ticketId: number | null }).ticketId).not.toBeNull();
    // The same NDR to a return path nobody was given changes nothing.
    const forged = ndr
      .replace(/To: <[^>]+>/, 'To: <support+bounce-1.abc.0123456789ab@ticketrelay.test>')
      .replace(/Message-ID: <ndr\./, 'Message-ID: <ndr2.')
      .replace('verp@example.com', 'other@example.com');
    const nothing = await verpApp.intake.ingest(Buffer.from(forged), { kind: 'test' });
    expect(nothing).toMatchObject({ outcome: 'automated', kind: 'bounce', ticketId: null, flagged: [] });
    expect(await flags('other@example.com')).toEqual([]);
  });
});
