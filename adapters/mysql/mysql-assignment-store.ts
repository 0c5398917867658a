/**
 * AssignmentStore on MySQL: support_assignment_agent (the rotation and absences; every decision locks
 * its rows in agent id order) and support_assignment (each ticket's decision and reason; 'queued' rows
 * are the queue). A decision runs in READ COMMITTED: the open counts read after the locks include every
 * decision committed before, so two workers never take an agent past capacity.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { AgentState, AssignableRole } from '../../src/domain/assignment.ts';
import type { Category, Priority } from '../../src/domain/ticket.ts';
import type {
  AgentFigures,
  AssignableTicket,
  AssignmentStore,
  DecideOutcome,
  StoredAssignment,
} from '../../src/ports/assignment-store.ts';
import { toAppError, type Database } from './database.ts';

const date = (v: unknown): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));

export class MysqlAssignmentStore implements AssignmentStore {
  readonly #db: Database;

  constructor(database: Database) {
    this.#db = database;
  }

  async #rows(sql: string, params: unknown[] = [], conn?: PoolConnection): Promise<RowDataPacket[]> {
    const [rows] = await (conn ?? this.#db.pool).query<RowDataPacket[]>(sql, params);
    return rows;
  }

  async prepare(): Promise<string[]> {
    try {
      return (await this.#rows('SELECT name FROM support_agent WHERE active = 1 ORDER BY id')).map((r) =>
        String(r['name']),
      );
    } catch (error) {
      throw toAppError(error, 'preparing automatic assignment');
    }
  }

  async decide(
    ticketId: number,
    at: Date,
    options: { readonly stickyDays: number },
    choose: (
      ticket: AssignableTicket,
      agents: readonly AgentState[],
    ) => ReturnType<Parameters<AssignmentStore['decide']>[3]>,
  ): Promise<DecideOutcome> {
    let conn: PoolConnection;
    try {
      conn = await this.#db.pool.getConnection();
    } catch (error) {
      throw toAppError(error, 'connecting to the database');
    }
    try {
      // Each read sees what others committed up to it: the counts after the locks are current.
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.query('START TRANSACTION');
      const outcome = await this.#decide(conn, ticketId, at, options.stickyDays, choose);
      await conn.query('COMMIT');
      return outcome;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw toAppError(error, `assigning ticket #${ticketId}`);
    } finally {
      conn.release();
    }
  }

  async #decide(
    conn: PoolConnection,
    ticketId: number,
    at: Date,
    stickyDays: number,
    choose: Parameters<AssignmentStore['decide']>[3],
  ): Promise<DecideOutcome> {
    const [t] = await this.#rows(
      `SELECT t.ticket_id, t.subject, t.customer_email, t.customer_id, t.priority, t.category, t.status, t.assignee_agent_id,
              a.state
         FROM support_ticket t LEFT JOIN support_assignment a ON a.ticket_id = t.ticket_id
        WHERE t.ticket_id = ? FOR UPDATE`,
      [ticketId],
      conn,
    );
    if (!t) return { done: 'skipped', why: 'not_found' };
    if (t['state'] === 'manual') return { done: 'skipped', why: 'manual' };
    if (t['assignee_agent_id'] !== null || t['status'] !== 'open') {
      // Out of the queue: someone took it (the old site, a person) or it was closed.
      if (t['state'] === 'queued')
        await this.#rows('DELETE FROM support_assignment WHERE ticket_id = ?', [ticketId], conn);
      return { done: 'skipped', why: t['status'] !== 'open' ? 'not_open' : 'assigned' };
    }
    // Every agent's row (and its rotation row), locked in id order: decisions on any ticket run one after the other.
    const locked = await this.#rows(
      `SELECT g.id AS agent_id, s.sequence, s.away_since, s.away_until, g.name, g.role, g.active
         FROM support_agent g LEFT JOIN support_assignment_agent s ON s.agent_id = g.id
        ORDER BY g.id FOR UPDATE`,
      [],
      conn,
    );
    const ids = locked.map((r) => Number(r['agent_id']));
    const open = new Map<number, number>();
    if (ids.length)
      for (const r of await this.#rows(
        `SELECT assignee_agent_id AS id, COUNT(*) AS n FROM support_ticket
          WHERE assignee_agent_id IN (?) AND status = 'open' GROUP BY assignee_agent_id`,
        [ids],
        conn,
      ))
        open.set(Number(r['id']), Number(r['n']));
    const agents: AgentState[] = locked.map((r) => ({
      id: Number(r['agent_id']),
      name: String(r['name']),
      role: r['role'] as AssignableRole,
      active: Number(r['active']) === 1,
      awaySince: date(r['away_since']),
      awayUntil: date(r['away_until']),
      open: open.get(Number(r['agent_id'])) ?? 0,
      sequence: Number(r['sequence'] ?? 0),
    }));
    const [last] = await this.#rows(
      `SELECT assignee_agent_id FROM support_ticket
        WHERE customer_id = ? AND ticket_id <> ? AND assignee_agent_id IS NOT NULL AND created_at >= ?
        ORDER BY created_at DESC, ticket_id DESC LIMIT 1`,
      [t['customer_id'], ticketId, new Date(at.getTime() - stickyDays * 86_400_000)],
      conn,
    );
    const ticket: AssignableTicket = {
      ticketId,
      subject: String(t['subject']),
      customer: String(t['customer_email']),
      priority: t['priority'] as Priority,
      category: t['category'] as Category,
      lastAgentId: last ? Number(last['assignee_agent_id']) : null,
    };
    const decision = choose(ticket, agents);
    if (decision.kind === 'assign') {
      const next = Math.max(0, ...agents.map((a) => a.sequence)) + 1;
      await this.#rows(
        'UPDATE support_ticket SET assignee_agent_id = ?, updated_at = ? WHERE ticket_id = ?',
        [decision.agentId, at, ticketId],
        conn,
      );
      await this.#rows(
        `INSERT INTO support_assignment_agent (agent_id, sequence, last_assigned_at) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE sequence = VALUES(sequence), last_assigned_at = VALUES(last_assigned_at)`,
        [decision.agentId, next, at],
        conn,
      );
      await this.#rows(
        `INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, 'auto_assigned', 'assignment', ?, ?)`,
        [
          ticketId,
          JSON.stringify({
            agentId: decision.agentId,
            to: decision.agentId,
            strategy: decision.strategy,
            rule: decision.rule,
            reason: decision.reason,
          }),
          at,
        ],
        conn,
      );
    }
    const state = decision.kind === 'assign' ? 'auto' : decision.kind === 'queue' ? 'queued' : 'left';
    await this.#rows(
      `INSERT INTO support_assignment (ticket_id, state, agent_id, strategy, rule, reason, queued_since, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE state = VALUES(state), agent_id = VALUES(agent_id), strategy = VALUES(strategy),
         rule = VALUES(rule), reason = VALUES(reason),
         queued_since = IF(VALUES(state) = 'queued', COALESCE(queued_since, VALUES(queued_since)), queued_since),
         decided_at = VALUES(decided_at)`,
      [
        ticketId,
        state,
        decision.kind === 'assign' ? decision.agentId : null,
        decision.kind === 'assign' ? decision.strategy : null,
        decision.rule.slice(0, 40),
        decision.reason.slice(0, 2000),
        state === 'queued' ? at : null,
        at,
      ],
      conn,
    );
    return { done: 'decided', ticket, decision, wasQueued: t['state'] === 'queued' };
  }

  async queued(limit: number): Promise<number[]> {
    const rows = await this.#query(
      `SELECT a.ticket_id FROM support_assignment a
        WHERE a.state = 'queued' ORDER BY a.queued_since, a.ticket_id LIMIT ?`,
      [limit],
    );
    return rows.map((r) => Number(r['ticket_id']));
  }

  async setAway(agentId: number, since: Date | null, until: Date | null): Promise<void> {
    await this.#query(
      `INSERT INTO support_assignment_agent (agent_id, away_since, away_until) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE away_since = VALUES(away_since), away_until = VALUES(away_until)`,
      [agentId, since, since ? until : null],
    );
  }

  async describe(ticketId: number): Promise<StoredAssignment | null> {
    const [r] = await this.#query(
      `SELECT a.state, a.reason, a.decided_at, a.queued_since, g.name FROM support_assignment a
         LEFT JOIN support_agent g ON g.id = a.agent_id WHERE a.ticket_id = ?`,
      [ticketId],
    );
    if (!r) return null;
    return {
      state: r['state'] as StoredAssignment['state'],
      agentName: r['name'] === null ? null : String(r['name']),
      reason: String(r['reason']),
      decidedAt: date(r['decided_at'])!,
      queuedSince: date(r['queued_since']),
    };
  }

  async figures(since: Date): Promise<AgentFigures[]> {
    const agents = await this.#query(
      `SELECT g.id, g.name, g.role, g.active, s.sequence, s.away_since, s.away_until,
              (SELECT COUNT(*) FROM support_ticket t WHERE t.assignee_agent_id = g.id AND t.status = 'open') AS open_count,
              (SELECT COUNT(*) FROM support_ticket t WHERE t.assignee_agent_id = g.id AND t.status = 'closed' AND t.closed_at >= ?) AS closed_today
         FROM support_agent g LEFT JOIN support_assignment_agent s ON s.agent_id = g.id
        WHERE g.active = 1 ORDER BY g.name`,
      [since],
    );
    // Given today, by a person or automatically: the audit trail's assignments since the start of the day.
    const given = new Map<number, number>();
    for (const r of await this.#query(
      `SELECT CAST(JSON_UNQUOTE(JSON_EXTRACT(details, '$.to')) AS UNSIGNED) AS agent, COUNT(*) AS n FROM support_event
        WHERE type IN ('assigned', 'auto_assigned') AND created_at >= ? AND JSON_EXTRACT(details, '$.to') IS NOT NULL
          AND JSON_TYPE(JSON_EXTRACT(details, '$.to')) <> 'NULL'
        GROUP BY agent`,
      [since],
    ))
      given.set(Number(r['agent']), Number(r['n']));
    return agents.map((r) => ({
      id: Number(r['id']),
      name: String(r['name']),
      role: r['role'] as AssignableRole,
      active: true,
      awaySince: date(r['away_since']),
      awayUntil: date(r['away_until']),
      open: Number(r['open_count']),
      sequence: Number(r['sequence'] ?? 0),
      assignedToday: given.get(Number(r['id'])) ?? 0,
      closedToday: Number(r['closed_today']),
    }));
  }

  async queueSize(): Promise<{ count: number; oldest: Date | null }> {
    const [r] = await this.#query(
      `SELECT COUNT(*) AS n, MIN(queued_since) AS oldest FROM support_assignment WHERE state = 'queued'`,
    );
    return { count: Number(r?.['n'] ?? 0), oldest: date(r?.['oldest']) };
  }

  async #query(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
    try {
      return await this.#rows(sql, params);
    } catch (error) {
      throw toAppError(error, 'reading the assignment state');
    }
  }
}
