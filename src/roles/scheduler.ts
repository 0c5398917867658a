/**
 * The `scheduler` role: a BullMQ job scheduler fires the digest job on DIGEST_CRON in DIGEST_TIMEZONE
 * (BullMQ computes the next run in that zone, so 08:00 stays 08:00 across daylight-saving changes),
 * and a worker posts it. Several processes may run this role: upsertJobScheduler keeps one schedule,
 * and the ledger keeps one post per channel per day.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { App } from '../main.ts';
import type { RoleStarter } from './role.ts';
import { createDigestService } from './digest-service.ts';
import { digestProcessor } from '../../jobs/digest.processor.ts';
import { QUEUE_NAMES, type JobPayloads } from '../../jobs/queues.ts';

export const DIGEST_SCHEDULER_ID = 'daily-digest';

export function digestQueue(app: App, connection: Redis): Queue<JobPayloads['digest']> {
  return new Queue<JobPayloads['digest']>(QUEUE_NAMES.digest, { connection, prefix: app.config.redis.queuePrefix });
}

export const startSchedulerRole: RoleStarter = async (app) => {
  const log = app.logger.child({ component: 'scheduler' });
  const { service, channels } = await createDigestService(app);
  // BullMQ workers block on Redis: their connection must not give up on a command.
  const connection = new Redis(app.config.redis.url, { maxRetriesPerRequest: null });
  connection.on('error', (error: Error) => log.warn({ err: error.message }, 'redis connection error'));
  const queue = digestQueue(app, connection);
  queue.on('error', () => undefined);
  const { cron, timezone } = app.config.digest;
  await queue.upsertJobScheduler(
    DIGEST_SCHEDULER_ID,
    { pattern: cron, tz: timezone },
    {
      name: 'digest',
      data: {},
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 30_000 }, removeOnComplete: 100, removeOnFail: 500 },
    },
  );
  const workerConnection = connection.duplicate();
  workerConnection.on('error', () => undefined); // reported by the worker's 'error' event
  const worker = new Worker<JobPayloads['digest']>(
    QUEUE_NAMES.digest,
    digestProcessor({ service, channels, logger: log }),
    {
      connection: workerConnection,
      prefix: app.config.redis.queuePrefix,
      concurrency: 1,
    },
  );
  worker.on('error', (error) => log.warn({ err: error.message }, 'digest worker error'));
  worker.on('failed', (job, error) => log.error({ jobId: job?.id, err: error.message }, 'digest job failed'));
  let active = 0;
  worker.on('active', () => active++);
  worker.on('completed', () => active--);
  worker.on('failed', () => active--);
  if (channels.length === 0)
    log.warn(
      {},
      'no digest channel configured (SLACK_DIGEST_CHANNELS, DISCORD_DIGEST_CHANNELS): the schedule runs but posts nothing',
    );
  log.info({ cron, timezone, channels }, 'digest scheduled');
  return {
    name: 'scheduler',
    describe: () => [
      `scheduler: digest "${cron}" (${timezone}) to ${channels.join(', ') || 'no channel'}${active > 0 ? '; posting now' : ''}`,
    ],
    async stop() {
      // close() waits for the job in flight (a digest being posted) before it resolves.
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      connection.disconnect();
    },
  };
};
