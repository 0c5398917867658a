/**
 * The triage job: validate the payload, triage the ticket, map errors. A permanent failure (a ticket
 * that does not exist, a payload that is not a ticket id) becomes UnrecoverableError and goes to the
 * failed list at once; a temporary one (the database is down) is thrown as is, and BullMQ retries it
 * with exponential backoff.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { isAppError } from '../src/domain/errors.ts';
import type { TriageOutcome, TriageService } from '../src/services/triage-ticket.ts';
import type { JobPayloads } from './queues.ts';

const TriagePayload = z.object({ ticketId: z.number().int().positive() });

export function createTriageProcessor(
  service: Pick<TriageService, 'triage'>,
): (job: Job<JobPayloads['triage']>) => Promise<TriageOutcome> {
  return async (job) => {
    const payload = TriagePayload.safeParse(job.data);
    if (!payload.success)
      throw new UnrecoverableError(
        `triage job ${job.id} has no valid ticket id (${JSON.stringify(job.data).slice(0, 100)}): it cannot succeed (listed by "npx ticketrelay jobs failed")`,
      );
    try {
      return await service.triage(payload.data.ticketId);
    } catch (error) {
      if (isAppError(error) && !error.retryable) throw new UnrecoverableError(`${error.code}: ${error.message}`);
      throw error;
    }
  };
}
