/**
 * The outbox: acknowledgements and agents' replies that intake and the commands recorded as 'pending'
 * (in their own transactions, through IntakeStore and TicketStore), waiting to be sent. What the outbox
 * service (src/services/deliver-outbox.ts) needs, and nothing else: no transaction, no ticket.
 * Claims make several processes safe: a row handed out by `pendingOutbound` is not handed to another
 * caller until it is marked or its claim expires. A row marked 'pending' again waits for its retry time
 * (30 s, doubling, at most an hour) unless `ignoreBackoff`. Throws 'db.unavailable' (retryable) when
 * the database is away. Test/contract/outbox-store.contract.ts holds every implementation to this.
 */
import type { MessageKind } from '../domain/message-kind.ts';

export interface OutboundRow {
  readonly rowId: number;
  readonly messageId: string;
  readonly ticketId: number | null;
  readonly kind: MessageKind;
  readonly to: string;
  /** The other people on the thread, copied (agents' replies). */
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly attempts: number;
}

export interface OutboxState {
  readonly pending: number;
  readonly oldestPendingAt: Date | null;
  /** Why the latest try of a waiting email failed (the mail server's words), if one was tried. */
  readonly lastError: string | null;
  readonly failed: number;
  readonly lastFailure: string | null;
  /** A few of them, oldest first: which ticket, what, to whom. */
  readonly examples: readonly {
    readonly delivery: 'pending' | 'failed';
    readonly ticketId: number | null;
    readonly kind: string;
    readonly to: string;
  }[];
}

export interface OutboxStore {
  /**
   * Claims up to `limit` emails waiting to be sent (another process claiming at the same time gets
   * others). `ignoreBackoff`: also those whose retry time has not come (an operator sends now);
   * `afterId`: only rows after this one (a pass walking the outbox once); `withoutAutomatic`: not the
   * automatic ones (acknowledgements), which wait while the breaker of automatic mail is tripped.
   */
  pendingOutbound(
    limit: number,
    maxAttempts: number,
    options?: { readonly ignoreBackoff?: boolean; readonly afterId?: number; readonly withoutAutomatic?: boolean },
  ): Promise<OutboundRow[]>;
  /**
   * Claims are short (OUTBOX_CLAIM_MS) and in this process's name: a sender renews those it is still
   * sending, and a process starting again releases the live claims of processes of its host that no
   * longer run (a crash leaves nothing waiting for the claim to run out).
   */
  renewOutboundClaims(rowIds: readonly number[]): Promise<void>;
  /** Releases the claims of this host's processes that no longer run: how many. */
  releaseOutboundClaims(): Promise<number>;
  /** Emails given up since `since` are waiting again, with their attempts counted afresh: how many. */
  retryFailedOutbound(since: Date): Promise<number>;
  markOutbound(
    rowIds: readonly number[],
    result: { readonly delivery: 'sent' | 'failed' | 'pending'; readonly error: string | null },
  ): Promise<void>;
  /** What waits in the outbox (all processes), and what failed for good in the last `failedDays` days. */
  outboxState(failedDays: number): Promise<OutboxState>;
}
