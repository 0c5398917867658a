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
import { htmlText } from '../../src/domain/encode.ts';
import { type Category, type Priority, type TicketStatus } from '../../src/domain/ticket.ts';
import {
  formatLegacyDate,
  legacyReplyContent,
  legacyReplyText,
  parseLegacyContent,
  parseLegacyDate,
  replaceLegacyMetadata,
} from './legacy-format.ts';
import type {
  OutboundReply,
  StoredAttachment,
  StoredThreadEntry,
  TicketCounts,
  TicketDetail,
  TicketLookup,
  TicketRecord,
  TicketStore,
  TicketTransaction,
} from '../../src/ports/ticket-store.ts';
import { legacyStatusUpdate } from './legacy-status.ts';
import { adoptBeforeListing, bringInLine, runnerOf, type LegacyRead } from './legacy-sync.ts';
import { toAppError, type Database } from './database.ts';
import { indexableWord } from './fulltext.ts';
import { asDate, nullableNumber, stringOr } from './row.ts';
import { countCreatedSince, readTally } from './ticket-tally.ts';
import { allOf, searchNewestFirst, type SqlCondition } from './newest-first-search.ts';
import { wordMatch, wordTokens } from './word-match.ts';

type Row = Record<string, unknown>;
/** A connection or the pool: both answer `query`. */
type Queryable = Pick<PoolConnection, 'query'>;

const SUMMARY_COLUMNS =
  't.ticket_id, t.subject, t.customer_email, t.status, t.priority, t.category, t.triaged, t.corrected, t.created_at, t.awaiting_reply_since, a.name AS assignee';

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
    // The old site's web-form tickets are listed too (adopted here, at most every 10 s).
    await adoptBeforeListing(this.#database.pool);
    const filters: string[] = [];
    const params: unknown[] = [];
    if (request.status === 'waiting') {
      filters.push("t.status = 'open'", 't.awaiting_reply_since IS NOT NULL');
    } else if (request.status !== 'all') {
      filters.push('t.status = ?');
      params.push(request.status);
    }
    if (request.priority) {
      filters.push('t.priority = ?');
      params.push(request.priority);
    }
    if (request.category) {
      filters.push('t.category = ?');
      params.push(request.category);
    }
    const offset = (request.page - 1) * pageSize;
    const search = searchPlan(request.words);
    if (request.status === 'waiting') {
      // The customers who have waited longest first, on the (status, awaiting_reply_since) index.
      const conditions = [
        ...filters,
        ...(search?.address ? ['customer_email = ?'] : []),
        ...(search?.conditions ?? []),
      ];
      const rows = await this.#rows(
        `SELECT ${SUMMARY_COLUMNS} FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id
          ${where(conditions)} ORDER BY t.awaiting_reply_since ASC, t.ticket_id ASC LIMIT ? OFFSET ?`,
        [...params, ...(search?.address ? [search.address] : []), ...(search?.params ?? []), pageSize + 1, offset],
        'listing tickets',
      );
      return { items: rows.slice(0, pageSize).map(toSummary), hasMore: rows.length > pageSize };
    }
    let ids: number[];
    if (!search) {
      // Every status with a priority or a category: each status read on its (priority|category, status,
      // created_at) index, newest first, then merged (without a status those indexes are not in date order).
      ids =
        request.status === 'all' && (request.priority || request.category)
          ? await this.#idsEachStatus(filters, params, pageSize + 1, offset)
          : await this.#ids(filters, params, pageSize + 1, offset);
    } else if (search.address) {
      // A customer's address: their tickets, by the (customer_email, created_at) index.
      ids = await this.#ids(
        [...filters, 'customer_email = ?', ...search.conditions],
        [...params, search.address, ...search.params],
        pageSize + 1,
        offset,
      );
    } else {
      // Walked newest first when the words are common (a page within a few thousand tickets), the FULLTEXT
      // index when they are rare: newest-first-search.ts decides, as for the old pages' search.
      const page = await this.#search(filters, params, search, pageSize + 1, offset);
      ids =
        page ??
        (await this.#ids(
          [...filters, 'MATCH (t.subject, t.customer_email) AGAINST (? IN BOOLEAN MODE)', ...search.conditions],
          [...params, search.fulltext, ...search.params],
          pageSize + 1,
          offset,
        ));
    }
    if (ids.length === 0) return { items: [], hasMore: false };
    const rows = await this.#rows(
      `SELECT ${SUMMARY_COLUMNS} FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id
        WHERE t.ticket_id IN (?) ORDER BY t.created_at DESC, t.ticket_id DESC`,
      [ids.slice(0, pageSize)],
      'listing tickets',
    );
    return { items: rows.map(toSummary), hasMore: ids.length > pageSize };
  }

  /** A words search walked newest first, or null when the FULLTEXT index is the cheaper way. */
  async #search(
    filters: readonly string[],
    params: readonly unknown[],
    search: SearchPlan,
    limit: number,
    offset: number,
  ): Promise<number[] | null> {
    try {
      const page = await searchNewestFirst(runnerOf(this.#database.pool), {
        filters,
        params,
        matchesAll: (row) => search.matchesAll(row),
        // A word the index cannot look up (two letters, a stopword): walking is the only way.
        terms: (row) => (search.fulltext ? search.terms(row) : []),
        text: false,
        offset,
        limit,
      });
      return page?.ids ?? null;
    } catch (error) {
      throw toAppError(error, 'listing tickets', this.#database.budget);
    }
  }

  /** One page of ticket numbers, newest first: the offset is walked on an index, the rows are read after. */
  async #ids(
    conditions: readonly string[],
    params: readonly unknown[],
    limit: number,
    offset: number,
  ): Promise<number[]> {
    const rows = await this.#rows(
      `SELECT t.ticket_id FROM support_ticket t ${where(conditions)} ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ? OFFSET ?`,
      [...params, limit, offset],
      'listing tickets',
    );
    return rows.map((r) => Number(r['ticket_id']));
  }

  /**
   * #ids for both statuses at once: the first offset + limit of each status, merged newest first. Without a
   * status, MariaDB walks the created_at index and reads each ticket for its priority and category (past
   * the old site's thousands of new "normal" tickets on top, 86 ms on the shop's table); per status, the
   * (priority|category, status, created_at) indexes are already in the list's order.
   */
  async #idsEachStatus(
    conditions: readonly string[],
    params: readonly unknown[],
    limit: number,
    offset: number,
  ): Promise<number[]> {
    const status = (value: TicketStatus) =>
      `(SELECT t.ticket_id, t.created_at FROM support_ticket t ${where([`t.status = '${value}'`, ...conditions])}
         ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ?)`;
    const rows = await this.#rows(
      `SELECT u.ticket_id FROM (${status('open')} UNION ALL ${status('closed')}) u
        ORDER BY u.created_at DESC, u.ticket_id DESC LIMIT ? OFFSET ?`,
      [...params, offset + limit, ...params, offset + limit, limit, offset],
      'listing tickets',
    );
    return rows.map((r) => Number(r['ticket_id']));
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
    const search = searchPlan(p.split(/\s+/).filter(Boolean));
    const conditions = ["t.status = 'open'", ...(search?.conditions ?? [])];
    const ids = await this.#ids(conditions, search?.params ?? [], limit, 0);
    if (ids.length === 0) return [];
    const rows = await this.#rows(
      `SELECT ${SUMMARY_COLUMNS} FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id WHERE t.ticket_id IN (?) ORDER BY t.created_at DESC, t.ticket_id DESC`,
      [ids],
      'suggesting tickets',
    );
    return rows.map(toSummary);
  }

  async detail(ticketId: number, threadLimit: number): Promise<TicketLookup<TicketDetail>> {
    const pool = this.#database.pool;
    try {
      const synced = await bringInLine(runnerOf(pool), ticketId, { lock: false, at: new Date() });
      if (synced.found !== 'ticket') return lookupOf(synced);
      // Our row, the ticket's legacy row and its replies (msg_parent_id is text in the legacy table), and our
      // notes: independent reads, at the same time (one after the other they were most of a view's time).
      const [[row], [legacy], [notes]] = await Promise.all([
        selectTicket(pool, ticketId, false).then((rows) => [rows[0]] as const),
        pool.query(
          `(SELECT msg_id, msg_cnfa_id, msg_date, msg_content FROM ___xtr_msg WHERE msg_id = ?)
           UNION ALL
           (SELECT msg_id, msg_cnfa_id, msg_date, msg_content FROM ___xtr_msg WHERE msg_parent_id = ? ORDER BY msg_id DESC LIMIT ?)`,
          [ticketId, String(ticketId), threadLimit],
        ),
        pool.query(
          `SELECT type, actor, details, created_at FROM support_event
            WHERE (ticket_id = ? AND type IN ('note', 'closed', 'reopened', 'customer_reply_reopened', 'template_actions', 'stranger_linked', 'ticket_created'))
               OR (ticket_id = ? AND type = 'replied' AND JSON_EXTRACT(details, '$.template') IS NOT NULL)
            ORDER BY created_at DESC, id DESC LIMIT ?`,
          [ticketId, ticketId, threadLimit],
        ),
      ]);
      if (!row) return { found: 'none' };
      const staffIds = [
        ...new Set((legacy as Row[]).map((r) => staffIdOf(r['msg_cnfa_id'])).filter((s): s is string => s !== null)),
      ];
      const [sources, names] = await Promise.all([
        emailSources(
          pool,
          ticketId,
          (legacy as Row[]).map((r) => Number(r['msg_id'])),
        ),
        staffNames(pool, staffIds),
      ]);
      const summary = toSummary(row);
      const customerEmail = String(row['customer_email']);
      const created = summary.createdAt;
      const entries: StoredThreadEntry[] = [];
      // Oldest first by id: two messages dated the same second (msg_date has no finer grain) keep their order.
      for (const r of [...(legacy as Row[])].sort((a, b) => Number(a['msg_id']) - Number(b['msg_id']))) {
        const isTicket = Number(r['msg_id']) === ticketId;
        const staffId = staffIdOf(r['msg_cnfa_id']);
        const content = stringOr(r['msg_content'], '');
        // An email we took: the address it came from (an alias, a work address) and its files. A row
        // the old site wrote has none: the ticket's address.
        const source = sources.get(Number(r['msg_id']));
        entries.push({
          from: staffId
            ? (names.get(staffId) ?? `staff #${staffId}`)
            : source?.address || customerEmail || 'the customer',
          at: parseLegacyDate(stringOr(r['msg_date'], '')) ?? created,
          text: readableText(isTicket ? parseLegacyContent(content).text : legacyReplyText(content)),
          staffId,
          internal: false,
          attachments: source?.attachments ?? [],
        });
      }
      for (const n of notes as Row[]) {
        const details = parseJson(n['details']);
        const at = asDate(n['created_at']);
        const type = String(n['type']);
        if (type === 'replied' || type === 'template_actions') {
          // Which template (key@version) a reply used, and what it changed once the email was accepted.
          const applied = Array.isArray(details['applied']) ? details['applied'].join(', ') : '';
          const text =
            type === 'replied'
              ? `Reply from template ${String(details['template'])}`
              : `Template ${String(details['template'])} applied: ${applied}`;
          entries.push({ from: String(n['actor']), at, text, staffId: null, internal: true, event: true });
        } else if (type === 'note') {
          entries.push({
            from: String(n['actor']),
            at,
            text: typeof details['text'] === 'string' ? details['text'] : '',
            staffId: null,
            internal: true,
          });
        } else if (type === 'ticket_created' || type === 'stranger_linked') {
          // An email that pointed at another customer's ticket: said on both, so agents see the link.
          const note = typeof details['note'] === 'string' ? details['note'] : '';
          if (type === 'ticket_created' && !details['linkedTicketId']) continue;
          const text =
            type === 'stranger_linked'
              ? `Someone not on this ticket wrote about it: see ticket #${String(details['newTicketId'])} (${note})`
              : `Linked: ${note}`;
          entries.push({ from: 'intake', at, text, staffId: null, internal: true, event: true });
        } else {
          // Closing and reopening, in the thread where they happened: why a ticket is closed, and by whom.
          const reason = typeof details['reason'] === 'string' && details['reason'] ? `: ${details['reason']}` : '';
          const text =
            type === 'closed'
              ? `Closed${reason}`
              : type === 'reopened'
                ? 'Reopened'
                : "Reopened by the customer's reply";
          entries.push({
            from: type === 'customer_reply_reopened' ? 'the customer' : String(n['actor']),
            at,
            text,
            staffId: null,
            internal: true,
            event: true,
          });
        }
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
            corrected: Number(row['corrected']) === 1,
          },
          // The first entry (the customer's email) always, then the latest ones.
          thread:
            entries.length > threadLimit ? [entries[0]!, ...entries.slice(entries.length - threadLimit + 1)] : entries,
        },
      };
    } catch (error) {
      throw toAppError(error, `reading ticket #${ticketId}`);
    }
  }

  async counts(since: Date): Promise<TicketCounts> {
    await adoptBeforeListing(this.#database.pool);
    // The tally is kept by triggers on support_ticket (migration 0004): a few hundred rows, whatever
    // the number of tickets. New ones are a range of the created_at index. Never a scan of ___xtr_msg.
    const [tally, created, untriaged] = await Promise.all([
      readTally(runnerOf(this.#database.pool)).catch((error: unknown) => {
        throw toAppError(error, 'counting tickets');
      }),
      countCreatedSince(runnerOf(this.#database.pool), since).catch((error: unknown) => {
        throw toAppError(error, 'counting tickets');
      }),
      // A range of the (triaged, created_at) index: as few rows as tickets waiting for a worker.
      this.#rows('SELECT COUNT(*) AS n FROM support_ticket WHERE triaged = 0', [], 'counting tickets'),
    ]);
    return {
      total: tally.open + tally.closed,
      open: tally.open,
      closed: tally.closed,
      createdSince: created,
      openByPriority: tally.openByPriority,
      openByCategory: tally.openByCategory,
      untriaged: Number(untriaged[0]?.['n'] ?? 0),
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
    // What the old site did to it first (adopted, or closed there): the command sees it.
    const synced = await bringInLine(runnerOf(this.#conn), ticketId, { lock: true, at: new Date() });
    if (synced.found !== 'ticket') return lookupOf(synced);
    const [r] = await selectTicket(this.#conn, ticketId, true);
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
    const legacy = legacyStatusUpdate(ticketId, status);
    await this.#rows(legacy.sql, legacy.params);
    await this.#rows('UPDATE support_ticket SET status = ?, closed_at = ?, updated_at = ? WHERE ticket_id = ?', [
      status,
      status === 'closed' ? at : null,
      at,
      ticketId,
    ]);
  }

  async setAssignee(ticketId: number, agentId: number | null, at: Date): Promise<void> {
    await this.#rows('UPDATE support_ticket SET assignee_agent_id = ?, updated_at = ? WHERE ticket_id = ?', [
      agentId,
      at,
      ticketId,
    ]);
    // A person's choice: automatic assignment never changes this ticket again (it leaves the queue too).
    await this.#rows(
      `INSERT INTO support_assignment (ticket_id, state, agent_id, reason, decided_at) VALUES (?, 'manual', ?, ?, ?)
       ON DUPLICATE KEY UPDATE state = 'manual', agent_id = VALUES(agent_id), strategy = NULL, rule = NULL,
         reason = VALUES(reason), queued_since = NULL, decided_at = VALUES(decided_at)`,
      [ticketId, agentId, agentId === null ? 'unassigned by a person' : 'assigned by a person', at],
    );
  }

  async correct(
    ticketId: number,
    field: 'priority' | 'category',
    from: string,
    to: string,
    agentId: number,
    at: Date,
  ): Promise<void> {
    // `field` is one of two literals, never input: the column name is chosen here.
    const column = field === 'priority' ? 'priority' : 'category';
    await this.#rows(`UPDATE support_ticket SET ${column} = ?, corrected = 1, updated_at = ? WHERE ticket_id = ?`, [
      to,
      at,
      ticketId,
    ]);
    await this.#rows(
      'INSERT INTO support_triage_correction (ticket_id, field, from_value, to_value, agent_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [ticketId, field, from, to, agentId, at],
    );
    // The old site reads priority and category only from the metadata block of the ticket row.
    const [legacy] = await this.#rows('SELECT msg_content, msg_date FROM ___xtr_msg WHERE msg_id = ? FOR UPDATE', [
      ticketId,
    ]);
    if (!legacy) return;
    const parsed = parseLegacyContent(stringOr(legacy['msg_content'], ''));
    const metadata = parsed.metadata ?? {};
    const createdAt =
      typeof metadata['created_at'] === 'string'
        ? metadata['created_at']
        : stringOr(legacy['msg_date'], formatLegacyDate(at));
    const current = await this.#rows('SELECT priority, category FROM support_ticket WHERE ticket_id = ?', [ticketId]);
    const content = replaceLegacyMetadata(stringOr(legacy['msg_content'], ''), {
      ...metadata,
      priority: current[0]?.['priority'] as Priority,
      category: current[0]?.['category'] as Category,
      created_at: createdAt,
    });
    await this.#rows('UPDATE ___xtr_msg SET msg_content = ? WHERE msg_id = ?', [content, ticketId]);
  }

  async addStaffReply(reply: {
    ticketId: number;
    customerId: number;
    subject: string;
    content: string;
    staffId: string;
    at: Date;
  }): Promise<number> {
    const [result] = await this.#conn.query(
      `INSERT INTO ___xtr_msg (msg_cst_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close)
       VALUES (?, ?, ?, ?, ?, ?, '0', '0')`,
      [
        String(reply.customerId),
        reply.staffId,
        formatLegacyDate(reply.at),
        htmlText(reply.subject),
        legacyReplyContent(reply.content),
        String(reply.ticketId),
      ],
    );
    await this.#rows(
      'UPDATE support_ticket SET message_count = message_count + 1, last_message_at = ?, updated_at = ?, first_response_at = COALESCE(first_response_at, ?), awaiting_reply_since = NULL WHERE ticket_id = ?',
      [reply.at, reply.at, reply.at, reply.ticketId],
    );
    return (result as { insertId: number }).insertId;
  }

  async lastCustomerEmail(ticketId: number): Promise<{
    messageId: string;
    references: string[];
    rootMessageId: string | null;
    address: string | null;
    name: string | null;
    text: string;
    at: Date;
  } | null> {
    const rows = await this.#rows(
      // The text is the legacy row's (what the customer wrote, history cut; the ticket's own row also carries the metadata block).
      `SELECT m.message_id, m.references_ids, m.peer_address, m.peer_name, m.kind, COALESCE(m.sent_at, m.created_at) AS written_at, x.msg_content,
              (SELECT r.message_id FROM support_message r WHERE r.ticket_id = m.ticket_id AND r.direction = 'inbound' AND r.kind = 'ticket'
                ORDER BY r.id LIMIT 1) AS root_message_id
         FROM support_message m LEFT JOIN ___xtr_msg x ON x.msg_id = m.legacy_msg_id
        WHERE m.ticket_id = ? AND m.direction = 'inbound' AND m.kind IN ('ticket', 'reply') ORDER BY m.created_at DESC, m.id DESC LIMIT 1`,
      [ticketId],
    );
    const r = rows[0];
    if (!r) return null;
    const refs = stringOr(r['references_ids'], '').split(/\s+/).filter(Boolean);
    const address = stringOr(r['peer_address'], '').trim().toLowerCase();
    const content = stringOr(r['msg_content'], '');
    const text = r['kind'] === 'ticket' ? parseLegacyContent(content).text : legacyReplyText(content);
    const root = r['root_message_id'];
    const name = stringOr(r['peer_name'], '').trim();
    return {
      messageId: String(r['message_id']),
      references: refs,
      rootMessageId: root ? String(root) : null,
      address: address || null,
      name: name || null,
      text,
      at: asDate(r['written_at']),
    };
  }

  async threadAddresses(ticketId: number): Promise<string[]> {
    const rows = await this.#rows(
      'SELECT address FROM support_participant WHERE ticket_id = ? ORDER BY address LIMIT 100',
      [ticketId],
    );
    return rows.map((r) => String(r['address']).trim().toLowerCase()).filter(Boolean);
  }

  async queueReply(reply: OutboundReply): Promise<void> {
    await this.#rows(
      `INSERT INTO support_message (message_id, ticket_id, legacy_msg_id, direction, kind, outcome, peer_address, cc_addresses, subject, in_reply_to, references_ids, body_text, source, delivery, created_at)
       VALUES (?, ?, ?, 'outbound', 'agent_reply', 'queued', ?, ?, ?, ?, ?, ?, 'command', 'pending', ?)`,
      [
        reply.messageId,
        reply.ticketId,
        reply.threadEntryId,
        reply.to,
        reply.cc.length ? reply.cc.join(' ') : null,
        reply.subject.slice(0, 500),
        reply.inReplyTo.length ? reply.inReplyTo.join(' ') : null,
        reply.references.length ? reply.references.join(' ') : null,
        reply.text,
        reply.at,
      ],
    );
  }

  async isAddressFlagged(address: string): Promise<{ reason: string; wroteSince: boolean } | null> {
    const rows = await this.#rows(
      `SELECT f.reason, EXISTS (SELECT 1 FROM support_message m
                                 WHERE m.peer_address = f.address AND m.kind IN ('ticket', 'reply') AND m.direction = 'inbound'
                                   AND m.created_at > f.flagged_at) AS wrote_since
         FROM support_address_flag f WHERE f.address = ? LIMIT 1`,
      [address],
    );
    return rows[0] ? { reason: String(rows[0]['reason']), wroteSince: Number(rows[0]['wrote_since']) === 1 } : null;
  }

  async recordEvent(
    ticketId: number,
    type: string,
    actor: string,
    details: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    await this.#rows('INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, ?, ?, ?, ?)', [
      ticketId,
      type,
      actor.slice(0, 128),
      JSON.stringify(details),
      at,
    ]);
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
 * The emails we took that made these legacy rows (support_message.legacy_msg_id), by msg_id: the address
 * each came from and its attachments, in one query. support_message has no index on legacy_msg_id: the
 * ticket's rows are found by idx_message_ticket (an email's row always carries the ticket of its legacy
 * row), its attachments by idx_attachment_message. Outbound rows (our replies) share the staff reply's
 * legacy id and are left out.
 */
async function emailSources(
  q: Queryable,
  ticketId: number,
  legacyIds: readonly number[],
): Promise<Map<number, { address: string | null; attachments: StoredAttachment[] }>> {
  const sources = new Map<number, { address: string | null; attachments: StoredAttachment[] }>();
  if (legacyIds.length === 0) return sources;
  const [rows] = await q.query(
    `SELECT m.legacy_msg_id, m.peer_address, a.filename, a.content_type, a.size, a.dropped
       FROM support_message m LEFT JOIN support_attachment a ON a.message_row_id = m.id
      WHERE m.ticket_id = ? AND m.legacy_msg_id IN (?) AND m.direction = 'inbound'
      ORDER BY m.id, a.id`,
    [ticketId, legacyIds],
  );
  for (const r of rows as Row[]) {
    const legacyId = Number(r['legacy_msg_id']);
    let source = sources.get(legacyId);
    if (!source) {
      const address = stringOr(r['peer_address'], '').trim();
      source = { address: address || null, attachments: [] };
      sources.set(legacyId, source);
    }
    if (r['filename'] === null || r['filename'] === undefined) continue;
    source.attachments.push({
      filename: String(r['filename']),
      contentType: stringOr(r['content_type'], 'application/octet-stream'),
      size: Number(r['size']),
      dropped: typeof r['dropped'] === 'string' && r['dropped'] ? r['dropped'] : null,
    });
  }
  return sources;
}

/** The agents' names by staff id (the active first, then the lowest id). */
async function staffNames(q: Queryable, staffIds: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (staffIds.length === 0) return names;
  const [agents] = await q.query(
    'SELECT staff_id, name FROM support_agent WHERE staff_id IN (?) ORDER BY active DESC, id',
    [staffIds.map(Number)],
  );
  for (const a of agents as Row[])
    if (!names.has(String(a['staff_id']))) names.set(String(a['staff_id']), String(a['name']));
  return names;
}

function lookupOf<T>(read: Exclude<LegacyRead, { found: 'ticket' }>): TicketLookup<T> {
  return read.found === 'reply' ? { found: 'reply', parentId: read.parentId } : { found: read.found };
}

function where(conditions: readonly string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * Words → conditions. Each word must start a word of the subject or of the customer's address
 * ("brake" finds "Brake pads" and "brakes"): a REGEXP, the truth. `fulltext` is the same request for
 * the FULLTEXT index (a superset, to narrow a search of the whole table), `terms` its words one by one
 * (what it reads: newest-first-search.ts weighs them); `address`, a complete email address, is looked
 * up by its own index. `conditions` are on support_ticket `t`.
 */
interface SearchPlan {
  readonly conditions: string[];
  readonly params: unknown[];
  readonly matchesAll: (row: string) => SqlCondition;
  readonly terms: (row: string) => SqlCondition[];
  readonly fulltext: string | null;
  readonly address: string | null;
}

function searchPlan(words: readonly string[]): SearchPlan | null {
  const tokenSets: string[][] = [];
  const terms: string[] = [];
  let address: string | null = null;
  let fulltextUsable = true;
  for (const word of words) {
    if (!address && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(word)) {
      address = word.toLowerCase();
      continue;
    }
    const tokens = wordTokens(word);
    if (tokens.length === 0) continue;
    tokenSets.push(tokens);
    const fulltextTokens = tokens.filter(indexableWord);
    if (fulltextTokens.length === 0) fulltextUsable = false;
    else terms.push(...fulltextTokens);
  }
  if (tokenSets.length === 0 && !address) return null;
  const each = (row: string) =>
    tokenSets.map((tokens) => wordMatch(tokens, [`${row}.subject`, `${row}.customer_email`])!);
  const mine = each('t');
  return {
    conditions: mine.map((c) => c.sql),
    params: mine.flatMap((c) => c.params),
    matchesAll: (row) => allOf(each(row)),
    terms: (row) => terms.map((term) => wordMatch([term], [`${row}.subject`, `${row}.customer_email`])!),
    fulltext: fulltextUsable && terms.length ? terms.map((t) => `+${t}*`).join(' ') : null,
    address,
  };
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
    // An agent's correction is a decision too, made before triage ran or not.
    triaged: Number(r['triaged']) === 1 || Number(r['corrected']) === 1,
    waitingSince: r['awaiting_reply_since'] ? asDate(r['awaiting_reply_since']) : null,
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
        .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, decodeEntity)
    : content;
  const trimmed = text.replace(/\n{3,}/g, '\n\n').trim();
  return trimmed.length > 4000 ? `${trimmed.slice(0, 4000)}…` : trimmed;
}

// The entities the old site's editor wrote for French text and punctuation (&eacute;, &rsquo;…).
const ENTITIES: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  euro: '€',
  deg: '°',
  copy: '©',
  reg: '®',
  middot: '·',
  oelig: 'œ',
  OElig: 'Œ',
  aelig: 'æ',
  AElig: 'Æ',
  szlig: 'ß',
};
const ACCENTS: Readonly<Record<string, string>> = {
  acute: '\u0301',
  grave: '\u0300',
  circ: '\u0302',
  uml: '\u0308',
  cedil: '\u0327',
  tilde: '\u0303',
  ring: '\u030a',
};

/** One HTML entity as its character (&eacute; é, &#233; é, &#x2019; ’); one it does not know stays as written. */
function decodeEntity(entity: string, name: string): string {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  }
  const named = ENTITIES[name];
  if (named !== undefined) return named;
  // &eacute; &Egrave; &ccedil; &ocirc; &uuml;: a letter and its accent.
  const accented = /^([a-zA-Z])(acute|grave|circ|uml|cedil|tilde|ring)$/.exec(name);
  return accented ? `${accented[1]}${ACCENTS[accented[2]!]}`.normalize('NFC') : entity;
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
