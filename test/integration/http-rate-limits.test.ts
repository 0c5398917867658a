/**
 * The API's and the web form's rate limits are one count for every front end (security review,
 * findings 5 and 11, behind a load balancer): two HTTP front ends on the same Redis reach the same
 * limit together. With Redis away each process counts its own, and says so once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateGate } from '../../adapters/queue/redis-rate-gate.ts';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import { RecordingLogger } from '../fakes/fake-ports.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

const TOKEN = 'backoffice-0123456789abcdef0123456789abcdef';

let db: TestDatabase;
let app: TestApp;
let fronts: HttpFrontEnd[] = [];

beforeAll(async () => {
  db = await createTestDatabase('http_rates');
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    API_TOKENS: `backoffice:read+write:${TOKEN}`,
    API_RATE_PER_TOKEN: '4/min',
    FORM_RATE_PER_IP: '3/min',
    FORM_RATE_TOTAL: '1000/hour',
  });
  fronts = await Promise.all([0, 1].map(() => startHttpFrontEnd(app, { port: 0, host: '127.0.0.1' })));
});

afterAll(async () => {
  await Promise.all(fronts.map((f) => f.close()));
  await app?.close();
  await db?.drop();
});

const form = (n: number) => ({
  name: 'Jeanne Martin',
  email: `jeanne.rate${n}@customer.example`,
  subject: `Question ${n}`,
  message: `Bonjour, où en est ma commande numéro ${n} ? Merci.`,
});

async function post(front: HttpFrontEnd, n: number): Promise<Response> {
  return fetch(`${front.server.url}/api/support/contact`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(form(n)),
  });
}

async function tickets(): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT COUNT(*) AS n FROM support_ticket WHERE customer_email LIKE 'jeanne.rate%'",
  );
  return Number(row?.n ?? 0);
}

describe('rate limits shared across front ends', () => {
  it('counts the web form per client once for two front ends: the 4th post, to either, is refused', async () => {
    const [a, b] = fronts as [HttpFrontEnd, HttpFrontEnd];
    const statuses = [];
    for (const [i, front] of [a, b, a].entries()) statuses.push((await post(front, i)).status);
    expect(statuses).toEqual([201, 201, 201]);
    const refused = await post(b, 3);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { message: string }).message).toContain('Too many messages were sent');
    expect((await post(a, 4)).status).toBe(429);
    expect(await tickets()).toBe(3);
  });

  it("counts a token's requests once for two front ends", async () => {
    const [a, b] = fronts as [HttpFrontEnd, HttpFrontEnd];
    const get = (front: HttpFrontEnd) =>
      fetch(`${front.server.url}/api/support/contact/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const statuses = [];
    for (const front of [a, b, a, b, a]) statuses.push((await get(front)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('rate limits with Redis away', () => {
  it('counts in this process, says so once in the log, and keeps refusing over the limit', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    await redis.connect().catch(() => undefined);
    const logger = new RecordingLogger();
    const gate = new RedisRateGate({ redis, prefix: app.queuePrefix, logger });
    const check = { scope: 'form-client', key: '203.0.113.9', rates: [{ limit: 2, windowMs: 60_000, text: '2/min' }] };
    try {
      const denials = [];
      for (let i = 0; i < 3; i++) denials.push(await gate.take([check]));
      expect(denials.slice(0, 2)).toEqual([null, null]);
      expect(denials[2]).toMatchObject({ scope: 'form-client', rate: { text: '2/min' } });
      const warnings = logger.lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain('each process counts its own');
    } finally {
      redis.disconnect();
    }
  });
});
