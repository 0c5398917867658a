/** Queue names and job payloads: ids only, never bodies or secrets. */
export const QUEUE_NAMES = { triage: 'triage', digest: 'digest' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export interface JobPayloads {
  /** Job id = the ticket number, so enqueueing the same ticket twice is one job. */
  triage: { ticketId: number };
  /**
   * The daily digest. The job scheduler's jobs carry no day (the day before the scheduled time, in
   * DIGEST_TIMEZONE); `digest --now` may name one. No channels: the configured ones (or one named).
   */
  digest: { day?: string; channel?: string };
}
