/**
 * The `intake` role: one reader per configured mailbox (each under its Redis lease), feeding the
 * intake service, and a timer that sends the outbox's acknowledgements still waiting (a retry
 * after an SMTP failure). A mailbox that fails (wrong password, host down) waits and retries on
 * its own; the others go on.
 */
import { Redis } from 'ioredis';
import { describeError } from '../domain/errors.ts';
import type { RoleStarter } from './role.ts';
import { MailboxReader } from '../services/read-mailbox.ts';
import { RedisMailboxLease } from '../../adapters/queue/redis-mailbox-lease.ts';
import { ImapflowMailboxConnector } from '../../adapters/imap/imapflow-mailbox.ts';

const OUTBOX_EVERY_MS = 30_000;

export const startIntakeRole: RoleStarter = async (app) => {
  const { config } = app;
  const log = app.logger.child({ component: 'intake' });
  const redis = new Redis(config.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (n) => Math.min(n * 500, 5_000),
  });
  redis.on('error', () => undefined); // each lease call reports its own failure
  // Connected before the readers ask for their leases (no offline queue: a call while Redis is away fails fast).
  await redis
    .connect()
    .catch((error: unknown) =>
      log.warn(
        { reason: describeError(error) },
        'Redis (REDIS_URL) cannot be reached: mailboxes wait for their lease until it is back',
      ),
    );
  const checkpoints = app.stores.checkpoints;
  const leaseMs = config.imap.leaseSeconds * 1000;
  const readers = config.imap.mailboxes.map(
    (mailbox) =>
      new MailboxReader({
        name: mailbox.name,
        connector: new ImapflowMailboxConnector(mailbox, { logger: app.logger }),
        checkpoints,
        lease: new RedisMailboxLease({
          redis,
          prefix: config.redis.queuePrefix,
          mailbox: mailbox.name,
          ttlMs: leaseMs,
        }),
        intake: app.intake,
        logger: app.logger,
        batchSize: mailbox.batchSize,
        concurrency: config.intake.concurrency,
        messageMaxBytes: config.intake.messageMaxBytes,
        pollMs: mailbox.pollSeconds * 1000,
        leaseRenewMs: Math.max(500, Math.floor(leaseMs / 3)),
      }),
  );
  if (readers.length === 0) {
    log.warn(
      {},
      'no mailbox is configured (set IMAP_URL, or IMAP_MAILBOXES with IMAP_<NAME>_URL): the intake role only sends the outbox',
    );
  }
  for (const reader of readers) reader.start();
  const outboxTimer = setInterval(() => {
    app.outbox
      .deliverPending()
      .catch((error: unknown) => log.warn({ err: error }, 'outbox pass failed; the next one retries'));
  }, OUTBOX_EVERY_MS);
  return {
    name: 'intake',
    describe: () => (readers.length ? readers.map((r) => r.describe()) : ['intake: no mailbox configured']),
    readers,
    async stop() {
      clearInterval(outboxTimer);
      await Promise.all(readers.map((r) => r.stop()));
      redis.disconnect();
    },
  };
};
