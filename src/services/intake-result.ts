/**
 * What intake answers for each email, and how it is said: the types every entry point (IMAP, the pipe,
 * LMTP, the web form, the spam review) and the metrics share, apart from the use case itself
 * (ingest-email.ts).
 */
import type { Category, Priority } from '../domain/ticket.ts';
import type { ThreadSignal } from '../ports/intake-store.ts';

export type IntakeResult =
  | {
      readonly outcome: 'created';
      readonly ticketId: number;
      readonly customerId: number;
      readonly customerCreated: boolean;
      readonly messageId: string;
      readonly acknowledgement: 'queued' | `suppressed: ${string}`;
      readonly triage: 'queued' | 'deferred';
    }
  | {
      readonly outcome: 'reply';
      readonly ticketId: number;
      readonly messageId: string;
      readonly signal: ThreadSignal;
      readonly reopened: boolean;
    }
  | { readonly outcome: 'duplicate'; readonly messageId: string; readonly ticketId: number | null }
  | {
      readonly outcome: 'automated';
      readonly messageId: string;
      readonly kind: string;
      /** The stable code of the rule that decided (`bounce.dsn`, `auto_reply.subject` …). */
      readonly code: string;
      readonly reason: string;
      readonly ticketId: number | null;
      /** Addresses a hard bounce flagged; `retried`: whose email a soft bounce sent back to the outbox. */
      readonly flagged: readonly string[];
      readonly retried?: readonly string[];
    }
  | {
      readonly outcome: 'spam';
      readonly messageId: string;
      readonly code: string;
      readonly reason: string;
      readonly keptAt: string | null;
    }
  | {
      readonly outcome: 'rejected';
      readonly messageId: string | null;
      readonly reason: string;
      readonly keptAt: string | null;
    };

export type IntakeOutcome = IntakeResult['outcome'];

/** How one email is taken. */
export interface IngestOptions {
  /** An agent released it from the spam held for review: it is not checked for spam again. */
  readonly released?: boolean;
}

/** Told once per email taken (whatever the entry point), with the time it took: what /metrics counts. */
export type IntakeListener = (result: IntakeResult, seconds: number) => void;

export interface IntakeSource {
  /** Where the email came from, for the record: 'file', 'stdin', 'imap:support', 'web'. */
  readonly kind: string;
  /** A name within the source (a file path, a UID), for log lines. */
  readonly name?: string;
  readonly mailbox?: string | null;
  /** What the web form gave besides the email (kind 'web' only). */
  readonly webForm?: WebFormDetails;
}

/**
 * The old site's web form, as its backend took it: the customer's own priority and category (triage
 * proposes, never overrides them), the category word the page sent ('order', 'product'…), the order
 * number as typed, the vehicle as sent, the customer id the page claims (taken only when it is the
 * sender's own), and the page the form was sent from.
 */
export interface WebFormDetails {
  readonly priority: Priority | null;
  readonly category: Category | null;
  readonly categoryAsSent: string | null;
  readonly orderNumber: string | null;
  readonly vehicleInfo: Readonly<Record<string, string | number>> | null;
  readonly claimedCustomerId: number | null;
  readonly sourcePage: string | null;
  readonly language: 'fr' | 'en';
}

export function describeResult(result: IntakeResult): string {
  switch (result.outcome) {
    case 'created':
      return `new ticket #${result.ticketId}${result.customerCreated ? ' (new customer)' : ''}; acknowledgement ${result.acknowledgement}; triage ${result.triage}`;
    case 'reply':
      return `reply on ticket #${result.ticketId} (matched by ${result.signal})${result.reopened ? ', ticket reopened' : ''}`;
    case 'duplicate':
      return `duplicate of an email already taken${result.ticketId ? ` (ticket #${result.ticketId})` : ''}: nothing changed`;
    case 'automated':
      return `automated mail (${result.code}: ${result.reason})${result.ticketId ? `, stored on ticket #${result.ticketId}` : ', recorded and skipped'}${result.flagged.length ? `; no more mail to ${result.flagged.join(', ')}` : ''}${result.retried?.length ? `; the email to ${result.retried.join(', ')} will be sent again` : ''}`;
    case 'rejected':
      return `rejected: ${result.reason}${result.keptAt ? ` (raw message kept at ${result.keptAt})` : ''}`;
    case 'spam':
      return `held as spam, no ticket and no acknowledgement: ${result.reason} (review with "/ticket spam" or "npx ticketrelay spam list")`;
  }
}
