/**
 * Security review, finding 19: a display name carrying CR/LF (RFC 2047 encoded, so the header itself is
 * clean) was stored raw in support_message.peer_name. What is stored now has no control character, and
 * the legacy customer name is HTML text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await createTestDatabase('stored_names');
  app = await createTestApp(db, { ACK_ENABLED: 'false' });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('names from outside, as stored (finding 19)', () => {
  it('keeps no CR, LF or other control of an encoded display name in peer_name or the customer row', async () => {
    const name = 'Eve <b>\r\nBcc: spy@evil.example\u001b]0;title\u0007';
    const encoded = `=?UTF-8?B?${Buffer.from(name).toString('base64')}?=`;
    const { ticketId } = await ingestTicket(app, {
      from: `"${encoded}" <eve.names@customer.example>`,
      subject: 'Names',
      body: 'A question about my order.',
    });
    const [message] = await db.query<{ peer_name: string }>(
      "SELECT peer_name FROM support_message WHERE ticket_id = ? AND direction = 'inbound'",
      [ticketId],
    );
    expect(message?.peer_name).toContain('Bcc: spy@evil.example');
    expect(message?.peer_name).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    const [customer] = await db.query<{ name: string }>(
      "SELECT CONCAT(COALESCE(cst_fname, ''), ' ', COALESCE(cst_name, '')) AS name FROM ___xtr_customer WHERE cst_mail = 'eve.names@customer.example'",
    );
    expect(customer?.name).not.toMatch(/[\r\n<>]/);
  });
});
