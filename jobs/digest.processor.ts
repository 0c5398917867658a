/**
 * The digest job: validate the payload, post the day's digest to each channel, map failures. A
 * channel refused for a reason that may pass (rate limit, 5xx) fails the job so BullMQ retries; the
 * channels already posted are then skipped by the ledger. Anything else is not retried.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { isDayString } from '../src/domain/digest.ts';
import type { Logger } from '../src/ports/logger.ts';
import type { ChannelOutcome, DigestService } from '../src/services/build-digest.ts';
import type { JobPayloads } from './queues.ts';

export function digestProcessor(deps: { service: DigestService; channels: readonly string[]; logger: Logger }) {
  return async (job: Job<JobPayloads['digest']>): Promise<ChannelOutcome[]> => {
    const data: unknown = job.data;
    if (typeof data !== 'object' || data === null) throw new UnrecoverableError('digest job without a payload');
    const { day, channel } = data as Record<string, unknown>;
    if (day !== undefined && (typeof day !== 'string' || !isDayString(day)))
      throw new UnrecoverableError(`digest job with a bad day: ${String(day)}`);
    if (channel !== undefined && typeof channel !== 'string')
      throw new UnrecoverableError('digest job with a bad channel');
    // A scheduled job reports on the day before its scheduled time (not its run time: a late run after a restart keeps its day).
    const scheduledAt = new Date(job.timestamp + (job.opts.delay ?? 0));
    const reported = day ?? deps.service.reportedDay(scheduledAt);
    const channels = channel ? [channel] : deps.channels;
    if (channels.length === 0) {
      deps.logger.warn(
        { jobId: job.id, day: reported },
        'no digest channel configured (SLACK_DIGEST_CHANNELS, DISCORD_DIGEST_CHANNELS): nothing posted',
      );
      return [];
    }
    const outcomes = await deps.service.post(reported, channels);
    const retry = outcomes.filter((o) => o.outcome === 'failed' && o.retryable);
    if (retry.length > 0)
      throw new Error(`digest for ${reported} failed for ${retry.map((o) => o.channel).join(', ')}; retrying`);
    return outcomes;
  };
}
