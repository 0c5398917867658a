/**
 * Crash safety with real processes: `ticketrelay start --roles intake` killed with SIGKILL at
 * random points while 500 emails arrive by IMAP APPEND, then restarted. Afterwards every email is
 * exactly one ticket or one reply: none missing, none twice. And the mailbox's lease passes to a
 * second reader within seconds when its holder is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapflowMailboxConnector } from '../../adapters/imap/imapflow-mailbox.ts';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { MysqlMailboxCheckpoints } from '../../adapters/mysql/mysql-mailbox-checkpoints.ts';
import { RedisMailboxLease } from '../../adapters/queue/redis-mailbox-lease.ts';
import { MailboxReader } from '../../src/services/read-mailbox.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestDatabase } from './harness.ts';
import { imapUser, waitUntil } from './imap-harness.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/ticketrelay.mjs');

let db: TestDatabase;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  db = await createTestDatabase('imapcrash');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-crash-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function startProcess(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  let output = '';
  const child = spawn(process.execPath, [BIN, 'start', '--roles', 'intake'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, exited, output: () => output };
}

describe('the intake process killed at random points', () => {
  it('ends with every one of 500 emails stored exactly once, none missing', async () => {
    const box = imapUser('crash');
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      DATA_DIR: dataDir,
      QUEUE_PREFIX: `test-crash-${randomBytes(3).toString('hex')}`,
      IMAP_URL: box.url(),
      IMAP_ALLOW_PLAIN: 'true',
      IMAP_LEASE_SECONDS: '3',
      IMAP_BATCH_SIZE: '40',
      LOG_LEVEL: 'error',
    };
    const originals = Array.from({ length: 450 }, (_, i) =>
      eml({ subject: `Crash test ${i}`, from: `Crash ${i % 97} <crash${i % 97}@customer.example>` }),
    );
    const replies = Array.from({ length: 50 }, (_, i) => {
      const parent = originals[i * 9] as (typeof originals)[number];
      return eml({
        subject: `Re: Crash test ${i * 9}`,
        from: `Crash ${(i * 9) % 97} <crash${(i * 9) % 97}@customer.example>`,
        inReplyTo: `<${parent.messageId}>`,
        references: `<${parent.messageId}>`,
      });
    });
    // Replies come after their original, interleaved with new mail, as they would.
    const arrivals = [...originals];
    replies.forEach((reply, i) => arrivals.splice(Math.min(arrivals.length, i * 10 + 20), 0, reply));
    const ids = arrivals.map((m) => m.messageId);

    // Deliver the 500 over a few seconds while processes come and go.
    const delivering = (async () => {
      for (let i = 0; i < arrivals.length; i += 25) {
        await box.append(arrivals.slice(i, i + 25).map((m) => m.raw));
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let kill = 0; kill < 4; kill++) {
      const run = startProcess(env);
      await new Promise((r) => setTimeout(r, 1500 + Math.floor(random() * 2500)));
      run.child.kill('SIGKILL');
      await run.exited;
    }
    await delivering;

    const last = startProcess(env);
    const count = async () =>
      Number(
        (
          await db.query<{ n: number }>(
            `SELECT COUNT(*) AS n FROM support_message WHERE direction = 'inbound' AND message_id IN (?)`,
            [ids],
          )
        )[0]?.n,
      );
    await waitUntil('all 500 emails', async () => (await count()) === 500, 90_000, 250);
    // Node itself (before our code is loaded) dies on SIGTERM; from the start command on, it stops cleanly.
    await waitUntil('the last process to run', () => last.output().includes('ticketrelay running'), 30_000, 50);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const kinds = await db.query<{ kind: string; n: number }>(
      `SELECT kind, COUNT(*) AS n FROM support_message WHERE direction = 'inbound' GROUP BY kind`,
    );
    expect(kinds.map((k) => [k.kind, Number(k.n)]).sort()).toEqual([
      ['reply', 50],
      ['ticket', 450],
    ]);
    // The legacy table has one row per email: 450 tickets and 50 replies on the right tickets.
    const legacy = await db.query<{ tickets: number; replies: number; subjects: number }>(
      `SELECT SUM(msg_parent_id IS NULL) AS tickets, SUM(msg_parent_id IS NOT NULL) AS replies, COUNT(DISTINCT msg_subject) AS subjects FROM ___xtr_msg`,
    );
    expect(Number(legacy[0]?.tickets)).toBe(450);
    expect(Number(legacy[0]?.replies)).toBe(50);
    expect(Number(legacy[0]?.subjects)).toBe(500);
    const misthreaded = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ___xtr_msg r JOIN ___xtr_msg t ON t.msg_id = r.msg_parent_id WHERE r.msg_subject <> CONCAT('Re: ', t.msg_subject)`,
    );
    expect(Number(misthreaded[0]?.n)).toBe(0);
    const listed = await box.list();
    expect(listed).toHaveLength(500);
    expect(listed.filter((m) => !m.seen)).toHaveLength(0);
  }, 240_000);

  it('hands the lease to a second reader within seconds when its holder is killed', async () => {
    const box = imapUser('lease');
    const prefix = `test-lease-${randomBytes(3).toString('hex')}`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      DATA_DIR: dataDir,
      QUEUE_PREFIX: prefix,
      IMAP_URL: box.url(),
      IMAP_ALLOW_PLAIN: 'true',
      IMAP_LEASE_SECONDS: '3',
      LOG_LEVEL: 'error',
    };
    const holder = startProcess(env);
    const redis = new Redis(LOCAL_ENDPOINTS.redisUrl);
    await waitUntil(
      'the process to hold the lease',
      async () => (await redis.get(`${prefix}:imap-lease:support`)) !== null,
      30_000,
      100,
    );

    const app = await createTestApp(db, { IMAP_URL: box.url(), IMAP_ALLOW_PLAIN: 'true', ACK_ENABLED: 'false' });
    const mailbox = app.config.imap.mailboxes[0];
    if (!mailbox) throw new Error('no mailbox configured');
    const second = new MailboxReader({
      name: 'support',
      connector: new ImapflowMailboxConnector(mailbox, { logger: app.logger }),
      checkpoints: new MysqlMailboxCheckpoints(db.database),
      lease: new RedisMailboxLease({ redis, prefix, mailbox: 'support', ttlMs: 3000 }),
      intake: app.intake,
      logger: app.logger,
      batchSize: 50,
      concurrency: 4,
      messageMaxBytes: 1e7,
      pollMs: 60_000,
      leaseRenewMs: 1000,
    });
    try {
      second.start();
      await waitUntil('the second reader to wait for the lease', () => second.status().state === 'waiting_lease');
      // While the first holds it, the second takes nothing: mail goes through the first process.
      await new Promise((r) => setTimeout(r, 1500));
      expect(second.status().state).toBe('waiting_lease');
      const killedAt = Date.now();
      holder.child.kill('SIGKILL');
      await holder.exited;
      await waitUntil('the second reader to take over', () => second.status().state === 'idle', 15_000, 20);
      const takeover = Date.now() - killedAt;
      expect(takeover).toBeLessThan(6_000);
      const mail = eml({ subject: 'After the takeover', from: 'Takeover <takeover@customer.example>' });
      await box.append([mail.raw]);
      await waitUntil(
        'the email, through the second reader',
        async () =>
          (await db.query(`SELECT 1 FROM support_message WHERE message_id = ?`, [mail.messageId])).length === 1,
      );
      await waitUntil('the second reader to count it', () => second.status().taken === 1);
    } finally {
      await second.stop();
      redis.disconnect();
      await app.close();
    }
  }, 60_000);
});
