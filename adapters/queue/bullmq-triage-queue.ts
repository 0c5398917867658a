/**
 * TriageQueue on BullMQ. Its Redis connection does not queue commands while Redis is away: intake
 * must learn at once that the queue is unreachable (the ticket then stays untriaged in MySQL).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { AppError } from '../../src/domain/errors.ts';
import type { TriageQueue } from '../../src/ports/triage-queue.ts';
import { QUEUE_NAMES, type JobPayloads } from '../../jobs/queues.ts';
import { withTimeout } from '../../src/domain/timing.ts';

const ENQUEUE_TIMEOUT_MS = 2_000;

export class BullmqTriageQueue implements TriageQueue {
  readonly #queue: Queue<JobPayloads['triage']>;
  readonly #connection: Redis;
  /** Once connected, "connecting" means reconnecting (Redis went away): fail fast then. */
  #wasReady = false;

  constructor(options: { redisUrl: string; prefix?: string }) {
    this.#connection = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      lazyConnect: true,
      // Keep trying in the background, gently: the next ticket should find Redis back.
      retryStrategy: (times) => Math.min(times * 500, 5_000),
    });
    this.#connection.on('error', () => undefined); // reported where an enqueue fails
    this.#connection.once('ready', () => (this.#wasReady = true));
    this.#queue = new Queue(QUEUE_NAMES.triage, {
      connection: this.#connection,
      ...(options.prefix ? { prefix: options.prefix } : {}),
    });
    this.#queue.on('error', () => undefined);
  }

  async enqueueTriage(ticketId: number): Promise<void> {
    try {
      if (this.#connection.status === 'wait') await this.#connection.connect().catch(() => undefined);
      // The first connection still being made (a process just started) is not Redis being down:
      // wait for it, briefly, instead of leaving the ticket to the next sweep.
      if (!this.#wasReady && (this.#connection.status === 'connecting' || this.#connection.status === 'connect'))
        await this.#ready();
      if (this.#connection.status !== 'ready') throw new Error(`redis connection is ${this.#connection.status}`);
      await withTimeout(
        this.#queue.add(
          'triage',
          { ticketId },
          {
            jobId: triageJobId(ticketId),
            attempts: 5,
            backoff: { type: 'exponential', delay: 1_000 },
            removeOnComplete: 1000,
            removeOnFail: false,
          },
        ),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (error) {
      throw new AppError(
        'queue.unavailable',
        `The triage queue cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, retryable: true },
      );
    }
  }

  #ready(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#connection.off('ready', done);
        this.#connection.off('error', done);
        this.#connection.off('end', done);
        resolve();
      };
      const timer = setTimeout(done, ENQUEUE_TIMEOUT_MS);
      this.#connection.once('ready', done);
      this.#connection.once('error', done);
      this.#connection.once('end', done);
    });
  }

  /**
   * Starts connecting now, in the background: a process that will enqueue soon (the mail server's
   * pipe) has the connection made while it stores the email. A failure is said by the enqueue.
   */
  connectEarly(): void {
    if (this.#connection.status === 'wait') this.#connection.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#queue.close().catch(() => undefined);
    this.#connection.disconnect();
  }
}

/** BullMQ refuses bare integers as custom job ids: the ticket number with a fixed prefix. */
export function triageJobId(ticketId: number): string {
  return `ticket-${ticketId}`;
}
