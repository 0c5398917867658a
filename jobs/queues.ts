/** Queue names and job payloads: ids only, never bodies or secrets. */
export const QUEUE_NAMES = { triage: 'triage' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export interface JobPayloads {
  /** Job id = the ticket number, so enqueueing the same ticket twice is one job. */
  triage: { ticketId: number };
}
