/**
 * Hands a ticket to triage. The job id is the ticket number, so a second enqueue of the same ticket
 * is a no-op. Throws AppError 'queue.unavailable' (retryable) when the queue cannot be reached; the
 * ticket then stays untriaged in the database until a sweep enqueues it again.
 */
export interface TriageQueue {
  enqueueTriage(ticketId: number): Promise<void>;
}
