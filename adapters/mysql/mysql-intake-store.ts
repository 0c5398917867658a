/** IntakeStore on MySQL/MariaDB: the legacy rows and ours, written together in one transaction. */
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import type { InboundAttachment } from '../../src/domain/inbound-email.ts';
import {
  CATEGORIES,
  formatLegacyDate,
  PRIORITIES,
  parseLegacyContent,
  parseLegacyDate,
  type Category,
  type Priority,
} from '../../src/domain/ticket.ts';
import type {
  IntakeStore,
  IntakeTransaction,
  MessageKind,
  MessageRecord,
  NewReply,
  NewTicket,
  OutboundRow,
  TicketSummary,
} from '../../src/ports/intake-store.ts';
import { toAppError, type Database, type Db } from './database.ts';
import { xtrCustomer, xtrMsg } from './legacy-schema.ts';
import {
  supportAddressFlag,
  supportAttachment,
  supportCustomer,
  supportEvent,
  supportMessage,
  supportParticipant,
  supportTicket,
} from './schema.ts';


/** How long a process may hold an outbox row it is sending before another may try it. */
const OUTBOX_CLAIM_MS = 5 * 60_000;

export class MysqlIntakeStore implements IntakeStore {
  readonly #db: Db;
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
    this.#db = database.db;
  }

  async findMessage(messageId: string) {
    try {
      const rows = await this.#db
        .select({ ticketId: supportMessage.ticketId, outcome: supportMessage.outcome })
        .from(supportMessage)
        .where(eq(supportMessage.messageId, messageId))
        .limit(1);
      return rows[0] ?? null;
    } catch (error) {
      throw toAppError(error, 'looking up a Message-ID');
    }
  }

  /**
   * One connection, one transaction. Reads and the inserts whose ids are needed run at once; every
   * other write is queued and sent with the COMMIT as one multi-statement round trip, which roughly
   * halves the round trips per email (see bench:intake).
   */
  async transaction<T>(work: (tx: IntakeTransaction) => Promise<T>): Promise<T> {
    let conn;
    try {
      conn = await this.#database.pool.getConnection();
    } catch (error) {
      throw toAppError(error, 'connecting to the database');
    }
    try {
      await conn.query('START TRANSACTION');
      const tx = new MysqlIntakeTransaction(drizzle(conn, { mode: 'default' }) as unknown as Db);
      const result = await work(tx);
      const deferred = tx.deferredWrites();
      await conn.query([...deferred.statements, 'COMMIT'].join(';\n'), deferred.params);
      return result;
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw toAppError(error, 'storing an email');
    } finally {
      conn.release();
    }
  }

  async pendingOutbound(limit: number, maxAttempts: number): Promise<OutboundRow[]> {
    try {
      return await this.#db.transaction(async (tx) => {
        const now = new Date();
        const rows = await tx
          .select()
          .from(supportMessage)
          .where(
            and(
              eq(supportMessage.delivery, 'pending'),
              sql`${supportMessage.deliveryAttempts} < ${maxAttempts}`,
              or(isNull(supportMessage.deliveryNextAt), lte(supportMessage.deliveryNextAt, now)),
            ),
          )
          .orderBy(asc(supportMessage.id))
          .limit(limit)
          .for('update', { skipLocked: true });
        if (rows.length === 0) return [];
        // Claim them, so that a second process sending the outbox leaves them alone.
        await tx
          .update(supportMessage)
          .set({ deliveryNextAt: new Date(now.getTime() + OUTBOX_CLAIM_MS) })
          .where(inArray(supportMessage.id, rows.map((r) => r.id)));
        return rows.map((r) => ({
          rowId: r.id,
          messageId: r.messageId,
          ticketId: r.ticketId,
          kind: r.kind,
          to: r.peerAddress ?? '',
          subject: r.subject ?? '',
          text: r.bodyText ?? '',
          inReplyTo: splitIds(r.inReplyTo),
          references: splitIds(r.referencesIds),
          attempts: r.deliveryAttempts,
        }));
      });
    } catch (error) {
      throw toAppError(error, 'reading the outbox');
    }
  }

  async markOutbound(rowIds: readonly number[], result: { delivery: 'sent' | 'failed' | 'pending'; error: string | null }): Promise<void> {
    if (rowIds.length === 0) return;
    try {
      await this.#db
        .update(supportMessage)
        .set({
          delivery: result.delivery,
          deliveryError: result.error,
          deliveryAttempts: sql`${supportMessage.deliveryAttempts} + 1`,
          // Exponential backoff for a retry: 30 s, 1 min, 2 min … (capped at 1 h).
          deliveryNextAt:
            result.delivery === 'pending'
              ? sql`NOW(3) + INTERVAL LEAST(3600, 30 * POW(2, ${supportMessage.deliveryAttempts})) SECOND`
              : null,
        })
        .where(inArray(supportMessage.id, [...rowIds]));
    } catch (error) {
      throw toAppError(error, 'updating the outbox');
    }
  }
}

/** A query that can say its SQL: every drizzle builder can. */
interface ToSql {
  toSQL(): { sql: string; params: unknown[] };
}

class MysqlIntakeTransaction implements IntakeTransaction {
  readonly #tx: Db;
  readonly #statements: string[] = [];
  readonly #params: unknown[] = [];

  constructor(tx: Db) {
    this.#tx = tx;
  }

  /** Writes whose result nobody waits for: sent with the COMMIT. */
  #defer(query: ToSql): void {
    const { sql: text, params } = query.toSQL();
    this.#statements.push(text);
    this.#params.push(...params);
  }

  deferredWrites(): { statements: string[]; params: unknown[] } {
    return { statements: this.#statements, params: this.#params };
  }

  async ticketForMessageIds(ids: readonly string[]) {
    if (ids.length === 0) return null;
    const rows = await this.#tx
      .select({ messageId: supportMessage.messageId, ticketId: supportMessage.ticketId })
      .from(supportMessage)
      .where(and(inArray(supportMessage.messageId, [...new Set(ids)]), sql`${supportMessage.ticketId} IS NOT NULL`));
    for (const id of ids) {
      const row = rows.find((r) => r.messageId.toLowerCase() === id.toLowerCase());
      if (row?.ticketId) {
        const ticket = await this.ticketById(row.ticketId);
        if (ticket) return { ticket, matchedId: id };
      }
    }
    return null;
  }

  async ticketById(ticketId: number): Promise<TicketSummary | null> {
    const rows = await this.#tx
      .select({
        ticketId: supportTicket.ticketId,
        customerId: supportTicket.customerId,
        customerEmail: supportTicket.customerEmail,
        subject: supportTicket.subject,
        status: supportTicket.status,
        language: supportTicket.language,
      })
      .from(supportTicket)
      .where(eq(supportTicket.ticketId, ticketId))
      .limit(1);
    return rows[0] ?? (await this.#adoptLegacyTicket(ticketId));
  }

  /** A ticket the old site created has no row of ours: make one from its legacy row. */
  async #adoptLegacyTicket(ticketId: number): Promise<TicketSummary | null> {
    const rows = await this.#tx
      .select({ msg: xtrMsg, email: xtrCustomer.cstMail })
      .from(xtrMsg)
      .leftJoin(xtrCustomer, sql`${xtrCustomer.cstId} = ${xtrMsg.msgCstId}`)
      .where(eq(xtrMsg.msgId, ticketId))
      .limit(1);
    const row = rows[0];
    if (!row || !row.email) return null;
    const { msg } = row;
    if (msg.msgParentId && msg.msgParentId !== '0') return null;
    const { metadata } = parseLegacyContent(msg.msgContent ?? '');
    if (!metadata) return null; // reviews, legal documents, redirects: not support tickets
    const created = parseLegacyDate(msg.msgDate) ?? new Date();
    const status = msg.msgClose === '1' ? 'closed' : 'open';
    const priority = PRIORITIES.includes(metadata['priority'] as Priority) ? (metadata['priority'] as Priority) : 'normal';
    const category = CATEGORIES.includes(metadata['category'] as Category) ? (metadata['category'] as Category) : 'general';
    const summary: TicketSummary = {
      ticketId,
      customerId: Number(msg.msgCstId),
      customerEmail: row.email.toLowerCase(),
      subject: (msg.msgSubject ?? '').slice(0, 500),
      status,
      language: null,
    };
    await this.#tx.insert(supportTicket).ignore().values({
      ticketId,
      customerId: summary.customerId,
      customerEmail: summary.customerEmail,
      subject: summary.subject,
      status,
      priority,
      category,
      source: 'legacy',
      orderNumber: msg.msgOrdId,
      triaged: 1,
      createdAt: created,
      updatedAt: created,
      lastMessageAt: created,
      closedAt: status === 'closed' ? created : null,
    });
    return summary;
  }

  async isParticipant(ticketId: number, address: string): Promise<boolean> {
    const rows = await this.#tx
      .select({ one: sql<number>`1` })
      .from(supportParticipant)
      .where(and(eq(supportParticipant.ticketId, ticketId), eq(supportParticipant.address, address)))
      .limit(1);
    return rows.length > 0;
  }

  async findOrCreateCustomer(address: string, name: { first: string | null; last: string | null }) {
    // The column's collation compares case-insensitively; duplicates exist: the active, lowest id wins.
    const found = await this.#tx
      .select({ cstId: xtrCustomer.cstId })
      .from(xtrCustomer)
      .where(eq(xtrCustomer.cstMail, address))
      .orderBy(desc(sql`${xtrCustomer.cstActiv} = '1'`), asc(xtrCustomer.cstId))
      .limit(1);
    if (found[0]) return { customerId: found[0].cstId, created: false };
    const [result] = await this.#tx.insert(xtrCustomer).values({ cstMail: address, cstFname: name.first, cstName: name.last, cstActiv: '1' });
    const customerId = result.insertId;
    // Its primary key makes a second delivery creating the same customer wait, then fail: retried, it finds this one.
    await this.#tx.insert(supportCustomer).values({ email: address, customerId });
    return { customerId, created: true };
  }

  async createTicket(ticket: NewTicket): Promise<number> {
    const [result] = await this.#tx.insert(xtrMsg).values({
      msgCstId: String(ticket.customerId),
      msgOrdId: ticket.orderNumber,
      msgCnfaId: null,
      msgDate: formatLegacyDate(ticket.at),
      msgSubject: ticket.subject,
      msgContent: ticket.legacyContent,
      msgParentId: null,
      msgOpen: '1',
      msgClose: '0',
    });
    const ticketId = result.insertId;
    this.#defer(this.#tx.insert(supportTicket).values({
      ticketId,
      customerId: ticket.customerId,
      customerEmail: ticket.customerEmail,
      subject: ticket.subject.slice(0, 500),
      status: 'open',
      priority: ticket.priority,
      category: ticket.category,
      language: ticket.language,
      source: ticket.source,
      mailbox: ticket.mailbox,
      orderNumber: ticket.orderNumber,
      triaged: 0,
      createdAt: ticket.at,
      updatedAt: ticket.at,
      lastMessageAt: ticket.at,
    }));
    return ticketId;
  }

  async addReply(reply: NewReply): Promise<number> {
    const [result] = await this.#tx.insert(xtrMsg).values({
      msgCstId: String(reply.customerId),
      msgCnfaId: reply.staffId,
      msgDate: formatLegacyDate(reply.at),
      msgSubject: reply.subject,
      msgContent: reply.content,
      msgParentId: String(reply.ticketId),
      msgOpen: '0',
      msgClose: '0',
    });
    this.#defer(
      this.#tx
        .update(supportTicket)
        .set({ messageCount: sql`${supportTicket.messageCount} + 1`, lastMessageAt: reply.at, updatedAt: reply.at })
        .where(eq(supportTicket.ticketId, reply.ticketId)),
    );
    return result.insertId;
  }

  async reopenTicket(ticketId: number, at: Date): Promise<void> {
    this.#defer(this.#tx.update(xtrMsg).set({ msgOpen: '1', msgClose: '0' }).where(eq(xtrMsg.msgId, ticketId)));
    this.#defer(this.#tx.update(supportTicket).set({ status: 'open', closedAt: null, updatedAt: at }).where(eq(supportTicket.ticketId, ticketId)));
  }

  async recordMessage(m: MessageRecord): Promise<void> {
    this.#defer(this.#tx.insert(supportMessage).values({
      messageId: m.messageId.slice(0, 255),
      ticketId: m.ticketId,
      legacyMsgId: m.legacyMsgId,
      direction: m.direction,
      kind: m.kind,
      outcome: m.outcome,
      threadSignal: m.threadSignal,
      automatedKind: m.automatedKind,
      automatedReason: m.automatedReason,
      peerAddress: m.peerAddress,
      subject: m.subject.slice(0, 500),
      inReplyTo: m.inReplyTo.length ? m.inReplyTo.join(' ') : null,
      referencesIds: m.references.length ? m.references.join(' ') : null,
      language: m.language,
      bodyText: m.bodyText,
      originalText: m.originalText,
      notes: m.notes.length ? [...m.notes] : null,
      source: m.source.slice(0, 64),
      rawSize: m.rawSize,
      delivery: m.delivery,
      createdAt: m.at,
    }));
  }

  async addParticipants(ticketId: number, addresses: readonly string[]): Promise<void> {
    if (addresses.length === 0) return;
    this.#defer(this.#tx.insert(supportParticipant).ignore().values(addresses.map((address) => ({ ticketId, address }))));
  }

  async addAttachments(messageId: string, ticketId: number | null, attachments: readonly InboundAttachment[]): Promise<void> {
    // The message row is written with the COMMIT too: its id is taken there, by its Message-ID.
    const rowId = sql`(SELECT ${supportMessage.id} FROM ${supportMessage} WHERE ${supportMessage.messageId} = ${messageId.slice(0, 255)})`;
    this.#defer(
      this.#tx.insert(supportAttachment).values(
        attachments.map((a) => ({
          messageRowId: rowId,
          ticketId,
          sha256: a.sha256,
          filename: a.filename.slice(0, 255),
          contentType: a.contentType.slice(0, 128),
          size: a.size,
          dropped: a.dropped ?? null,
        })),
      ),
    );
  }

  async recordEvent(ticketId: number | null, type: string, actor: string, details: Record<string, unknown>, at: Date): Promise<void> {
    this.#defer(this.#tx.insert(supportEvent).values({ ticketId, type, actor: actor.slice(0, 128), details, createdAt: at }));
  }

  async flagAddress(address: string, reason: string, ticketId: number | null, at: Date): Promise<void> {
    this.#defer(this.#tx.insert(supportAddressFlag).values({ address, reason, ticketId, flaggedAt: at }).onDuplicateKeyUpdate({ set: { reason, flaggedAt: at } }));
  }

  async isAddressFlagged(address: string): Promise<boolean> {
    const rows = await this.#tx.select({ address: supportAddressFlag.address }).from(supportAddressFlag).where(eq(supportAddressFlag.address, address)).limit(1);
    return rows.length > 0;
  }

  async countOutboundSince(address: string, kind: MessageKind, since: Date): Promise<number> {
    const rows = await this.#tx
      .select({ n: count() })
      .from(supportMessage)
      .where(
        and(
          eq(supportMessage.peerAddress, address),
          eq(supportMessage.kind, kind),
          gte(supportMessage.createdAt, since),
          inArray(supportMessage.delivery, ['pending', 'sent']),
        ),
      );
    return rows[0]?.n ?? 0;
  }
}

function splitIds(value: string | null): string[] {
  return value ? value.split(/\s+/).filter(Boolean) : [];
}
