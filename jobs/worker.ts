/**
 * The triage worker (`ticketrelay start --roles worker`): a BullMQ worker on the triage queue with
 * TRIAGE_CONCURRENCY jobs at once, and a sweep every TRIAGE_SWEEP_SECONDS that enqueues the tickets
 * still untriaged in MySQL (Redis was down when they arrived). Job ids are the ticket's, so a ticket
 * already queued is not queued twice. Stopping finishes the jobs in flight.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { buildClassifier } from '../adapters/files/triage-files.ts';
import { MysqlTriageStore } from '../adapters/mysql/mysql-triage-store.ts';
import { syncLegacyTickets } from '../adapters/mysql/legacy-sync.ts';
import { BullmqTriageQueue } from '../adapters/queue/bullmq-triage-queue.ts';
import type { Category } from '../src/domain/ticket.ts';
import type { Logger } from '../src/ports/logger.ts';
import type { TriageStore } from '../src/ports/triage-store.ts';
import type { App } from '../src/main.ts';
import { TriageService } from '../src/services/triage-ticket.ts';
import { describeError } from '../src/domain/errors.ts';
import { withTimeout } from '../src/domain/timing.ts';
import { QUEUE_NAMES, type JobPayloads } from './queues.ts';
import { createTriageProcessor } from './triage.processor.ts';

/** A ticket younger than this is left to the enqueue intake does after its commit. */
const SWEEP_MIN_AGE_MS = 5_000;
const SWEEP_BATCH = 1_000;

/** How long stopping waits for jobs in flight: under systemd's usual 30 s TimeoutStopSec. */
const CLOSE_WAIT_MS = 25_000;
/** With Redis unreachable nothing can complete: a short wait for it to come back, then stop. */
const CLOSE_WAIT_REDIS_DOWN_MS = 2_000;

export interface TriageWorkerOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly concurrency: number;
  readonly service: Pick<TriageService, 'triage'>;
  readonly logger: Logger;
  /** Sweep: where untriaged tickets are found, and how often (0 = no sweep). */
  readonly store?: Pick<TriageStore, 'untriagedTicketIds'>;
  readonly sweepMs?: number;
  /** Tickets younger than this are left to intake's own enqueue (default 5 s). */
  readonly sweepMinAgeMs?: number;
}

export interface TriageWorker {
  readonly counts: { done: number; failed: number; retried: number; swept: number };
  /** One sweep now: the number of tickets handed to the queue. */
  sweep(): Promise<number>;
  describe(): Promise<string[]>;
  close(): Promise<void>;
}

export function startTriageWorker(options: TriageWorkerOptions): TriageWorker {
  const log = options.logger.child({ component: 'triage-worker' });
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 500, 5_000) });
  connection.on('error', () => undefined); // BullMQ reports its own connection errors below
  const counts = { done: 0, failed: 0, retried: 0, swept: 0 };
  const worker = new Worker<JobPayloads['triage']>(QUEUE_NAMES.triage, createTriageProcessor(options.service), {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    // Completed jobs keep their id a while (a second enqueue of the same ticket is then a no-op).
    removeOnComplete: { count: 10_000 },
    removeOnFail: { count: 100_000 },
  });
  let lastError = '';
  worker.on('error', (error) => {
    if (error.message !== lastError) log.warn({ reason: error.message }, 'triage worker: Redis (REDIS_URL) error; BullMQ keeps retrying');
    lastError = error.message;
  });
  worker.on('completed', () => {
    counts.done++;
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    if (final) counts.failed++;
    else counts.retried++;
    log[final ? 'error' : 'warn']({ jobId: job?.id, attempt: job?.attemptsMade, err: error }, final ? 'triage job failed for good: kept in the failed list' : 'triage job failed; it will be retried');
  });

  const queue = new BullmqTriageQueue({ redisUrl: options.redisUrl, prefix: options.prefix });
  const countsQueue = new Queue(QUEUE_NAMES.triage, { connection, prefix: options.prefix });
  countsQueue.on('error', () => undefined);
  let sweeping: Promise<number> | null = null;
  const sweep = async (): Promise<number> => {
    if (!options.store) return 0;
    if (sweeping) return sweeping;
    sweeping = (async () => {
      const ids = await options.store!.untriagedTicketIds(new Date(Date.now() - (options.sweepMinAgeMs ?? SWEEP_MIN_AGE_MS)), SWEEP_BATCH);
      for (const id of ids) await queue.enqueueTriage(id);
      if (ids.length) log.info({ tickets: ids.length }, 'sweep: untriaged tickets handed to the queue');
      counts.swept += ids.length;
      return ids.length;
    })().finally(() => {
      sweeping = null;
    });
    return sweeping;
  };
  const timer = options.sweepMs && options.store
    ? setInterval(() => void sweep().catch((error: unknown) => log.warn({ err: error }, 'sweep failed; the next one retries')), options.sweepMs)
    : null;
  // The first sweep at startup: tickets left while no worker was running.
  if (timer) void sweep().catch((error: unknown) => log.warn({ err: error }, 'sweep failed; the next one retries'));

  return {
    counts,
    sweep,
    async describe() {
      const q = await countsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null);
      const queued = q ? `queue: ${q['waiting'] ?? 0} waiting, ${q['active'] ?? 0} active, ${q['delayed'] ?? 0} delayed (retries), ${q['failed'] ?? 0} in the failed list` : 'queue: Redis unreachable';
      return [`triage worker: concurrency ${options.concurrency}, ${counts.done} done, ${counts.failed} failed, ${counts.retried} retried, ${counts.swept} swept; ${queued}`];
    },
    async close() {
      if (timer) clearInterval(timer);
      await sweeping?.catch(() => undefined);
      // Jobs in flight are waited for while Redis answers. With Redis away no job can finish anyway
      // (completing one is a Redis call), and BullMQ's close would wait for Redis forever: SIGTERM
      // during a Redis outage must still end the process.
      const closing = worker.close();
      const deadline = connection.status === 'ready' ? CLOSE_WAIT_MS : CLOSE_WAIT_REDIS_DOWN_MS;
      const closed = await withTimeout(closing, deadline).then(() => true, () => false);
      if (!closed) {
        log.warn({ waitedMs: deadline, redis: connection.status }, 'triage worker: Redis does not answer, so jobs in flight cannot be completed; stopping without them (they run again when a worker starts)');
        closing.catch(() => undefined);
        // BullMQ's disconnect, too, waits for a connection first: bounded like the rest.
        await withTimeout(worker.disconnect(), CLOSE_WAIT_REDIS_DOWN_MS).catch(() => undefined);
      }
      await withTimeout(queue.close(), CLOSE_WAIT_REDIS_DOWN_MS).catch(() => undefined);
      await withTimeout(countsQueue.close(), CLOSE_WAIT_REDIS_DOWN_MS).catch(() => undefined);
      countsQueue.disconnect().catch(() => undefined);
      connection.disconnect();
    },
  };
}

/** How often the worker takes in what the old site did to the tickets. */
const LEGACY_SYNC_MS = 15_000;

/**
 * The `worker` role (a RoleStarter of src/roles.ts, typed here by its shape so that roles.ts, which
 * loads this module, is not imported back).
 */
export async function startWorkerRole(app: App): Promise<{ readonly name: 'worker'; describe(): string[]; stop(): Promise<void> }> {
  const { config } = app;
  const log = app.logger.child({ component: 'worker' });
  const { classifier, source } = await buildClassifier(config.triage);
  log.info({ modelVersion: classifier.modelVersion, source }, 'triage model ready');
  const store = new MysqlTriageStore(app.database);
  const service = new TriageService({
    store,
    classifier,
    // The same list the chat adapters add theirs to (the console is always in it).
    notifiers: app.notifiers,
    logger: app.logger,
    mailboxCategories: Object.fromEntries(config.imap.mailboxes.map((m) => [m.name, m.category])) as Record<string, Category | null>,
  });
  const worker = startTriageWorker({
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    concurrency: config.triage.concurrency,
    service,
    logger: app.logger,
    store,
    sweepMs: config.triage.sweepSeconds * 1000,
  });
  // The old site works on the same tables: its new tickets adopted, what it closed, reopened or
  // re-prioritised taken into our copy, for the lists, stats and digest (one pass at a time).
  let syncing: Promise<unknown> | null = null;
  // Said by `status` while it lasts: lists go stale without it.
  let legacyFailing: { since: Date; reason: string } | null = null;
  const syncLegacy = () => {
    syncing ??= syncLegacyTickets(app.database.pool)
      .then((done) => {
        legacyFailing = null;
        if (done.adopted || done.reconciled) log.info(done, `old site: ${done.adopted} ticket(s) adopted, ${done.reconciled} brought in line with its changes`);
      })
      .catch((error: unknown) => {
        legacyFailing = { since: legacyFailing?.since ?? new Date(), reason: describeError(error) };
        log.warn({ err: error }, 'old site pass failed; the next one retries');
      })
      .finally(() => (syncing = null));
  };
  syncLegacy();
  const legacyTimer = setInterval(syncLegacy, LEGACY_SYNC_MS);
  // SLA clocks: at-risk and breach alerts (a bad calendar or policies file stops the start, with what to fix).
  const { createSlaService } = await import('./sla-setup.ts');
  const { startSlaTimer } = await import('./sla.processor.ts');
  const slaService = await createSlaService(app);
  // Running clocks follow the calendar as it is now (an edited BUSINESS_CALENDAR_FILE moves their deadlines).
  await slaService.markOpenForCheck();
  const sla = startSlaTimer(slaService, { everyMs: config.sla.checkSeconds * 1000, logger: app.logger });
  let lines = [`triage worker: concurrency ${config.triage.concurrency}, model ${classifier.modelVersion}`];
  const refresh = setInterval(() => {
    worker.describe().then(
      (l) =>
        (lines = [
          ...l.map((x) => `${x}, model ${classifier.modelVersion}`),
          ...(legacyFailing ? [`old site pass failing since ${legacyFailing.since.toISOString()}: ${legacyFailing.reason}`] : []),
          sla.describe(),
        ]),
      () => undefined,
    );
  }, 2_000);
  return {
    name: 'worker',
    describe: () => lines,
    async stop() {
      clearInterval(refresh);
      clearInterval(legacyTimer);
      await sla.stop();
      await worker.close();
      await syncing;
    },
  };
}
