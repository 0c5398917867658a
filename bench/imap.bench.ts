/**
 * npm run bench:imap — the live mailbox against the local Dovecot, in one run:
 *  1. latency: the reader idles; 200+ generated emails are APPENDed at a steady rate; for each, the
 *     time from the APPEND to its committed rows (the intake's promise resolves after COMMIT);
 *  2. catch-up: a 5,000-email backlog is waiting when the reader starts; emails/s until the
 *     checkpoint reaches the last UID;
 *  3. baseline: mailparser alone on the same 5,000 messages, in this process.
 * The machines are shared and noisy: compare the ratio. Ends with one JSON line.
 * Arguments: LATENCY_COUNT RATE_PER_SECOND BACKLOG CONCURRENCY (defaults 200 20 5000 6).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import { ImapflowMailboxConnector } from '../adapters/imap/imapflow-mailbox.ts';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLogger } from '../adapters/logging/pino-logger.ts';
import { RedisMailboxLease } from '../adapters/queue/redis-mailbox-lease.ts';
import { loadConfig } from '../src/config.ts';
import { normalizeMessageId } from '../src/domain/message-id.ts';
import { createApp, type App } from '../src/main.ts';
import { MailboxReader, type MailboxIntake } from '../src/services/read-mailbox.ts';
import { freshBenchDatabase } from './bench-database.ts';
import { generateEmails } from './generate-emails.ts';

const LATENCY_COUNT = Number(process.argv[2] ?? 200);
const RATE_PER_SECOND = Number(process.argv[3] ?? 20);
const BACKLOG = Number(process.argv[4] ?? 5000);
const CONCURRENCY = Number(process.argv[5] ?? 6);

const { host, port, password } = LOCAL_ENDPOINTS.imap;

async function imapClient(user: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host,
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: password },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** A reader on `user`'s INBOX whose intake records when each email's rows were committed. */
function readerFor(app: App, user: string, redis: Redis, committed: Map<string, number>): MailboxReader {
  const config = loadConfig({ IMAP_URL: `imap://${user}:${password}@${host}:${port}/INBOX`, IMAP_ALLOW_PLAIN: 'true' });
  const mailbox = config.imap.mailboxes[0]!;
  const intake: MailboxIntake = {
    ingest: async (raw, source) => {
      const result = await app.intake.ingest(raw, source);
      if (result.messageId) committed.set(result.messageId, performance.now());
      return result;
    },
    rejectOversized: (size, limit, source) => app.intake.rejectOversized(size, limit, source),
  };
  return new MailboxReader({
    name: user,
    connector: new ImapflowMailboxConnector(mailbox, { logger: app.logger }),
    checkpoints: app.stores.checkpoints,
    lease: new RedisMailboxLease({ redis, prefix: 'bench-imap', mailbox: user, ttlMs: 15_000 }),
    intake,
    logger: app.logger,
    batchSize: mailbox.batchSize,
    concurrency: app.config.intake.concurrency,
    messageMaxBytes: app.config.intake.messageMaxBytes,
    pollMs: 60_000,
    leaseRenewMs: 5_000,
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('bench timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main() {
  const suffix = randomBytes(3).toString('hex');
  const url = await freshBenchDatabase('ticketrelay_test_bench_imap');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-bench-imap-'));
  const config = loadConfig({
    DATABASE_URL: url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: dataDir,
    QUEUE_PREFIX: 'bench-imap',
    LOG_LEVEL: 'silent',
    ACK_MAX_PER_HOUR: '1000',
    INGEST_CONCURRENCY: String(CONCURRENCY),
    DB_POOL_SIZE: String(CONCURRENCY + 4),
  });
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }), prepare: false });
  const redis = new Redis(LOCAL_ENDPOINTS.redisUrl);
  const committed = new Map<string, number>();
  console.log(`bench:imap — Dovecot on ${host}:${port}, intake concurrency ${config.intake.concurrency}`);
  try {
    // 1. Latency while idling.
    const liveUser = `bench-live-${suffix}`;
    // Emails with a Message-ID, each once, so that every APPEND can be matched to its commit.
    const seen = new Set<string>();
    const live = generateEmails(LATENCY_COUNT * 2, 7)
      .flatMap((e) => {
        const id = normalizeMessageId(e.messageId);
        if (!id || seen.has(id)) return [];
        seen.add(id);
        return [{ raw: e.raw, messageId: id }];
      })
      .slice(0, LATENCY_COUNT);
    const reader = readerFor(app, liveUser, redis, committed);
    reader.start();
    await until(() => reader.status().state === 'idle', 30_000).catch((error: unknown) => {
      console.error(reader.describe());
      throw error;
    });
    const appender = await imapClient(liveUser);
    const appendedAt = new Map<string, number>();
    const gap = 1000 / RATE_PER_SECOND;
    const t0 = performance.now();
    for (let i = 0; i < live.length; i++) {
      const wait = t0 + i * gap - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const email = live[i]!;
      appendedAt.set(email.messageId, performance.now());
      await appender.append('INBOX', email.raw);
    }
    await appender.logout();
    await until(() => live.every((e) => committed.has(e.messageId)), 60_000).catch((error: unknown) => {
      const missing = live.filter((e) => !committed.has(e.messageId));
      console.error(
        `${missing.length} not committed, e.g. ${missing
          .slice(0, 3)
          .map((e) => e.messageId)
          .join(', ')}; committed e.g. ${[...committed.keys()].slice(0, 3).join(', ')}; reader: ${reader.describe()}`,
      );
      throw error;
    });
    await reader.stop();
    const latencies = live.map((e) => committed.get(e.messageId)! - appendedAt.get(e.messageId)!).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const max = latencies.at(-1) ?? 0;
    console.log(
      `  latency, APPEND → committed, ${live.length} emails at ${RATE_PER_SECOND}/s while idling: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${max.toFixed(0)} ms   (aim: p95 ≤ 1000 ms)`,
    );

    // 2. Catch-up of a backlog.
    const backlogUser = `bench-backlog-${suffix}`;
    const backlog = generateEmails(BACKLOG, 11);
    const filler = await imapClient(backlogUser);
    const appendStarted = performance.now();
    for (const email of backlog) await filler.append('INBOX', email.raw);
    await filler.logout();
    console.log(`  ${backlog.length} emails appended in ${((performance.now() - appendStarted) / 1000).toFixed(1)} s`);
    const catchUpReader = readerFor(app, backlogUser, redis, committed);
    const started = performance.now();
    catchUpReader.start();
    await until(
      () => catchUpReader.status().state === 'idle' && (catchUpReader.status().lastUid ?? 0) >= backlog.length,
      600_000,
    );
    const seconds = (performance.now() - started) / 1000;
    await catchUpReader.stop();
    const catchUpRate = backlog.length / seconds;

    // 3. The baseline: mailparser alone on the same messages.
    const raws = backlog.map((e) => e.raw);
    for (const raw of raws.slice(0, 200)) await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
    const parseStarted = performance.now();
    for (const raw of raws) await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
    const parseRate = raws.length / ((performance.now() - parseStarted) / 1000);
    const ratio = catchUpRate / parseRate;
    console.log(
      `  catch-up of ${backlog.length} waiting emails: ${catchUpRate.toFixed(0)} emails/s in ${seconds.toFixed(1)} s   (aim: ≥ 300 emails/s)`,
    );
    console.log(
      `  mailparser alone on the same emails (baseline): ${parseRate.toFixed(0)} emails/s; ratio ${ratio.toFixed(2)}`,
    );
    console.log(
      JSON.stringify({
        bench: 'imap',
        latency: {
          emails: live.length,
          ratePerSecond: RATE_PER_SECOND,
          p50Ms: Math.round(p50),
          p95Ms: Math.round(p95),
          maxMs: Math.round(max),
        },
        catchUp: { emails: backlog.length, perSecond: Math.round(catchUpRate), seconds: Math.round(seconds * 10) / 10 },
        parseOnlyPerSecond: Math.round(parseRate),
        ratio: Math.round(ratio * 100) / 100,
      }),
    );
  } finally {
    redis.disconnect();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
