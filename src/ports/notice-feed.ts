/**
 * What the chat notice service needs from storage: the notices a channel was not told about yet, and a
 * ledger of what was posted where, whose claim makes a notice go out once across processes. How these
 * are found (an anti-join, a window below the newest id) is the adapter's business; the contract is
 * "every notice is eventually pending until it is claimed, and a claim is granted once".
 */
import type { ChatPlatform } from '../domain/platform.ts';
import type { TicketNotice } from './chat-notifier.ts';

export interface PendingNotice {
  readonly notice: TicketNotice;
  /** The claim's kind in the ledger: 'new', or 'reply:<message id>'. */
  readonly key: string;
  /** New tickets not triaged yet: announced once triaged, or after a grace period. */
  readonly triaged: boolean;
}

/** The new tickets and customers' replies one channel has not been told about. */
export interface NoticeFeed {
  /**
   * Sets where reading starts. A channel that was never posted to starts at the newest rows (no
   * history is announced); otherwise a little below, and what was posted is skipped.
   */
  start(): Promise<void>;
  /** Notices not yet posted to this channel, oldest first. */
  pending(limit?: number): Promise<PendingNotice[]>;
}

/**
 * Which chat message announced which ticket, per platform and channel. `claim` is true for exactly one
 * caller per (platform, channel, ticket, kind), whoever races; `release` frees a claim that was not
 * posted, so that a later pass retries it.
 */
export interface ChatPostLedger {
  /** True when this caller took the claim and must post. */
  claim(platform: ChatPlatform, channel: string, ticketId: number, kind: string, at: Date): Promise<boolean>;
  /** The claim was posted as this message. */
  posted(platform: ChatPlatform, channel: string, ticketId: number, kind: string, messageRef: string): Promise<void>;
  /** The platform refused: free the claim so that a later pass posts it. */
  release(platform: ChatPlatform, channel: string, ticketId: number, kind: string): Promise<void>;
  /** The message a ticket's replies are threaded under: its 'new' post, else its escalation. */
  anchor(platform: ChatPlatform, channel: string, ticketId: number): Promise<string | null>;
  /** Whether anything was ever posted to this channel. */
  hasAny(platform: ChatPlatform, channel: string): Promise<boolean>;
}
