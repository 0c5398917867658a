/** /readyz warns when the Redis it uses may evict keys: BullMQ needs maxmemory-policy noeviction. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFrontEnd } from '../../src/roles/http.ts';
import { closedPort, createTestApp, createTestDatabase, type TestDatabase } from './harness.ts';

let db: TestDatabase;
const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789abcdef';

beforeAll(async () => {
  db = await createTestDatabase('readyredis');
});

afterAll(async () => {
  await db?.drop();
});

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** A Redis of this test's own (the shared one must not change), with the given eviction policy. */
async function redisWith(policy: string): Promise<{ url: string; stop: () => void }> {
  const port = await closedPort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', policy],
    { stdio: 'ignore' },
  );
  await waitForPort(port);
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function readyz(redisUrl: string): Promise<{ status: string; warnings?: Record<string, string> }> {
  const app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    REDIS_URL: redisUrl,
    API_TOKENS: `monitor:metrics:${METRICS_TOKEN}`,
  });
  const front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1' });
  try {
    // Its details (warnings included) are for the operator's monitoring: a metrics token.
    const answer = await fetch(`${front.server.url}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return (await answer.json()) as {
      status: string;
      warnings?: Record<string, string>;
    };
  } finally {
    await front.close();
    await app.close();
  }
}

describe('/readyz and Redis eviction', () => {
  it('warns when Redis may drop keys when full, and says what to set', async () => {
    const redis = await redisWith('allkeys-lru');
    try {
      const body = await readyz(redis.url);
      expect(body.status).toBe('ready');
      expect(body.warnings?.['redis']).toMatch(
        /^Redis's maxmemory-policy is allkeys-lru: when Redis is full it drops keys, and BullMQ's queued jobs with them\. Set "maxmemory-policy noeviction"/,
      );
    } finally {
      redis.stop();
    }
  });

  it('says nothing of Redis when it never evicts', async () => {
    const redis = await redisWith('noeviction');
    try {
      expect((await readyz(redis.url)).warnings?.['redis']).toBeUndefined();
    } finally {
      redis.stop();
    }
  });
});
