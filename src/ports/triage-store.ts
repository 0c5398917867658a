/**
 * What triage needs from storage. `loadTicket` returns the ticket's own text and what the rules look
 * at, or null when there is no such support ticket. `saveDecision` writes the decision to our row and
 * the legacy row's metadata block in one transaction; it keeps an agent's category and priority on a
 * corrected ticket, and changes nothing on a ticket already triaged ('already_triaged'). When the
 * decision asks to escalate, the same transaction claims the escalation (`escalationClaimed`). A claim,
 * there or through `claimEscalation`, is true exactly once per ticket, for whoever claims first.
 * `untriagedTicketIds` lists tickets still waiting for triage, oldest first. Throws retryable
 * AppErrors when the database is unreachable.
 */
import type { Category, Priority } from '../domain/ticket.ts';
import type { TriageReasons } from '../domain/triage/classifier.ts';

export interface TicketForTriage {
  readonly ticketId: number;
  readonly subject: string;
  /** The customer's text of the ticket row (without the metadata block). */
  readonly text: string;
  readonly customerEmail: string;
  readonly mailbox: string | null;
  readonly orderNumber: string | null;
  readonly triaged: boolean;
  readonly corrected: boolean;
  readonly category: Category;
  readonly priority: Priority;
  readonly sentiment: number | null;
  readonly escalated: boolean;
  readonly reasons: unknown;
  /** The priority and category the customer chose on the web form: kept over triage's (null: triage decides). */
  readonly customerChoice?: { readonly priority: Priority | null; readonly category: Category | null };
}

export interface StoredDecision {
  readonly category: Category;
  readonly priority: Priority;
  readonly categoryConfidence: number;
  readonly priorityConfidence: number;
  readonly sentiment: number;
  readonly language: string | null;
  readonly reasons: TriageReasons;
  readonly modelVersion: string;
  readonly at: Date;
  /** Claim the ticket's escalation in the same write (it is urgent or very negative). */
  readonly escalate: boolean;
  /** What triage itself decided, where category or priority above is the customer's choice: kept as a proposal. */
  readonly proposal?: { readonly category: Category; readonly priority: Priority } | null;
}

export interface SaveResult {
  readonly result: 'saved' | 'already_triaged' | 'not_found';
  /** True when this save claimed the escalation: the caller announces it. */
  readonly escalationClaimed: boolean;
}

export interface TriageStore {
  loadTicket(ticketId: number): Promise<TicketForTriage | null>;
  saveDecision(ticketId: number, decision: StoredDecision): Promise<SaveResult>;
  claimEscalation(ticketId: number, at: Date): Promise<boolean>;
  untriagedTicketIds(createdBefore: Date, limit: number): Promise<number[]>;
}

/** A ticket's stored triage, as `triage explain` shows it. */
export interface StoredTriage {
  readonly ticketId: number;
  readonly subject: string;
  readonly customerEmail: string;
  readonly category: Category;
  readonly priority: Priority;
  readonly categoryConfidence: number | null;
  readonly priorityConfidence: number | null;
  readonly sentiment: number | null;
  readonly language: string | null;
  readonly reasons: unknown;
  readonly modelVersion: string | null;
  readonly triaged: boolean;
  readonly triagedAt: Date | null;
  readonly escalatedAt: Date | null;
  readonly corrected: boolean;
}

/** A ticket an agent re-labelled, with its text: training data. */
export interface CorrectedTicket {
  readonly ticketId: number;
  readonly subject: string;
  readonly text: string;
  readonly category: Category;
  readonly priority: Priority;
}

/** What `ticketrelay triage explain|train` and the demo read of triage's results (not the worker's hot path). */
export interface TriageRecords {
  /** The stored decision of one ticket (null: no such support ticket). */
  storedDecision(ticketId: number): Promise<StoredTriage | null>;
  /** Tickets whose category or priority an agent corrected, oldest first. */
  correctedTickets(): Promise<CorrectedTicket[]>;
}
