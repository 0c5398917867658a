/**
 * `ticketrelay jobs failed [--json] [--limit N]`: the triage jobs that failed for good (kept, never
 * dropped), with their ticket, attempts and last error. `ticketrelay jobs retry ID…|--all`: put them
 * back in the queue once the cause is fixed.
 */
import { parseArgs } from 'node:util';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig, redactUrl } from '../../src/config.ts';
import { ensureLocalServices } from '../local-services/index.ts';
import { QUEUE_NAMES, type JobPayloads } from '../../jobs/queues.ts';
import { COMMAND_USAGE } from './usage.ts';

import { EX_TEMPFAIL, EX_USAGE, type CliCommand } from './cli-command.ts';

const USAGE = 'Usage: npx ticketrelay jobs failed [--json] [--limit N] | jobs retry JOB_ID…|--all';

export const jobsCommand: CliCommand = {
  usage: COMMAND_USAGE.jobs,
  async run(args, say) {
    const { positionals, values } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        limit: { type: 'string' },
        all: { type: 'boolean', default: false },
      },
    });
    const [sub, ...ids] = positionals;
    if (sub !== 'failed' && sub !== 'retry') {
      say(USAGE);
      return EX_USAGE;
    }
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0) {
      say('--limit takes a positive whole number, e.g. --limit 20');
      return EX_USAGE;
    }
    if (sub === 'retry' && ids.length === 0 && !values.all) {
      say('Name the jobs to retry (as "jobs failed" lists them, e.g. ticket-83) or give --all.');
      return EX_USAGE;
    }
    const config = loadConfig();
    await ensureLocalServices(config, () => undefined);
    const connection = new Redis(config.redis.url, {
      maxRetriesPerRequest: 1,
      connectTimeout: 3_000,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    connection.on('error', () => undefined);
    try {
      await connection.connect();
    } catch {
      say(
        `Redis cannot be reached at ${redactUrl(config.redis.url)}: no job list available. Check REDIS_URL and that Redis is running.`,
      );
      connection.disconnect();
      return EX_TEMPFAIL;
    }
    const queue = new Queue<JobPayloads['triage']>(QUEUE_NAMES.triage, {
      connection,
      prefix: config.redis.queuePrefix,
    });
    queue.on('error', () => undefined);
    try {
      if (sub === 'failed') {
        const total = await queue.getFailedCount();
        const jobs = (await queue.getFailed(0, limit - 1)).filter((j): j is Job<JobPayloads['triage']> => Boolean(j));
        if (values.json) {
          for (const job of jobs) process.stdout.write(`${JSON.stringify(describeJob(job))}\n`);
          return 0;
        }
        if (total === 0) {
          process.stdout.write('No failed triage job.\n');
          return 0;
        }
        for (const job of jobs) {
          const d = describeJob(job);
          process.stdout.write(
            `${d.jobId}  ticket #${d.ticketId ?? '?'}  ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}  failed ${d.failedAt ?? '?'}\n    ${d.error}\n`,
          );
        }
        process.stdout.write(
          `${total} failed triage job${total === 1 ? '' : 's'}${total > jobs.length ? ` (${jobs.length} shown; --limit N for more)` : ''}. Retry with "npx ticketrelay jobs retry ID" or "--all" once the cause is fixed.\n`,
        );
        return 0;
      }
      const jobs = values.all
        ? (await queue.getFailed(0, -1)).filter((j): j is Job<JobPayloads['triage']> => Boolean(j))
        : await Promise.all(ids.map(async (id) => (await queue.getJob(id)) ?? id));
      let retried = 0;
      for (const job of jobs) {
        if (typeof job === 'string') {
          say(`${job}: no such job (ids look like "ticket-83"; see "npx ticketrelay jobs failed").`);
          continue;
        }
        if (!(await job.isFailed())) {
          say(`${job.id}: not in the failed list (it is ${await job.getState()}); left alone.`);
          continue;
        }
        await job.retry('failed');
        retried++;
      }
      say(`${retried} job${retried === 1 ? '' : 's'} back in the queue.`);
      return retried === jobs.length ? 0 : 1;
    } finally {
      await queue.close().catch(() => undefined);
      connection.disconnect();
    }
  },
};

function describeJob(job: Job<JobPayloads['triage']>) {
  const ticketId = typeof job.data?.ticketId === 'number' ? job.data.ticketId : null;
  return {
    jobId: String(job.id),
    ticketId,
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    error: (job.failedReason ?? '').split('\n')[0]!.slice(0, 500),
  };
}
