/**
 * Security review findings 1, 5 (the form), 11, 18, 21 and 22 against a real HTTP server on MariaDB:
 * who may call what (bearer tokens, scopes, the audit naming the token), request-targets that must
 * never be routed, /readyz and /metrics for the anonymous, the statement budget, keyset pages, and
 * the web form's limits, honeypot and refused addresses.
 */
import http from 'node:http';
import net from 'node:net';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';

const WRITER = 'backoffice-0123456789abcdef0123456789abcdef';
const READER = 'reader-token-0123456789abcdef0123456789abcd';
const MONITOR = 'monitor-token-0123456789abcdef0123456789abc';
const TOKENS = `backoffice:read+write:${WRITER},reader:read:${READER},monitor:metrics:${MONITOR}`;

let db: TestDatabase;
let app: TestApp;
let front: HttpFrontEnd;
let base: string;
let ticketId: number;

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** A request sent exactly as written (node:http does not normalise the path the way fetch does). */
function raw(
  method: string,
  target: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; url?: string } = {},
): Promise<Answer> {
  const url = new URL(options.url ?? base);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: target,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* /metrics is text */
          }
          resolve({ status: res.statusCode ?? 0, json, text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function statusOf(id: number): Promise<string | undefined> {
  return (await db.query<{ status: string }>('SELECT status FROM support_ticket WHERE ticket_id = ?', [id]))[0]?.status;
}

const form = (n: number, extra: Record<string, unknown> = {}) => ({
  name: 'Jeanne Martin',
  email: `jeanne.martin${n}@customer.example`,
  subject: `Question ${n} sur ma commande`,
  message: `Bonjour, où en est ma commande numéro ${n} ? Merci.`,
  ...extra,
});

beforeAll(async () => {
  db = await createTestDatabase('http_access');
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    API_TOKENS: TOKENS,
    API_RATE_PER_TOKEN: '1000/min',
    FORM_RATE_PER_IP: '1000/min',
    DB_QUERY_BUDGET_MS: '300',
  });
  front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
  base = front.server.url;
  ({ ticketId } = await ingestTicket(app, {
    from: 'helene@customer.example',
    subject: 'Phare cassé',
    body: 'Le phare est arrivé cassé, commande CMD-1.',
  }));
});

afterAll(async () => {
  await front?.close();
  await app?.close();
  await db?.drop();
});

describe('API credentials (finding 1)', () => {
  it('refuses every private endpoint without a token, with WWW-Authenticate, and changes nothing', async () => {
    for (const [method, path] of [
      ['GET', '/api/support/contact/tickets'],
      ['GET', `/api/support/contact/ticket/${ticketId}`],
      ['GET', '/api/support/contact/stats'],
      ['GET', '/metrics'],
    ] as const) {
      const r = await raw(method, path);
      expect(r.status, path).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="ticketrelay"');
      expect(r.json['message']).toBe('This endpoint needs an API token: send "Authorization: Bearer <token>".');
      expect(r.text).not.toContain('helene@customer.example');
    }
    for (const method of ['PUT', 'PATCH']) {
      const r = await raw(method, `/api/support/contact/ticket/${ticketId}/status`, { body: { status: 'closed' } });
      expect(r.status).toBe(401);
    }
    expect(await statusOf(ticketId)).toBe('open');
  });

  it('refuses a wrong token (401 invalid_token) and a token without the scope (403), and changes nothing', async () => {
    const wrong = await raw('GET', '/api/support/contact/tickets', { token: `${WRITER.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="ticketrelay", error="invalid_token"');
    const basic = await raw('GET', '/api/support/contact/tickets', {
      headers: { authorization: `Basic ${Buffer.from(`x:${WRITER}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect(basic.json['message']).toContain('"Bearer <token>"');
    const readOnly = await raw('PUT', `/api/support/contact/ticket/${ticketId}/status`, {
      token: READER,
      body: { status: 'closed' },
    });
    expect(readOnly.status).toBe(403);
    expect(readOnly.headers['www-authenticate']).toContain('error="insufficient_scope", scope="write"');
    expect(readOnly.json['message']).toBe(
      'The token "reader" may not do this: it needs the write scope (it has read).',
    );
    expect(await statusOf(ticketId)).toBe('open');
    // A metrics token reads no ticket.
    expect((await raw('GET', `/api/support/contact/ticket/${ticketId}`, { token: MONITOR })).status).toBe(403);
    // A read token reads.
    const read = await raw('GET', `/api/support/contact/ticket/${ticketId}`, { token: READER });
    expect(read.status).toBe(200);
    expect(read.json['customerEmail']).toBe('helene@customer.example');
  });

  it('records the token that closed and reopened a ticket as the actor of the audit trail', async () => {
    const closed = await raw('PUT', `/api/support/contact/ticket/${ticketId}/status`, {
      token: WRITER,
      body: { status: 'closed' },
    });
    expect(closed.status).toBe(200);
    await raw('PATCH', `/api/support/contact/ticket/${ticketId}/status`, { token: WRITER, body: { status: 'open' } });
    const events = await db.query<{ type: string; actor: string }>(
      "SELECT type, actor FROM support_event WHERE ticket_id = ? AND type IN ('closed', 'reopened') ORDER BY id",
      [ticketId],
    );
    expect(events).toEqual([
      { type: 'closed', actor: 'api:backoffice' },
      { type: 'reopened', actor: 'api:backoffice' },
    ]);
  });

  it('says, when no token is configured at all, which variable to set', async () => {
    const other = await createTestApp(db, { ACK_ENABLED: 'false' });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const r = await raw('GET', '/api/support/contact/tickets', { url: f.server.url, token: WRITER });
      expect(r.status).toBe(401);
      const bare = await raw('GET', '/api/support/contact/tickets', { url: f.server.url });
      expect(bare.json['message']).toBe(
        'This endpoint needs an API token, and none is configured: set API_TOKENS (see the README).',
      );
    } finally {
      await f.close();
      await other.close();
    }
  });

  it('limits each token (429 with Retry-After)', async () => {
    const other = await createTestApp(db, { ACK_ENABLED: 'false', API_TOKENS: TOKENS, API_RATE_PER_TOKEN: '3/min' });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await raw('GET', '/api/support/contact/stats', { url: f.server.url, token: READER })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await raw('GET', '/api/support/contact/stats', { url: f.server.url, token: READER });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json['message']).toMatch(
        /^Too many requests with the token "reader" \(at most 3\/min\): try again in \d+ s\.$/,
      );
      // Another token has its own count.
      expect((await raw('GET', '/api/support/contact/stats', { url: f.server.url, token: WRITER })).status).toBe(200);
    } finally {
      await f.close();
      await other.close();
    }
  });
});

describe('request-targets that are never routed (findings 1 and 21)', () => {
  it('refuses //host/… (which new URL reads as a host) with 400', async () => {
    for (const target of [
      '//anything/api/support/contact/tickets?limit=1',
      '//x/api/support/contact/ticket/1/status',
    ]) {
      const r = await raw('GET', target, { token: WRITER });
      expect(r.status, target).toBe(400);
      expect(r.json['error']).toBe('bad_request_target');
    }
    const put = await raw('PUT', `//x/api/support/contact/ticket/${ticketId}/status`, {
      token: WRITER,
      body: { status: 'closed' },
    });
    expect(put.status).toBe(400);
    expect(await statusOf(ticketId)).toBe('open');
  });

  it('refuses dot-segments, plain or percent-encoded, with 400', async () => {
    for (const target of [
      '/api/support/contact/../contact/tickets',
      '/api/support/contact/./tickets',
      '/api/support/contact/%2e%2e/contact/tickets',
      '/api/support/contact/ticket/..%2f..%2fetc%2fpasswd',
      '/healthz/..',
    ]) {
      const r = await raw('GET', target, { token: WRITER });
      expect(r.status, target).toBe(400);
      expect(r.json['message']).toContain('"." or ".." segment');
    }
  });

  it('answers malformed percent-encoding with 400, not 500', async () => {
    for (const target of [
      '/api/support/contact/ticket/%E0%A4%A',
      '/api/support/contact/ticket/%zz',
      '/api/support/contact/ticket/%C0%AF',
    ]) {
      const r = await raw('GET', target, { token: WRITER });
      expect(r.status, target).toBe(400);
      expect(r.json['error']).toBe('bad_request_target');
    }
  });

  it('refuses an absolute-form or asterisk request-target', async () => {
    expect((await raw('GET', `${base}/api/support/contact/tickets`, { token: WRITER })).status).toBe(400);
    expect((await raw('OPTIONS', '*')).status).toBe(400);
  });
});

describe('/readyz and /metrics (findings 21 and 22)', () => {
  it('/readyz says only up or down to the anonymous, and the details to a metrics token', async () => {
    const other = await createTestApp(db, {
      IMAP_URL: 'imap://support:s3cret-pw@127.0.0.1:1/INBOX',
      IMAP_ALLOW_PLAIN: 'true',
      API_TOKENS: TOKENS,
    });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const anonymous = await raw('GET', '/readyz', { url: f.server.url });
      expect(anonymous.status).toBe(503);
      expect(anonymous.json).toEqual({
        status: 'not_ready',
        message: 'Not ready. A token with the metrics scope gets the details.',
      });
      expect(anonymous.text).not.toContain('127.0.0.1');
      const reader = await raw('GET', '/readyz', { url: f.server.url, token: READER });
      expect(reader.text).not.toContain('127.0.0.1');
      const monitor = await raw('GET', '/readyz', { url: f.server.url, token: MONITOR });
      expect(monitor.status).toBe(503);
      expect((monitor.json['checks'] as Record<string, string>)['mailbox:support']).toMatch(/^down: 127\.0\.0\.1:1/);
    } finally {
      await f.close();
      await other.close();
    }
    expect((await raw('GET', '/readyz')).json).toEqual({ status: 'ready' });
    expect((await raw('GET', '/healthz')).json).toEqual({ status: 'ok' });
  });

  it('/metrics needs the metrics scope', async () => {
    expect((await raw('GET', '/metrics', { token: READER })).status).toBe(403);
    const r = await raw('GET', '/metrics', { token: MONITOR });
    expect(r.status).toBe(200);
    expect(r.text).toContain('ticketrelay_http_requests_total');
  });
});

describe('statement budget and keyset pages (finding 11)', () => {
  it('stops a query that goes over its budget and answers 503 "try a narrower search", never 500 or SQL', async () => {
    // Another session holds the ticket's row: the status change waits for it, past the 300 ms budget.
    const holder = await mysql.createConnection(db.url);
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT * FROM support_ticket WHERE ticket_id = ? FOR UPDATE', [ticketId]);
      const started = Date.now();
      const r = await raw('PUT', `/api/support/contact/ticket/${ticketId}/status`, {
        token: WRITER,
        body: { status: 'closed' },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(r.status).toBe(503);
      expect(r.json['error']).toBe('too_slow');
      expect(r.json['message']).toContain('try a narrower search');
      expect(r.headers['retry-after']).toBe('30');
      expect(r.text).not.toMatch(/SELECT|support_ticket|max_statement_time/i);
      // The same budget holds for the /ticket commands of chat and the console.
      await app.agents.upsert({
        name: 'alice',
        role: 'agent',
        staffId: 7,
        identities: [{ platform: 'console', kind: 'user', value: 'alice' }],
      });
      const before = Date.now();
      await expect(
        app.commands.run({ platform: 'console', userId: 'alice' }, `/ticket close ${ticketId}`),
      ).rejects.toMatchObject({ code: 'db.timeout' });
      expect(Date.now() - before).toBeLessThan(5_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await statusOf(ticketId)).toBe('open');
  });

  it('pages by cursor, and refuses numbered pages past the cap', async () => {
    for (let i = 0; i < 4; i++)
      await ingestTicket(app, { subject: `Keyset ${i}`, body: `Message ${i} about keyset paging.` });
    const all = await raw('GET', '/api/support/contact/tickets?limit=100', { token: READER });
    const expected = (all.json['tickets'] as { ticketId: number }[]).map((t) => t.ticketId);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page = await raw('GET', `/api/support/contact/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        token: READER,
      });
      expect(page.status).toBe(200);
      seen.push(...(page.json['tickets'] as { ticketId: number }[]).map((t) => t.ticketId));
      cursor = page.json['nextCursor'] as string | null;
      if (!cursor) break;
    }
    expect(seen).toEqual(expected);
    const deep = await raw('GET', '/api/support/contact/tickets?page=101', { token: READER });
    expect(deep.status).toBe(400);
    expect((deep.json['fields'] as Record<string, string>)['page']).toContain('nextCursor');
    const bad = await raw('GET', '/api/support/contact/tickets?cursor=abc', { token: READER });
    expect(bad.status).toBe(400);
  });
});

describe('the web form (finding 5)', () => {
  it('limits posts per client address: 429 with Retry-After and a French and English message; no ticket', async () => {
    const other = await createTestApp(db, {
      ACK_ENABLED: 'false',
      FORM_RATE_PER_IP: '2/min',
      FORM_RATE_TOTAL: '100/hour',
    });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const answers = [];
      // X-Forwarded-For from a peer that is not a trusted proxy is not believed: one client.
      for (let i = 0; i < 3; i++)
        answers.push(
          await raw('POST', '/api/support/contact', {
            url: f.server.url,
            body: form(100 + i),
            headers: { 'x-forwarded-for': `203.0.113.${i}` },
          }),
        );
      expect(answers.map((a) => a.status)).toEqual([201, 201, 429]);
      const limited = answers[2]!;
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json['message']).toMatch(
        /^Trop de messages ont été envoyés : réessayez .+\/ Too many messages were sent: try again in /,
      );
      expect(
        await db.query(
          "SELECT ticket_id FROM support_ticket WHERE customer_email = 'jeanne.martin102@customer.example'",
        ),
      ).toEqual([]);
    } finally {
      await f.close();
      await other.close();
    }
  });

  it('believes X-Forwarded-For from a trusted proxy only, and caps everyone together', async () => {
    const other = await createTestApp(db, {
      ACK_ENABLED: 'false',
      FORM_RATE_PER_IP: '1/min',
      FORM_RATE_TOTAL: '3/hour',
      TRUSTED_PROXIES: '127.0.0.1,::1',
    });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    try {
      const post = (n: number, xff: string) =>
        raw('POST', '/api/support/contact', { url: f.server.url, body: form(n), headers: { 'x-forwarded-for': xff } });
      // The left-most address is the client's claim; the proxy's own (right-most) entry is believed.
      expect((await post(200, '198.51.100.7, 203.0.113.1')).status).toBe(201);
      expect((await post(201, '198.51.100.8, 203.0.113.1')).status).toBe(429);
      expect((await post(202, '203.0.113.2')).status).toBe(201);
      expect((await post(203, '203.0.113.3')).status).toBe(201);
      // Three tickets this hour from three clients: the fourth client waits too.
      const overall = await post(204, '203.0.113.4');
      expect(overall.status).toBe(429);
      expect(overall.json['error']).toBe('too_many_requests');
    } finally {
      await f.close();
      await other.close();
    }
  });

  it('refuses a post whose hidden honeypot field is filled; a post without the field works', async () => {
    const trapped = await raw('POST', '/api/support/contact', {
      body: form(300, { website: 'http://cheap-pills.example' }),
    });
    expect(trapped.status).toBe(422);
    expect(
      await db.query("SELECT ticket_id FROM support_ticket WHERE customer_email = 'jeanne.martin300@customer.example'"),
    ).toEqual([]);
    expect((await raw('POST', '/api/support/contact', { body: form(301, { website: '' }) })).status).toBe(201);
    expect((await raw('POST', '/api/support/contact', { body: form(302) })).status).toBe(201);
  });

  it('refuses IP-literal, % and ! routed addresses', async () => {
    const cases: [string, RegExp][] = [
      // The form is French (its subject is): the page shows the message in French.
      ['root@[127.0.0.1]', /pas une adresse IP/],
      ['root@127.0.0.1', /pas une adresse IP/],
      ['victim%third.example@shop.example', /ni % ni !/],
      ['third.example!victim@relay.example', /ni % ni !/],
      ['x]@[y.attacker.example', /invalide|pas une adresse IP/],
    ];
    for (const [email, message] of cases) {
      const r = await raw('POST', '/api/support/contact', { body: form(400, { email }) });
      expect(r.status, email).toBe(400);
      expect((r.json['fields'] as Record<string, string>)['email'], email).toMatch(message);
    }
    expect(
      await db.query(
        "SELECT ticket_id FROM support_ticket WHERE source = 'web' AND subject = 'Question 400 sur ma commande'",
      ),
    ).toEqual([]);
  });
});

describe('slow clients (finding 18)', () => {
  it('keeps at most HTTP_MAX_CONNECTIONS open: one more is closed at once', async () => {
    const other = await createTestApp(db, { ACK_ENABLED: 'false', HTTP_MAX_CONNECTIONS: '2' });
    const f = await startHttpFrontEnd(other, { port: 0, host: '127.0.0.1' });
    const port = Number(new URL(f.server.url).port);
    const open = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
        socket.on('error', () => undefined);
      });
    try {
      const held = [await open(), await open()];
      // Both are really accepted before the third arrives.
      await new Promise((r) => setTimeout(r, 200));
      const third = await open();
      const closed = await new Promise<boolean>((resolve) => {
        third.on('close', () => resolve(true));
        setTimeout(() => resolve(false), 3_000);
      });
      expect(closed).toBe(true);
      for (const socket of held) socket.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect((await raw('GET', '/healthz', { url: f.server.url })).status).toBe(200);
    } finally {
      await f.close();
      await other.close();
    }
  });

  it('cuts a connection that sends its headers too slowly within seconds', async () => {
    const url = new URL(base);
    const started = Date.now();
    let answer = '';
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
        // One header byte every 2 s: never a complete request.
        const drip = setInterval(() => socket.write('X'), 2_000);
        socket.on('close', () => {
          clearInterval(drip);
          resolve(Date.now() - started);
        });
      });
      // Read what the server says, as a client does: a socket whose data nobody reads never sees the server's
      // end (it closed only when a later drip hit the reset, 14–25 s after the start).
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('error', () => undefined);
      setTimeout(() => reject(new Error('still open after 25 s')), 25_000);
    });
    // Headers get 10 s, checked every second (the review saw 28 s: node checks every 30 s by default).
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfter).toBeGreaterThanOrEqual(9_000);
    expect(closedAfter).toBeLessThan(15_000);
  }, 30_000);
});
