/**
 * The assignment use case: decides who takes a ticket after triage (src/domain/assignment.ts, under the
 * store's locks), posts the decision and its reason in the ticket's chat thread, keeps a queue of the
 * tickets nobody can take and drains it, longest waiting first, when someone becomes available (back from
 * away, a shift starting, a ticket closed); and what `/ticket away|back|stats agents|view` say about it.
 */
import {
  awayWords,
  decideAssignment,
  isAway,
  type AssignmentDecision,
  type AssignmentSettings,
} from '../domain/assignment.ts';
import { formatLocal, type BusinessCalendar } from '../domain/business-calendar.ts';
import { dayInZone, startOfDay } from '../domain/digest.ts';
import { AppError } from '../domain/errors.ts';
import type { Agent } from '../ports/agent-directory.ts';
import type { AssignmentStore, DecideOutcome } from '../ports/assignment-store.ts';
import type { ChatNotifier } from '../ports/chat-notifier.ts';
import type { Logger } from '../ports/logger.ts';

export interface AssignmentServiceDeps {
  readonly store: AssignmentStore;
  readonly settings: AssignmentSettings;
  /** The shop's business calendar: shifts of agents without hours of their own, and the time zone. */
  readonly calendar: BusinessCalendar;
  /** Read at each notice (chat adapters may add theirs after the service is built). */
  readonly notifiers: readonly ChatNotifier[];
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** What the commands need of assignment (src/services/run-command.ts). */
export interface AssignmentCommands {
  away(agent: Agent, until: Date | null): Promise<string>;
  back(agent: Agent): Promise<string>;
  /** `/ticket view`'s lines. */
  describe(ticketId: number): Promise<string[]>;
  /** `/ticket stats agents`. */
  stats(): Promise<string>;
  /** A ticket was closed or an agent came back: the queue gets its chance. */
  drain(): Promise<number>;
}

/** Tickets looked at per drain pass. */
const DRAIN_BATCH = 200;

const capital = (s: string): string => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

export class AssignmentService implements AssignmentCommands {
  readonly #store: AssignmentStore;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #notifiers: readonly ChatNotifier[];
  readonly settings: AssignmentSettings;
  readonly calendar: BusinessCalendar;
  #draining: Promise<number> | null = null;

  constructor(deps: AssignmentServiceDeps) {
    this.#store = deps.store;
    this.settings = deps.settings;
    this.calendar = deps.calendar;
    this.#notifiers = deps.notifiers;
    this.#log = deps.logger.child({ component: 'assignment' });
    this.#now = deps.now ?? (() => new Date());
  }

  /** Every agent has a row in the rotation; an agent named in the file who is not an active agent stops the start. */
  async prepare(): Promise<void> {
    const active = new Set((await this.#store.prepare()).map((n) => n.toLowerCase()));
    const unknown = [...this.settings.agents.values()].filter((a) => !active.has(a.name.toLowerCase()));
    if (unknown.length)
      throw new AppError(
        'assignment.unknown_agent',
        `The assignment file (ASSIGNMENT_FILE) names ${unknown.map((a) => `"${a.name}"`).join(', ')}, who ${unknown.length === 1 ? 'is not an active agent' : 'are not active agents'}: add ${unknown.length === 1 ? 'them' : 'each'} with "npx ticketrelay agents add NAME …" or remove ${unknown.length === 1 ? 'the name' : 'the names'} from the file.`,
      );
  }

  /** The decision for one ticket (after triage): assigned, queued, or left to people. Idempotent. */
  async assign(ticketId: number): Promise<DecideOutcome> {
    // No file, or every ticket left to people: no decision to make, no lock to take.
    if (
      this.settings.rules.every((r) => r.strategies[0] === 'manual') &&
      this.settings.fallback.strategies[0] === 'manual'
    )
      return { done: 'skipped', why: 'off' };
    const now = this.#now();
    const outcome = await this.#store.decide(
      ticketId,
      now,
      { stickyDays: this.settings.stickyDays },
      (ticket, agents) => decideAssignment({ settings: this.settings, shop: this.calendar, ticket, agents, now }),
    );
    if (outcome.done === 'decided') await this.#announce(outcome);
    return outcome;
  }

  /** Queued tickets, longest waiting first, each decided again; returns how many found an agent. One pass at a time per process. */
  drain(): Promise<number> {
    this.#draining ??= this.#drainOnce().finally(() => (this.#draining = null));
    return this.#draining;
  }

  async #drainOnce(): Promise<number> {
    const queued = await this.#store.queued(DRAIN_BATCH);
    let assigned = 0;
    for (const ticketId of queued) {
      const outcome = await this.assign(ticketId);
      if (outcome.done === 'decided' && outcome.decision.kind === 'assign') assigned += 1;
    }
    if (assigned) this.#log.info({ assigned, looked: queued.length }, `${assigned} queued ticket(s) assigned`);
    return assigned;
  }

  async #announce(outcome: Extract<DecideOutcome, { done: 'decided' }>): Promise<void> {
    const { ticket, decision } = outcome;
    this.#log.info(
      { ticketId: ticket.ticketId, decision: decision.kind, rule: decision.rule },
      `ticket #${ticket.ticketId}: ${decision.reason}`,
    );
    // Posted once: the assignment, and the first time it queued (a drain that queues it again is not news).
    if (decision.kind === 'manual' || (decision.kind === 'queue' && outcome.wasQueued)) return;
    const notice = {
      kind: 'assignment' as const,
      ticketId: ticket.ticketId,
      subject: ticket.subject,
      customer: ticket.customer,
      priority: ticket.priority,
      category: ticket.category,
      lines: [capital(decision.reason)],
      onceKey: decision.kind === 'assign' ? 'asg:a' : 'asg:q',
    };
    for (const notifier of this.#notifiers)
      await notifier
        .notify(notice)
        .catch((error: unknown) =>
          this.#log.warn(
            { ticketId: ticket.ticketId, err: String(error) },
            'assignment notice not posted by one notifier',
          ),
        );
  }

  async away(agent: Agent, until: Date | null): Promise<string> {
    const now = this.#now();
    await this.#store.setAway(agent.id, now, until);
    const when = awayWords({ awayUntil: until }, this.calendar.timeZone);
    return `${agent.name} is ${when}: no ticket is assigned to you automatically meanwhile (your open tickets stay yours).`;
  }

  async back(agent: Agent): Promise<string> {
    await this.#store.setAway(agent.id, null, null);
    const assigned = await this.drain();
    return `Welcome back, ${agent.name}: tickets are assigned to you again${assigned ? ` (${assigned} queued ticket${assigned === 1 ? '' : 's'} assigned just now)` : ''}.`;
  }

  async describe(ticketId: number): Promise<string[]> {
    const stored = await this.#store.describe(ticketId);
    if (!stored) return [];
    const tz = this.calendar.timeZone;
    const at = formatLocal(stored.decidedAt, tz).replace(/ \(.*\)$/, '');
    switch (stored.state) {
      case 'auto':
        return [`Assignment: ${stored.reason} (automatic, ${at})`];
      case 'queued':
        return [
          `Assignment: ${stored.reason} (in the queue since ${formatLocal(stored.queuedSince ?? stored.decidedAt, tz).replace(/ \(.*\)$/, '')}; looked at again ${at})`,
        ];
      case 'manual':
        return [
          `Assignment: ${stored.reason}${stored.agentName ? ` (${stored.agentName})` : ''}, ${at}: never changed automatically`,
        ];
      case 'left':
        return [`Assignment: ${stored.reason}`];
    }
  }

  async stats(): Promise<string> {
    const now = this.#now();
    const tz = this.calendar.timeZone;
    const since = startOfDay(dayInZone(now, tz), tz);
    const [figures, queue] = await Promise.all([this.#store.figures(since), this.#store.queueSize()]);
    const lines = [`Agents — today (${tz}):`];
    for (const f of figures) {
      const setup = this.settings.agents.get(f.name.toLowerCase());
      const hours = setup?.hours ?? this.calendar;
      const load = setup
        ? `${f.open}/${setup.capacity} open (${Math.round((f.open / setup.capacity) * 100)} % of capacity)`
        : `${f.open} open (not assigned automatically)`;
      const state = isAway(f, now) ? awayWords(f, tz) : setup && !hours.isOpen(now) ? 'off shift' : 'available';
      lines.push(`${f.name}: ${load} · ${f.assignedToday} assigned today · ${f.closedToday} closed today · ${state}`);
    }
    if (figures.length === 0) lines.push('No active agent; add them with "npx ticketrelay agents add".');
    lines.push(
      queue.count
        ? `Queue: ${queue.count} ticket${queue.count === 1 ? '' : 's'} waiting for an agent, the longest since ${formatLocal(queue.oldest!, tz).replace(/ \(.*\)$/, '')}.`
        : 'Queue: empty.',
    );
    return lines.join('\n');
  }
}

export type { AssignmentDecision };
