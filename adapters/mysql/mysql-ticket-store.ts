/**
 * TicketStore on MySQL/MariaDB: lists, tickets with their thread, counts and the changes agents make.
 *
 * Lists are filtered, ordered (newest first) and paged by the database with LIMIT, on support_ticket's
 * (status|priority|category, created_at) indexes; words go through the FULLTEXT index on (subject,
 * customer_email) of migration 0003. Counts come from the indexes of support_ticket, never from
 * ___xtr_msg. Legacy rows are written exactly as intake writes them (mysql-intake-store.ts).
 * Every statement has `?` placeholders; no SQL is assembled from input.
 */
import type { PoolConnection } from 'mysql2/promise';
import type { ListRequest, TicketSummary } from '../../src/domain/command.ts';
import {
  CATEGORIES,
  composeLegacyContent,
  formatLegacyDate,
  parseLegacyContent,
  parseLegacyDate,
  PRIORITIES,
  type Category,
  type Priority,
  type TicketStatus,
} from '../../src/domain/ticket.ts';
import type {
  OutboundReply,
  StoredThreadEntry,
  TicketCounts,
  TicketDetail,
  TicketLookup,
  TicketRecord,
  TicketStore,
  TicketTransaction,
} from '../../src/ports/ticket-store.ts';
import { toAppError, type Database } from './database.ts';

type Row = Record<string, unknown>;
/** A connection or the pool: both answer `query`. */
type Queryable = Pick<PoolConnection, 'query'>;

const SUMMARY_COLUMNS = 't.ticket_id, t.subject, t.customer_email, t.status, t.priority, t.category, t.created_at, a.name AS assignee';

export class MysqlTicketStore implements TicketStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async #rows(sql: string, params: readonly unknown[], doing: string): Promise<Row[]> {
    try {
      const [rows] = await this.#database.pool.query(sql, params as unknown[]);
      return rows as Row[];
    } catch (error) {
      throw toAppError(error, doing);
    }
  }

  async list(request: ListRequest, pageSize: number): Promise<{ items: TicketSummary[]; hasMore: boolean }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (request.status !== 'all') {
      where.push('t.status = ?');
      params.push(request.status);
    }
    if (request.priority) {
      where.push('t.priority = ?');
      params.push(request.priority);
    }
    if (request.category) {
      where.push('t.category = ?');
      params.push(request.category);
    }
    const search = searchCondition(request.words);
    if (search) {
      where.push(search.sql);
      params.push(...search.params);
    }
    params.push(pageSize + 1, (request.page - 1) * pageSize);
    const rows = await this.#rows(
      `SELECT ${SUMMARY_COLUMNS}
         FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY t.created_at DESC, t.ticket_id DESC
        LIMIT ? OFFSET ?`,
      params,
      'listing tickets',
    );
    return { items: rows.slice(0, pageSize).map(toSummary), hasMore: rows.length > pageSize };
  }

  async suggest(prefix: string, limit: number): Promise<TicketSummary[]> {
    const p = prefix.trim().replace(/^#/, '');
    if (/^\d{1,9}$/.test(p)) {
      // Numbers starting with p: p itself, p0…p9, p00…p99 … — ranges on the primary key.
      const ranges: string[] = [];
      const params: unknown[] = [];
      for (let scale = 1, lo = Number(p); lo <= 4_294_967_295 && ranges.length < 8; scale *= 10, lo *= 10) {
        ranges.push('t.ticket_id BETWEEN ? AND ?');
        params.push(lo, lo + scale - 1);
      }
      params.push(limit);
      const rows = await this.#rows(
        `SELECT ${SUMMARY_COLUMNS} FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id
          WHERE t.status = 'open' AND (${ranges.join(' OR ')}) ORDER BY t.ticket_id DESC LIMIT ?`,
        params,
        'suggesting tickets',
      );
      return rows.map(toSummary);
    }
    const search = searchCondition(p.split(/\s+/).filter(Boolean));
    const rows = await this.#rows(
      `SELECT ${SUMMARY_COLUMNS} FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id
        WHERE t.status = 'open' ${search ? `AND ${search.sql}` : ''} ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ?`,
      [...(search?.params ?? []), limit],
      'suggesting tickets',
    );
    return rows.map(toSummary);
  }

  async detail(ticketId: number, threadLimit: number): Promise<TicketLookup<TicketDetail>> {
    const pool = this.#database.pool;
    try {
      let rows = await selectTicket(pool, ticketId, false);
      if (!rows[0]) {
        const adopted = await adoptLegacyTicket(pool, ticketId);
        if (adopted.found !== 'ticket') return adopted;
        rows = await selectTicket(pool, ticketId, false);
      }
      const row = rows[0];
      if (!row) return { found: 'none' };
      // The ticket row and its replies (msg_parent_id is text in the legacy table), and our notes.
      const [legacy] = await pool.query(
        `(SELECT msg_id, msg_cnfa_id, msg_date, msg_content FROM ___xtr_msg WHERE msg_id = ?)
         UNION ALL
         (SELECT msg_id, msg_cnfa_id, msg_date, msg_content FROM ___xtr_msg WHERE msg_parent_id = ? ORDER BY msg_id DESC LIMIT ?)`,
        [ticketId, String(ticketId), threadLimit],
      );
      const [notes] = await pool.query(
        "SELECT actor, details, created_at FROM support_event WHERE ticket_id = ? AND type = 'note' ORDER BY created_at DESC, id DESC LIMIT ?",
        [ticketId, threadLimit],
      );
      const staffIds = [...new Set((legacy as Row[]).map((r) => staffIdOf(r['msg_cnfa_id'])).filter((s): s is string => s !== null))];
      const names = new Map<string, string>();
      if (staffIds.length) {
        const [agents] = await pool.query('SELECT staff_id, name FROM support_agent WHERE staff_id IN (?) ORDER BY active DESC, id', [staffIds.map(Number)]);
        for (const a of agents as Row[]) if (!names.has(String(a['staff_id']))) names.set(String(a['staff_id']), String(a['name']));
      }
      const summary = toSummary(row);
      const customerEmail = String(row['customer_email']);
      const created = summary.createdAt;
      const entries: StoredThreadEntry[] = [];
      for (const r of legacy as Row[]) {
        const isTicket = Number(r['msg_id']) === ticketId;
        const staffId = staffIdOf(r['msg_cnfa_id']);
        const content = stringOr(r['msg_content'], '');
        entries.push({
          from: staffId ? (names.get(staffId) ?? `staff #${staffId}`) : customerEmail || 'the customer',
          at: parseLegacyDate(stringOr(r['msg_date'], '')) ?? created,
          text: readableText(isTicket ? parseLegacyContent(content).text : content),
          staffId,
          internal: false,
        });
      }
      for (const n of notes as Row[]) {
        const details = parseJson(n['details']);
        entries.push({ from: String(n['actor']), at: asDate(n['created_at']), text: typeof details['text'] === 'string' ? details['text'] : '', staffId: null, internal: true });
      }
      entries.sort((a, b) => a.at.getTime() - b.at.getTime());
      return {
        found: 'ticket',
        ticket: {
          summary,
          customerEmail,
          triage: {
            reasons: parseJsonValue(row['triage_reasons']),
            categoryConfidence: nullableNumber(row['category_confidence']),
            priorityConfidence: nullableNumber(row['priority_confidence']),
            sentiment: nullableNumber(row['sentiment']),
            language: typeof row['language'] === 'string' ? row['language'] : null,
            triaged: Number(row['triaged']) === 1,
          },
          // The first entry (the customer's email) always, then the latest ones.
          thread: entries.length > threadLimit ? [entries[0]!, ...entries.slice(entries.length - threadLimit + 1)] : entries,
        },
      };
    } catch (error) {
      throw toAppError(error, `reading ticket #${ticketId}`);
    }
  }

  async counts(since: Date): Promise<TicketCounts> {
    // Each count is a range on an index of support_ticket: open tickets by (priority|category, status),
    // new ones by created_at, closed ones by closed_at; never a scan of ___xtr_msg.
    const [byPriority, byCategory, created, closed] = await Promise.all([
      this.#rows("SELECT priority AS k, COUNT(*) AS n FROM support_ticket FORCE INDEX (idx_ticket_priority_status) WHERE priority IN (?) AND status = 'open' GROUP BY priority", [PRIORITIES], 'counting tickets'),
      this.#rows("SELECT category AS k, COUNT(*) AS n FROM support_ticket FORCE INDEX (idx_ticket_category_status) WHERE category IN (?) AND status = 'open' GROUP BY category", [CATEGORIES], 'counting tickets'),
      this.#rows('SELECT COUNT(*) AS n FROM support_ticket WHERE created_at >= ?', [since], 'counting tickets'),
      this.#rows('SELECT COUNT(*) AS n FROM support_ticket WHERE closed_at IS NOT NULL', [], 'counting tickets'),
    ]);
    const tally = (rows: Row[]) => Object.fromEntries(rows.map((r) => [String(r['k']), Number(r['n'])]));
    const openByPriority = tally(byPriority);
    const open = Object.values(openByPriority).reduce((a, b) => a + b, 0);
    const closedCount = Number(closed[0]?.['n'] ?? 0);
    return {
      total: open + closedCount,
      open,
      closed: closedCount,
      createdSince: Number(created[0]?.['n'] ?? 0),
      openByPriority,
      openByCategory: tally(byCategory),
    };
  }

  async transaction<T>(work: (tx: TicketTransaction) => Promise<T>): Promise<T> {
    let conn: PoolConnection;
    try {
      conn = await this.#database.pool.getConnection();
    } catch (error) {
      throw toAppError(error, 'connecting to the database');
    }
    try {
      await conn.query('START TRANSACTION');
      const result = await work(new MysqlTicketTransaction(conn));
      await conn.query('COMMIT');
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw toAppError(error, 'changing a ticket');
    } finally {
      conn.release();
    }
  }
}

class MysqlTicketTransaction implements TicketTransaction {
  readonly #conn: PoolConnection;

  constructor(conn: PoolConnection) {
    this.#conn = conn;
  }

  async #rows(sql: string, params: readonly unknown[]): Promise<Row[]> {
    const [rows] = await this.#conn.query(sql, params as unknown[]);
    return rows as Row[];
  }

  async lockTicket(ticketId: number): Promise<TicketLookup<TicketRecord>> {
    let rows = await selectTicket(this.#conn, ticketId, true);
    if (!rows[0]) {
      const adopted = await adoptLegacyTicket(this.#conn, ticketId);
      if (adopted.found !== 'ticket') return adopted;
      rows = await selectTicket(this.#conn, ticketId, true);
    }
    const r = rows[0];
    if (!r) return { found: 'none' };
    return {
      found: 'ticket',
      ticket: {
        ticketId,
        customerId: Number(r['customer_id']),
        customerEmail: String(r['customer_email']),
        subject: String(r['subject']),
        status: r['status'] as TicketStatus,
        priority: r['priority'] as Priority,
        category: r['category'] as Category,
        assigneeAgentId: nullableNumber(r['assignee_agent_id']),
        firstResponseAt: r['first_response_at'] ? asDate(r['first_response_at']) : null,
      },
    };
  }

  async setStatus(ticketId: number, status: TicketStatus, at: Date): Promise<void> {
    const [open, close] = status === 'open' ? ['1', '0'] : ['0', '1'];
    await this.#rows('UPDATE ___xtr_msg SET msg_open = ?, msg_close = ? WHERE msg_id = ?', [open, close, ticketId]);
    await this.#rows('UPDATE support_ticket SET status = ?, closed_at = ?, updated_at = ? WHERE ticket_id = ?', [status, status === 'closed' ? at : null, at, ticketId]);
  }

  async setAssignee(ticketId: number, agentId: number | null, at: Date): Promise<void> {
    await this.#rows('UPDATE support_ticket SET assignee_agent_id = ?, updated_at = ? WHERE ticket_id = ?', [agentId, at, ticketId]);
  }

  async correct(ticketId: number, field: 'priority' | 'category', from: string, to: string, agentId: number, at: Date): Promise<void> {
    // `field` is one of two literals, never input: the column name is chosen here.
    const column = field === 'priority' ? 'priority' : 'category';
    await this.#rows(`UPDATE support_ticket SET ${column} = ?, corrected = 1, updated_at = ? WHERE ticket_id = ?`, [to, at, ticketId]);
    await this.#rows('INSERT INTO support_triage_correction (ticket_id, field, from_value, to_value, agent_id, created_at) VALUES (?, ?, ?, ?, ?, ?)', [ticketId, field, from, to, agentId, at]);
    // The old site reads priority and category only from the metadata block of the ticket row.
    const [legacy] = await this.#rows('SELECT msg_content, msg_date FROM ___xtr_msg WHERE msg_id = ? FOR UPDATE', [ticketId]);
    if (!legacy) return;
    const parsed = parseLegacyContent(stringOr(legacy['msg_content'], ''));
    const metadata = parsed.metadata ?? {};
    const createdAt = typeof metadata['created_at'] === 'string' ? metadata['created_at'] : stringOr(legacy['msg_date'], formatLegacyDate(at));
    const current = await this.#rows('SELECT priority, category FROM support_ticket WHERE ticket_id = ?', [ticketId]);
    const content = composeLegacyContent(parsed.text, { ...metadata, priority: current[0]?.['priority'] as Priority, category: current[0]?.['category'] as Category, created_at: createdAt });
    await this.#rows('UPDATE ___xtr_msg SET msg_content = ? WHERE msg_id = ?', [content, ticketId]);
  }

  async addStaffReply(reply: { ticketId: number; customerId: number; subject: string; content: string; staffId: string; at: Date }): Promise<number> {
    const [result] = await this.#conn.query(
      `INSERT INTO ___xtr_msg (msg_cst_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close)
       VALUES (?, ?, ?, ?, ?, ?, '0', '0')`,
      [String(reply.customerId), reply.staffId, formatLegacyDate(reply.at), reply.subject, reply.content, String(reply.ticketId)],
    );
    await this.#rows(
      'UPDATE support_ticket SET message_count = message_count + 1, last_message_at = ?, updated_at = ?, first_response_at = COALESCE(first_response_at, ?) WHERE ticket_id = ?',
      [reply.at, reply.at, reply.at, reply.ticketId],
    );
    return (result as { insertId: number }).insertId;
  }

  async lastCustomerEmail(ticketId: number): Promise<{ messageId: string; references: string[] } | null> {
    const rows = await this.#rows(
      "SELECT message_id, references_ids FROM support_message WHERE ticket_id = ? AND direction = 'inbound' AND kind IN ('ticket', 'reply') ORDER BY created_at DESC, id DESC LIMIT 1",
      [ticketId],
    );
    const r = rows[0];
    if (!r) return null;
    const refs = stringOr(r['references_ids'], '').split(/\s+/).filter(Boolean);
    return { messageId: String(r['message_id']), references: refs };
  }

  async queueReply(reply: OutboundReply): Promise<void> {
    await this.#rows(
      `INSERT INTO support_message (message_id, ticket_id, legacy_msg_id, direction, kind, outcome, peer_address, subject, in_reply_to, references_ids, body_text, source, delivery, created_at)
       VALUES (?, ?, ?, 'outbound', 'agent_reply', 'queued', ?, ?, ?, ?, ?, 'command', 'pending', ?)`,
      [
        reply.messageId,
        reply.ticketId,
        reply.legacyMsgId,
        reply.to,
        reply.subject.slice(0, 500),
        reply.inReplyTo.length ? reply.inReplyTo.join(' ') : null,
        reply.references.length ? reply.references.join(' ') : null,
        reply.text,
        reply.at,
      ],
    );
  }

  async isAddressFlagged(address: string): Promise<{ reason: string } | null> {
    const rows = await this.#rows('SELECT reason FROM support_address_flag WHERE address = ? LIMIT 1', [address]);
    return rows[0] ? { reason: String(rows[0]['reason']) } : null;
  }

  async recordEvent(ticketId: number, type: string, actor: string, details: Record<string, unknown>, at: Date): Promise<void> {
    await this.#rows('INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, ?, ?, ?, ?)', [ticketId, type, actor.slice(0, 128), JSON.stringify(details), at]);
  }
}

function selectTicket(q: Queryable, ticketId: number, forUpdate: boolean): Promise<Row[]> {
  return q
    .query(
      `SELECT t.*, a.name AS assignee FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id WHERE t.ticket_id = ? LIMIT 1${forUpdate ? ' FOR UPDATE' : ''}`,
      [ticketId],
    )
    .then(([rows]) => rows as Row[]);
}

/**
 * A ticket the old site created has no row of ours: one is made from its legacy row, as intake's
 * ticketById does. Replies, product reviews, legal documents and redirects (JSON with a "type" key,
 * no metadata block) are not tickets and are left alone.
 */
async function adoptLegacyTicket(q: Queryable, ticketId: number): Promise<TicketLookup<true>> {
  const [found] = await q.query(
    `SELECT m.msg_cst_id, m.msg_ord_id, m.msg_date, m.msg_subject, m.msg_content, m.msg_parent_id, m.msg_close, c.cst_mail
       FROM ___xtr_msg m LEFT JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id
      WHERE m.msg_id = ? LIMIT 1`,
    [ticketId],
  );
  const row = (found as Row[])[0];
  if (!row) return { found: 'none' };
  const parent = stringOr(row['msg_parent_id'], '').trim();
  if (parent && parent !== '0' && /^\d+$/.test(parent)) return { found: 'reply', parentId: Number(parent) };
  const { metadata } = parseLegacyContent(stringOr(row['msg_content'], ''));
  if (!metadata) return { found: 'other' };
  const created = parseLegacyDate(stringOr(row['msg_date'], '')) ?? new Date();
  const status: TicketStatus = row['msg_close'] === '1' ? 'closed' : 'open';
  const priority = PRIORITIES.includes(metadata['priority'] as Priority) ? (metadata['priority'] as Priority) : 'normal';
  const category = CATEGORIES.includes(metadata['category'] as Category) ? (metadata['category'] as Category) : 'general';
  const email = stringOr(row['cst_mail'], '').toLowerCase();
  await q.query(
    `INSERT IGNORE INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, order_number, triaged, created_at, updated_at, last_message_at, closed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'legacy', ?, 1, ?, ?, ?, ?)`,
    [ticketId, Number(row['msg_cst_id']) || 0, email.slice(0, 255), stringOr(row['msg_subject'], '').slice(0, 500), status, priority, category, row['msg_ord_id'] ?? null, created, created, created, status === 'closed' ? created : null],
  );
  return { found: 'ticket', ticket: true };
}

/**
 * Words → a FULLTEXT condition on (subject, customer_email): every word must be there, as a prefix
 * ("brake" finds "brakes"); an address or a word with punctuation as a phrase. Words the index cannot
 * hold (under 3 characters) are matched with LIKE on the subject.
 */
function searchCondition(words: readonly string[]): { sql: string; params: unknown[] } | null {
  const terms: string[] = [];
  const likes: string[] = [];
  for (const word of words) {
    const clean = word.replace(/["+\-<>()~*@]+/g, ' ').trim();
    if (!clean) continue;
    if (/\s/.test(clean) || /[^\p{L}\p{N}_]/u.test(clean)) terms.push(`+"${clean.replace(/[^\p{L}\p{N}_]+/gu, ' ').trim()}"`);
    else if ([...clean].length < 3) likes.push(clean);
    else terms.push(`+${clean}*`);
  }
  const sql: string[] = [];
  const params: unknown[] = [];
  if (terms.length) {
    sql.push('MATCH (t.subject, t.customer_email) AGAINST (? IN BOOLEAN MODE)');
    params.push(terms.join(' '));
  }
  for (const like of likes) {
    sql.push("t.subject LIKE CONCAT('%', ?, '%')");
    params.push(like.replace(/[\\%_]/g, (c) => `\\${c}`));
  }
  return sql.length ? { sql: sql.join(' AND '), params } : null;
}

function toSummary(r: Row): TicketSummary {
  return {
    ticketId: Number(r['ticket_id']),
    subject: String(r['subject'] ?? ''),
    customer: String(r['customer_email'] ?? ''),
    status: r['status'] as TicketStatus,
    priority: r['priority'] as Priority,
    category: r['category'] as Category,
    createdAt: asDate(r['created_at']),
    assignee: typeof r['assignee'] === 'string' ? r['assignee'] : null,
  };
}

/** msg_cnfa_id: the staff id of a message by staff; NULL, '' or '0' for the customer. */
function staffIdOf(value: unknown): string | null {
  const s = value === null || value === undefined ? '' : String(value).trim();
  return s && s !== '0' ? s : null;
}

/** The old site wrote HTML: enough of it removed to read in a terminal or a chat message. */
function readableText(content: string): string {
  const text = /<\/?(p|br|div|span|b|i|strong|em|ul|li|a)\b/i.test(content)
    ? content
        .replace(/<br\s*\/?>/gi, '\n')
        .replace(/<\/p>/gi, '\n')
        .replace(/<[^>]+>/g, '')
        .replace(/&nbsp;/g, ' ')
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
    : content;
  const trimmed = text.replace(/\n{3,}/g, '\n\n').trim();
  return trimmed.length > 4000 ? `${trimmed.slice(0, 4000)}…` : trimmed;
}

function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function parseJsonValue(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}

function parseJson(value: unknown): Record<string, unknown> {
  const parsed = parseJsonValue(value);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}
