/**
 * What automatic assignment needs from storage. `decide` runs one decision atomically across processes:
 * the ticket and every agent's row are locked (in agent id order, so two deciders never
 * deadlock), open counts are read after the locks, and the decision the callback returns is written in
 * the same transaction (the ticket's assignee, the agent's place in the rotation, the reason, the audit
 * event). Two workers therefore never double-assign a ticket nor take an agent past capacity. Not in the
 * contract: how the decision is made (src/domain/assignment.ts) and what is posted in chat (the service).
 */
import type { AgentState, AssignmentDecision } from '../domain/assignment.ts';
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
}

/** What `decide` did: nothing (not open, already assigned, or assigned by a person), or the decision written. */
export type DecideOutcome =
  | { readonly done: 'skipped'; readonly why: 'not_open' | 'assigned' | 'manual' | 'not_found' | 'off' }
  | {
      readonly done: 'decided';
      readonly ticket: AssignableTicket;
      readonly decision: AssignmentDecision;
      /** It was in the queue already (a drain that queues it again says nothing new). */
      readonly wasQueued: boolean;
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
  decide(
    ticketId: number,
    at: Date,
    options: { readonly stickyDays: number },
    choose: (ticket: AssignableTicket, agents: readonly AgentState[]) => AssignmentDecision,
  ): Promise<DecideOutcome>;
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
