import type { InboundAttachment } from '../domain/inbound-email.ts';
import type { MessageKind } from '../domain/message-kind.ts';
import type { Category, Priority, TicketStatus } from '../domain/ticket.ts';

/**
 * The ticket an email lands on, as intake needs it: whose it is, what it is about, whether it is open.
 * (The lists and cards agents read use TicketSummary, src/domain/command.ts.)
 */
export interface IntakeTicket {
  readonly ticketId: number;
  readonly customerId: number;
  readonly customerEmail: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly language: string | null;
}

export type ThreadSignal = 'in_reply_to' | 'references' | 'subject_tag' | 'report' | 'verp' | 'none';
export type { MessageKind } from '../domain/message-kind.ts';

export interface NewTicket {
  readonly customerId: number;
  readonly customerEmail: string;
  readonly subject: string;
  /** What the customer wrote, as plain text (the store encodes it for where it goes). */
  readonly text: string;
  readonly priority: Priority;
  readonly category: Category;
  readonly language: string | null;
  readonly orderNumber: string | null;
  readonly source: 'email' | 'web';
  readonly mailbox: string | null;
  readonly at: Date;
  /** The Message-ID of the email that opened it; null when it came without one. */
  readonly messageId: string | null;
  /** The files kept with that email (those with a content hash). */
  readonly attachments: readonly { readonly name: string; readonly sha256: string; readonly size: number }[];
  /** The phone number the customer gave on the web form (unverified: it stays on the ticket). */
  readonly phone?: string | null;
  /** The ticket the email named, whose people did not write it: this one is new, and says which it named. */
  readonly linkedTicketId?: number | null;
  /** What the customer chose on the web form: triage proposes, never overrides it (null: triage decides). */
  readonly customerChoice?: { readonly priority: Priority | null; readonly category: Category | null };
  /**
   * A web-form ticket is a lead for the newer site's leads pages: where its table has their columns
   * (msg_crm_*, never created by us), the store sets them as that site's backend did.
   */
  readonly lead?: { readonly sourcePage: string | null; readonly vehicle: string | null };
  /** What else the web form sent, kept with the ticket for the old site's pages. */
  readonly webForm?: {
    /** The category as the form sent it, when it is not one of ours (the ticket has `category`). */
    readonly categoryAsSent: string | null;
    readonly vehicleInfo: Readonly<Record<string, string | number>> | null;
    readonly sourcePage: string | null;
    /** A customer id the page claimed that was not taken (the sender's address is not that customer's). */
    readonly customerIdNotTaken: number | null;
  };
}

export interface NewReply {
  readonly ticketId: number;
  readonly customerId: number;
  readonly subject: string;
  readonly content: string;
  /** Staff id for an agent's reply; null for the customer or an automatic message. */
  readonly staffId: string | null;
  readonly at: Date;
  /** The customer wrote it (not a bounce or an out-of-office): they now wait for an answer. */
  readonly fromCustomer?: boolean;
}

export interface MessageRecord {
  readonly messageId: string;
  readonly ticketId: number | null;
  /**
   * The entry of the ticket's thread this email became: the ticket itself for the email that opened
   * it, the reply addReply returned otherwise; null when it became none (a duplicate, a loop, spam).
   */
  readonly threadEntryId: number | null;
  readonly direction: 'inbound' | 'outbound';
  readonly kind: MessageKind;
  readonly outcome: string;
  readonly threadSignal: ThreadSignal | null;
  readonly automatedKind: string | null;
  readonly automatedReason: string | null;
  /** Automated mail: the stable code of the rule that decided (`bounce.dsn`, `list.x_ml` …). */
  readonly automatedCode?: string | null;
  /** The sender of an inbound email, the recipient of an outbound one. */
  readonly peerAddress: string | null;
  /** Inbound: the sender's display name, and the Date header when it is plausible. */
  readonly peerName?: string | null;
  readonly sentAt?: Date | null;
  readonly subject: string;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly language: string | null;
  readonly bodyText: string | null;
  readonly originalText: string | null;
  readonly notes: readonly string[];
  readonly source: string;
  readonly rawSize: number | null;
  /** Outbound only: 'pending' puts it in the outbox; 'suppressed' records why it was not sent. */
  readonly delivery: 'pending' | 'suppressed' | null;
  readonly at: Date;
}

/** An email we sent (or queued): what a bounce must cite before it changes anything. */
export interface SentMessage {
  readonly rowId: number;
  readonly messageId: string;
  readonly ticketId: number | null;
  readonly kind: MessageKind;
  readonly to: string;
  readonly cc: readonly string[];
}

/**
 * What intake needs from the database. Everything written for one email happens inside one
 * `transaction`; it rolls back when the work throws. Writes that return nothing may be deferred to
 * the commit (one round trip for all of them): a read inside the transaction need not see them. Writing a Message-ID that is already stored
 * throws AppError 'email.duplicate'; two deliveries racing for one new customer throw 'db.conflict'
 * (retryable: run the work again). A lost database throws 'db.unavailable' (retryable).
 * Sending what intake queued is not in this port: see OutboxStore (src/ports/outbox-store.ts).
 * Deliberately not in this contract: the shop's row format (msg_content and its metadata block, msg_date,
 * which column a phone number goes to). The port speaks tickets, replies and their facts; how they land
 * in the legacy tables is the adapter's business (adapters/mysql/legacy-format.ts).
 */
export interface IntakeStore {
  findMessage(messageId: string): Promise<{ readonly ticketId: number | null; readonly outcome: string } | null>;
  transaction<T>(
    work: (tx: IntakeTransaction) => Promise<T>,
    options?: {
      /** Called when the work ran with others in one transaction that was rolled back, before it runs again. */
      readonly onRolledBack?: () => void;
    },
  ): Promise<T>;
}

export interface IntakeTransaction {
  /** The ticket of the first of these Message-IDs that is stored on one. */
  ticketForMessageIds(
    ids: readonly string[],
    at?: Date,
  ): Promise<{ readonly ticket: IntakeTicket; readonly matchedId: string } | null>;
  /** A ticket by number; a ticket the old site created (no row of ours yet) is adopted. */
  ticketById(ticketId: number, at?: Date): Promise<IntakeTicket | null>;
  isParticipant(ticketId: number, address: string): Promise<boolean>;
  /** How many addresses are on the ticket's thread (its customer included). */
  participantCount(ticketId: number): Promise<number>;
  /**
   * `phone`: the one the customer gave on the web form, kept with a customer created now (as a mobile
   * or a landline number); an existing customer's record is never changed by unverified input.
   */
  findOrCreateCustomer(
    address: string,
    name: { readonly first: string | null; readonly last: string | null },
    phone?: string | null,
  ): Promise<{ readonly customerId: number; readonly created: boolean }>;
  /** `customerId` when that customer's address is `address` (case and spaces aside); null otherwise. */
  customerWithAddress(customerId: number, address: string): Promise<number | null>;
  /** The new ticket's number (tickets and replies are numbered together: it is also its thread entry). */
  createTicket(ticket: NewTicket): Promise<number>;
  /** The reply's thread entry id. */
  addReply(reply: NewReply): Promise<number>;
  reopenTicket(ticketId: number, at: Date): Promise<void>;
  recordMessage(message: MessageRecord): Promise<void>;
  /**
   * Removes the record of an email rejected before under this Message-ID (kind 'rejected' only; any
   * other row stays), so that it can be recorded again once taken. Done at once: a `recordMessage` of
   * the same Message-ID later in this transaction finds no duplicate.
   */
  forgetRejection(messageId: string): Promise<void>;
  addParticipants(ticketId: number, addresses: readonly string[]): Promise<void>;
  /** Attachments of the message recorded in this transaction under `messageId`. */
  addAttachments(messageId: string, ticketId: number | null, attachments: readonly InboundAttachment[]): Promise<void>;
  recordEvent(
    ticketId: number | null,
    type: string,
    actor: string,
    details: Record<string, unknown>,
    at: Date,
  ): Promise<void>;
  flagAddress(address: string, reason: string, ticketId: number | null, at: Date): Promise<void>;
  isAddressFlagged(address: string): Promise<boolean>;
  countOutboundSince(address: string, kind: MessageKind, since: Date): Promise<number>;
  /**
   * Automatic mail (acknowledgements) recorded by intakes other than `exceptQueuedBy` since `since`: to
   * this normalised mailbox, on this ticket (by any), and in all (since the breaker's last reset when
   * that is later); and when the breaker that stops all automatic mail was tripped (null: it is not).
   */
  automaticMailSince(query: AutomaticMailQuery): Promise<AutomaticMailCounts>;
  /** One automatic email queued to this normalised mailbox by the intake `queuedBy` (see automaticMailSince). */
  recordAutomaticMail(mailbox: string, ticketId: number, at: Date, queuedBy: string): Promise<void>;
  /** Stops all automatic mail until an operator resets it (tripping a tripped breaker changes nothing). */
  tripBreaker(reason: string, at: Date): Promise<void>;
  /** An email held as spam; its Message-ID held before throws 'email.duplicate'. */
  holdSpam(spam: SpamRecord): Promise<void>;
  /** Our outbound emails (acknowledgements, agents' replies) stored under these Message-IDs. */
  sentMessages(ids: readonly string[]): Promise<readonly SentMessage[]>;
  /**
   * A soft bounce of this outbound email: it waits in the outbox again until `notBefore`, unless it has
   * bounced `maxBounces` times already. Whether it will be tried again.
   */
  retryBounced(rowId: number, notBefore: Date, maxBounces: number): Promise<boolean>;
}

export interface AutomaticMailQuery {
  readonly mailbox: string;
  readonly ticketId: number;
  readonly since: Date;
  /** The asking intake's own name: its own rows are left out (it counts them itself, exactly). */
  readonly exceptQueuedBy: string;
}

export interface AutomaticMailCounts {
  readonly mailbox: number;
  readonly ticket: number;
  readonly total: number;
  readonly breakerTrippedAt: Date | null;
  /** When an operator last reset the breaker (the hourly total counts from then). */
  readonly breakerResetAt: Date | null;
}

export interface SpamRecord {
  readonly messageId: string;
  readonly sender: string | null;
  readonly subject: string;
  /** Short and stable ('x-spam-flag', 'spamd'…), and the sentence for agents. */
  readonly code: string;
  readonly reason: string;
  readonly rawLocation: string | null;
  readonly rawSize: number | null;
  readonly source: string;
  readonly at: Date;
}
