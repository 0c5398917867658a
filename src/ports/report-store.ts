/**
 * The daily digest's figures (src/services/build-digest.ts). Support tickets only (ticketrelay's
 * support_ticket rows): the shop's other rows (reviews, legal pages, redirects) are never counted. Every
 * method reads a bounded amount: counts and groups in the database. The export's pages
 * (src/ports/export-store.ts) and the old web module's reads (src/ports/support-api-store.ts) are ports
 * of their own, shaped by their consumers.
 */
import type { TicketBrief } from '../domain/digest.ts';
import type { Category, Priority } from '../domain/ticket.ts';

export interface ReportStore {
  /** For boundaries b0 < b1 < … < bn: the tickets created (or closed) in each [bi, bi+1). n counts. */
  countPerRange(event: 'created' | 'closed', boundaries: readonly Date[]): Promise<number[]>;
  /** Tickets open at `at`: created before it and not closed by then. */
  openAt(at: Date): Promise<{ total: number; byPriority: Record<Priority, number> }>;
  /** Tickets created in [from, to), by category and by priority. */
  createdBreakdown(
    from: Date,
    to: Date,
  ): Promise<{ byCategory: Record<Category, number>; byPriority: Record<Priority, number> }>;
  /** The oldest tickets open at `at`, oldest first; `priority` narrows to one priority. */
  oldestOpenAt(at: Date, limit: number, priority?: Priority): Promise<TicketBrief[]>;
  /** Seconds from creation to first response, for tickets first answered in [from, to). */
  firstResponseSeconds(from: Date, to: Date): Promise<number[]>;
  /** Seconds from creation to closing, for tickets closed in [from, to). */
  resolutionSeconds(from: Date, to: Date): Promise<number[]>;
  /** Automatic mail recorded in [from, to), by kind (bounce, auto_reply, list…). */
  automatedCount(from: Date, to: Date): Promise<Record<string, number>>;
  /** Emails that could not be taken (unreadable, no sender, too large): kept aside, never a ticket. */
  rejectedCount(from: Date, to: Date): Promise<number>;
  /** Emails held as spam that arrived in [from, to) (released ones included: they were caught). */
  spamCount?(from: Date, to: Date): Promise<number>;
  /** Tickets created before `at` that triage has not decided yet (a worker is down, or behind). */
  untriagedAt(at: Date): Promise<number>;
}
