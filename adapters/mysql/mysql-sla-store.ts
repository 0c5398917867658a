/**
 * SlaStore on MySQL: support_sla (the clocks as last computed) and support_sla_alert (its primary key
 * is the once-only claim of an alert). A ticket's history is read from the audit trail: customer
 * messages, agent replies with their delivery (only a reply the mail server accepted stops a clock),
 * closes and reopens (ours, the old site's, the HTTP API's).
 */
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { ClockStatus, SlaEvent, SlaPeriodFigures, SlaPolicy } from '../../src/domain/sla.ts';
import type { Category, Priority, TicketStatus } from '../../src/domain/ticket.ts';
import { isChatPlatform } from '../../src/domain/platform.ts';
import type {
  AlertClaim,
  SlaAlertClaim,
  SlaAlertKey,
  SlaRecord,
  SlaStore,
  SlaSummary,
  SlaTicket,
  StoredSla,
} from '../../src/ports/sla-store.ts';
import type { Database } from './database.ts';
import { goneOwners, thisHostPattern, thisProcessOwner } from './claim-owner.ts';

const EVENT_KINDS: Record<string, readonly SlaEvent['kind'][]> = {
  customer_reply: ['customer_message'],
  customer_reply_reopened: ['reopened', 'customer_message'],
  replied: ['agent_reply'],
  closed: ['closed'],
  reopened: ['reopened'],
  merged_into: ['merged'],
};

const date = (v: unknown): Date | null =>
  v instanceof Date ? v : v === null || v === undefined ? null : new Date(String(v));

/** Clocks as JSON, dates as ISO strings, and back. */
export function reviveClocks(json: unknown): ClockStatus[] {
  const list = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  if (!Array.isArray(list)) return [];
  return list.map((c: Record<string, unknown>) => ({
    ...(c as unknown as ClockStatus),
    dueAt: date(c['dueAt']),
    atRiskAt: date(c['atRiskAt']),
    breachedAt: date(c['breachedAt']),
    endedAt: date(c['endedAt']),
  }));
}

/** How far back a closed ticket the checker never saw is still given its clocks (the longest stats period, and more). */
const CLOSED_UNSEEN_DAYS = 35;

export class MysqlSlaStore implements SlaStore {
  readonly #db: Database;
  /** Who this store's alert claims name ("host:pid:start"); tests give another to play a second process. */
  readonly #owner: string;

  constructor(database: Database, options: { owner?: string } = {}) {
    this.#db = database;
    this.#owner = options.owner ?? thisProcessOwner();
  }

  async ticketsToCheck(now: Date, limit: number): Promise<number[]> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      `SELECT t.ticket_id FROM support_ticket t LEFT JOIN support_sla s ON s.ticket_id = t.ticket_id
        WHERE (t.status = 'open' AND (s.ticket_id IS NULL OR s.next_check_at <= ? OR s.ticket_updated_at <> t.updated_at))
           OR (t.status = 'closed' AND s.ticket_id IS NOT NULL AND s.ticket_updated_at <> t.updated_at)
           OR (t.status = 'closed' AND s.ticket_id IS NULL AND t.created_at >= ?)
        ORDER BY t.ticket_id DESC LIMIT ?`,
      // A ticket answered and closed before any check saw it open still has its clocks: met or late, in the
      // figures of its period. Only recent ones: the closed history adopted from the old site is not theirs.
      [now, new Date(now.getTime() - CLOSED_UNSEEN_DAYS * 86_400_000), limit],
    );
    return rows.map((r) => Number(r['ticket_id']));
  }

  async load(ticketId: number): Promise<{ ticket: SlaTicket; stored: StoredSla | null } | null> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      `SELECT t.ticket_id, t.subject, t.customer_email, t.priority, t.category, t.status, t.created_at, t.updated_at, a.name AS assignee, a.id AS assignee_id, a.active AS assignee_active,
              s.policy_json, s.reason, s.priority AS sla_priority, s.category AS sla_category, s.clocks, s.ticket_updated_at AS sla_ticket_updated_at
         FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id LEFT JOIN support_sla s ON s.ticket_id = t.ticket_id
        WHERE t.ticket_id = ?`,
      [ticketId],
    );
    const t = rows[0];
    if (!t) return null;
    const [eventRows] = await this.#db.pool.query<RowDataPacket[]>(
      `SELECT e.type, e.created_at, m.delivery FROM support_event e
         LEFT JOIN support_message m ON e.type = 'replied' AND m.message_id = JSON_UNQUOTE(JSON_EXTRACT(e.details, '$.messageId'))
        WHERE e.ticket_id = ? AND e.type IN (?)
        ORDER BY e.created_at, e.id`,
      [ticketId, Object.keys(EVENT_KINDS)],
    );
    const events: SlaEvent[] = [];
    for (const r of eventRows) {
      const type = String(r['type']);
      // A reply stops a clock once the mail server accepted it; one still in the outbox, or refused, does not.
      if (type === 'replied' && r['delivery'] !== 'sent') continue;
      for (const kind of EVENT_KINDS[type] ?? []) events.push({ at: date(r['created_at'])!, kind });
    }
    // The assignee's chat user ids (an agent no longer active gets no message).
    const [idRows] =
      t['assignee_id'] !== null && t['assignee_id'] !== undefined && Number(t['assignee_active']) === 1
        ? await this.#db.pool.query<RowDataPacket[]>(
            "SELECT platform, value FROM support_agent_identity WHERE agent_id = ? AND kind = 'user' ORDER BY platform, value",
            [t['assignee_id']],
          )
        : [[] as RowDataPacket[]];
    const assigneeChatIds = idRows.flatMap((r) => {
      const platform = String(r['platform']);
      return isChatPlatform(platform) ? [{ platform, userId: String(r['value']) }] : [];
    });
    const policyJson = t['policy_json'];
    const stored: StoredSla | null =
      policyJson === null || policyJson === undefined
        ? null
        : {
            policy: (typeof policyJson === 'string' ? JSON.parse(policyJson) : policyJson) as SlaPolicy,
            reason: String(t['reason']),
            priority: String(t['sla_priority']) as Priority,
            category: String(t['sla_category']) as Category,
            clocks: reviveClocks(t['clocks']),
            ticketUpdatedAt: date(t['sla_ticket_updated_at'])!,
          };
    return {
      ticket: {
        ticketId,
        subject: String(t['subject']),
        customer: String(t['customer_email']),
        priority: t['priority'] as Priority,
        category: t['category'] as Category,
        status: t['status'] as TicketStatus,
        createdAt: date(t['created_at'])!,
        updatedAt: date(t['updated_at'])!,
        assignee: t['assignee'] === null || t['assignee'] === undefined ? null : String(t['assignee']),
        assigneeChatIds,
        events,
      },
      stored,
    };
  }

  async save(ticketId: number, r: SlaRecord): Promise<void> {
    await this.#db.pool.query(
      `INSERT INTO support_sla (ticket_id, policy, policy_json, reason, priority, category, ticket_updated_at, computed_at, next_check_at, next_due_at,
                                first_response_met_at, first_response_late, at_risk, breached, clocks, resolved_at, resolution_late)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE policy = VALUES(policy), policy_json = VALUES(policy_json), reason = VALUES(reason), priority = VALUES(priority), category = VALUES(category),
         ticket_updated_at = VALUES(ticket_updated_at), computed_at = VALUES(computed_at), next_check_at = VALUES(next_check_at), next_due_at = VALUES(next_due_at),
         first_response_met_at = VALUES(first_response_met_at), first_response_late = VALUES(first_response_late), at_risk = VALUES(at_risk), breached = VALUES(breached), clocks = VALUES(clocks),
         resolved_at = VALUES(resolved_at), resolution_late = VALUES(resolution_late)`,
      [
        ticketId,
        r.policy.name.slice(0, 40),
        JSON.stringify(r.policy),
        r.reason.slice(0, 500),
        r.priority,
        r.category,
        r.ticketUpdatedAt,
        r.computedAt,
        r.nextCheckAt,
        r.nextDueAt,
        r.firstResponseMetAt,
        r.firstResponseLate ? 1 : 0,
        r.atRisk ? 1 : 0,
        r.breached ? 1 : 0,
        JSON.stringify(r.clocks),
        r.resolvedAt,
        r.resolutionLate ? 1 : 0,
      ],
    );
    // An alert claimed or waiting to be tried again brings the next look forward, whichever checker saved
    // last (one that saw the claim in flight knows only its lease, not the retry its owner set after). A
    // retry already due was handled by this pass (posted, or waiting for opening hours: looked at then).
    await this.#db.pool.query(
      `UPDATE support_sla s JOIN (SELECT MIN(claimed_until) AS until FROM support_sla_alert WHERE ticket_id = ? AND claimed_until > ?) a
          SET s.next_check_at = a.until
        WHERE s.ticket_id = ? AND a.until IS NOT NULL AND (s.next_check_at IS NULL OR s.next_check_at > a.until)`,
      [ticketId, r.computedAt, ticketId],
    );
  }

  async settleWaitingAlerts(ticketId: number, stillDue: readonly SlaAlertKey[]): Promise<void> {
    const keep = stillDue.map((k) => [k.metric, k.cycle, k.kind]);
    await this.#db.pool.query(
      `UPDATE support_sla_alert SET claimed_until = NULL
        WHERE ticket_id = ? AND claimed_by IS NULL AND claimed_until IS NOT NULL${keep.length ? ' AND (metric, cycle, kind) NOT IN (?)' : ''}`,
      keep.length ? [ticketId, keep] : [ticketId],
    );
  }

  async markOpenForCheck(now: Date, rechoose: boolean): Promise<number> {
    // rechoose: an empty priority never matches the ticket's, so the checker chooses its policy again.
    const [result] = await this.#db.pool.query<ResultSetHeader>(
      `UPDATE support_sla s JOIN support_ticket t ON t.ticket_id = s.ticket_id SET s.next_check_at = ?${rechoose ? ", s.priority = ''" : ''} WHERE t.status = 'open'`,
      [now],
    );
    return result.affectedRows;
  }

  async claimAlert(c: SlaAlertClaim): Promise<AlertClaim> {
    const key = [c.ticketId, c.metric, c.cycle, c.kind];
    const [inserted] = await this.#db.pool.query<ResultSetHeader>(
      `INSERT IGNORE INTO support_sla_alert (ticket_id, metric, cycle, kind, due_at, fired_at, posted, claimed_by, claimed_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [...key, c.dueAt, c.at, c.posted ? 1 : 0, c.posted ? this.#owner : null, c.posted ? c.until : null],
    );
    if (inserted.affectedRows === 1) return { state: 'claimed', takenOver: false, failures: 0 };
    if (!c.posted) {
      // A refused alert still waiting for its retry when it became too late to post: given up.
      await this.#db.pool.query(
        `UPDATE support_sla_alert SET claimed_until = NULL, given_up_at = ?
          WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ? AND claimed_by IS NULL AND claimed_until IS NOT NULL`,
        [c.at, ...key],
      );
      return { state: 'done' };
    }
    // Held by an owner whose lease ran out (or who was found dead): taken over, with the chat posts it had
    // claimed and not made (only the alert's holder posts under its notice key, so they were its own).
    const [taken] = await this.#db.pool.query<ResultSetHeader>(
      `UPDATE support_sla_alert SET claimed_by = ?, claimed_until = ?, fired_at = ?
        WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ? AND claimed_until IS NOT NULL AND claimed_until <= ?`,
      [this.#owner, c.until, c.at, ...key, c.at],
    );
    if (taken.affectedRows === 1) {
      await this.#db.pool.query("DELETE FROM support_chat_post WHERE ticket_id = ? AND kind = ? AND message_ref = ''", [
        c.ticketId,
        c.noticeKey.slice(0, 16),
      ]);
      const [tried] = await this.#db.pool.query<RowDataPacket[]>(
        'SELECT attempts FROM support_sla_alert WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ?',
        key,
      );
      return { state: 'claimed', takenOver: true, failures: Number(tried[0]?.['attempts'] ?? 0) };
    }
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT claimed_until FROM support_sla_alert WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ?',
      key,
    );
    const until = date(rows[0]?.['claimed_until']);
    return until ? { state: 'held', until } : { state: 'done' };
  }

  async alertDone(a: SlaAlertKey): Promise<void> {
    await this.#db.pool.query(
      `UPDATE support_sla_alert SET claimed_until = NULL, claimed_by = NULL
        WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ? AND claimed_by = ?`,
      [a.ticketId, a.metric, a.cycle, a.kind, this.#owner],
    );
  }

  async alertRefused(a: SlaAlertKey, cause: string): Promise<number> {
    const key = [a.ticketId, a.metric, a.cycle, a.kind];
    await this.#db.pool.query(
      `UPDATE support_sla_alert SET attempts = LEAST(attempts + 1, 255), last_error = ?
        WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ? AND claimed_by = ?`,
      [cause.slice(0, 500), ...key, this.#owner],
    );
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT attempts FROM support_sla_alert WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ?',
      key,
    );
    return Number(rows[0]?.['attempts'] ?? 0);
  }

  async retryAlert(a: SlaAlertKey, retryAt: Date | null, at: Date): Promise<void> {
    // No owner while it waits: releaseAbandonedAlerts (a restart) only frees claims that name one.
    await this.#db.pool.query(
      `UPDATE support_sla_alert SET claimed_by = NULL, claimed_until = ?, given_up_at = ?
        WHERE ticket_id = ? AND metric = ? AND cycle = ? AND kind = ? AND claimed_by = ?`,
      [retryAt, retryAt ? null : at, a.ticketId, a.metric, a.cycle, a.kind, this.#owner],
    );
  }

  async releaseAbandonedAlerts(isRunning?: (pid: number) => boolean): Promise<number> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT DISTINCT claimed_by FROM support_sla_alert WHERE claimed_until IS NOT NULL AND claimed_by LIKE ?',
      [thisHostPattern()],
    );
    const gone = goneOwners(
      rows.map((r) => String(r['claimed_by'])),
      isRunning,
    ).filter((owner) => owner !== this.#owner);
    if (gone.length === 0) return 0;
    // A lease ended at the claim's own time: the next check takes it over.
    const [released] = await this.#db.pool.query<ResultSetHeader>(
      'UPDATE support_sla_alert SET claimed_until = fired_at WHERE claimed_until IS NOT NULL AND claimed_by IN (?)',
      [gone],
    );
    return released.affectedRows;
  }

  async recordEvent(ticketId: number, type: string, details: Record<string, unknown>, at: Date): Promise<void> {
    await this.#db.pool.query(
      'INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, ?, ?, ?, ?)',
      [ticketId, type, 'sla', JSON.stringify(details), at],
    );
  }

  async dueTickets(offset: number, limit: number): Promise<{ ticketId: number; nextDueAt: Date }[]> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      `SELECT s.ticket_id, s.next_due_at FROM support_sla s JOIN support_ticket t ON t.ticket_id = s.ticket_id
        WHERE s.next_due_at IS NOT NULL AND t.status = 'open' ORDER BY s.next_due_at, s.ticket_id LIMIT ? OFFSET ?`,
      [limit, offset],
    );
    return rows.map((r) => ({ ticketId: Number(r['ticket_id']), nextDueAt: date(r['next_due_at'])! }));
  }

  async summary(from: Date, to: Date): Promise<SlaSummary> {
    const [[fr], [br], [risk]] = await Promise.all([
      this.#db.pool.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n, COALESCE(SUM(first_response_late = 0), 0) AS on_time FROM support_sla WHERE first_response_met_at >= ? AND first_response_met_at < ?',
        [from, to],
      ),
      this.#db.pool.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM support_sla_alert WHERE kind = 'breach' AND fired_at >= ? AND fired_at < ?",
        [from, to],
      ),
      this.#atRiskNow(),
    ]);
    return {
      firstResponses: Number(fr[0]?.['n'] ?? 0),
      onTime: Number(fr[0]?.['on_time'] ?? 0),
      breaches: Number(br[0]?.['n'] ?? 0),
      atRisk: Number(risk[0]?.['n'] ?? 0),
    };
  }

  async periodFigures(from: Date, to: Date): Promise<SlaPeriodFigures> {
    const [[ended], [running], [risk]] = await Promise.all([
      // Clocks that stopped in the period, on time or late (each column has its index: a union of two ranges).
      this.#db.pool.query<RowDataPacket[]>(
        `SELECT COALESCE(SUM(first_response_met_at >= ? AND first_response_met_at < ? AND first_response_late = 0), 0) AS fr_met,
                COALESCE(SUM(first_response_met_at >= ? AND first_response_met_at < ? AND first_response_late = 1), 0) AS fr_late,
                COALESCE(SUM(resolved_at >= ? AND resolved_at < ? AND resolution_late = 0), 0) AS res_met,
                COALESCE(SUM(resolved_at >= ? AND resolved_at < ? AND resolution_late = 1), 0) AS res_late
           FROM support_sla
          WHERE (first_response_met_at >= ? AND first_response_met_at < ?) OR (resolved_at >= ? AND resolved_at < ?)`,
        [from, to, from, to, from, to, from, to, from, to, from, to],
      ),
      // Deadlines passed in the period whose clock has not stopped since (the breach was recorded once).
      this.#db.pool.query<RowDataPacket[]>(
        `SELECT a.metric, COUNT(DISTINCT a.ticket_id) AS n FROM support_sla_alert a JOIN support_sla s ON s.ticket_id = a.ticket_id
          WHERE a.kind = 'breach' AND a.fired_at >= ? AND a.fired_at < ? AND a.metric IN ('first_response', 'resolution')
            AND ((a.metric = 'first_response' AND s.first_response_met_at IS NULL) OR (a.metric = 'resolution' AND s.resolved_at IS NULL))
          GROUP BY a.metric`,
        [from, to],
      ),
      this.#atRiskNow(),
    ]);
    const e: Record<string, unknown> = ended[0] ?? {};
    const still = (metric: string) => Number(running.find((r) => r['metric'] === metric)?.['n'] ?? 0);
    return {
      firstResponse: { met: Number(e['fr_met'] ?? 0), breached: Number(e['fr_late'] ?? 0) + still('first_response') },
      resolution: { met: Number(e['res_met'] ?? 0), breached: Number(e['res_late'] ?? 0) + still('resolution') },
      atRisk: Number(risk[0]?.['n'] ?? 0),
    };
  }

  /** Open tickets with a clock at risk now. */
  #atRiskNow() {
    return this.#db.pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM support_sla s JOIN support_ticket t ON t.ticket_id = s.ticket_id WHERE s.at_risk = 1 AND t.status = 'open'",
    );
  }
}
