/**
 * What the reports need from the database: the digest's figures, the export's pages, and the old web
 * module's list/detail/stats. Support tickets only (ticketrelay's support_ticket rows): the shop's
 * other rows in ___xtr_msg (reviews, legal pages, redirects) are never counted.
 * Every method reads a bounded amount: counts and groups in the database, lists paged.
 */
import type { TicketBrief } from '../domain/digest.ts';
import type { Category, Priority, TicketStatus } from '../domain/ticket.ts';

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
  /** One page of tickets created in [from, to) with id > afterId, by id. */
  exportPage(from: Date, to: Date, afterId: number, limit: number): Promise<ExportRow[]>;
  /** The old module's counters, over support tickets only. */
  contactStats(since: Date): Promise<ContactStats>;
  /** A page of tickets, newest first, filtered in the database. */
  listTickets(query: TicketListQuery): Promise<TicketListPage>;
  /** One ticket with its messages; null when the number is not a support ticket. */
  ticketDetail(ticketId: number): Promise<TicketDetail | null>;
}

/** Changing a ticket's status on behalf of someone outside chat (the web module). */
export interface TicketStatusStore {
  /**
   * Sets open/closed on the legacy row and ours, with an audit event by `actor`. Returns the status
   * before, or null when the number is not a support ticket.
   */
  setStatus(
    ticketId: number,
    status: TicketStatus,
    actor: string,
    at: Date,
  ): Promise<{ previous: TicketStatus } | null>;
}

export interface ExportRow {
  readonly ticketId: number;
  readonly createdAt: Date;
  readonly customerEmail: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly source: string;
  readonly category: Category;
  readonly categoryConfidence: number | null;
  readonly priority: Priority;
  readonly priorityConfidence: number | null;
  readonly sentiment: number | null;
  readonly language: string | null;
  readonly triaged: boolean;
  readonly firstResponseAt: Date | null;
  readonly closedAt: Date | null;
}

export interface ContactStats {
  readonly total: number;
  readonly open: number;
  readonly closed: number;
  readonly urgent: number;
  readonly createdSince: number;
  readonly byCategory: Record<Category, number>;
  readonly byPriority: Record<Priority, number>;
}

/** A page of a list and how many tickets the whole list holds. */
export interface TicketListPage {
  readonly total: number;
  /**
   * false when `total` is an estimate: a search for a common word counts the tickets it matches among the
   * newest ones and scales that share to the list's size (counting them all would read every one).
   */
  readonly totalExact: boolean;
  readonly tickets: TicketListItem[];
}

export interface TicketListQuery {
  readonly page: number;
  readonly limit: number;
  readonly status: TicketStatus | null;
  /** Matched against subject, customer address and ticket number (and the messages' text with `inContent`). */
  readonly keyword: string | null;
  /** The keyword is also looked for in the words of the ticket's messages (the old pages' search). */
  readonly inContent?: boolean;
  readonly customerId?: number | null;
  readonly priority?: Priority | null;
  readonly category?: Category | null;
  /** Created at or after `from`, and before `to`. */
  readonly from?: Date | null;
  readonly to?: Date | null;
  /** Keyset paging: the tickets after this one in the list's order (newest first); `page` is then 1. */
  readonly after?: { readonly createdAt: Date; readonly ticketId: number } | null;
}

/** The customer of a ticket as the shop's customer table has them (null when that row is gone). */
export interface TicketCustomer {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  /** The mobile, else the landline. */
  readonly phone: string | null;
}

export interface TicketListItem {
  readonly ticketId: number;
  readonly subject: string;
  readonly customerEmail: string;
  readonly status: TicketStatus;
  readonly priority: Priority;
  readonly category: Category;
  readonly createdAt: Date;
  readonly lastMessageAt: Date;
  readonly messageCount: number;
  /** What the old pages show of a ticket besides (read from the legacy tables for the page's rows only). */
  readonly legacy?: {
    readonly customerId: number;
    readonly customer: TicketCustomer | null;
    readonly orderNumber: string | null;
    /** Staff id on the ticket's own row (the old site's "configuration"); null for the customer. */
    readonly staffId: string | null;
    /** The customer's text without the metadata block: all of it in a detail, its start in a list. */
    readonly text: string;
  };
}

export interface TicketDetail extends TicketListItem {
  readonly customerId: number;
  readonly orderNumber: string | null;
  readonly language: string | null;
  readonly source: string;
  readonly firstResponseAt: Date | null;
  readonly closedAt: Date | null;
  /** The customer's text (the legacy row's content without its metadata block). */
  readonly content: string;
  readonly messages: readonly {
    readonly id: number;
    readonly date: string | null;
    readonly fromStaff: boolean;
    readonly content: string;
  }[];
}

export type ExportCell = string | number | boolean | Date | null;

/** Where an export's rows go (a CSV or xlsx writer); each call may wait for the output to drain. */
export interface ExportSink {
  header(columns: readonly string[]): Promise<void>;
  row(cells: readonly ExportCell[]): Promise<void>;
  /** All rows written: finish the file. */
  end(): Promise<void>;
}
