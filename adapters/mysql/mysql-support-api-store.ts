/**
 * SupportApiStore on MySQL/MariaDB: what the old web module's API reads. Counts and groups run in the
 * database over support_ticket's indexes; lists are filtered and paged there, with the legacy rows'
 * customer, order and text joined for the page's tickets only. Support tickets only: the shop's other
 * ___xtr_msg rows never appear (every query starts from support_ticket).
 */
import type mysql from 'mysql2/promise';
import { CATEGORIES, PRIORITIES, type Category, type Priority, type TicketStatus } from '../../src/domain/ticket.ts';
import type {
  ContactStats,
  SupportApiStore,
  SupportApiTicket,
  TicketListItem,
  TicketListQuery,
} from '../../src/ports/support-api-store.ts';
import { toAppError, type Database } from './database.ts';
import { METADATA_MARKER, parseLegacyContent } from './legacy-format.ts';
import { adoptBeforeListing, bringInLine, runnerOf } from './legacy-sync.ts';
import { indexableWord } from './fulltext.ts';
import { asDate, asDateOrNull, queryRows, zeroes, type Row } from './row.ts';

export class MysqlSupportApiStore implements SupportApiStore {
  readonly #pool: mysql.Pool;
  readonly #budget: Database['budget'];

  constructor(database: Database) {
    this.#pool = database.pool;
    this.#budget = database.budget;
  }

  #rows(sql: string, params: unknown[], doing: string): Promise<Row[]> {
    return queryRows(this.#pool, sql, params, doing, this.#budget);
  }

  async contactStats(since: Date): Promise<ContactStats> {
    await adoptBeforeListing(this.#pool);
    const [totals, groups] = await Promise.all([
      this.#rows(
        `SELECT COUNT(*) AS total, COALESCE(SUM(t.status = 'open'), 0) AS open, COALESCE(SUM(t.status = 'closed'), 0) AS closed,
                COALESCE(SUM(t.status = 'open' AND t.priority = 'urgent'), 0) AS urgent, COALESCE(SUM(t.created_at >= ?), 0) AS created_since
           FROM support_ticket t`,
        [since],
        'counting tickets',
      ),
      this.#rows(
        'SELECT t.category AS c, t.priority AS p, COUNT(*) AS n FROM support_ticket t WHERE t.status = ? GROUP BY t.category, t.priority',
        ['open'],
        'counting open tickets',
      ),
    ]);
    const t: Record<string, unknown> = totals[0] ?? {};
    const byCategory = zeroes(CATEGORIES);
    const byPriority = zeroes(PRIORITIES);
    for (const r of groups) {
      byCategory[r['c'] as Category] += Number(r['n']);
      byPriority[r['p'] as Priority] += Number(r['n']);
    }
    return {
      total: Number(t['total'] ?? 0),
      open: Number(t['open'] ?? 0),
      closed: Number(t['closed'] ?? 0),
      urgent: Number(t['urgent'] ?? 0),
      createdSince: Number(t['created_since'] ?? 0),
      byCategory,
      byPriority,
    };
  }

  async listTickets(query: TicketListQuery): Promise<{ total: number; tickets: TicketListItem[] }> {
    await adoptBeforeListing(this.#pool);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, ...values: unknown[]) => {
      where.push(condition);
      params.push(...values);
    };
    if (query.status) add('t.status = ?', query.status);
    if (query.customerId) add('t.customer_id = ?', query.customerId);
    if (query.priority) add('t.priority = ?', query.priority);
    if (query.category) add('t.category = ?', query.category);
    if (query.from) add('t.created_at >= ?', query.from);
    if (query.to) add('t.created_at < ?', query.to);
    // Without a status, both: the (priority|category, status, created_at) indexes then serve a range of dates.
    if (!query.status && (query.priority || query.category) && (query.from || query.to))
      where.push("t.status IN ('open', 'closed')");
    // The old pages' search: the tickets whose subject, address or text has the words (FULLTEXT indexes of our
    // tables, never a scan of ___xtr_msg), or the number; their ids joined first, then filtered and paged.
    let join = '';
    const joinParams: unknown[] = [];
    if (query.keyword) {
      const keyword = query.keyword.trim();
      const asNumber = /^#?(\d{1,9})$/.exec(keyword);
      const words = query.inContent ? fulltextWords(keyword) : null;
      if (words) {
        join = `JOIN (SELECT ticket_id FROM support_ticket WHERE MATCH (subject, customer_email) AGAINST (? IN BOOLEAN MODE)
                 UNION SELECT ticket_id FROM support_ticket_text WHERE MATCH (body) AGAINST (? IN BOOLEAN MODE)${asNumber ? ' UNION SELECT ?' : ''}) k ON k.ticket_id = t.ticket_id`;
        joinParams.push(words, words, ...(asNumber ? [Number(asNumber[1])] : []));
      } else if (asNumber && query.inContent) {
        add('t.ticket_id = ?', Number(asNumber[1]));
      } else {
        const like = `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        add(
          `(t.subject LIKE ? OR t.customer_email LIKE ?${asNumber ? ' OR t.ticket_id = ?' : ''})`,
          like,
          like,
          ...(asNumber ? [Number(asNumber[1])] : []),
        );
      }
    }
    const clause = `${join} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    // A cursor reads from where the previous page ended (the index's order), not past OFFSET rows.
    const after = query.after
      ? `${where.length ? `${clause} AND` : `${clause} WHERE`} (t.created_at < ? OR (t.created_at = ? AND t.ticket_id < ?))`
      : clause;
    const afterParams = query.after ? [query.after.createdAt, query.after.createdAt, query.after.ticketId] : [];
    const [count, rows] = await Promise.all([
      this.#rows(
        `SELECT COUNT(*) AS n FROM support_ticket t ${clause}`,
        [...joinParams, ...params],
        'counting tickets',
      ),
      this.#rows(
        `SELECT t.ticket_id, t.subject, t.customer_email, t.status, t.priority, t.category, t.created_at, t.last_message_at, t.message_count,
                t.customer_id, t.order_number
           FROM support_ticket t ${after} ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ? OFFSET ?`,
        [...joinParams, ...params, ...afterParams, query.limit, query.after ? 0 : (query.page - 1) * query.limit],
        'listing tickets',
      ),
    ]);
    // The page's rows only, by primary key: the start of each text (before the block) and the customer.
    const legacy = rows.length
      ? await this.#rows(
          `SELECT m.msg_id, m.msg_cnfa_id, LEFT(SUBSTRING_INDEX(m.msg_content, ?, 1), ?) AS text, c.cst_id, c.cst_fname, c.cst_name, c.cst_mail, c.cst_gsm, c.cst_tel
             FROM ___xtr_msg m LEFT JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id WHERE m.msg_id IN (?)`,
          [METADATA_MARKER, LIST_TEXT_CHARS, rows.map((r) => Number(r['ticket_id']))],
          "reading the tickets' texts",
        )
      : [];
    const byId = new Map(legacy.map((l) => [Number(l['msg_id']), l]));
    return {
      total: Number(count[0]?.['n'] ?? 0),
      tickets: rows.map((r) => ({ ...listItem(r), legacy: legacyView(r, byId.get(Number(r['ticket_id'])) ?? null) })),
    };
  }

  async ticketDetail(ticketId: number): Promise<SupportApiTicket | null> {
    // A ticket the old site created is adopted; what it changed since is taken in.
    try {
      if ((await bringInLine(runnerOf(this.#pool), ticketId, { lock: false, at: new Date() })).found !== 'ticket')
        return null;
    } catch (error) {
      throw toAppError(error, 'reading a ticket', this.#budget);
    }
    const rows = await this.#rows(
      `SELECT t.*, m.msg_content, m.msg_cnfa_id, c.cst_id, c.cst_fname, c.cst_name, c.cst_mail, c.cst_gsm, c.cst_tel
         FROM support_ticket t LEFT JOIN ___xtr_msg m ON m.msg_id = t.ticket_id LEFT JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id
        WHERE t.ticket_id = ?`,
      [ticketId],
      'reading a ticket',
    );
    const r = rows[0];
    if (!r) return null;
    const replies = await this.#rows(
      'SELECT msg_id, msg_date, msg_cnfa_id, msg_content FROM ___xtr_msg WHERE msg_parent_id = ? ORDER BY msg_id LIMIT 500',
      [String(ticketId)],
      "reading a ticket's messages",
    );
    const content = parseLegacyContent(String(r['msg_content'] ?? '')).text;
    return {
      ...listItem(r),
      legacy: legacyView(r, { ...r, text: content }),
      customerId: Number(r['customer_id']),
      orderNumber: r['order_number'] === null ? null : String(r['order_number']),
      language: r['language'] === null ? null : String(r['language']),
      source: String(r['source']),
      firstResponseAt: asDateOrNull(r['first_response_at']),
      closedAt: asDateOrNull(r['closed_at']),
      content,
      messages: replies.map((m) => ({
        id: Number(m['msg_id']),
        date: m['msg_date'] === null ? null : String(m['msg_date']),
        fromStaff: m['msg_cnfa_id'] !== null && String(m['msg_cnfa_id']) !== '0' && String(m['msg_cnfa_id']) !== '',
        content: String(m['msg_content'] ?? ''),
      })),
    };
  }
}

function listItem(r: Row): TicketListItem {
  return {
    ticketId: Number(r['ticket_id']),
    subject: String(r['subject']),
    customerEmail: String(r['customer_email']),
    status: r['status'] as TicketStatus,
    priority: r['priority'] as Priority,
    category: r['category'] as Category,
    createdAt: asDate(r['created_at']),
    lastMessageAt: asDate(r['last_message_at']),
    messageCount: Number(r['message_count']),
  };
}

/** How much of each ticket's text a list carries (the old pages show its first 60 or 100 characters). */
const LIST_TEXT_CHARS = 300;

/** The legacy side of a ticket: our row `r`, and `l` its ___xtr_msg row joined to its customer (null: gone). */
function legacyView(r: Row, l: Record<string, unknown> | null): NonNullable<TicketListItem['legacy']> {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);
  const staff = text(l?.['msg_cnfa_id']);
  return {
    customerId: Number(r['customer_id']),
    customer:
      l && l['cst_id'] !== null && l['cst_id'] !== undefined
        ? {
            firstName: text(l['cst_fname']),
            lastName: text(l['cst_name']),
            email: text(l['cst_mail']),
            phone: text(l['cst_gsm']) ?? text(l['cst_tel']),
          }
        : null,
    orderNumber: r['order_number'] === null || r['order_number'] === undefined ? null : String(r['order_number']),
    staffId: staff && staff !== '0' ? staff : null,
    text: String(l?.['text'] ?? '').trimEnd(),
  };
}

/**
 * A search's words for the FULLTEXT indexes in boolean mode: each word of 3 letters or more (InnoDB's
 * smallest) that is not a stopword, required, as a prefix. null when no word can use the index.
 */
function fulltextWords(keyword: string): string | null {
  const tokens = keyword.split(/[^\p{L}\p{N}_]+/u).filter(indexableWord);
  return tokens.length
    ? tokens
        .slice(0, 10)
        .map((t) => `+${t}*`)
        .join(' ')
    : null;
}
