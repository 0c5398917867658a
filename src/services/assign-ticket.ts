/**
 * The assignment use case: decides who takes a ticket after triage (src/domain/assignment.ts, under the
 * store's locks), posts the decision and its reason in the ticket's chat thread, keeps a queue of the
 * tickets nobody can take and drains it, longest waiting first, when someone becomes available (back from
 * away, a shift starting, a ticket closed); and what `/ticket away|back|stats agents|view` say about it.
 */
import {
  awayWords,
  decideAssignment,
  decideAtRisk,
  decideReopen,
  isAway,
  type AgentState,
  type AssignmentDecision,
  type AssignmentSettings,
} from '../domain/assignment.ts';
import { formatLocal, type BusinessCalendar } from '../domain/business-calendar.ts';
import { dayInZone, startOfDay } from '../domain/digest.ts';
import { AppError } from '../domain/errors.ts';
import type { Agent } from '../ports/agent-directory.ts';
import type { AssignableTicket, AssignmentStore, DecideMode, DecideOutcome } from '../ports/assignment-store.ts';
import type { ChatNotifier, DirectNotifier, TicketNotice } from '../ports/chat-notifier.ts';
import type { Logger } from '../ports/logger.ts';

export interface AssignmentServiceDeps {
  readonly store: AssignmentStore;
  readonly settings: AssignmentSettings;
  /** The shop's business calendar: shifts of agents without hours of their own, and the time zone. */
  readonly calendar: BusinessCalendar;
  /** Read at each notice (chat adapters may add theirs after the service is built). */
  readonly notifiers: readonly ChatNotifier[];
  /** Direct messages (an at-risk reassignment tells both agents), one per chat platform; read at each notice. */
  readonly direct?: readonly DirectNotifier[];
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
  /** A ticket was reopened: back to its agent if still eligible, else through the strategies; what was decided, or null. */
  reopened(ticketId: number): Promise<string | null>;
  /** The agent's open tickets against the capacity the assignment file gives them; null: no capacity set. */
  capacity(agent: Agent): Promise<{ readonly open: number; readonly capacity: number } | null>;
}

/** What one pass of the worker did (`pass`). */
export interface AssignmentPass {
  readonly orphans: number;
  readonly reopened: number;
  readonly reassigned: number;
  readonly assigned: number;
}

/** Tickets looked at per drain pass. */
const DRAIN_BATCH = 200;
/** How far back a pass looks for reopens and at-risk alerts not handled yet (a worker stopped that long). */
const LOOK_BACK_MS = 7 * 86_400_000;

const capital = (s: string): string => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

export class AssignmentService implements AssignmentCommands {
  readonly #store: AssignmentStore;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #notifiers: readonly ChatNotifier[];
  readonly #direct: readonly DirectNotifier[];
  readonly settings: AssignmentSettings;
  readonly calendar: BusinessCalendar;
  #draining: Promise<number> | null = null;

  constructor(deps: AssignmentServiceDeps) {
    this.#store = deps.store;
    this.settings = deps.settings;
    this.calendar = deps.calendar;
    this.#notifiers = deps.notifiers;
    this.#direct = deps.direct ?? [];
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

  /** Every rule leaves tickets to people (no file): nothing is decided automatically. */
  get #off(): boolean {
    return (
      this.settings.rules.every((r) => r.strategies[0] === 'manual') &&
      this.settings.fallback.strategies[0] === 'manual'
    );
  }

  /** The decision for one ticket (after triage): assigned, queued, or left to people. Idempotent. */
  assign(ticketId: number, lead: readonly string[] = []): Promise<DecideOutcome> {
    return this.#decide(ticketId, { kind: 'new' }, lead);
  }

  async #decide(ticketId: number, mode: DecideMode, lead: readonly string[] = []): Promise<DecideOutcome> {
    // No file, or every ticket left to people: no decision to make, no lock to take.
    if (this.#off) return { done: 'skipped', why: 'off' };
    const now = this.#now();
    const input = (ticket: AssignableTicket, agents: readonly AgentState[]) =>
      ({ settings: this.settings, shop: this.calendar, ticket, agents, now }) as const;
    const outcome = await this.#store.decide(
      ticketId,
      now,
      { stickyDays: this.settings.stickyDays, mode },
      (ticket, agents) =>
        mode.kind === 'reopen'
          ? decideReopen({ ...input(ticket, agents), previousAgentId: ticket.assigneeAgentId })
          : mode.kind === 'at_risk'
            ? decideAtRisk({ ...input(ticket, agents), currentAgentId: ticket.assigneeAgentId!, metric: mode.metric })
            : decideAssignment(input(ticket, agents)),
    );
    if (outcome.done === 'decided') await this.#announce(outcome, lead);
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

  async reopened(ticketId: number): Promise<string | null> {
    const outcome = await this.#decide(ticketId, { kind: 'reopen' });
    return outcome.done === 'decided' ? outcome.decision.reason : null;
  }

  /**
   * The worker's pass: tickets of removed agents back to the queue, reopened tickets not decided yet (a
   * customer's reply taken by another process, the old site), at-risk reassignments, then the queue.
   */
  async pass(): Promise<AssignmentPass> {
    const now = this.#now();
    const orphans = await this.releaseOrphans();
    let reopened = 0;
    const looked = this.#off ? [] : await this.#store.reopened(new Date(now.getTime() - LOOK_BACK_MS), DRAIN_BATCH);
    for (const ticketId of looked)
      if ((await this.#decide(ticketId, { kind: 'reopen' })).done === 'decided') reopened += 1;
    const reassigned = await this.reassignAtRisk();
    const assigned = await this.drain();
    return { orphans, reopened, reassigned, assigned };
  }

  /** Open tickets of removed agents: each unassigned, in the queue, audited, and given by the strategies at once. */
  async releaseOrphans(): Promise<number> {
    const released = await this.#store.releaseOrphans(this.#now(), DRAIN_BATCH);
    for (const orphan of released) {
      const line = `Returned to the queue: ${orphan.agentName}, who had it, was removed from the agents`;
      this.#log.warn({ ticketId: orphan.ticketId, agent: orphan.agentName }, `ticket #${orphan.ticketId}: ${line}`);
      const outcome = await this.assign(orphan.ticketId, [line]);
      // Nobody is assigned automatically: people are told it is theirs to take.
      if (outcome.done === 'skipped' && outcome.why === 'off')
        await this.#tell({
          kind: 'assignment',
          ticketId: orphan.ticketId,
          subject: orphan.subject,
          customer: orphan.customer,
          priority: orphan.priority,
          category: orphan.category,
          lines: [line, 'Left for an agent to take (no automatic assignment)'],
          onceKey: `asg:o${Date.now().toString(36)}`,
        });
    }
    return released.length;
  }

  /** `reassign_on_at_risk`: each response at risk with no reply from its agent, given once to another. How many moved. */
  async reassignAtRisk(): Promise<number> {
    if (!this.settings.reassignOnAtRisk || this.#off) return 0;
    const now = this.#now();
    let moved = 0;
    for (const risk of await this.#store.atRisk(new Date(now.getTime() - LOOK_BACK_MS), DRAIN_BATCH)) {
      const outcome = await this.#decide(risk.ticketId, { kind: 'at_risk', since: risk.at, metric: risk.metric });
      if (outcome.done === 'decided' && outcome.decision.kind === 'assign') moved += 1;
    }
    return moved;
  }

  /** The digest's line: tickets orphaned in [from, to) or still held by a removed agent. */
  orphans(from: Date, to: Date): Promise<number[]> {
    return this.#store.orphans(from, to);
  }

  async capacity(agent: Agent): Promise<{ open: number; capacity: number } | null> {
    const setup = this.settings.agents.get(agent.name.toLowerCase());
    if (!setup) return null;
    return { open: await this.#store.openCount(agent.id), capacity: setup.capacity };
  }

  async #announce(outcome: Extract<DecideOutcome, { done: 'decided' }>, lead: readonly string[]): Promise<void> {
    const { ticket, decision, mode } = outcome;
    this.#log.info(
      { ticketId: ticket.ticketId, decision: decision.kind, rule: decision.rule, mode: mode.kind },
      `ticket #${ticket.ticketId}: ${decision.reason}`,
    );
    // Posted once: the assignment, and the first time it queued (a drain that queues it again is not news);
    // every reopen and at-risk decision is news.
    if (
      mode.kind === 'new' &&
      !lead.length &&
      (decision.kind === 'manual' || (decision.kind === 'queue' && outcome.wasQueued))
    )
      return;
    // A key per decision: a ticket assigned again (reopened, orphaned, reassigned) is announced again.
    const letter =
      mode.kind === 'reopen' ? 'r' : mode.kind === 'at_risk' ? 'k' : decision.kind === 'assign' ? 'a' : 'q';
    const notice: TicketNotice = {
      kind: 'assignment' as const,
      ticketId: ticket.ticketId,
      subject: ticket.subject,
      customer: ticket.customer,
      priority: ticket.priority,
      category: ticket.category,
      lines: [...lead, capital(decision.reason)],
      onceKey: `asg:${letter}${ticket.generation || mode.kind !== 'new' ? ticket.generation : ''}`,
    };
    await this.#tell(notice);
    // An at-risk reassignment: both agents hear it directly, where they have a chat id and we post.
    if (mode.kind === 'at_risk' && decision.kind === 'assign' && ticket.assigneeAgentId !== null)
      for (const agentId of [ticket.assigneeAgentId, decision.agentId])
        for (const { platform, userId } of await this.#store.chatIds(agentId)) {
          const direct = this.#direct.find((d) => d.platform === platform);
          await direct
            ?.notifyUser(userId, notice)
            .catch((error: unknown) =>
              this.#log.warn({ ticketId: ticket.ticketId, platform, err: String(error) }, 'reassignment DM failed'),
            );
        }
  }

  async #tell(notice: TicketNotice): Promise<void> {
    for (const notifier of this.#notifiers)
      await notifier
        .notify(notice)
        .catch((error: unknown) =>
          this.#log.warn(
            { ticketId: notice.ticketId, err: String(error) },
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
