import type { ListRequest, TicketSummary } from '../domain/command.ts';
import type { Category, Priority, TicketStatus } from '../domain/ticket.ts';

/** A ticket as the command service works on it, read under a row lock in a transaction. */
export interface TicketRecord {
  readonly ticketId: number;
  readonly customerId: number;
  readonly customerEmail: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly priority: Priority;
  readonly category: Category;
  readonly assigneeAgentId: number | null;
  readonly firstResponseAt: Date | null;
}

/** What a ticket number turned out to be: a ticket, a reply row of one, another kind of row, or nothing. */
export type TicketLookup<T> =
  | { readonly found: 'ticket'; readonly ticket: T }
  | { readonly found: 'reply'; readonly parentId: number }
  | { readonly found: 'other' }
  | { readonly found: 'none' };

/** A file that came with an email of the thread (support_attachment), kept or only named. */
export interface StoredAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** Bytes of the decoded content (all of it, for a part that was not kept). */
  readonly size: number;
  /** Why it was not kept, as intake wrote it ('oversized': over ATTACHMENT_MAX_BYTES); null when it was. */
  readonly dropped: string | null;
}

export interface StoredThreadEntry {
  /** Staff: the agent's name; the customer: the address the email came from (the ticket's when unknown). */
  readonly from: string;
  readonly at: Date;
  readonly text: string;
  readonly staffId: string | null;
  readonly internal: boolean;
  /** A change of status (closed, reopened), not a message: `text` says which. */
  readonly event?: boolean;
  /** What came with the email, in the order it came; absent or empty when nothing did. */
  readonly attachments?: readonly StoredAttachment[];
}

export interface TicketDetail {
  readonly summary: TicketSummary;
  readonly customerEmail: string;
  /** support_ticket.triage_reasons as stored (JSON), and the decision it explains. */
  readonly triage: {
    readonly reasons: unknown;
    readonly categoryConfidence: number | null;
    readonly priorityConfidence: number | null;
    readonly sentiment: number | null;
    readonly language: string | null;
    readonly triaged: boolean;
    readonly corrected: boolean;
  };
  /** Oldest first: the ticket's own text, then replies and internal notes. */
  readonly thread: readonly StoredThreadEntry[];
}

export interface TicketCounts {
  readonly total: number;
  readonly open: number;
  readonly closed: number;
  readonly createdSince: number;
  /** Open tickets by priority and by category. */
  readonly openByPriority: Readonly<Record<string, number>>;
  readonly openByCategory: Readonly<Record<string, number>>;
  /** Tickets triage has not decided yet: their priority and category are intake's placeholders. */
  readonly untriaged: number;
}

export interface OutboundReply {
  readonly messageId: string;
  readonly ticketId: number;
  /** The thread entry addStaffReply made for this reply. */
  readonly threadEntryId: number;
  readonly to: string;
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly at: Date;
}

/** Everything written for one command happens in one transaction: all of it, or none. */
export interface TicketTransaction {
  /** The ticket, locked until the commit; a ticket only the old site knows is adopted first. */
  lockTicket(ticketId: number): Promise<TicketLookup<TicketRecord>>;
  /** The ticket's status, in our records and in the old site's, together. */
  setStatus(ticketId: number, status: TicketStatus, at: Date): Promise<void>;
  /** A person's assignment (or unassignment): automatic assignment never changes the ticket afterwards. */
  setAssignee(ticketId: number, agentId: number | null, at: Date): Promise<void>;
  /** An agent's correction of triage: the value (marked corrected, for the old site too) and a training example. */
  correct(
    ticketId: number,
    field: 'priority' | 'category',
    from: string,
    to: string,
    agentId: number,
    at: Date,
  ): Promise<void>;
  /** The agent's reply on the ticket's thread, under their staff id; the first response time set once. Returns its thread entry id. */
  addStaffReply(reply: {
    readonly ticketId: number;
    readonly customerId: number;
    readonly subject: string;
    readonly content: string;
    readonly staffId: string;
    readonly at: Date;
  }): Promise<number>;
  /**
   * The customer's latest email on the ticket: what a reply threads on, and the address it came from;
   * `rootMessageId` is the email that opened the ticket (a reply matched by its [#N] tag alone carries no
   * References, and the reply still belongs with the first email in the customer's mail client);
   * `name` is the sender's display name and `at` when they wrote it (the Date header, else arrival).
   */
  lastCustomerEmail(ticketId: number): Promise<{
    readonly messageId: string;
    readonly references: readonly string[];
    readonly rootMessageId: string | null;
    readonly address: string | null;
    readonly name: string | null;
    readonly text: string;
    readonly at: Date;
  } | null>;
  /** Everyone who was on the ticket's emails (From, To, Cc, Reply-To; never our own addresses). */
  threadAddresses(ticketId: number): Promise<string[]>;
  /** An outbound support_message row with delivery 'pending': the outbox sends it after the commit. */
  queueReply(reply: OutboundReply): Promise<void>;
  /**
   * The address's bounce flag, if any. `wroteSince`: a person has written to us from it since it was
   * flagged (its mailbox works again, or the bounce was temporary), so an agent may write to it.
   */
  isAddressFlagged(address: string): Promise<{ readonly reason: string; readonly wroteSince: boolean } | null>;
  recordEvent(ticketId: number, type: string, actor: string, details: Record<string, unknown>, at: Date): Promise<void>;
}

/**
 * Tickets as the command service reads and changes them. Lists are filtered, ordered and paged by
 * the database (never in memory) and counts come from support_ticket's indexed columns, never from
 * a scan of ___xtr_msg. A lost database throws AppError 'db.unavailable' (retryable).
 */
export interface TicketStore {
  /** One page, newest first; hasMore says whether another page follows. */
  list(
    request: ListRequest,
    pageSize: number,
  ): Promise<{ readonly items: readonly TicketSummary[]; readonly hasMore: boolean }>;
  /** Open tickets whose number starts with `prefix` or whose subject contains it, newest first. */
  suggest(prefix: string, limit: number): Promise<readonly TicketSummary[]>;
  /** A ticket with its thread (adopting a ticket only the old site knows). */
  detail(ticketId: number, threadLimit: number): Promise<TicketLookup<TicketDetail>>;
  counts(since: Date): Promise<TicketCounts>;
  transaction<T>(work: (tx: TicketTransaction) => Promise<T>): Promise<T>;
}
