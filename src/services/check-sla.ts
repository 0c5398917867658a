/**
 * The SLA use case: computes a ticket's clocks from its history (policy chosen and stored with its
 * reason), posts at-risk and breach alerts once per ticket, metric, cycle and kind, and says what is
 * due for /ticket view, /ticket list due and the digest.
 *
 * An alert is re-checked on a fresh read just before it is claimed (a reply that went out meanwhile
 * means nothing is posted), claimed in the store (a unique key: two workers, a restart, still once),
 * then posted to every notifier (chat notifiers also key it, so a channel never sees it twice). A
 * business-hours alert waits for opening hours; one a business day late is recorded, not posted.
 */
import { formatBusinessMinutes, type BusinessCalendar } from '../domain/business-calendar.ts';
import {
  METRIC_CODES,
  METRIC_NAMES,
  choosePolicy,
  computeClocks,
  describeClocks,
  dueAlerts,
  nearestDue,
  nextCheckAt,
  shortWhen,
  type ClockStatus,
  type PolicyChoice,
  type SlaAlert,
  type SlaSettings,
} from '../domain/sla.ts';
import type { ChatNotifier } from '../ports/chat-notifier.ts';
import type { Logger } from '../ports/logger.ts';
import type { SlaStore, SlaSummary, SlaTicket } from '../ports/sla-store.ts';

export interface SlaServiceDeps {
  readonly store: SlaStore;
  readonly calendar: BusinessCalendar;
  readonly settings: SlaSettings;
  /** Read at each alert (chat adapters may add theirs after the service is built). */
  readonly notifiers: readonly ChatNotifier[];
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Tickets looked at per pass. */
  readonly batch?: number;
}

export interface SlaEvaluation {
  readonly ticket: SlaTicket;
  readonly choice: PolicyChoice | null;
  readonly clocks: readonly ClockStatus[];
}

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
  readonly calendar: BusinessCalendar;
  readonly settings: SlaSettings;

  constructor(deps: SlaServiceDeps) {
    this.#store = deps.store;
    this.calendar = deps.calendar;
    this.settings = deps.settings;
    this.#notifiers = deps.notifiers;
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
    if (stored && stored.priority === ticket.priority && stored.category === ticket.category) choice = { policy: stored.policy, reason: stored.reason };
    else {
      choice = choosePolicy(this.settings, ticket.priority, ticket.category);
      if (choice && stored) choice = { ...choice, reason: `${choice.reason} (was "${stored.policy.name}" for ${stored.priority}/${stored.category})` };
    }
    const clocks = choice ? computeClocks({ createdAt: ticket.createdAt, events: ticket.events, policy: choice.policy, calendar: this.calendar, settings: this.settings, now }) : [];
    return { ticket, choice, clocks };
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
    const { ticket, choice, clocks } = evaluation;
    let posted = 0;
    let deferred = 0;
    if (choice) {
      for (const alert of dueAlerts(clocks, choice.policy, this.calendar, now)) {
        if (alert.stale) {
          // Recorded (the digest counts it), never announced: nobody can act on it now.
          if (await this.#store.claimAlert({ ticketId, metric: alert.metric, cycle: alert.cycle, kind: alert.kind, dueAt: alert.dueAt, at: now, posted: false })) {
            await this.#store.recordEvent(ticketId, alert.kind === 'breach' ? 'sla_breached' : 'sla_at_risk', { metric: alert.metric, cycle: alert.cycle, dueAt: alert.dueAt.toISOString(), posted: false, why: 'found more than a business day late' }, now);
          }
          continue;
        }
        if (!alert.postable) {
          deferred++;
          continue;
        }
        if (await this.#alert(ticketId, alert)) posted++;
      }
    }
    // Stored last: a crash before this line leaves the ticket due for a look, so no alert is skipped.
    const due = nearestDue(clocks);
    let next = nextCheckAt(clocks, now);
    if (deferred > 0) {
      const opening = this.calendar.nextOpening(now);
      next = next && next < opening ? next : opening;
    }
    const first = clocks.find((c) => c.metric === 'first_response');
    if (choice) {
      await this.#store.save(ticketId, {
        policy: choice.policy,
        reason: choice.reason,
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
      });
    }
    return { posted, deferred };
  }

  /** Re-read, claim, post. True when this process posted it. */
  async #alert(ticketId: number, alert: SlaAlert): Promise<boolean> {
    // Just before posting, the state is read again: a reply sent meanwhile, a close, means nothing to say.
    const at = this.#now();
    const fresh = await this.evaluate(ticketId, at);
    const still = fresh?.choice ? dueAlerts(fresh.clocks, fresh.choice.policy, this.calendar, at).find((a) => a.metric === alert.metric && a.cycle === alert.cycle && a.kind === alert.kind && a.postable) : undefined;
    if (!fresh || !still) {
      this.#log.info({ ticketId, metric: alert.metric, kind: alert.kind }, 'SLA alert no longer due when re-checked; nothing posted');
      return false;
    }
    if (!(await this.#store.claimAlert({ ticketId, metric: alert.metric, cycle: alert.cycle, kind: alert.kind, dueAt: alert.dueAt, at, posted: true }))) return false;
    const t = fresh.ticket;
    const name = METRIC_NAMES[alert.metric];
    const head =
      alert.kind === 'breach'
        ? `${name} overdue: the deadline was ${shortWhen(alert.dueAt, at, this.calendar.timeZone)}`
        : `${name} at risk: due ${shortWhen(alert.dueAt, at, this.calendar.timeZone)} (in ${formatBusinessMinutes(this.#left(fresh, alert.dueAt, at))})`;
    const reason = fresh.choice!.reason;
    await this.#store.recordEvent(ticketId, alert.kind === 'breach' ? 'sla_breached' : 'sla_at_risk', { metric: alert.metric, cycle: alert.cycle, dueAt: alert.dueAt.toISOString(), policy: fresh.choice!.policy.name, reason }, at);
    const notice = {
      kind: 'sla' as const,
      ticketId,
      subject: t.subject,
      customer: t.customer,
      priority: t.priority,
      category: t.category,
      lines: [head, t.assignee ? `Assigned to ${t.assignee}` : 'Nobody is assigned: "/ticket assign ' + ticketId + ' me"', `Why this target: ${reason}`],
      onceKey: `sla:${METRIC_CODES[alert.metric]}:${alert.cycle}:${alert.kind === 'breach' ? 'b' : 'r'}`.slice(0, 16),
    };
    for (const notifier of this.#notifiers) await notifier.notify(notice).catch((error: unknown) => this.#log.warn({ ticketId, err: String(error) }, 'SLA alert not posted by one notifier'));
    this.#log.info({ ticketId, metric: alert.metric, cycle: alert.cycle, kind: alert.kind }, `SLA ${alert.kind === 'breach' ? 'breach' : 'at-risk'} alert posted for ticket #${ticketId}`);
    return true;
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
    if (!evaluation.choice) return [`SLA: no policy matches priority ${evaluation.ticket.priority} and category ${evaluation.ticket.category}`];
    return [`SLA ${evaluation.choice.reason}`, ...describeClocks(evaluation.clocks, evaluation.choice.policy, this.calendar, now)];
  }

  /** Open tickets by nearest deadline: the ticket numbers and one line each saying what is due. */
  async due(page: number, pageSize: number): Promise<{ readonly items: readonly { readonly ticketId: number; readonly line: string }[]; readonly hasMore: boolean }> {
    const rows = await this.#store.dueTickets((page - 1) * pageSize, pageSize + 1);
    const now = this.#now();
    const items = [];
    for (const row of rows.slice(0, pageSize)) {
      const evaluation = await this.evaluate(row.ticketId, now);
      const running = evaluation?.clocks.filter((c) => c.state === 'running' && c.dueAt).sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime())[0];
      if (!evaluation?.choice || !running) continue;
      items.push({ ticketId: row.ticketId, line: describeClocks([running], evaluation.choice.policy, this.calendar, now)[0]! });
    }
    return { items, hasMore: rows.length > pageSize };
  }

  summary(from: Date, to: Date): Promise<SlaSummary> {
    return this.#store.summary(from, to);
  }
}
