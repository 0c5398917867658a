/**
 * A revoked Slack app (security review, finding 12): Slack's Web API, on the recording server, answers
 * auth.test with invalid_auth. `start --roles http,bots,worker` must say so in one log line naming
 * SLACK_BOT_TOKEN (no stack, no unhandled rejection), report the bots "down: token refused" in /readyz
 * and `status`, and keep the other roles running.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import { closedPort, createTestDatabase, runTicketrelay, startTicketrelay, type TestDatabase } from './harness.ts';

const TOKEN = 'xoxb-revoked-T0KEN-5ecret-9f3a';

let db: TestDatabase;
let api: RecordingServer;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase('tokenrefused');
  api = await startRecordingServer();
  api.route('auth.test', () => ({ body: { ok: false, error: 'invalid_auth' } }));
  api.route('chat.postMessage', () => ({ body: { ok: false, error: 'invalid_auth' } }));
  // Kept between runs: the worker trains its model in a fresh data folder first (one to several minutes
  // on a loaded machine), then finds it there.
  dataDir = path.join(os.tmpdir(), 'ticketrelay-test-token-refused');
  await mkdir(dataDir, { recursive: true });
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789abcdef';

describe('a Slack token refused', () => {
  it('takes only the bots down: one line naming SLACK_BOT_TOKEN, /healthz answers, /readyz and status say "down: token refused"', async () => {
    const httpPort = await closedPort();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      DATA_DIR: dataDir,
      QUEUE_PREFIX: `test-token-${process.pid}`,
      HTTP_PORT: String(httpPort),
      SLACK_PORT: String(await closedPort()),
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: 'a-signing-secret',
      SLACK_NOTIFY_CHANNEL: 'C0NOTIFY',
      SLACK_API_URL: api.url,
      // /readyz's details are for the operator's monitoring: a metrics token.
      API_TOKENS: `monitor:metrics:${METRICS_TOKEN}`,
    };
    const { child, stdout, stderr, exited, waitForStderr } = startTicketrelay(
      ['start', '--roles', 'http,bots,worker'],
      env,
    );
    try {
      // Up when it says it runs (the worker trains its model first in a fresh data folder); a crash ends the wait too.
      await waitForStderr('ticketrelay running', 280_000);
      expect(child.exitCode).toBeNull();
      expect(stderr()).toContain('ticketrelay running: http, bots, worker');
      const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      const report = (await ready.json()) as { checks: Record<string, string> };
      expect(ready.status).toBe(503);
      expect(report.checks['slack']).toMatch(/^down: token refused/);
      expect(report.checks['mysql']).toBe('ok');
      const status = await runTicketrelay(['status'], {
        DATABASE_URL: db.url,
        REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
        DATA_DIR: dataDir,
        QUEUE_PREFIX: env.QUEUE_PREFIX,
      });
      expect(status.stdout).toContain('bots: down: token refused');
      // One line says it, naming the variable; no stack trace, no unhandled rejection, never the token.
      const output = stdout() + stderr();
      expect(output.split('\n').filter((l) => l.includes('SLACK_BOT_TOKEN'))).toHaveLength(1);
      expect(output).toContain('Slack refused SLACK_BOT_TOKEN (invalid_auth)');
      expect(output).not.toMatch(/\n\s+at |Unhandled|WebAPIPlatformError/);
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(TOKEN.slice(-12));
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 420_000);
});
