/**
 * SupportApiStore on MySQL/MariaDB: what the old web module's API reads. Counts and groups run in the
 * database over support_ticket's indexes; lists are filtered and paged there, with the legacy rows'
 * customer, order and text joined for the page's tickets only. Support tickets only: the shop's other
 * ___xtr_msg rows never appear (every query starts from support_ticket).
 */
import type mysql from 'mysql2/promise';
import { type Category, type Priority, type TicketStatus } from '../../src/domain/ticket.ts';
import type {
  ContactStats,
  SupportApiStore,
  SupportApiTicket,
  TicketListItem,
  TicketListPage,
  TicketListQuery,
} from '../../src/ports/support-api-store.ts';
import { toAppError, type Database } from './database.ts';
import { METADATA_MARKER, parseLegacyContent } from './legacy-format.ts';
import { adoptBeforeListing, bringInLine, runnerOf } from './legacy-sync.ts';
import { indexableWord } from './fulltext.ts';
import { asDate, asDateOrNull, queryRows, type Row } from './row.ts';
import { countCreatedSince, readTally, tallyCount, type TallyFilter } from './ticket-tally.ts';
import { afterTicket, allOf, searchNewestFirst, type SqlCondition } from './newest-first-search.ts';
import { wordMatch, wordTokens } from './word-match.ts';

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
    // From the tally the triggers keep (ticket-tally.ts), and a range of the created_at index: a COUNT over
    // support_ticket read every adopted ticket (4.1 s for 850,000 of the shop's table, a third of its history).
    const [tally, created] = await Promise.all([
      readTally(runnerOf(this.#pool)).catch((error: unknown) => {
        throw toAppError(error, 'counting tickets');
      }),
      countCreatedSince(runnerOf(this.#pool), since).catch((error: unknown) => {
        throw toAppError(error, 'counting tickets', this.#budget);
      }),
    ]);
    return {
      total: tally.open + tally.closed,
      open: tally.open,
      closed: tally.closed,
      urgent: tally.openByPriority.urgent,
      createdSince: created,
      byCategory: tally.openByCategory,
      byPriority: tally.openByPriority,
    };
  }

  async listTickets(query: TicketListQuery): Promise<TicketListPage> {
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
    // A cursor reads from where the previous page ended (the index's order), not past OFFSET rows.
    const keyset = query.after ? afterTicket(query.after) : null;
    const offset = query.after ? 0 : (query.page - 1) * query.limit;
    // The old pages' search: the tickets whose subject, address or text has the words, or the number.
    let join = '';
    const joinParams: unknown[] = [];
    if (query.keyword) {
      const keyword = query.keyword.trim();
      const asNumber = /^#?(\d{1,9})$/.exec(keyword);
      const address = query.inContent && ADDRESS.test(keyword) ? keyword.toLowerCase() : null;
      const words = query.inContent && !address ? fulltextWords(keyword) : null;
      if (address) {
        // A customer's address: their tickets, on the (customer_email, created_at) index. Its parts as words
        // ("example", "com") are in every ticket: the FULLTEXT index would read them all.
        add('t.customer_email = ?', address);
      } else if (words) {
        // Common words first among the newest tickets; the FULLTEXT indexes only for rarer words.
        const walked = asNumber ? null : await this.#walkNewest(words, where, params, keyset, offset, query);
        if (walked) return { ...walked, tickets: await this.#listItems(walked.ids) };
        join = `JOIN (SELECT ticket_id FROM support_ticket WHERE MATCH (subject, customer_email) AGAINST (? IN BOOLEAN MODE)
                 UNION SELECT ticket_id FROM support_ticket_text WHERE MATCH (body) AGAINST (? IN BOOLEAN MODE)${asNumber ? ' UNION SELECT ?' : ''}) k ON k.ticket_id = t.ticket_id`;
        joinParams.push(words.query, words.query, ...(asNumber ? [Number(asNumber[1])] : []));
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
    const after = keyset ? `${where.length ? `${clause} AND` : `${clause} WHERE`} ${keyset.sql}` : clause;
    // Filtered on status, priority and category only (the old pages' lists): the tally counts, not the tickets.
    const tallied = !query.keyword && !query.customerId && !query.from && !query.to;
    const [total, rows] = await Promise.all([
      tallied
        ? this.#tallyCount(query)
        : this.#rows(
            `SELECT COUNT(*) AS n FROM support_ticket t ${clause}`,
            [...joinParams, ...params],
            'counting tickets',
          ).then((count) => Number(count[0]?.['n'] ?? 0)),
      this.#rows(
        `SELECT t.ticket_id FROM support_ticket t ${after} ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ? OFFSET ?`,
        [...joinParams, ...params, ...(keyset?.params ?? []), query.limit, offset],
        'listing tickets',
      ),
    ]);
    return { total, totalExact: true, tickets: await this.#listItems(rows.map((r) => Number(r['ticket_id']))) };
  }

  #tallyCount(filter: TallyFilter): Promise<number> {
    return tallyCount(runnerOf(this.#pool), filter).catch((error: unknown) => {
      throw toAppError(error, 'counting tickets');
    });
  }

  /**
   * A search's page walked newest first when that is cheaper than the FULLTEXT indexes (newest-first-search.ts,
   * shared with the chat's /ticket list): null when it is not. The total is exact when the newest tickets looked
   * at are all the filters keep; otherwise the filters' tickets times the share that matched (`totalExact` false).
   */
  async #walkNewest(
    words: FulltextWords,
    where: readonly string[],
    params: readonly unknown[],
    keyset: SqlCondition | null,
    offset: number,
    query: TicketListQuery,
  ): Promise<{ ids: number[]; total: number; totalExact: boolean } | null> {
    // Each word in the subject, the address or the text (x: support_ticket_text).
    const each = (row: string) =>
      words.tokens.map((token) => wordMatch([token], [`${row}.subject`, `${row}.customer_email`, 'x.body'])!);
    const page = await searchNewestFirst(runnerOf(this.#pool), {
      filters: [...where, ...(keyset ? [keyset.sql] : [])],
      params: [...params, ...(keyset?.params ?? [])],
      matchesAll: (row) => allOf(each(row)),
      terms: each,
      text: true,
      offset,
      limit: query.limit,
    }).catch((error: unknown) => {
      throw toAppError(error, 'searching tickets', this.#budget);
    });
    if (!page) return null;
    if (page.exact) return { ids: page.ids, total: page.matched, totalExact: true };
    // How many tickets the filters keep (the tally when it can say), times the share that matched: an estimate.
    const tallied = !query.customerId && !query.from && !query.to;
    const filtered = tallied
      ? await this.#tallyCount(query)
      : Number(
          (
            await this.#rows(
              `SELECT COUNT(*) AS n FROM support_ticket t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
              [...params],
              'counting tickets',
            )
          )[0]?.['n'] ?? 0,
        );
    return {
      ids: page.ids,
      total: Math.max(Math.round(filtered * page.share), offset + page.ids.length),
      totalExact: false,
    };
  }

  /** The tickets of a page, in the list's order, with what the old pages read of their legacy rows. */
  async #listItems(ids: readonly number[]): Promise<TicketListItem[]> {
    if (ids.length === 0) return [];
    const rows = await this.#rows(
      `SELECT t.ticket_id, t.subject, t.customer_email, t.status, t.priority, t.category, t.created_at, t.last_message_at, t.message_count,
              t.customer_id, t.order_number
         FROM support_ticket t WHERE t.ticket_id IN (?) ORDER BY t.created_at DESC, t.ticket_id DESC`,
      [ids],
      'listing tickets',
    );
    // The page's rows only, by primary key: the start of each text (before the block) and the customer.
    const legacy = await this.#rows(
      `SELECT m.msg_id, m.msg_cnfa_id, LEFT(SUBSTRING_INDEX(m.msg_content, ?, 1), ?) AS text, c.cst_id, c.cst_fname, c.cst_name, c.cst_mail, c.cst_gsm, c.cst_tel
         FROM ___xtr_msg m LEFT JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id WHERE m.msg_id IN (?)`,
      [METADATA_MARKER, LIST_TEXT_CHARS, ids],
      "reading the tickets' texts",
    );
    const byId = new Map(legacy.map((l) => [Number(l['msg_id']), l]));
    return rows.map((r) => ({ ...listItem(r), legacy: legacyView(r, byId.get(Number(r['ticket_id'])) ?? null) }));
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

/** A search's words: each of 3 letters or more (InnoDB's smallest) that is not a stopword, at most 10. */
interface FulltextWords {
  readonly tokens: readonly string[];
  /** The same for the FULLTEXT indexes in boolean mode: each word required, as a prefix. */
  readonly query: string;
}

/** null when no word can use the index. */
function fulltextWords(keyword: string): FulltextWords | null {
  const tokens = wordTokens(keyword).filter(indexableWord).slice(0, 10);
  return tokens.length ? { tokens, query: tokens.map((t) => `+${t}*`).join(' ') } : null;
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
