/**
 * The HTTP front end against real MariaDB and Redis: health, readiness (a mailbox that cannot be
 * reached is named), /metrics moving when an email is taken, and every route of the old module's API
 * with its validation errors, as the web pages would call them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import { imapUser } from './imap-harness.ts';
import { eml } from './eml.ts';
import { closedPort, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let app: TestApp;
let front: HttpFrontEnd;
let base: string;

/** The old site's server-side token: every endpoint but the form needs one (issue 17). */
const TOKEN = 'oldsite-token-0123456789abcdef0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const TOKENS = { API_TOKENS: `oldsite:read+write+metrics:${TOKEN}` };

async function call(method: string, path: string, body?: unknown, given: Record<string, string> = {}) {
  const headers = { ...AUTH, ...given };
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* /metrics is text */
  }
  return { status: res.status, json, text, headers: res.headers };
}

function metric(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

const form = {
  name: 'Amélie Poulain',
  email: 'Amelie@Customer.example',
  phone: '+33 6 12 34 56 78',
  subject: 'Colis abîmé',
  message: 'Bonjour, mon colis est arrivé abîmé. Commande CMD-2026-123456.',
  orderNumber: 'CMD-2026-123456',
};

beforeAll(async () => {
  db = await createTestDatabase('http');
  app = await createTestApp(db, { ACK_ENABLED: 'false', ...TOKENS });
  front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
  base = front.server.url;
  // A row of the shop's reviews in ___xtr_msg: never a ticket.
  await db.query(
    "INSERT INTO ___xtr_msg (msg_id, msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES (5000, '1', '2026-3-10 10:00:00', 'Review', '{\"type\":\"review\"}', '1', '0')",
  );
});

afterAll(async () => {
  await front?.close();
  await app?.close();
  await db?.drop();
});

describe('health and readiness', () => {
  it('/healthz answers 200 while the process lives', async () => {
    const r = await call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when MySQL and Redis answer', async () => {
    const r = await call('GET', '/readyz');
    expect(r.status).toBe(200);
    expect(r.json['checks']).toEqual({ mysql: 'ok', redis: 'ok' });
  });

  it('/readyz stays 200 but warns when replies wait for a mail server that does not answer', async () => {
    const closed = await closedPort();
    // A database of its own: the ticket made here would change the counts the API tests below expect.
    const own = await createTestDatabase('http_outbox');
    const other = await createTestApp(own, {
      SMTP_URL: `smtp://127.0.0.1:${closed}`,
      SMTP_ALLOW_PLAIN: 'true',
      ...TOKENS,
    });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const before = (await (await fetch(`${f.server.url}/readyz`, { headers: AUTH })).json()) as {
        warnings?: Record<string, string>;
      };
      expect(before.warnings).toBeUndefined();
      expect(
        await other.intake.ingest(eml({ from: 'waits@customer.example', subject: 'Ma commande' }).raw, {
          kind: 'test',
        }),
      ).toMatchObject({ outcome: 'created' });
      await other.outbox.idle();
      const f2 = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' }); // a fresh cache
      try {
        const r = await fetch(`${f2.server.url}/readyz`, { headers: AUTH });
        expect(r.status).toBe(200);
        const body = (await r.json()) as { status: string; warnings?: Record<string, string> };
        expect(body.status).toBe('ready');
        expect(body.warnings?.['outbox']).toMatch(
          /^1 email waiting to be sent, the oldest for .+; the mail server did not take the last one tried \(.*ECONNREFUSED.*\)/,
        );
      } finally {
        await f2.close();
      }
    } finally {
      await f.close();
      await other.close();
      await own.drop();
    }
  });

  it('/readyz is 503 naming a mailbox that cannot be reached, without its password', async () => {
    const other = await createTestApp(db, {
      IMAP_URL: 'imap://support:s3cret-pw@127.0.0.1:1/INBOX',
      IMAP_ALLOW_PLAIN: 'true',
      ...TOKENS,
    });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const r = await fetch(`${f.server.url}/readyz`, { headers: AUTH });
      const text = await r.text();
      expect(r.status).toBe(503);
      const body = JSON.parse(text) as { down: string[]; checks: Record<string, string> };
      expect(body.down).toEqual(['mailbox:support']);
      expect(body.checks['mailbox:support']).toMatch(/^down: 127\.0\.0\.1:1/);
      expect(text).not.toContain('s3cret-pw');
    } finally {
      await f.close();
      await other.close();
    }
  });

  it('/readyz says a mailbox login is refused, and does not try that login again at every probe', async () => {
    const user = imapUser('readyz');
    const other = await createTestApp(db, {
      IMAP_URL: user.url('INBOX', 'Wr0ng-passw0rd'),
      IMAP_ALLOW_PLAIN: 'true',
      ...TOKENS,
    });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const first = await fetch(`${f.server.url}/readyz`, { headers: AUTH });
      const text = await first.text();
      expect(first.status).toBe(503);
      expect((JSON.parse(text) as { checks: Record<string, string> }).checks['mailbox:support']).toMatch(
        /login refused \(check the user and password in IMAP_URL\)$/,
      );
      expect((JSON.parse(text) as { message: string }).message).toMatch(
        /^Not ready: mailbox:support \(127\.0\.0\.1:\d+: login refused \(check the user and password in IMAP_URL\)\)\.$/,
      );
      expect(text).not.toContain('Wr0ng-passw0rd');
      // The next probe answers from what the first learnt: no second failed login (a server delays each one).
      const started = Date.now();
      const again = await fetch(`${f.server.url}/readyz`, { headers: AUTH });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(((await again.json()) as { checks: Record<string, string> }).checks['mailbox:support']).toContain(
        'login refused',
      );
    } finally {
      await f.close();
      await other.close();
    }
  });
});

describe('/metrics', () => {
  it('moves when an email is ingested, and shows queue depth and acknowledgements', async () => {
    const before = await call('GET', '/metrics');
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const created = metric(before.text, 'ticketrelay_emails_total{outcome="created"}');
    const result = await app.intake.ingest(
      eml({ subject: 'Metrics please', body: 'Where is my parcel? It has been two weeks.' }).raw,
      { kind: 'file' },
    );
    expect(result.outcome).toBe('created');
    const after = await call('GET', '/metrics');
    expect(metric(after.text, 'ticketrelay_emails_total{outcome="created"}')).toBe(created + 1);
    expect(metric(after.text, 'ticketrelay_emails_stored{outcome="created"}')).toBeGreaterThanOrEqual(1);
    expect(metric(after.text, 'ticketrelay_queue_jobs{queue="triage",state="waiting"}')).toBeGreaterThanOrEqual(1);
    expect(metric(after.text, 'ticketrelay_acknowledgements_total{result="suppressed"}')).toBeGreaterThanOrEqual(1);
    expect(after.text).toContain('ticketrelay_metrics_collector_up{collector="database"} 1');
    expect(after.text).toMatch(/# TYPE ticketrelay_intake_duration_seconds histogram/);
  });
});

describe('the old module API', () => {
  let ticketId = 0;

  it('POST /api/support/contact takes the form through the intake: 201 with the ticket number', async () => {
    const r = await call('POST', '/api/support/contact', form);
    expect(r.status).toBe(201);
    ticketId = Number(r.json['ticketNumber']);
    expect(ticketId).toBeGreaterThan(0);
    expect(r.json['message']).toContain(`ticket #${ticketId}`);
    const [row] = await db.query<{ source: string; customer_email: string; subject: string; order_number: string }>(
      'SELECT source, customer_email, subject, order_number FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    expect(row).toEqual({
      source: 'web',
      customer_email: 'amelie@customer.example',
      subject: 'Colis abîmé',
      order_number: 'CMD-2026-123456',
    });
    const [legacy] = await db.query<{ msg_content: string; msg_open: string }>(
      'SELECT msg_content, msg_open FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(legacy?.msg_content).toContain('mon colis est arrivé abîmé');
    expect(legacy?.msg_open).toBe('1');
    const [customer] = await db.query<{ cst_fname: string; cst_gsm: string | null; cst_tel: string | null }>(
      "SELECT cst_fname, cst_gsm, cst_tel FROM ___xtr_customer WHERE cst_mail = 'amelie@customer.example'",
    );
    // The phone goes where the old site keeps it: a mobile in cst_gsm.
    expect(customer).toEqual({ cst_fname: 'Amélie', cst_gsm: '+33 6 12 34 56 78', cst_tel: null });
    // Acknowledged, threaded on nothing: the customer sent no email, only the form.
    const [ack] = await db.query<{ subject: string; in_reply_to: string | null; references_ids: string | null }>(
      "SELECT subject, in_reply_to, references_ids FROM support_message WHERE ticket_id = ? AND kind = 'ack'",
      [ticketId],
    );
    expect(ack).toEqual({ subject: `[#${ticketId}] Colis abîmé`, in_reply_to: null, references_ids: null });
  });

  it('a double submit is the same ticket, not a second one', async () => {
    const r = await call('POST', '/api/support/contact', form);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ duplicate: true, ticketNumber: ticketId });
    expect(await db.query("SELECT ticket_id FROM support_ticket WHERE source = 'web'")).toHaveLength(1);
  });

  it('answers 400 with a message per field when the form is wrong', async () => {
    const r = await call('POST', '/api/support/contact', {
      name: 'A',
      email: 'not-an-address',
      subject: '',
      message: 'short',
      phone: 'call me',
    });
    expect(r.status).toBe(400);
    expect(r.json['error']).toBe('validation_failed');
    const fields = r.json['fields'] as Record<string, string>;
    expect(Object.keys(fields).sort()).toEqual(['email', 'message', 'name', 'phone', 'subject']);
    expect(fields['email']).toContain('name@example.com');
    expect(fields['subject']).toBe('The subject is required.');
  });

  it('refuses a body that is not JSON, too large, or of another type, with JSON errors', async () => {
    expect((await call('POST', '/api/support/contact', '{"name": ')).json['error']).toBe('invalid_json');
    const big = await call('POST', '/api/support/contact', { ...form, message: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    const plain = await call('POST', '/api/support/contact', undefined, { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect((await call('DELETE', '/api/support/contact/stats')).status).toBe(405);
    const missing = await call('GET', '/api/nothing');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('GET /api/support/contact/stats counts support tickets only', async () => {
    const r = await call('GET', '/api/support/contact/stats');
    expect(r.status).toBe(200);
    const [{ n }] = (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket')) as [{ n: number }];
    expect(r.json).toMatchObject({ total: Number(n), open: Number(n), closed: 0 });
    expect(Number(n)).toBe(2);
  });

  it('GET /api/support/contact/tickets pages and filters in the database', async () => {
    for (let i = 0; i < 3; i++)
      await app.intake.ingest(eml({ subject: `Paging ${i}`, body: `Message number ${i} about paging.` }).raw, {
        kind: 'file',
      });
    const page2 = await call('GET', '/api/support/contact/tickets?page=2&limit=2');
    expect(page2.status).toBe(200);
    expect(page2.json).toMatchObject({ total: 5, page: 2, limit: 2, pages: 3 });
    expect((page2.json['tickets'] as unknown[]).length).toBe(2);
    const capped = await call('GET', '/api/support/contact/tickets?limit=5000');
    expect(capped.json['limit']).toBe(100);
    const keyword = await call('GET', '/api/support/contact/tickets?keyword=abîmé&status=open');
    expect((keyword.json['tickets'] as { ticketId: number }[]).map((t) => t.ticketId)).toEqual([ticketId]);
    const bad = await call('GET', '/api/support/contact/tickets?status=pending&page=0');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json['fields'] as object).sort()).toEqual(['page', 'status']);
    const badLimit = await call('GET', '/api/support/contact/tickets?limit=0');
    expect((badLimit.json['fields'] as Record<string, string>)['limit']).toBe(
      'limit must be a whole number from 1 to 10000; pages hold at most 100 tickets.',
    );
  });

  it('GET /api/support/contact/ticket/:id shows a ticket; 404 for unknown and non-ticket ids', async () => {
    const r = await call('GET', `/api/support/contact/ticket/${ticketId}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      ticketId,
      subject: 'Colis abîmé',
      status: 'open',
      customerEmail: 'amelie@customer.example',
    });
    expect(r.json['content']).toContain('mon colis est arrivé abîmé');
    expect(r.json['content']).not.toContain('MÉTADONNÉES');
    const unknown = await call('GET', '/api/support/contact/ticket/999999');
    expect(unknown.status).toBe(404);
    expect(unknown.json['message']).toBe('There is no support ticket #999999: check the number.');
    expect((await call('GET', '/api/support/contact/ticket/5000')).status).toBe(404);
    expect((await call('GET', '/api/support/contact/ticket/abc')).status).toBe(400);
  });

  it('PATCH/PUT …/ticket/:id/status closes and reopens, on the legacy row too, with an audit event by the token', async () => {
    const closed = await call('PATCH', `/api/support/contact/ticket/${ticketId}/status`, { status: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ status: 'closed', previous: 'open', changed: true });
    const [legacy] = await db.query<{ msg_open: string; msg_close: string; msg_content: string }>(
      'SELECT msg_open, msg_close, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(legacy).toMatchObject({ msg_open: '0', msg_close: '1' });
    expect(legacy!.msg_content).toMatch(/"status":"closed"/);
    expect(legacy!.msg_content).not.toMatch(/"status":"open"/);
    const [t] = await db.query<{ status: string; closed_at: Date | null }>(
      'SELECT status, closed_at FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    expect(t?.status).toBe('closed');
    expect(t?.closed_at).toBeInstanceOf(Date);
    const reopened = await call('PUT', `/api/support/contact/ticket/${ticketId}/status`, { status: 'open' });
    expect(reopened.json).toMatchObject({ status: 'open', previous: 'closed' });
    // The audit names the token the change was made with (issue 17: it said only "http").
    const events = await db.query<{ type: string; actor: string }>(
      "SELECT type, actor FROM support_event WHERE ticket_id = ? AND actor LIKE 'api:%' ORDER BY id",
      [ticketId],
    );
    expect(events).toEqual([
      { type: 'closed', actor: 'api:oldsite' },
      { type: 'reopened', actor: 'api:oldsite' },
    ]);
    const bad = await call('PATCH', `/api/support/contact/ticket/${ticketId}/status`, { status: 'done' });
    expect(bad.status).toBe(400);
    expect(bad.json['message']).toContain('{"status": "closed"}');
    expect((await call('PATCH', '/api/support/contact/ticket/5000/status', { status: 'closed' })).status).toBe(404);
    expect(await db.query('SELECT msg_close FROM ___xtr_msg WHERE msg_id = 5000')).toEqual([{ msg_close: '0' }]);
  });
});
