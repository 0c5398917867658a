/**
 * What the old web module's API (adapters/http/http-server.ts: /api/support/contact/…) reads and
 * changes: its counters, its filtered pages of tickets and one ticket with its messages, over support
 * tickets only. Lists are filtered and paged in the database.
 */
import type { Category, Priority, TicketStatus } from '../domain/ticket.ts';

export interface SupportApiStore {
  /** The old module's counters, over support tickets only. */
  contactStats(since: Date): Promise<ContactStats>;
  /** A page of tickets, newest first, filtered in the database. */
  listTickets(query: TicketListQuery): Promise<TicketListPage>;
  /** One ticket with its messages; null when the number is not a support ticket. */
  ticketDetail(ticketId: number): Promise<SupportApiTicket | null>;
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

export interface ContactStats {
  readonly total: number;
  readonly open: number;
  readonly closed: number;
  readonly urgent: number;
  readonly createdSince: number;
  readonly byCategory: Record<Category, number>;
  readonly byPriority: Record<Priority, number>;
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

export interface SupportApiTicket extends TicketListItem {
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
