/**
 * A mail server that refuses our login (a password changed or expired): the acknowledgement waits in
 * the outbox instead of being given up, the reason names SMTP_URL without its password, and it goes
 * out once the operator has put the right password.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eml } from './eml.ts';
import {
  createTestApp,
  createTestDatabase,
  startSmtpListener,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
} from './harness.ts';

let db: TestDatabase;
let refusing: SMTPServer;
let refusingUrl: string;
let good: SmtpListener;
const apps: TestApp[] = [];

beforeAll(async () => {
  db = await createTestDatabase('outbox_smtp');
  refusing = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  refusingUrl = `smtp://mailuser:OldSecretPw@127.0.0.1:${(refusing.server.address() as AddressInfo).port}`;
  good = await startSmtpListener();
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  await new Promise<void>((resolve) => refusing.close(() => resolve()));
  await good?.close();
  await db?.drop();
});

describe('the outbox when the mail server refuses our login', () => {
  it('keeps the acknowledgement waiting, then sends it once SMTP_URL is right', async () => {
    const wrong = await createTestApp(db, { SMTP_URL: refusingUrl, SMTP_ALLOW_PLAIN: 'true' });
    apps.push(wrong);
    const email = eml({ from: 'login@customer.example', subject: 'Rétroviseur cassé' });
    const result = await wrong.intake.ingest(email.raw, { kind: 'test' });
    expect(result.outcome).toBe('created');
    await wrong.outbox.idle();
    const [ack] = await db.query<{ delivery: string; delivery_error: string }>(
      "SELECT delivery, delivery_error FROM support_message WHERE kind = 'ack' AND peer_address = 'login@customer.example'",
    );
    expect(ack!.delivery).toBe('pending');
    expect(ack!.delivery_error).toMatch(/refused the login: check the user and password in SMTP_URL/);
    expect(ack!.delivery_error).not.toContain('OldSecretPw');

    // The operator fixes SMTP_URL: the outbox sends what waited (its retry time made due, as after the backoff).
    const fixed = await createTestApp(db, { SMTP_URL: good.url, SMTP_ALLOW_PLAIN: 'true' });
    apps.push(fixed);
    await db.query(
      "UPDATE support_message SET delivery_next_at = NULL WHERE kind = 'ack' AND peer_address = 'login@customer.example'",
    );
    expect(await fixed.outbox.deliverPending()).toBe(1);
    const mails = await good.waitFor(1);
    expect(mails[0]!.envelopeTo).toEqual(['login@customer.example']);
  });
});
