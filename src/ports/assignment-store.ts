/**
 * What automatic assignment needs from storage. `decide` runs one decision atomically across processes:
 * the ticket and every agent's row are locked (in agent id order, so two deciders never
 * deadlock), open counts are read after the locks, and the decision the callback returns is written in
 * the same transaction (the ticket's assignee, the agent's place in the rotation, the reason, the audit
 * event). Two workers therefore never double-assign a ticket nor take an agent past capacity. Not in the
 * contract: how the decision is made (src/domain/assignment.ts) and what is posted in chat (the service).
 */
import type { AgentState, AssignmentDecision } from '../domain/assignment.ts';
import type { ChatPlatform } from '../domain/platform.ts';
import type { Category, Priority } from '../domain/ticket.ts';

/** A ticket as a decision reads it, under its row lock. */
export interface AssignableTicket {
  readonly ticketId: number;
  readonly subject: string;
  readonly customer: string;
  readonly priority: Priority;
  readonly category: Category;
  /** The agent of the customer's last other ticket created within `stickyDays`, or null. */
  readonly lastAgentId: number | null;
  /** Who has it now (a reopen: who had it; at risk: who has not answered). */
  readonly assigneeAgentId: number | null;
  /** Decisions already made on it (assigned, reopened, orphaned, reassigned): keys its chat notices. */
  readonly generation: number;
}

/**
 * What a decision is about: a ticket nobody has (after triage, or in the queue); a ticket reopened since its
 * last decision; a response at risk (an `sla_at_risk` event at `since`) on an assigned ticket, handled once.
 */
export type DecideMode =
  | { readonly kind: 'new' }
  | { readonly kind: 'reopen' }
  | { readonly kind: 'at_risk'; readonly since: Date; readonly metric: string };

/** A ticket whose agent was removed, taken back from them into the queue. */
export interface ReleasedOrphan extends Omit<AssignableTicket, 'lastAgentId' | 'assigneeAgentId' | 'generation'> {
  readonly agentName: string;
}

/** What `decide` did: nothing (not open, already assigned, or assigned by a person), or the decision written. */
export type DecideOutcome =
  | {
      readonly done: 'skipped';
      readonly why: 'not_open' | 'assigned' | 'manual' | 'not_found' | 'off' | 'done' | 'unassigned' | 'answered';
    }
  | {
      readonly done: 'decided';
      readonly ticket: AssignableTicket;
      readonly decision: AssignmentDecision;
      /** It was in the queue already (a drain that queues it again says nothing new). */
      readonly wasQueued: boolean;
      readonly mode: DecideMode;
    };

/** The stored decision on a ticket (`/ticket view`). */
export interface StoredAssignment {
  readonly state: 'auto' | 'queued' | 'manual' | 'left';
  readonly agentName: string | null;
  readonly reason: string;
  readonly decidedAt: Date;
  readonly queuedSince: Date | null;
}

/** One line of `/ticket stats agents`, before the settings (capacity, shift) are added. */
export interface AgentFigures extends AgentState {
  readonly assignedToday: number;
  readonly closedToday: number;
}

export interface AssignmentStore {
  /** The active agents' names (the file may only name them). */
  prepare(): Promise<string[]>;
  /**
   * One decision under the locks. `new` (the default): skipped when the ticket is closed, has an agent, or
   * a person chose. `reopen`: skipped unless reopened after its last decision; the agents' open counts leave
   * the ticket out. `at_risk`: skipped when unassigned, chosen by a person, handled before, or answered since.
   */
  decide(
    ticketId: number,
    at: Date,
    options: { readonly stickyDays: number; readonly mode?: DecideMode },
    choose: (ticket: AssignableTicket, agents: readonly AgentState[]) => AssignmentDecision,
  ): Promise<DecideOutcome>;
  /** Open tickets reopened (customer's reply, a command, the old site) since `since` and not decided after it. */
  reopened(since: Date, limit: number): Promise<number[]>;
  /** Open assigned tickets with a response at risk since `since` (the SLA alert), never handled, oldest first. */
  atRisk(
    since: Date,
    limit: number,
  ): Promise<readonly { readonly ticketId: number; readonly at: Date; readonly metric: string }[]>;
  /**
   * Open tickets held by an agent who was removed: each unassigned, queued and audited (`orphaned`) in a
   * transaction of its own, rechecked under its lock.
   */
  releaseOrphans(at: Date, limit: number): Promise<ReleasedOrphan[]>;
  /** Tickets orphaned in [from, to), and those still held by a removed agent: their numbers, ascending. */
  orphans(from: Date, to: Date): Promise<number[]>;
  /** How many open tickets the agent has. */
  openCount(agentId: number): Promise<number>;
  /** An active agent's chat user ids (Slack U…, Discord snowflake), for a direct message. */
  chatIds(agentId: number): Promise<readonly { readonly platform: ChatPlatform; readonly userId: string }[]>;
  /** Queued tickets still open and unassigned, longest waiting first. */
  queued(limit: number): Promise<number[]>;
  /** Sets (until null with since set: until back) or clears (since null) an agent's absence. */
  setAway(agentId: number, since: Date | null, until: Date | null): Promise<void>;
  describe(ticketId: number): Promise<StoredAssignment | null>;
  /** Every active agent with today's figures (`since`: the start of the shop's day). */
  figures(since: Date): Promise<AgentFigures[]>;
  /** How many tickets wait in the queue, and since when the longest has. */
  queueSize(): Promise<{ readonly count: number; readonly oldest: Date | null }>;
}
