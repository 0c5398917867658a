/**
 * What the SLA checker needs from storage: which tickets to look at, a ticket's history as the clocks
 * read it, where to keep the computed clocks, and the once-only claim of an alert. `claimAlert` must be
 * atomic across processes (a unique key): granted to exactly one caller per ticket, metric, cycle and
 * kind at a time. A claim holds until `alertDone`, or until its lease (`until`) runs out or its owner is
 * found dead (`releaseAbandonedAlerts`): then the next caller takes it over, so an alert claimed by a
 * process that crashed before posting is posted after all.
 */
import type { ChatPlatform } from '../domain/platform.ts';
import type { Category, Priority, TicketStatus } from '../domain/ticket.ts';
import type { AlertKind, ClockStatus, SlaEvent, SlaMetric, SlaPeriodFigures, SlaPolicy } from '../domain/sla.ts';

export interface SlaTicket {
  readonly ticketId: number;
  readonly subject: string;
  readonly customer: string;
  readonly priority: Priority;
  readonly category: Category;
  readonly status: TicketStatus;
  readonly createdAt: Date;
  /** support_ticket.updated_at: the clocks are computed again when it moves. */
  readonly updatedAt: Date;
  readonly assignee: string | null;
  /** The assignee's chat user ids from the agent directory (Slack U…, Discord snowflake), for a direct message. */
  readonly assigneeChatIds: readonly { readonly platform: ChatPlatform; readonly userId: string }[];
  /** Customer messages, agent replies the mail server accepted, closes, reopens, merges; oldest first. */
  readonly events: readonly SlaEvent[];
}

/** The policy chosen for a ticket, as stored with its reason. */
export interface StoredSla {
  readonly policy: SlaPolicy;
  readonly reason: string;
  readonly priority: Priority;
  readonly category: Category;
  /** As last computed (absent when only the policy is known). */
  readonly clocks?: readonly ClockStatus[];
  readonly ticketUpdatedAt?: Date;
}

export interface SlaRecord extends StoredSla {
  readonly ticketUpdatedAt: Date;
  readonly computedAt: Date;
  readonly nextCheckAt: Date | null;
  readonly nextDueAt: Date | null;
  readonly firstResponseMetAt: Date | null;
  readonly firstResponseLate: boolean;
  readonly atRisk: boolean;
  readonly breached: boolean;
  readonly clocks: readonly ClockStatus[];
  /** When the resolution clock stopped (null while it runs, is paused or was cancelled), and whether late. */
  readonly resolvedAt: Date | null;
  readonly resolutionLate: boolean;
}

export interface SlaAlertClaim {
  readonly ticketId: number;
  readonly metric: SlaMetric;
  readonly cycle: number;
  readonly kind: AlertKind;
  readonly dueAt: Date;
  readonly at: Date;
  /** False: recorded only (too late to be worth posting). */
  readonly posted: boolean;
  /** A claim to post holds until then unless done (a crash between claim and post is recovered after it). */
  readonly until: Date;
  /** The key its chat posts are claimed under (TicketNotice.onceKey), freed when the claim is taken over. */
  readonly noticeKey: string;
}

/** Which alert: ticket, metric, cycle, kind. */
export type SlaAlertKey = Pick<SlaAlertClaim, 'ticketId' | 'metric' | 'cycle' | 'kind'>;

/**
 * claimed: this caller posts it, then calls alertDone (`takenOver`: from an owner that crashed or ran out
 * of its lease; the chat posts it had claimed but not made are freed) · done: posted or recorded before ·
 * held: another owner is posting it, and may be taken over after `until`.
 */
export type AlertClaim =
  | {
      readonly state: 'claimed';
      readonly takenOver: boolean;
      /** Posts of it the platforms refused before (0: a first try, or a crash's takeover). */
      readonly failures: number;
    }
  | { readonly state: 'done' }
  | { readonly state: 'held'; readonly until: Date };

/** The digest's SLA line: first responses met in a period, how many on time, breaches in it, tickets at risk now. */
export interface SlaSummary {
  readonly firstResponses: number;
  readonly onTime: number;
  readonly breaches: number;
  readonly atRisk: number;
}

export interface SlaStore {
  /**
   * Tickets whose clocks must be computed (new, changed since, or a deadline or at-risk point reached; closed
   * recently without a check having seen them open), newest first.
   */
  ticketsToCheck(now: Date, limit: number): Promise<number[]>;
  /** The ticket with its history, and the policy stored for it; null when there is no such ticket. */
  load(ticketId: number): Promise<{ readonly ticket: SlaTicket; readonly stored: StoredSla | null } | null>;
  save(ticketId: number, record: SlaRecord): Promise<void>;
  /**
   * Every open ticket's clocks due for a look now (after a change of calendar, or `sla recompute`);
   * `rechoose`: their policies are chosen again from the current ones. Returns how many.
   */
  markOpenForCheck(now: Date, rechoose: boolean): Promise<number>;
  /** Records the alert, or takes over a claim whose lease ran out; see AlertClaim. */
  claimAlert(claim: SlaAlertClaim): Promise<AlertClaim>;
  /** The claimed alert was posted: never taken over again. */
  alertDone(alert: SlaAlertKey): Promise<void>;
  /**
   * A platform refused the claimed alert (`cause` in our words): counted and kept with it, the claim still
   * held. Resolves with the refusals so far, this one included.
   */
  alertRefused(alert: SlaAlertKey, cause: string): Promise<number>;
  /**
   * The claim is let go until `retryAt` (no owner: a restart does not cut the wait short); the first check
   * after it, by any checker, takes it over. `retryAt` null: given up at `at`, never claimed again.
   */
  retryAlert(alert: SlaAlertKey, retryAt: Date | null, at: Date): Promise<void>;
  /**
   * The ticket's alerts waiting for a retry that are no longer due (not in `stillDue`: a reply went out, the
   * breach came after the at-risk point) are dropped. `save` brings the ticket's next look forward to its
   * earliest claim or retry still ahead.
   */
  settleWaitingAlerts(ticketId: number, stillDue: readonly SlaAlertKey[]): Promise<void>;
  /**
   * Claims held by processes of this host that no longer run (a worker killed between claim and post,
   * being started again): released, so the next check takes them over now rather than after the lease.
   */
  releaseAbandonedAlerts(): Promise<number>;
  recordEvent(ticketId: number, type: string, details: Record<string, unknown>, at: Date): Promise<void>;
  /** Open tickets with a running clock, nearest deadline first. */
  dueTickets(
    offset: number,
    limit: number,
  ): Promise<readonly { readonly ticketId: number; readonly nextDueAt: Date }[]>;
  summary(from: Date, to: Date): Promise<SlaSummary>;
  /** `/ticket stats`' figures for the period [from, to) (see SlaPeriodFigures). */
  periodFigures(from: Date, to: Date): Promise<SlaPeriodFigures>;
}
