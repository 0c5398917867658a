/**
 * Security review finding 14: with a mail server (or a man in the middle) that offers no STARTTLS,
 * our SMTP password must never be sent in clear. TLS is required unless SMTP_ALLOW_PLAIN=true, as
 * IMAP_ALLOW_PLAIN does for mailboxes; the acknowledgement waits in the outbox with a reason that
 * names what to fix.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let server: SMTPServer;
let url: string;
const logins: { user: string; pass: string }[] = [];
const delivered: string[] = [];
const apps: TestApp[] = [];

beforeAll(async () => {
  db = await createTestDatabase('smtp_tls');
  // Offers no STARTTLS, accepts AUTH on plain text, and keeps what it was told.
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    onAuth: (auth, _session, callback) => {
      logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData: (stream, session, callback) => {
      stream.resume();
      stream.on('end', () => {
        delivered.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `smtp://agent:Plain-S3cret-pw@127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db?.drop();
});

describe('SMTP without TLS', () => {
  it('never sends AUTH to a server without STARTTLS; the email waits, and the reason says what to set', async () => {
    const app = await createTestApp(db, { SMTP_URL: url });
    apps.push(app);
    expect(
      (
        await app.intake.ingest(eml({ from: 'tls@customer.example', subject: 'Pare-brise fendu' }).raw, {
          kind: 'test',
        })
      ).outcome,
    ).toBe('created');
    await app.outbox.idle();
    expect(logins).toEqual([]);
    expect(delivered).toEqual([]);
    const [ack] = await db.query<{ delivery: string; delivery_error: string }>(
      "SELECT delivery, delivery_error FROM support_message WHERE kind = 'ack' AND peer_address = 'tls@customer.example'",
    );
    expect(ack!.delivery).toBe('pending');
    expect(ack!.delivery_error).toContain('offers no STARTTLS');
    expect(ack!.delivery_error).toContain('SMTP_ALLOW_PLAIN=true');
    expect(ack!.delivery_error).not.toContain('Plain-S3cret-pw');
  });

  it('logs in on plain text only when SMTP_ALLOW_PLAIN=true (a relay on this machine)', async () => {
    const app = await createTestApp(db, { SMTP_URL: url, SMTP_ALLOW_PLAIN: 'true' });
    apps.push(app);
    expect(
      (await app.intake.ingest(eml({ from: 'plain@customer.example', subject: 'Essuie-glace' }).raw, { kind: 'test' }))
        .outcome,
    ).toBe('created');
    await app.outbox.idle();
    expect(logins).toEqual([{ user: 'agent', pass: 'Plain-S3cret-pw' }]);
    expect(delivered).toEqual(['plain@customer.example']);
  });
});
