/**
 * The intake's side of the triage queue against the real local Redis: a ticket handed over while the
 * process's first connection is still being made is queued, not left to the next sweep (a minute).
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { BullmqTriageQueue, triageJobId } from '../../adapters/queue/bullmq-triage-queue.ts';
import { QUEUE_NAMES } from '../../jobs/queues.ts';

describe('the triage queue', () => {
  it("queues a ticket handed to it at once after it was made (the worker's startup sweep, the first email of a catch-up)", async () => {
    const prefix = `test-tq-${randomBytes(3).toString('hex')}`;
    const queue = new BullmqTriageQueue({ redisUrl: LOCAL_ENDPOINTS.redisUrl, prefix });
    const connection = new Redis(LOCAL_ENDPOINTS.redisUrl, { maxRetriesPerRequest: null });
    const check = new Queue(QUEUE_NAMES.triage, { connection, prefix });
    try {
      await queue.enqueueTriage(41);
      expect((await check.getJob(triageJobId(41)))?.data).toEqual({ ticketId: 41 });
    } finally {
      await queue.close();
      await check.obliterate({ force: true });
      await check.close();
      connection.disconnect();
    }
  });

  it('still fails at once when Redis is not there, so the ticket is left to the sweep', async () => {
    const queue = new BullmqTriageQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: 'test-tq-down' });
    const started = Date.now();
    try {
      await expect(queue.enqueueTriage(42)).rejects.toMatchObject({ code: 'queue.unavailable', retryable: true });
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await queue.close();
    }
  });
});
