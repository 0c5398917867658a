/**
 * Every query the HTTP API, /metrics and exports run has a time budget (security review, finding 11):
 * the API's reads and /metrics' counts within DB_QUERY_BUDGET_MS, exports within DB_EXPORT_BUDGET_MS,
 * each with a clear answer when it is over. Another session holds support_ticket (LOCK TABLES … WRITE),
 * so every query on it waits: without a budget, each would wait for as long as the lock is held.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExportFile } from '../../adapters/export/export-file.ts';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';

const READER = 'reader-token-0123456789abcdef0123456789abcd';
const MONITOR = 'monitor-token-0123456789abcdef0123456789abc';

let db: TestDatabase;
let app: TestApp;
let front: HttpFrontEnd;
let holder: mysql.Connection;

beforeAll(async () => {
  db = await createTestDatabase('db_budget');
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    API_TOKENS: `reader:read:${READER},monitor:metrics:${MONITOR}`,
    DB_QUERY_BUDGET_MS: '300',
    DB_EXPORT_BUDGET_MS: '400',
  });
  await app.agents.upsert({
    name: 'boss',
    role: 'manager',
    staffId: 9,
    identities: [{ platform: 'console', kind: 'user', value: 'boss' }],
  });
  await ingestTicket(app, { from: 'helene@customer.example', subject: 'Phare cassé', body: 'Le phare est cassé.' });
  front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
  holder = await mysql.createConnection(db.url);
  await holder.query('LOCK TABLES support_ticket WRITE');
});

afterAll(async () => {
  await holder?.query('UNLOCK TABLES').catch(() => undefined);
  await holder?.end();
  await front?.close();
  await app?.close();
  await db?.drop();
});

/** The answer and how long it took. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describe('statement budgets', () => {
  it('the API\'s reads (lists, a ticket, stats) stop at DB_QUERY_BUDGET_MS with 503 "try a narrower search"', async () => {
    for (const route of ['/api/support/contact/tickets?status=open', '/api/support/contact/stats']) {
      const { value: r, ms } = await timed(() =>
        fetch(`${front.server.url}${route}`, { headers: { authorization: `Bearer ${READER}` } }),
      );
      expect(ms, route).toBeLessThan(5_000);
      expect(r.status, route).toBe(503);
      const body = (await r.json()) as { error: string; message: string };
      expect(body.error).toBe('too_slow');
      expect(body.message).toContain('try a narrower search');
    }
  });

  it('/metrics answers at once with the database collector down when its counts are over budget', async () => {
    const { value: r, ms } = await timed(() =>
      fetch(`${front.server.url}/metrics`, { headers: { authorization: `Bearer ${MONITOR}` } }),
    );
    expect(ms).toBeLessThan(5_000);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('ticketrelay_metrics_collector_up{collector="database"} 0');
  });

  it('/ticket export stops at DB_EXPORT_BUDGET_MS and tells the manager so', async () => {
    const { value: reply, ms } = await timed(() =>
      app.commands.run({ platform: 'console', userId: 'boss' }, '/ticket export csv 7d'),
    );
    expect(ms).toBeLessThan(5_000);
    expect(reply.ok).toBe(false);
    expect(reply.text).toContain('Nothing was exported.');
    expect(reply.text).toContain('DB_EXPORT_BUDGET_MS, 400 ms');
  });

  it('`ticketrelay export` stops at DB_EXPORT_BUDGET_MS with a message naming it, and leaves no file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-export-'));
    try {
      const started = Date.now();
      await expect(
        writeExportFile(app.stores.exports, path.join(dir, 'tickets.csv'), {
          format: 'csv',
          from: '2026-01-01',
          to: '2026-12-31',
          timeZone: 'Europe/Paris',
        }),
      ).rejects.toMatchObject({ code: 'db.timeout', message: expect.stringContaining('raise DB_EXPORT_BUDGET_MS') });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
