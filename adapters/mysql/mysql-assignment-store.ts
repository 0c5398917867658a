/**
 * AssignmentStore on MySQL: support_assignment_agent (the rotation and absences; every decision locks
 * its rows in agent id order) and support_assignment (each ticket's decision and reason; 'queued' rows
 * are the queue). A decision runs in READ COMMITTED: the open counts read after the locks include every
 * decision committed before, so two workers never take an agent past capacity.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { AgentState, AssignableRole } from '../../src/domain/assignment.ts';
import { isChatPlatform, type ChatPlatform } from '../../src/domain/platform.ts';
import type { Category, Priority } from '../../src/domain/ticket.ts';
import type {
  AgentFigures,
  AssignableTicket,
  AssignmentStore,
  DecideMode,
  DecideOutcome,
  ReleasedOrphan,
  StoredAssignment,
} from '../../src/ports/assignment-store.ts';
import { toAppError, type Database } from './database.ts';

const NEW: DecideMode = { kind: 'new' };
/** The audit's reopens: ours (`/ticket reopen`, the HTTP API), the customer's reply, the old site's (legacy sync). */
const REOPEN_TYPES = "'reopened', 'customer_reply_reopened'";
/** An at-risk ticket handled once: given to another agent, or kept because nobody else could take it. */
const AT_RISK_TYPES = "'at_risk_reassigned', 'at_risk_kept'";
/** Decisions that change or confirm who has a ticket (each one's chat notice has a key of its own). */
const DECISION_TYPES = "'auto_assigned', 'reopen_assigned', 'orphaned', 'at_risk_reassigned', 'at_risk_kept'";

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
    options: { readonly stickyDays: number; readonly mode?: DecideMode },
    choose: (
      ticket: AssignableTicket,
      agents: readonly AgentState[],
    ) => ReturnType<Parameters<AssignmentStore['decide']>[3]>,
  ): Promise<DecideOutcome> {
    return this.#transaction(`assigning ticket #${ticketId}`, (conn) =>
      this.#decide(conn, ticketId, at, options.stickyDays, options.mode ?? NEW, choose),
    );
  }

  /** One transaction in READ COMMITTED: each read sees what others committed up to it (counts after the locks are current). */
  async #transaction<T>(what: string, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
    let conn: PoolConnection;
    try {
      conn = await this.#db.pool.getConnection();
    } catch (error) {
      throw toAppError(error, 'connecting to the database');
    }
    try {
      await conn.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await conn.query('START TRANSACTION');
      const result = await work(conn);
      await conn.query('COMMIT');
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw toAppError(error, what);
    } finally {
      conn.release();
    }
  }

  /** Why this decision is not to be made now (see AssignmentStore.decide), or null. */
  async #skip(
    conn: PoolConnection,
    t: RowDataPacket,
    mode: DecideMode,
  ): Promise<Extract<DecideOutcome, { done: 'skipped' }>['why'] | null> {
    const ticketId = Number(t['ticket_id']);
    if (t['status'] !== 'open') {
      if (t['state'] === 'queued')
        await this.#rows('DELETE FROM support_assignment WHERE ticket_id = ?', [ticketId], conn);
      return 'not_open';
    }
    if (mode.kind === 'reopen') {
      const [r] = await this.#rows(
        `SELECT MAX(created_at) AS at FROM support_event WHERE ticket_id = ? AND type IN (${REOPEN_TYPES})`,
        [ticketId],
        conn,
      );
      const reopenedAt = date(r?.['at']);
      const decidedAt = date(t['decided_at']);
      return reopenedAt && (!decidedAt || decidedAt < reopenedAt) ? null : 'done';
    }
    if (mode.kind === 'at_risk') {
      if (t['assignee_agent_id'] === null) return 'unassigned';
      if (t['state'] === 'manual') return 'manual';
      const [r] = await this.#rows(
        `SELECT SUM(type IN (${AT_RISK_TYPES})) AS handled, SUM(type = 'replied' AND created_at >= ?) AS replied
           FROM support_event WHERE ticket_id = ? AND type IN (${AT_RISK_TYPES}, 'replied')`,
        [mode.since, ticketId],
        conn,
      );
      if (Number(r?.['handled'] ?? 0) > 0) return 'done';
      return Number(r?.['replied'] ?? 0) > 0 ? 'answered' : null;
    }
    if (t['state'] === 'manual') return 'manual';
    if (t['assignee_agent_id'] !== null) {
      // Out of the queue: someone took it (the old site, a person).
      if (t['state'] === 'queued')
        await this.#rows('DELETE FROM support_assignment WHERE ticket_id = ?', [ticketId], conn);
      return 'assigned';
    }
    return null;
  }

  async #decide(
    conn: PoolConnection,
    ticketId: number,
    at: Date,
    stickyDays: number,
    mode: DecideMode,
    choose: Parameters<AssignmentStore['decide']>[3],
  ): Promise<DecideOutcome> {
    const [t] = await this.#rows(
      `SELECT t.ticket_id, t.subject, t.customer_email, t.customer_id, t.priority, t.category, t.status, t.assignee_agent_id,
              a.state, a.decided_at
         FROM support_ticket t LEFT JOIN support_assignment a ON a.ticket_id = t.ticket_id
        WHERE t.ticket_id = ? FOR UPDATE`,
      [ticketId],
      conn,
    );
    if (!t) return { done: 'skipped', why: 'not_found' };
    const skip = await this.#skip(conn, t, mode);
    if (skip) return { done: 'skipped', why: skip };
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
    // This ticket is not counted: a reopened one is open already, and must not count against its agent.
    if (ids.length)
      for (const r of await this.#rows(
        `SELECT assignee_agent_id AS id, COUNT(*) AS n FROM support_ticket
          WHERE assignee_agent_id IN (?) AND status = 'open' AND ticket_id <> ? GROUP BY assignee_agent_id`,
        [ids, ticketId],
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
    const [made] = await this.#rows(
      `SELECT COUNT(*) AS n FROM support_event WHERE ticket_id = ? AND type IN (${DECISION_TYPES})`,
      [ticketId],
      conn,
    );
    const previousAgentId = t['assignee_agent_id'] === null ? null : Number(t['assignee_agent_id']);
    const ticket: AssignableTicket = {
      ticketId,
      subject: String(t['subject']),
      customer: String(t['customer_email']),
      priority: t['priority'] as Priority,
      category: t['category'] as Category,
      lastAgentId: last ? Number(last['assignee_agent_id']) : null,
      assigneeAgentId: previousAgentId,
      generation: Number(made?.['n'] ?? 0),
    };
    const decision = choose(ticket, agents);
    const to = decision.kind === 'assign' || decision.kind === 'keep' ? decision.agentId : null;
    if (to !== previousAgentId)
      await this.#rows(
        'UPDATE support_ticket SET assignee_agent_id = ?, updated_at = ? WHERE ticket_id = ?',
        [to, at, ticketId],
        conn,
      );
    if (decision.kind === 'assign') {
      const next = Math.max(0, ...agents.map((a) => a.sequence)) + 1;
      await this.#rows(
        `INSERT INTO support_assignment_agent (agent_id, sequence, last_assigned_at) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE sequence = VALUES(sequence), last_assigned_at = VALUES(last_assigned_at)`,
        [decision.agentId, next, at],
        conn,
      );
    }
    // The audit trail: every decision that gives the ticket to someone, and every reopen or at-risk look.
    const type =
      mode.kind === 'reopen'
        ? 'reopen_assigned'
        : mode.kind === 'at_risk'
          ? decision.kind === 'assign'
            ? 'at_risk_reassigned'
            : 'at_risk_kept'
          : decision.kind === 'assign'
            ? 'auto_assigned'
            : null;
    if (type)
      await this.#rows(
        `INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, ?, 'assignment', ?, ?)`,
        [
          ticketId,
          type,
          JSON.stringify({
            agentId: to,
            from: previousAgentId,
            // "assigned today" counts a `to` that is a change of hands.
            to: to !== previousAgentId ? to : null,
            kept: decision.kind === 'keep',
            ...(decision.kind === 'assign' ? { strategy: decision.strategy } : {}),
            ...(mode.kind === 'at_risk' ? { metric: mode.metric } : {}),
            rule: decision.rule,
            reason: decision.reason,
          }),
          at,
        ],
        conn,
      );
    // A kept ticket keeps its state (a person's choice stays one); otherwise what the decision made of it.
    const state =
      decision.kind === 'keep'
        ? t['state'] === 'manual'
          ? 'manual'
          : 'auto'
        : decision.kind === 'assign'
          ? 'auto'
          : decision.kind === 'queue'
            ? 'queued'
            : 'left';
    await this.#rows(
      `INSERT INTO support_assignment (ticket_id, state, agent_id, strategy, rule, reason, queued_since, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE state = VALUES(state), agent_id = VALUES(agent_id), strategy = VALUES(strategy),
         rule = VALUES(rule), reason = VALUES(reason),
         queued_since = IF(VALUES(state) = 'queued', COALESCE(queued_since, VALUES(queued_since)), NULL),
         decided_at = VALUES(decided_at)`,
      [
        ticketId,
        state,
        to,
        decision.kind === 'assign' ? decision.strategy : null,
        decision.rule.slice(0, 40),
        decision.reason.slice(0, 2000),
        state === 'queued' ? at : null,
        at,
      ],
      conn,
    );
    return { done: 'decided', ticket, decision, wasQueued: t['state'] === 'queued', mode };
  }

  async reopened(since: Date, limit: number): Promise<number[]> {
    const rows = await this.#query(
      `SELECT e.ticket_id FROM support_event e
         JOIN support_ticket t ON t.ticket_id = e.ticket_id AND t.status = 'open'
         LEFT JOIN support_assignment a ON a.ticket_id = e.ticket_id
        WHERE e.type IN (${REOPEN_TYPES}) AND e.created_at >= ? AND (a.decided_at IS NULL OR a.decided_at < e.created_at)
        GROUP BY e.ticket_id ORDER BY MIN(e.created_at), e.ticket_id LIMIT ?`,
      [since, limit],
    );
    return rows.map((r) => Number(r['ticket_id']));
  }

  async atRisk(since: Date, limit: number): Promise<{ ticketId: number; at: Date; metric: string }[]> {
    // The latest at-risk alert of each ticket: an answer after an earlier one does not hide a later one.
    const rows = await this.#query(
      `SELECT e.ticket_id, e.created_at, JSON_UNQUOTE(JSON_EXTRACT(e.details, '$.metric')) AS metric
         FROM support_event e
         JOIN support_ticket t ON t.ticket_id = e.ticket_id AND t.status = 'open' AND t.assignee_agent_id IS NOT NULL
        WHERE e.type = 'sla_at_risk' AND e.created_at >= ?
          AND JSON_UNQUOTE(JSON_EXTRACT(e.details, '$.metric')) IN ('first_response', 'next_response')
          AND NOT EXISTS (SELECT 1 FROM support_event h WHERE h.ticket_id = e.ticket_id AND h.type IN (${AT_RISK_TYPES}))
        ORDER BY e.created_at DESC, e.id DESC LIMIT ?`,
      [since, limit],
    );
    const latest = new Map<number, { ticketId: number; at: Date; metric: string }>();
    for (const r of rows) {
      const ticketId = Number(r['ticket_id']);
      if (!latest.has(ticketId))
        latest.set(ticketId, { ticketId, at: date(r['created_at'])!, metric: String(r['metric']) });
    }
    return [...latest.values()].sort((a, b) => a.at.getTime() - b.at.getTime() || a.ticketId - b.ticketId);
  }

  async releaseOrphans(at: Date, limit: number): Promise<ReleasedOrphan[]> {
    // Removed agents are few (support_agent is small); their open tickets come by the assignee index.
    const held = await this.#query(
      `SELECT t.ticket_id FROM support_ticket t
        WHERE t.assignee_agent_id IN (SELECT id FROM support_agent WHERE active = 0) AND t.status = 'open'
        ORDER BY t.ticket_id LIMIT ?`,
      [limit],
    );
    const released: ReleasedOrphan[] = [];
    for (const r of held) {
      const ticketId = Number(r['ticket_id']);
      const done = await this.#transaction(`returning ticket #${ticketId} to the queue`, async (conn) => {
        // Looked at again under the ticket's lock: someone may have taken it, or the agent come back.
        // Only the ticket's row is locked (decisions lock tickets, then agents: no other order is taken).
        const [t] = await this.#rows(
          `SELECT assignee_agent_id, subject, customer_email, priority, category FROM support_ticket
            WHERE ticket_id = ? AND status = 'open' AND assignee_agent_id IN (SELECT id FROM support_agent WHERE active = 0)
            FOR UPDATE`,
          [ticketId],
          conn,
        );
        if (!t) return null;
        const [g] = await this.#rows('SELECT name FROM support_agent WHERE id = ?', [t['assignee_agent_id']], conn);
        const agentName = String(g?.['name'] ?? `agent ${String(t['assignee_agent_id'])}`);
        const reason = `returned to the queue: ${agentName}, who had it, was removed from the agents`;
        await this.#rows(
          'UPDATE support_ticket SET assignee_agent_id = NULL, updated_at = ? WHERE ticket_id = ?',
          [at, ticketId],
          conn,
        );
        await this.#rows(
          `INSERT INTO support_assignment (ticket_id, state, agent_id, reason, queued_since, decided_at)
           VALUES (?, 'queued', NULL, ?, ?, ?)
           ON DUPLICATE KEY UPDATE state = 'queued', agent_id = NULL, strategy = NULL, rule = NULL,
             reason = VALUES(reason), queued_since = VALUES(queued_since), decided_at = VALUES(decided_at)`,
          [ticketId, reason, at, at],
          conn,
        );
        await this.#rows(
          `INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, 'orphaned', 'assignment', ?, ?)`,
          [ticketId, JSON.stringify({ from: Number(t['assignee_agent_id']), agent: agentName, reason }), at],
          conn,
        );
        return {
          ticketId,
          agentName,
          subject: String(t['subject']),
          customer: String(t['customer_email']),
          priority: t['priority'] as Priority,
          category: t['category'] as Category,
        };
      });
      if (done) released.push(done);
    }
    return released;
  }

  async orphans(from: Date, to: Date): Promise<number[]> {
    const rows = await this.#query(
      `SELECT ticket_id FROM support_event WHERE type = 'orphaned' AND created_at >= ? AND created_at < ?
       UNION
       SELECT ticket_id FROM support_ticket
        WHERE assignee_agent_id IN (SELECT id FROM support_agent WHERE active = 0) AND status = 'open'
       ORDER BY ticket_id`,
      [from, to],
    );
    return rows.map((r) => Number(r['ticket_id']));
  }

  async chatIds(agentId: number): Promise<{ platform: ChatPlatform; userId: string }[]> {
    const rows = await this.#query(
      `SELECT i.platform, i.value FROM support_agent_identity i JOIN support_agent g ON g.id = i.agent_id
        WHERE i.agent_id = ? AND i.kind = 'user' AND g.active = 1 ORDER BY i.platform, i.value`,
      [agentId],
    );
    return rows.flatMap((r) => {
      const platform = String(r['platform']);
      return isChatPlatform(platform) ? [{ platform, userId: String(r['value']) }] : [];
    });
  }

  async openCount(agentId: number): Promise<number> {
    const [r] = await this.#query(
      "SELECT COUNT(*) AS n FROM support_ticket WHERE assignee_agent_id = ? AND status = 'open'",
      [agentId],
    );
    return Number(r?.['n'] ?? 0);
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
        WHERE type IN ('assigned', 'auto_assigned', 'reopen_assigned', 'at_risk_reassigned') AND created_at >= ? AND JSON_EXTRACT(details, '$.to') IS NOT NULL
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
