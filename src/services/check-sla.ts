/**
 * The SLA use case: computes a ticket's clocks from its history (policy chosen and stored with its
 * reason), posts at-risk and breach alerts once per ticket, metric, cycle and kind, and says what is
 * due for /ticket view, /ticket list due and the digest.
 *
 * An alert is re-checked on a fresh read just before it is claimed (a reply that went out meanwhile
 * means nothing is posted), claimed in the store (a unique key: two workers, a restart, still once),
 * then posted to every notifier (chat notifiers also key it, so a channel never sees it twice) and in a
 * direct message to the assignee, then marked done. A claim whose process died before it was done is
 * taken over after its lease (or at once when that process's host starts a worker again). A
 * business-hours alert waits for opening hours; one a business day late is recorded, not posted.
 * A post a platform refused (Slack's ok:false, a 5xx or 429 past the SDK's own retries) leaves the alert
 * to a later check, after a delay that doubles; only the channels and DMs that did not get it are posted
 * to then. After the last attempt it is given up, logged once with the cause and said in the audit trail.
 */
import { BusinessCalendar, explainDeadline, formatBusinessMinutes } from '../domain/business-calendar.ts';
import {
  DEFAULT_ALERT_RETRY,
  METRIC_CODES,
  METRIC_NAMES,
  alertRetryAt,
  choosePolicy,
  computeClocks,
  describeClocks,
  dueAlerts,
  nearestDue,
  nextCheckAt,
  shortWhen,
  type AlertRetryPolicy,
  type ClockStatus,
  type PolicyChoice,
  type SlaPeriodFigures,
  type SlaAlert,
  type SlaPolicy,
  type SlaSettings,
} from '../domain/sla.ts';
import type { ChatNotifier, DirectNotifier, NoticeDelivery, TicketNotice } from '../ports/chat-notifier.ts';
import type { Logger } from '../ports/logger.ts';
import type { SlaStore, SlaSummary, SlaTicket, StoredSla } from '../ports/sla-store.ts';

export interface SlaServiceDeps {
  readonly store: SlaStore;
  readonly calendar: BusinessCalendar;
  readonly settings: SlaSettings;
  /** Read at each alert (chat adapters may add theirs after the service is built). */
  readonly notifiers: readonly ChatNotifier[];
  /** Who sends the assignee a direct message, one per chat platform (read at each alert, as `notifiers`). */
  readonly direct?: readonly DirectNotifier[];
  /** How long a claim to post an alert holds before another checker may take it over (a crash meanwhile). */
  readonly alertLeaseMs?: number;
  /** How often, and how far apart, a post the platform refused is tried again. */
  readonly alertRetry?: AlertRetryPolicy;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Tickets looked at per pass. */
  readonly batch?: number;
}

export interface SlaEvaluation {
  readonly ticket: SlaTicket;
  readonly stored: StoredSla | null;
  readonly choice: PolicyChoice | null;
  readonly clocks: readonly ClockStatus[];
}

/** Stored when no policy matches: no clock runs. */
const NO_POLICY: SlaPolicy = {
  name: '',
  priorities: [],
  categories: null,
  hours: 'business',
  targets: { first_response: null, next_response: null, resolution: null },
  resetOnReopen: false,
};

/**
 * Longer than a post can take (Slack's client retries for up to about two minutes), short enough that an
 * alert a crashed worker had claimed still goes out while it matters.
 */
export const DEFAULT_ALERT_LEASE_MS = 5 * 60_000;

export interface SlaPass {
  readonly checked: number;
  readonly posted: number;
  /** Alerts waiting for business hours. */
  readonly deferred: number;
}

export class SlaService {
  readonly #store: SlaStore;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #batch: number;
  readonly #notifiers: readonly ChatNotifier[];
  readonly #direct: readonly DirectNotifier[];
  readonly #leaseMs: number;
  readonly #retry: AlertRetryPolicy;
  readonly calendar: BusinessCalendar;
  readonly settings: SlaSettings;

  constructor(deps: SlaServiceDeps) {
    this.#store = deps.store;
    this.calendar = deps.calendar;
    this.settings = deps.settings;
    this.#notifiers = deps.notifiers;
    this.#direct = deps.direct ?? [];
    this.#leaseMs = deps.alertLeaseMs ?? DEFAULT_ALERT_LEASE_MS;
    this.#retry = deps.alertRetry ?? DEFAULT_ALERT_RETRY;
    this.#log = deps.logger.child({ component: 'sla' });
    this.#now = deps.now ?? (() => new Date());
    this.#batch = deps.batch ?? 500;
  }

  /**
   * The ticket's clocks now. The policy stored for it is kept while its priority and category are
   * the same (a later edit of the policies applies to new tickets); otherwise the first match is chosen.
   */
  async evaluate(ticketId: number, now: Date = this.#now()): Promise<SlaEvaluation | null> {
    const loaded = await this.#store.load(ticketId);
    if (!loaded) return null;
    const { ticket, stored } = loaded;
    let choice: PolicyChoice | null;
    // A stored policy named '' records that none matched (so the ticket is not looked at every pass).
    if (stored && stored.priority === ticket.priority && stored.category === ticket.category)
      choice = stored.policy.name ? { policy: stored.policy, reason: stored.reason } : null;
    else {
      choice = choosePolicy(this.settings, ticket.priority, ticket.category);
      if (choice && stored)
        choice = {
          ...choice,
          reason: `${choice.reason} (was "${stored.policy.name}" for ${stored.priority}/${stored.category})`,
        };
    }
    const clocks = choice
      ? computeClocks({
          createdAt: ticket.createdAt,
          events: ticket.events,
          policy: choice.policy,
          calendar: this.calendar,
          settings: this.settings,
          now,
        })
      : [];
    return { ticket, stored, choice, clocks };
  }

  /**
   * Every open ticket looked at again on the next pass (the worker does it at start, so a changed
   * calendar moves running deadlines; `sla recompute` also re-chooses policies). How many.
   */
  markOpenForCheck(rechoose = false): Promise<number> {
    return this.#store.markOpenForCheck(this.#now(), rechoose);
  }

  /**
   * At a worker's start: the alert claims of this host's processes that died between claim and post are
   * released, so this pass posts them. How many.
   */
  releaseAbandonedAlerts(): Promise<number> {
    return this.#store.releaseAbandonedAlerts();
  }

  /** One pass: every ticket that needs a look, its clocks stored, the alerts due posted. */
  async checkOnce(): Promise<SlaPass> {
    const now = this.#now();
    const ids = await this.#store.ticketsToCheck(now, this.#batch);
    let posted = 0;
    let deferred = 0;
    for (const ticketId of ids) {
      const done = await this.#checkTicket(ticketId, now);
      posted += done.posted;
      deferred += done.deferred;
    }
    return { checked: ids.length, posted, deferred };
  }

  async #checkTicket(ticketId: number, now: Date): Promise<{ posted: number; deferred: number }> {
    const evaluation = await this.evaluate(ticketId, now);
    if (!evaluation) return { posted: 0, deferred: 0 };
    const { ticket, choice, clocks, stored } = evaluation;
    let posted = 0;
    let deferred = 0;
    let heldUntil = null as Date | null;
    const alerts = choice ? dueAlerts(clocks, choice.policy, this.calendar, now) : [];
    // A refused alert waiting for its retry is moot once no longer due (a reply went out, the breach came).
    await this.#store.settleWaitingAlerts(
      ticketId,
      alerts.map((a) => alertKey(ticketId, a)),
    );
    if (choice) {
      for (const alert of alerts) {
        if (alert.stale) {
          // Recorded (the digest counts it), never announced: nobody can act on it now.
          // (No audit event: the first pass over years of old open tickets would flood the trail.)
          await this.#store.claimAlert({
            ...alertKey(ticketId, alert),
            dueAt: alert.dueAt,
            at: now,
            posted: false,
            until: now,
            noticeKey: noticeKey(alert),
          });
          continue;
        }
        if (!alert.postable) {
          deferred++;
          continue;
        }
        const outcome = await this.#alert(ticketId, alert);
        if (outcome === true) posted++;
        // Another checker is posting it: looked at again when its claim runs out, in case it crashed.
        else if (outcome instanceof Date) heldUntil = heldUntil && heldUntil < outcome ? heldUntil : outcome;
      }
    }
    // Nothing happened to the ticket, yet a deadline moved: the calendar (or, after `sla recompute`, the
    // policy) changed. Said in the audit trail, as the review asks.
    const before = stored?.ticketUpdatedAt?.getTime() === ticket.updatedAt.getTime() ? stored.clocks : undefined;
    for (const c of clocks) {
      const old = before?.find((o) => o.metric === c.metric && o.cycle === c.cycle && o.state === 'running' && o.dueAt);
      if (c.state === 'running' && c.dueAt && old?.dueAt && old.dueAt.getTime() !== c.dueAt.getTime()) {
        const why = stored && stored.priority === ticket.priority ? 'calendar changed' : 'policy changed';
        await this.#store.recordEvent(
          ticketId,
          'sla_deadline_moved',
          { metric: c.metric, cycle: c.cycle, from: old.dueAt.toISOString(), to: c.dueAt.toISOString(), why },
          now,
        );
        this.#log.info(
          { ticketId, metric: c.metric },
          `ticket #${ticketId}: ${METRIC_NAMES[c.metric]} deadline moved from ${old.dueAt.toISOString()} to ${c.dueAt.toISOString()} (${why})`,
        );
      }
    }
    // Stored last: a crash before this line leaves the ticket due for a look, so no alert is skipped.
    const due = nearestDue(clocks);
    let next = nextCheckAt(clocks, now);
    if (deferred > 0) {
      const opening = this.calendar.nextOpening(now);
      next = next && next < opening ? next : opening;
    }
    if (heldUntil) next = next && next < heldUntil ? next : heldUntil;
    const first = clocks.find((c) => c.metric === 'first_response');
    const resolution = clocks.filter((c) => c.metric === 'resolution').at(-1);
    {
      await this.#store.save(ticketId, {
        policy: choice?.policy ?? NO_POLICY,
        reason: choice?.reason ?? `no policy matches priority ${ticket.priority} and category ${ticket.category}`,
        priority: ticket.priority,
        category: ticket.category,
        ticketUpdatedAt: ticket.updatedAt,
        computedAt: now,
        nextCheckAt: next,
        nextDueAt: due,
        firstResponseMetAt: first?.state === 'met' ? first.endedAt : null,
        firstResponseLate: first?.state === 'met' && first.breachedAt !== null,
        atRisk: clocks.some((c) => c.state === 'running' && c.atRiskAt !== null && now >= c.atRiskAt && !c.breachedAt),
        breached: clocks.some((c) => c.state === 'running' && c.breachedAt !== null),
        clocks,
        resolvedAt: resolution?.state === 'met' ? resolution.endedAt : null,
        resolutionLate: resolution?.state === 'met' && resolution.breachedAt !== null,
      });
    }
    return { posted, deferred };
  }

  /**
   * Re-read, claim, post, mark done. True when this process posted it; the end of the other owner's
   * claim when someone else holds it, or when a refused post is tried again; false when there is nothing
   * to post (or it was given up).
   */
  async #alert(ticketId: number, alert: SlaAlert): Promise<boolean | Date> {
    // Just before posting, the state is read again: a reply sent meanwhile, a close, means nothing to say.
    const at = this.#now();
    const fresh = await this.evaluate(ticketId, at);
    const still = fresh?.choice
      ? dueAlerts(fresh.clocks, fresh.choice.policy, this.calendar, at).find(
          (a) => a.metric === alert.metric && a.cycle === alert.cycle && a.kind === alert.kind && a.postable,
        )
      : undefined;
    if (!fresh || !still) {
      this.#log.info(
        { ticketId, metric: alert.metric, kind: alert.kind },
        'SLA alert no longer due when re-checked; nothing posted',
      );
      return false;
    }
    const key = alertKey(ticketId, alert);
    const claim = await this.#store.claimAlert({
      ...key,
      dueAt: alert.dueAt,
      at,
      posted: true,
      until: new Date(at.getTime() + this.#leaseMs),
      noticeKey: noticeKey(alert),
    });
    if (claim.state === 'held') return claim.until;
    if (claim.state === 'done') return false;
    if (claim.failures > 0)
      this.#log.info(
        { ticketId, metric: alert.metric, kind: alert.kind, attempt: claim.failures + 1 },
        'SLA alert refused before; posting it again where it did not go out',
      );
    else if (claim.takenOver)
      this.#log.warn(
        { ticketId, metric: alert.metric, kind: alert.kind },
        'SLA alert claimed by a process that did not post it (crashed or out of time); posting it now',
      );
    const t = fresh.ticket;
    const name = METRIC_NAMES[alert.metric];
    const head =
      alert.kind === 'breach'
        ? `${name} overdue: the deadline was ${shortWhen(alert.dueAt, at, this.calendar.timeZone)}`
        : `${name} at risk: due ${shortWhen(alert.dueAt, at, this.calendar.timeZone)} (in ${formatBusinessMinutes(this.#left(fresh, alert.dueAt, at))})`;
    const reason = fresh.choice!.reason;
    const notice = {
      kind: 'sla' as const,
      ticketId,
      subject: t.subject,
      customer: t.customer,
      priority: t.priority,
      category: t.category,
      lines: [
        head,
        t.assignee ? `Assigned to ${t.assignee}` : 'Nobody is assigned: "/ticket assign ' + ticketId + ' me"',
        `Why this target: ${reason}`,
      ],
      onceKey: noticeKey(alert),
    };
    const refusals: string[] = [];
    for (const notifier of this.#notifiers) {
      const delivery = await deliverTo(notifier, notice);
      if (delivery.state === 'refused') refusals.push(delivery.cause);
    }
    // The assignee hears it directly too, on each platform they have an id on and we post to.
    const dms: string[] = [];
    for (const { platform, userId } of t.assigneeChatIds) {
      const direct = this.#direct.find((d) => d.platform === platform);
      if (!direct) continue;
      const delivery = await deliverToUser(direct, userId, notice);
      if (delivery.state === 'refused') refusals.push(`direct message on ${platform}: ${delivery.cause}`);
      else dms.push(platform);
    }
    if (refusals.length > 0) return this.#refused(ticketId, alert, refusals.join(' · '), at);
    // Recorded once posted: a crash before this line leaves the claim to be taken over (the channels'
    // own keys stop a second post where the first went out).
    await this.#store.recordEvent(
      ticketId,
      alert.kind === 'breach' ? 'sla_breached' : 'sla_at_risk',
      {
        metric: alert.metric,
        cycle: alert.cycle,
        dueAt: alert.dueAt.toISOString(),
        policy: fresh.choice!.policy.name,
        reason,
        ...(dms.length ? { assigneeTold: `${t.assignee} (${dms.join(', ')})` } : {}),
      },
      at,
    );
    await this.#store.alertDone(key);
    this.#log.info(
      { ticketId, metric: alert.metric, cycle: alert.cycle, kind: alert.kind },
      `SLA ${alert.kind === 'breach' ? 'breach' : 'at-risk'} alert posted for ticket #${ticketId}`,
    );
    return true;
  }

  /**
   * Some channel or DM refused the alert: counted, and tried again after a delay that doubles (the ticket
   * is looked at then); after the last attempt, given up, logged once with the cause and audited.
   */
  async #refused(ticketId: number, alert: SlaAlert, cause: string, at: Date): Promise<Date | false> {
    const key = alertKey(ticketId, alert);
    const failures = await this.#store.alertRefused(key, cause);
    const retryAt = alertRetryAt(failures, at, this.#retry);
    await this.#store.retryAlert(key, retryAt, at);
    const fields = { ticketId, metric: alert.metric, cycle: alert.cycle, kind: alert.kind, attempts: failures, cause };
    if (retryAt) {
      this.#log.warn(
        { ...fields, retryAt: retryAt.toISOString() },
        'SLA alert refused by a platform; tried again later',
      );
      return retryAt;
    }
    this.#log.error(fields, `SLA alert for ticket #${ticketId} given up after ${failures} refused attempts`);
    await this.#store.recordEvent(
      ticketId,
      'sla_alert_failed',
      { metric: alert.metric, cycle: alert.cycle, kind: alert.kind, attempts: failures, cause },
      at,
    );
    return false;
  }

  #left(evaluation: SlaEvaluation, due: Date, now: Date): number {
    const cal = evaluation.choice?.policy.hours === '24/7' ? null : this.calendar;
    return cal ? cal.businessMinutesBetween(now, due) : Math.max(0, (due.getTime() - now.getTime()) / 60_000);
  }

  /** What /ticket view shows: the policy and why, then one line per clock. */
  async describe(ticketId: number): Promise<string[]> {
    const now = this.#now();
    const evaluation = await this.evaluate(ticketId, now);
    if (!evaluation) return [];
    if (!evaluation.choice)
      return [
        `SLA: no policy matches priority ${evaluation.ticket.priority} and category ${evaluation.ticket.category}`,
      ];
    return [
      `SLA ${evaluation.choice.reason}`,
      ...describeClocks(evaluation.clocks, evaluation.choice.policy, this.calendar, now),
    ];
  }

  async explain(ticketId: number): Promise<string[]> {
    const now = this.#now();
    const evaluation = await this.evaluate(ticketId, now);
    if (!evaluation) return [];
    const lines = await this.describe(ticketId);
    const policy = evaluation.choice?.policy;
    if (!policy) return lines;
    const cal = policy.hours === '24/7' ? BusinessCalendar.alwaysOpen(this.calendar.timeZone) : this.calendar;
    for (const c of evaluation.clocks) {
      if (c.state !== 'running' || !c.dueAt || c.breachedAt) continue;
      const left = cal.businessMinutesBetween(now, c.dueAt);
      lines.push(
        `${METRIC_NAMES[c.metric]}: ${formatBusinessMinutes(c.usedMinutes)} used, ${formatBusinessMinutes(left)} left, counted on:`,
        ...explainDeadline(cal, cal.addBusinessMinutes(now, left)).map((l) => `  ${l}`),
      );
    }
    return lines;
  }

  /** Open tickets by nearest deadline: the ticket numbers and one line each saying what is due. */
  async due(
    page: number,
    pageSize: number,
  ): Promise<{
    readonly items: readonly { readonly ticketId: number; readonly line: string }[];
    readonly hasMore: boolean;
  }> {
    const rows = await this.#store.dueTickets((page - 1) * pageSize, pageSize + 1);
    const now = this.#now();
    const items = [];
    for (const row of rows.slice(0, pageSize)) {
      const evaluation = await this.evaluate(row.ticketId, now);
      const running = evaluation?.clocks
        .filter((c) => c.state === 'running' && c.dueAt)
        .sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime())[0];
      if (!evaluation?.choice || !running) continue;
      items.push({
        ticketId: row.ticketId,
        line: describeClocks([running], evaluation.choice.policy, this.calendar, now)[0]!,
      });
    }
    return { items, hasMore: rows.length > pageSize };
  }

  summary(from: Date, to: Date): Promise<SlaSummary> {
    return this.#store.summary(from, to);
  }

  /** `/ticket stats`' SLA figures over [from, to). */
  periodFigures(from: Date, to: Date): Promise<SlaPeriodFigures> {
    return this.#store.periodFigures(from, to);
  }
}

/** One notifier's outcome; a notifier that cannot say (the console's log) counts as posted once it returned. */
async function deliverTo(notifier: ChatNotifier, notice: TicketNotice): Promise<NoticeDelivery> {
  try {
    if (notifier.deliver) return await notifier.deliver(notice);
    await notifier.notify(notice);
    return { state: 'posted' };
  } catch (error) {
    return { state: 'refused', cause: error instanceof Error ? error.message : String(error) };
  }
}

async function deliverToUser(direct: DirectNotifier, userId: string, notice: TicketNotice): Promise<NoticeDelivery> {
  try {
    if (direct.deliverToUser) return await direct.deliverToUser(userId, notice);
    return (await direct.notifyUser(userId, notice)) ? { state: 'posted' } : { state: 'already' };
  } catch (error) {
    return { state: 'refused', cause: error instanceof Error ? error.message : String(error) };
  }
}

const alertKey = (ticketId: number, alert: SlaAlert) =>
  ({ ticketId, metric: alert.metric, cycle: alert.cycle, kind: alert.kind }) as const;

/** What the chat notifiers claim the alert under in each channel and DM: "sla:fr:0:b" (16 characters at most). */
const noticeKey = (alert: SlaAlert): string =>
  `sla:${METRIC_CODES[alert.metric]}:${alert.cycle}:${alert.kind === 'breach' ? 'b' : 'r'}`.slice(0, 16);
