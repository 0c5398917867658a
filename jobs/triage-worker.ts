/**
 * The triage worker (started by the `worker` role, src/roles/worker.ts): a BullMQ worker on the triage queue with
 * TRIAGE_CONCURRENCY jobs at once, and a sweep every TRIAGE_SWEEP_SECONDS that enqueues the tickets
 * still untriaged in MySQL (Redis was down when they arrived). Job ids are the ticket's, so a ticket
 * already queued is not queued twice. Stopping finishes the jobs in flight.
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../src/ports/logger.ts';
import type { TriageQueue } from '../src/ports/triage-queue.ts';
import type { TriageStore } from '../src/ports/triage-store.ts';
import type { TriageService } from '../src/services/triage-ticket.ts';
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
  /** Where the sweep hands them (the role builds it: adapters/queue/bullmq-triage-queue.ts); closed with the worker. */
  readonly sweepQueue?: TriageQueue & { close(): Promise<void> };
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
  const connection = new Redis(options.redisUrl, {
    maxRetriesPerRequest: null,
    retryStrategy: (n) => Math.min(n * 500, 5_000),
  });
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
    if (error.message !== lastError)
      log.warn({ reason: error.message }, 'triage worker: Redis (REDIS_URL) error; BullMQ keeps retrying');
    lastError = error.message;
  });
  worker.on('completed', () => {
    counts.done++;
  });
  worker.on('failed', (job: Job | undefined, error: Error) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    if (final) counts.failed++;
    else counts.retried++;
    log[final ? 'error' : 'warn'](
      { jobId: job?.id, attempt: job?.attemptsMade, err: error },
      final ? 'triage job failed for good: kept in the failed list' : 'triage job failed; it will be retried',
    );
  });

  const queue = options.sweepQueue;
  const countsQueue = new Queue(QUEUE_NAMES.triage, { connection, prefix: options.prefix });
  countsQueue.on('error', () => undefined);
  let sweeping: Promise<number> | null = null;
  const sweep = async (): Promise<number> => {
    if (!options.store || !queue) return 0;
    if (sweeping) return sweeping;
    sweeping = (async () => {
      const ids = await options.store!.untriagedTicketIds(
        new Date(Date.now() - (options.sweepMinAgeMs ?? SWEEP_MIN_AGE_MS)),
        SWEEP_BATCH,
      );
      for (const id of ids) await queue!.enqueueTriage(id);
      if (ids.length) log.info({ tickets: ids.length }, 'sweep: untriaged tickets handed to the queue');
      counts.swept += ids.length;
      return ids.length;
    })().finally(() => {
      sweeping = null;
    });
    return sweeping;
  };
  const timer =
    options.sweepMs && options.store && queue
      ? setInterval(
          () => void sweep().catch((error: unknown) => log.warn({ err: error }, 'sweep failed; the next one retries')),
          options.sweepMs,
        )
      : null;
  // The first sweep at startup: tickets left while no worker was running.
  if (timer) void sweep().catch((error: unknown) => log.warn({ err: error }, 'sweep failed; the next one retries'));

  return {
    counts,
    sweep,
    async describe() {
      const q = await countsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null);
      const queued = q
        ? `queue: ${q['waiting'] ?? 0} waiting, ${q['active'] ?? 0} active, ${q['delayed'] ?? 0} delayed (retries), ${q['failed'] ?? 0} in the failed list`
        : 'queue: Redis unreachable';
      return [
        `triage worker: concurrency ${options.concurrency}, ${counts.done} done, ${counts.failed} failed, ${counts.retried} retried, ${counts.swept} swept; ${queued}`,
      ];
    },
    async close() {
      if (timer) clearInterval(timer);
      await sweeping?.catch(() => undefined);
      // Jobs in flight are waited for while Redis answers. With Redis away no job can finish anyway
      // (completing one is a Redis call), and BullMQ's close would wait for Redis forever: SIGTERM
      // during a Redis outage must still end the process.
      const closing = worker.close();
      const deadline = connection.status === 'ready' ? CLOSE_WAIT_MS : CLOSE_WAIT_REDIS_DOWN_MS;
      const closed = await withTimeout(closing, deadline).then(
        () => true,
        () => false,
      );
      if (!closed) {
        log.warn(
          { waitedMs: deadline, redis: connection.status },
          'triage worker: Redis does not answer, so jobs in flight cannot be completed; stopping without them (they run again when a worker starts)',
        );
        closing.catch(() => undefined);
        // BullMQ's disconnect, too, waits for a connection first: bounded like the rest.
        await withTimeout(worker.disconnect(), CLOSE_WAIT_REDIS_DOWN_MS).catch(() => undefined);
      }
      if (queue) await withTimeout(queue.close(), CLOSE_WAIT_REDIS_DOWN_MS).catch(() => undefined);
      await withTimeout(countsQueue.close(), CLOSE_WAIT_REDIS_DOWN_MS).catch(() => undefined);
      countsQueue.disconnect().catch(() => undefined);
      connection.disconnect();
    },
  };
}
