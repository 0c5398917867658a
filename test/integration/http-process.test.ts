/**
 * The http role as operators run it: `ticketrelay start --roles http` answers /healthz, and exits 0 on
 * SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { closedPort, createTestDatabase, startTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('httpproc');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-httpproc-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

it('`start --roles http` answers /healthz, then exits 0 on SIGTERM', async () => {
  const port = await closedPort();
  const { child, stderr, exited } = startTicketrelay(['start', '--roles', 'http'], {
    DATABASE_URL: db.url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: path.join(dir, 'data'),
    QUEUE_PREFIX: 'test-httpproc',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  let health: Response | null = null;
  const until = Date.now() + 30_000;
  while (!health && Date.now() < until) {
    health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    if (!health) await new Promise((r) => setTimeout(r, 200));
  }
  expect(health?.status, stderr()).toBe(200);
  expect(await health?.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(ready.status).toBe(200);
  child.kill('SIGTERM');
  expect(await exited, stderr()).toBe(0);
  expect(stderr()).toContain('SIGTERM: finishing work in flight');
  expect(stderr()).toContain('ticketrelay stopped: work in flight finished, connections closed.');
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
});

it('exits 0 on SIGTERM within seconds while Redis cannot be reached (the worker cannot finish anything then)', async () => {
  const port = await closedPort();
  const deadRedis = await closedPort(); // nothing listens there
  const { child, stderr, exited, waitForStderr } = startTicketrelay(['start', '--roles', 'intake,worker,http'], {
    DATABASE_URL: db.url,
    REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
    DATA_DIR: path.join(dir, 'data-noredis'),
    QUEUE_PREFIX: 'test-httpproc-noredis',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    API_TOKENS: `monitor:metrics:${'m'.repeat(40)}`,
  });
  await waitForStderr('ticketrelay running', 60_000);
  expect(stderr()).toContain('ticketrelay running: intake, worker, http');
  // The details need a metrics token; anonymous gets up or down only.
  const anonymous = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(anonymous.status).toBe(503);
  expect(await anonymous.json()).toEqual({
    status: 'not_ready',
    message: 'Not ready. A token with the metrics scope gets the details.',
  });
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`, {
    headers: { authorization: `Bearer ${'m'.repeat(40)}` },
  });
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { message: string }).message).toMatch(
    /^Not ready: redis \(not connected \(\w+\): check REDIS_URL and that Redis runs\)\.$/,
  );
  const signalledAt = Date.now();
  child.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise<'still running'>((r) => setTimeout(() => r('still running'), 20_000)),
  ]);
  if (code === 'still running') child.kill('SIGKILL');
  expect(code, stderr()).toBe(0);
  expect(Date.now() - signalledAt).toBeLessThan(20_000);
  expect(stderr()).toContain('ticketrelay stopped');
}, 90_000);
