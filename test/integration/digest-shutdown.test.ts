/**
 * `ticketrelay start --roles scheduler` receives SIGTERM while a digest job is posting (Slack answers
 * slowly): the post finishes and is recorded, then the process exits 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { createTestDatabase, startTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let dir: string;
let slow: http.Server;
let slowUrl: string;
const seen: string[] = [];
let postArrived: () => void = () => undefined;
const postArrivedPromise = new Promise<void>((resolve) => (postArrived = resolve));

beforeAll(async () => {
  db = await createTestDatabase('digestsig');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-digestsig-'));
  // Slack stand-in: chat.postMessage takes 1.5 s to answer.
  slow = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push(url);
      const answer = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.endsWith('/chat.postMessage')) {
        postArrived();
        setTimeout(() => answer({ ok: true, channel: 'C9', ts: '1773000000.000100' }), 1_500);
      } else if (url.endsWith('/files.getUploadURLExternal'))
        answer({ ok: true, upload_url: `${slowUrl}upload/F9`, file_id: 'F9' });
      else answer({ ok: true, files: [{ id: 'F9' }] });
    });
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  slow?.closeAllConnections();
  await new Promise<void>((resolve) => slow?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

it('SIGTERM during a digest job: the post completes and is recorded, then exit 0', async () => {
  const prefix = `test-sig-${randomBytes(3).toString('hex')}`;
  const { child, stderr, exited, waitForStderr } = startTicketrelay(['start', '--roles', 'scheduler'], {
    DATABASE_URL: db.url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: path.join(dir, 'data'),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: `${slowUrl}api/`,
    SLACK_DIGEST_CHANNELS: 'C9',
  });
  await waitForStderr('ticketrelay running', 60_000);
  expect(stderr()).toContain('ticketrelay running: scheduler');

  const connection = new Redis(LOCAL_ENDPOINTS.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('digest', { connection, prefix });
  try {
    // The role registered the daily schedule in the configured zone.
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([['daily-digest', '0 8 * * *', 'Europe/Paris']]);
    await queue.add('digest', { day: '2026-03-10' });
    await postArrivedPromise;
    child.kill('SIGTERM');
    expect(await exited, stderr()).toBe(0);
    const rows = await db.query<{ status: string; message_ref: string }>(
      "SELECT status, message_ref FROM support_digest_post WHERE channel = 'slack:C9'",
    );
    expect(rows).toEqual([{ status: 'posted', message_ref: 'C9/1773000000.000100' }]);
    expect(seen.filter((u) => u.endsWith('/chat.postMessage'))).toHaveLength(1);
    expect(seen.some((u) => u.endsWith('/files.completeUploadExternal'))).toBe(true);
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
});
