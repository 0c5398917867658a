/**
 * IntakeStore on MySQL/MariaDB: the legacy rows and ours, written together in one transaction. Sending
 * what intake queued is MysqlOutboxStore's (mysql-outbox-store.ts).
 *
 * Intake is the hot path, so this adapter speaks SQL directly to mysql2's callback connections
 * rather than through drizzle (query building and mysql2's promise wrapper, which captures a stack
 * per query, were a third of the Node thread in bench:intake). Every statement is a literal with
 * `?` placeholders; no SQL is assembled from input.
 *
 * Several emails stored at once share one transaction: see group-commit.ts.
 */
import type { InboundAttachment } from '../../src/domain/inbound-email.ts';
import { htmlText, htmlTextWithin, terminalText } from '../../src/domain/encode.ts';
import { cutText, type TicketStatus } from '../../src/domain/ticket.ts';
import {
  formatLegacyDate,
  legacyReplyContent,
  parseLegacyContent,
  phoneColumn,
  newTicketContent,
} from './legacy-format.ts';
import type {
  AutomaticMailCounts,
  AutomaticMailQuery,
  IntakeStore,
  IntakeTransaction,
  MessageKind,
  MessageRecord,
  NewReply,
  NewTicket,
  SentMessage,
  SpamRecord,
  IntakeTicket,
} from '../../src/ports/intake-store.ts';
import { poolQuery, type CorePool } from './callback-sql.ts';
import { GroupCommitter, type Exec, type GroupCommitOptions, type Statement } from './group-commit.ts';
import { toAppError, type Database } from './database.ts';
import { legacyStatusUpdate } from './legacy-status.ts';
import { bringInLine, flagStatus, TICKET_TEXT_CHARS, type SqlRunner } from './legacy-sync.ts';
import { nullableNumber, splitIds, stringOr } from './row.ts';

type Work<T> = (tx: IntakeTransaction) => Promise<T>;

export class MysqlIntakeStore implements IntakeStore {
  readonly #pool: CorePool;
  readonly #committer: GroupCommitter<MysqlIntakeTransaction>;
  /** findMessage lookups waiting for the one in flight: sent together as one query. */
  #lookups: {
    id: string;
    resolve: (row: { ticketId: number | null; outcome: string } | null) => void;
    reject: (e: unknown) => void;
  }[] = [];
  #lookupRunning = false;

  constructor(database: Database, grouping: Partial<GroupCommitOptions> = {}) {
    this.#pool = database.pool.pool;
    this.#committer = new GroupCommitter(this.#pool, (exec) => new MysqlIntakeTransaction(exec), {
      grouping,
      what: 'storing an email',
    });
  }

  /** Lookups that arrive while one is in flight are answered by one `IN (…)` query. */
  findMessage(messageId: string): Promise<{ readonly ticketId: number | null; readonly outcome: string } | null> {
    return new Promise((resolve, reject) => {
      this.#lookups.push({ id: messageId.slice(0, 255), resolve, reject });
      // Sent at the end of this turn of the event loop: the emails taken together (a batch let through
      // in arrival order) are looked up together, and go on to be stored together, in that order.
      if (!this.#lookupRunning) {
        this.#lookupRunning = true;
        setImmediate(() => void this.#runLookups());
      }
    });
  }

  async #runLookups(): Promise<void> {
    try {
      while (this.#lookups.length > 0) {
        const batch = this.#lookups.splice(0, 200);
        try {
          const rows = (await poolQuery(
            this.#pool,
            'SELECT message_id, ticket_id, outcome FROM support_message WHERE message_id IN (?)',
            [batch.map((l) => l.id)],
          )) as Record<string, unknown>[];
          // The column compares case-insensitively, as the unique key does.
          const found = new Map(rows.map((r) => [String(r['message_id']).toLowerCase(), r]));
          for (const l of batch) {
            const row = found.get(l.id.toLowerCase());
            l.resolve(row ? { ticketId: nullableNumber(row['ticket_id']), outcome: String(row['outcome']) } : null);
          }
        } catch (error) {
          const appError = toAppError(error, 'looking up a Message-ID');
          for (const l of batch) l.reject(appError);
        }
      }
    } finally {
      this.#lookupRunning = false;
    }
  }

  transaction<T>(work: Work<T>, options: { readonly onRolledBack?: () => void } = {}): Promise<T> {
    return this.#committer.transaction(work, options);
  }
}

class MysqlIntakeTransaction implements IntakeTransaction {
  readonly #exec: Exec;
  readonly #deferred: Statement[] = [];

  constructor(exec: Exec) {
    this.#exec = exec;
  }

  async #rows(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.#exec({ sql, params })) as Record<string, unknown>[];
  }

  async #insert(sql: string, params: readonly unknown[], ordered = false): Promise<number> {
    return ((await this.#exec({ sql, params, ...(ordered ? { ordered } : {}) })) as { insertId: number }).insertId;
  }

  /** Writes whose result nobody waits for: sent with the COMMIT. */
  #defer(sql: string, params: readonly unknown[]): void {
    this.#deferred.push({ sql, params });
  }

  /** A deferred INSERT: `head` up to VALUES, `rows` the tuples, `tail` what follows (ON DUPLICATE KEY …). */
  #deferInsert(head: string, rows: string, params: readonly unknown[], tail = ''): void {
    this.#deferred.push({ sql: `${head} VALUES ${rows}${tail}`, params, insert: { head, rows, tail } });
  }

  deferredWrites(): readonly Statement[] {
    return this.#deferred;
  }

  async ticketForMessageIds(ids: readonly string[], at: Date = new Date()) {
    if (ids.length === 0) return null;
    const rows = await this.#rows(
      `SELECT m.message_id, m.ticket_id AS m_ticket_id, ${TICKET_COLUMNS}, x.msg_open, x.msg_close
         FROM support_message m LEFT JOIN support_ticket t ON t.ticket_id = m.ticket_id LEFT JOIN ___xtr_msg x ON x.msg_id = t.ticket_id
        WHERE m.message_id IN (?) AND m.ticket_id IS NOT NULL`,
      [[...new Set(ids)]],
    );
    for (const id of ids) {
      const row = rows.find((r) => String(r['message_id']).toLowerCase() === id.toLowerCase());
      if (!row) continue;
      // As ticketById reads it: a legacy ticket is adopted, one the old site closed or reopened is taken in.
      const ticket =
        row['ticket_id'] !== null && !statusChangedOnOldSite(row)
          ? toSummary(row)
          : await this.ticketById(Number(row['m_ticket_id']), at);
      if (ticket) return { ticket, matchedId: id };
    }
    return null;
  }

  async ticketById(ticketId: number, at: Date = new Date()): Promise<IntakeTicket | null> {
    const run: SqlRunner = (sql, params) => this.#exec({ sql, params });
    const rows = await this.#rows(
      `SELECT ${TICKET_COLUMNS}, x.msg_open, x.msg_close FROM support_ticket t LEFT JOIN ___xtr_msg x ON x.msg_id = t.ticket_id WHERE t.ticket_id = ? LIMIT 1`,
      [ticketId],
    );
    // Read with the ticket, the legacy flags say at no extra cost whether the old site closed or reopened
    // it since (a customer's reply then reopens it in both tables); a ticket it created is adopted.
    if (rows[0] && !statusChangedOnOldSite(rows[0])) return toSummary(rows[0]);
    if ((await bringInLine(run, ticketId, { lock: true, at: new Date(at.getTime() - 1) })).found !== 'ticket')
      return null;
    const again = await this.#rows(`SELECT ${TICKET_COLUMNS} FROM support_ticket t WHERE t.ticket_id = ? LIMIT 1`, [
      ticketId,
    ]);
    return again[0] ? toSummary(again[0]) : null;
  }

  async isParticipant(ticketId: number, address: string): Promise<boolean> {
    const rows = await this.#rows('SELECT 1 FROM support_participant WHERE ticket_id = ? AND address = ? LIMIT 1', [
      ticketId,
      address,
    ]);
    return rows.length > 0;
  }

  async participantCount(ticketId: number): Promise<number> {
    const rows = await this.#rows('SELECT COUNT(*) AS n FROM support_participant WHERE ticket_id = ?', [ticketId]);
    return Number(rows[0]?.['n'] ?? 0);
  }

  async findOrCreateCustomer(
    address: string,
    name: { first: string | null; last: string | null },
    phone: string | null = null,
  ) {
    // The column's collation compares case-insensitively; duplicates exist: the active, lowest id wins.
    const found = await this.#rows(
      "SELECT cst_id FROM ___xtr_customer WHERE cst_mail = ? ORDER BY cst_activ = '1' DESC, cst_id ASC LIMIT 1",
      [address],
    );
    const number = phone?.trim().slice(0, 32) || null;
    // Chosen here, never from input: the column a number goes to.
    const column = number ? phoneColumn(number) : null;
    if (found[0]) {
      // Unverified input (a form anyone can post, a From anyone can write) never changes a shop
      // customer's row: the number stays on the ticket.
      return { customerId: Number(found[0]['cst_id']), created: false };
    }
    const customerId = await this.#insert(
      "INSERT INTO ___xtr_customer (cst_mail, cst_fname, cst_name, cst_tel, cst_gsm, cst_activ) VALUES (?, ?, ?, ?, ?, '1')",
      [
        address,
        name.first === null ? null : htmlTextWithin(name.first, 255),
        name.last === null ? null : htmlTextWithin(name.last, 255),
        column === 'cst_tel' ? number : null,
        column === 'cst_gsm' ? number : null,
      ],
    );
    // Its primary key makes a second delivery creating the same customer wait, then fail: retried, it finds this one.
    await this.#insert('INSERT INTO support_customer (email, customer_id) VALUES (?, ?)', [address, customerId]);
    return { customerId, created: true };
  }

  async createTicket(ticket: NewTicket): Promise<number> {
    const content = newTicketContent(ticket);
    const ticketId = await this.#insert(
      `INSERT INTO ___xtr_msg (msg_cst_id, msg_ord_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close)
       VALUES (?, ?, NULL, ?, ?, ?, NULL, '1', '0')`,
      [String(ticket.customerId), ticket.orderNumber, formatLegacyDate(ticket.at), htmlText(ticket.subject), content],
      true, // numbered in arrival order within a commit group
    );
    this.#deferInsert(
      'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, language, source, mailbox, order_number, triaged, created_at, updated_at, last_message_at, awaiting_reply_since)',
      "(?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
      [
        ticketId,
        ticket.customerId,
        ticket.customerEmail,
        ticket.subject.slice(0, 500),
        ticket.priority,
        ticket.category,
        ticket.language,
        ticket.source,
        ticket.mailbox,
        ticket.orderNumber,
        ticket.at,
        ticket.at,
        ticket.at,
        ticket.at,
      ],
    );
    // The text the old pages' search looks in (support_ticket_text's FULLTEXT index), without the block.
    this.#deferInsert('INSERT INTO support_ticket_text (ticket_id, body)', '(?, ?)', [
      ticketId,
      cutText(parseLegacyContent(content).text, TICKET_TEXT_CHARS),
    ]);
    const choice = ticket.customerChoice;
    if (choice && (choice.priority || choice.category)) {
      this.#defer('UPDATE support_ticket SET customer_priority = ?, customer_category = ? WHERE ticket_id = ?', [
        choice.priority,
        choice.category,
        ticketId,
      ]);
    }
    if (ticket.lead) await this.#markLead(ticketId, ticket.lead, ticket.at);
    return ticketId;
  }

  async customerWithAddress(customerId: number, address: string): Promise<number | null> {
    const rows = await this.#rows('SELECT cst_mail FROM ___xtr_customer WHERE cst_id = ? LIMIT 1', [customerId]);
    const mail = rows[0]?.['cst_mail'];
    // The column's collation compares case-insensitively; the old site stored some addresses with spaces.
    return typeof mail === 'string' && mail.trim().toLowerCase() === address.trim().toLowerCase() ? customerId : null;
  }

  /**
   * The newer site's leads columns, where the shop's table has them (looked up, never created): a web
   * ticket is a new lead, with the page it came from and the vehicle, as that site's backend set them.
   */
  async #markLead(ticketId: number, lead: NonNullable<NewTicket['lead']>, at: Date): Promise<void> {
    const columns = await this.#rows(
      "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '___xtr_msg' AND COLUMN_NAME LIKE 'msg\\_crm\\_%'",
      [],
    );
    const types = new Map(columns.map((c) => [String(c['name']).toLowerCase(), String(c['type']).toLowerCase()]));
    const wanted: [string, unknown][] = [
      ['msg_crm_status', 'new'],
      ['msg_crm_source_page', lead.sourcePage],
      ['msg_crm_vehicle_info', lead.vehicle],
      // A date column takes the instant; a text one the ISO form the newer site writes.
      ['msg_crm_updated_at', /date|time/.test(types.get('msg_crm_updated_at') ?? '') ? at : at.toISOString()],
    ];
    const set = wanted.filter(([name]) => types.has(name));
    if (!types.has('msg_crm_status') || set.length === 0) return;
    this.#defer(`UPDATE ___xtr_msg SET ${set.map(([name]) => `${name} = ?`).join(', ')} WHERE msg_id = ?`, [
      ...set.map(([, v]) => v),
      ticketId,
    ]);
  }

  async addReply(reply: NewReply): Promise<number> {
    const msgId = await this.#insert(
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
    if (reply.fromCustomer) {
      this.#defer(
        'UPDATE support_ticket SET message_count = message_count + 1, last_message_at = ?, updated_at = ?, awaiting_reply_since = COALESCE(awaiting_reply_since, ?) WHERE ticket_id = ?',
        [reply.at, reply.at, reply.at, reply.ticketId],
      );
    } else {
      this.#defer(
        'UPDATE support_ticket SET message_count = message_count + 1, last_message_at = ?, updated_at = ? WHERE ticket_id = ?',
        [reply.at, reply.at, reply.ticketId],
      );
    }
    return msgId;
  }

  async reopenTicket(ticketId: number, at: Date): Promise<void> {
    const legacy = legacyStatusUpdate(ticketId, 'open');
    this.#defer(legacy.sql, legacy.params);
    this.#defer("UPDATE support_ticket SET status = 'open', closed_at = NULL, updated_at = ? WHERE ticket_id = ?", [
      at,
      ticketId,
    ]);
  }

  async recordMessage(m: MessageRecord): Promise<void> {
    this.#deferInsert(
      'INSERT INTO support_message (message_id, ticket_id, legacy_msg_id, direction, kind, outcome, thread_signal, automated_kind, automated_reason, automated_code, peer_address, peer_name, sent_at, subject, in_reply_to, references_ids, language, body_text, original_text, notes, source, raw_size, delivery, created_at)',
      '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        m.messageId.slice(0, 255),
        m.ticketId,
        m.threadEntryId,
        m.direction,
        m.kind,
        m.outcome,
        m.threadSignal,
        m.automatedKind,
        m.automatedReason,
        m.automatedCode ?? null,
        m.peerAddress,
        m.peerName ? cutText(terminalText(m.peerName, { lines: false }), 255) : null,
        m.sentAt ?? null,
        m.subject.slice(0, 500),
        m.inReplyTo.length ? m.inReplyTo.join(' ') : null,
        m.references.length ? m.references.join(' ') : null,
        m.language,
        m.bodyText,
        m.originalText,
        m.notes.length ? JSON.stringify(m.notes) : null,
        m.source.slice(0, 64),
        m.rawSize,
        m.delivery,
        m.at,
      ],
    );
  }

  async forgetRejection(messageId: string): Promise<void> {
    // Not deferred: commitSql merges this group's message INSERTs at the place of the first one,
    // which may come before a deferred DELETE and would then meet the old row.
    await this.#exec({
      sql: "DELETE FROM support_message WHERE message_id = ? AND kind = 'rejected'",
      params: [messageId.slice(0, 255)],
    });
  }

  async addParticipants(ticketId: number, addresses: readonly string[]): Promise<void> {
    if (addresses.length === 0) return;
    this.#deferInsert(
      'INSERT IGNORE INTO support_participant (ticket_id, address)',
      addresses.map(() => '(?, ?)').join(', '),
      addresses.flatMap((address) => [ticketId, address]),
    );
  }

  async addAttachments(
    messageId: string,
    ticketId: number | null,
    attachments: readonly InboundAttachment[],
  ): Promise<void> {
    // The message row is written with the COMMIT too: its id is taken there, by its Message-ID.
    this.#deferInsert(
      'INSERT INTO support_attachment (message_row_id, ticket_id, sha256, filename, content_type, size, dropped)',
      attachments.map(() => '((SELECT id FROM support_message WHERE message_id = ?), ?, ?, ?, ?, ?, ?)').join(', '),
      attachments.flatMap((a) => [
        messageId.slice(0, 255),
        ticketId,
        a.sha256,
        a.filename.slice(0, 255),
        a.contentType.slice(0, 128),
        a.size,
        a.dropped ?? null,
      ]),
    );
  }

  async recordEvent(
    ticketId: number | null,
    type: string,
    actor: string,
    details: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    this.#deferInsert('INSERT INTO support_event (ticket_id, type, actor, details, created_at)', '(?, ?, ?, ?, ?)', [
      ticketId,
      type,
      actor.slice(0, 128),
      JSON.stringify(details),
      at,
    ]);
  }

  async flagAddress(address: string, reason: string, ticketId: number | null, at: Date): Promise<void> {
    this.#deferInsert(
      'INSERT INTO support_address_flag (address, reason, ticket_id, flagged_at)',
      '(?, ?, ?, ?)',
      [address, reason, ticketId, at],
      ' ON DUPLICATE KEY UPDATE reason = VALUES(reason), flagged_at = VALUES(flagged_at)',
    );
  }

  async isAddressFlagged(address: string): Promise<boolean> {
    const rows = await this.#rows('SELECT 1 FROM support_address_flag WHERE address = ? LIMIT 1', [address]);
    return rows.length > 0;
  }

  async automaticMailSince(query: AutomaticMailQuery): Promise<AutomaticMailCounts> {
    const { mailbox, ticketId, since, exceptQueuedBy } = query;
    // Rows counted one by one (a span of ids also counted those lost to rolled-back inserts): the window
    // holds at most the hourly cap's rows (more are never queued), an index range of a few hundred.
    // The total counts from a reset when it is more recent: an operator who reset the breaker lets mail go again.
    const rows = await this.#rows(
      `SELECT (SELECT COUNT(*) FROM support_auto_mail
                WHERE mailbox = ? AND created_at >= ? AND NOT (queued_by <=> ?)) AS mailbox_n,
              (SELECT COUNT(*) FROM support_auto_mail WHERE ticket_id = ? AND created_at >= ?) AS ticket_n,
              (SELECT COUNT(*) FROM support_auto_mail
                WHERE created_at >= GREATEST(?, COALESCE((SELECT reset_at FROM support_mail_breaker WHERE name = 'automatic_mail'), ?))
                  AND NOT (queued_by <=> ?)) AS total_n,
              (SELECT tripped_at FROM support_mail_breaker WHERE name = 'automatic_mail') AS tripped_at,
              (SELECT reset_at FROM support_mail_breaker WHERE name = 'automatic_mail') AS reset_at`,
      [mailbox.slice(0, 255), since, exceptQueuedBy, ticketId, since, since, since, exceptQueuedBy],
    );
    const row = rows[0] ?? {};
    return {
      mailbox: Number(row['mailbox_n'] ?? 0),
      ticket: Number(row['ticket_n'] ?? 0),
      total: Number(row['total_n'] ?? 0),
      breakerTrippedAt: row['tripped_at'] instanceof Date ? row['tripped_at'] : null,
      breakerResetAt: row['reset_at'] instanceof Date ? row['reset_at'] : null,
    };
  }

  async recordAutomaticMail(mailbox: string, ticketId: number, at: Date, queuedBy: string): Promise<void> {
    this.#deferInsert('INSERT INTO support_auto_mail (mailbox, ticket_id, created_at, queued_by)', '(?, ?, ?, ?)', [
      mailbox.slice(0, 255),
      ticketId,
      at,
      queuedBy.slice(0, 64),
    ]);
  }

  async tripBreaker(reason: string, at: Date): Promise<void> {
    // `reason` is assigned before `tripped_at`: it still sees whether the breaker was already tripped.
    this.#deferInsert(
      'INSERT INTO support_mail_breaker (name, tripped_at, reason)',
      "('automatic_mail', ?, ?)",
      [at, reason.slice(0, 500)],
      ' ON DUPLICATE KEY UPDATE reason = IF(tripped_at IS NULL, VALUES(reason), reason), tripped_at = COALESCE(tripped_at, VALUES(tripped_at))',
    );
  }

  async holdSpam(spam: SpamRecord): Promise<void> {
    this.#deferInsert(
      'INSERT INTO support_spam (message_id, sender, subject, code, reason, raw_location, raw_size, source, received_at)',
      '(?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        spam.messageId.slice(0, 255),
        spam.sender?.slice(0, 255) ?? null,
        cutText(spam.subject, 500),
        spam.code.slice(0, 32),
        spam.reason.slice(0, 500),
        spam.rawLocation,
        spam.rawSize,
        spam.source.slice(0, 64),
        spam.at,
      ],
    );
  }

  async sentMessages(ids: readonly string[]): Promise<readonly SentMessage[]> {
    if (ids.length === 0) return [];
    const rows = await this.#rows(
      "SELECT id, message_id, ticket_id, kind, peer_address, cc_addresses FROM support_message WHERE message_id IN (?) AND direction = 'outbound'",
      [[...new Set(ids.map((id) => id.slice(0, 255)))]],
    );
    return rows.map((r) => ({
      rowId: Number(r['id']),
      messageId: String(r['message_id']),
      ticketId: nullableNumber(r['ticket_id']),
      kind: r['kind'] as MessageKind,
      to: stringOr(r['peer_address'], '').toLowerCase(),
      cc: splitIds(r['cc_addresses']).map((a) => a.toLowerCase()),
    }));
  }

  async retryBounced(rowId: number, notBefore: Date, maxBounces: number): Promise<boolean> {
    const result = await this.#exec({
      sql: "UPDATE support_message SET delivery = 'pending', delivery_next_at = ?, delivery_claimed_until = NULL, bounce_count = bounce_count + 1 WHERE id = ? AND bounce_count < ? AND delivery IN ('sent', 'pending', 'failed')",
      params: [notBefore, rowId, maxBounces],
    });
    return !Array.isArray(result) && result.affectedRows > 0;
  }

  async countOutboundSince(address: string, kind: MessageKind, since: Date): Promise<number> {
    const rows = await this.#rows(
      "SELECT COUNT(*) AS n FROM support_message WHERE peer_address = ? AND kind = ? AND created_at >= ? AND delivery IN ('pending', 'sent')",
      [address, kind, since],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }
}

const TICKET_COLUMNS = 't.ticket_id, t.customer_id, t.customer_email, t.subject, t.status, t.language';

/** The legacy row's flags (msg_open, msg_close, read with the ticket) say another status than ours. */
function statusChangedOnOldSite(row: Record<string, unknown>): boolean {
  const legacy = flagStatus(row['msg_open'], row['msg_close']);
  return legacy !== null && legacy !== row['status'];
}

function toSummary(row: Record<string, unknown>): IntakeTicket {
  return {
    ticketId: Number(row['ticket_id']),
    customerId: Number(row['customer_id']),
    customerEmail: String(row['customer_email']),
    subject: String(row['subject']),
    status: row['status'] as TicketStatus,
    language: typeof row['language'] === 'string' ? row['language'] : null,
  };
}
