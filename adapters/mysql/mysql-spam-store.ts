/**
 * SpamStore and MailBreaker on MySQL: the held spam (support_spam) and the breaker of automatic mail
 * (support_mail_breaker), read and changed outside intake's transactions.
 */
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { BreakerState, HeldSpam, MailBreaker, SpamStore } from '../../src/ports/spam-store.ts';
import { toAppError, type Database } from './database.ts';

const COLUMNS =
  'id, message_id, sender, subject, reason, received_at, raw_location, released_at, released_by, ticket_id';

export class MysqlSpamStore implements SpamStore, MailBreaker {
  readonly #db: Database;

  constructor(database: Database) {
    this.#db = database;
  }

  async list(limit: number, offset: number): Promise<{ items: HeldSpam[]; total: number }> {
    try {
      const [[rows], [count]] = await Promise.all([
        this.#db.pool.query<RowDataPacket[]>(
          `SELECT ${COLUMNS} FROM support_spam WHERE released_at IS NULL ORDER BY id DESC LIMIT ? OFFSET ?`,
          [limit, offset],
        ),
        this.#db.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM support_spam WHERE released_at IS NULL'),
      ]);
      return { items: rows.map(held), total: Number(count[0]?.['n'] ?? 0) };
    } catch (error) {
      throw toAppError(error, 'listing the held spam');
    }
  }

  async get(id: number): Promise<HeldSpam | null> {
    try {
      const [rows] = await this.#db.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM support_spam WHERE id = ?`, [
        id,
      ]);
      return rows[0] ? held(rows[0]) : null;
    } catch (error) {
      throw toAppError(error, 'reading a held email');
    }
  }

  async markReleased(id: number, by: string, ticketId: number | null, at: Date): Promise<boolean> {
    try {
      const [result] = await this.#db.pool.query<ResultSetHeader>(
        'UPDATE support_spam SET released_at = ?, released_by = ?, ticket_id = ? WHERE id = ? AND released_at IS NULL',
        [at, by.slice(0, 128), ticketId, id],
      );
      return result.affectedRows === 1;
    } catch (error) {
      throw toAppError(error, 'releasing a held email');
    }
  }

  async state(): Promise<BreakerState> {
    try {
      const [rows] = await this.#db.pool.query<RowDataPacket[]>(
        "SELECT tripped_at, reason FROM support_mail_breaker WHERE name = 'automatic_mail'",
      );
      const at = rows[0]?.['tripped_at'];
      return at instanceof Date
        ? { tripped: true, trippedAt: at, reason: (rows[0]?.['reason'] as string | null) ?? null }
        : { tripped: false, trippedAt: null, reason: null };
    } catch (error) {
      throw toAppError(error, 'reading the automatic mail breaker');
    }
  }

  async reset(by: string, at: Date): Promise<boolean> {
    try {
      const [result] = await this.#db.pool.query<ResultSetHeader>(
        "UPDATE support_mail_breaker SET tripped_at = NULL, reset_at = ?, reset_by = ? WHERE name = 'automatic_mail' AND tripped_at IS NOT NULL",
        [at, by.slice(0, 128)],
      );
      return result.affectedRows === 1;
    } catch (error) {
      throw toAppError(error, 'resetting the automatic mail breaker');
    }
  }
}

function held(r: RowDataPacket): HeldSpam {
  return {
    id: Number(r['id']),
    messageId: String(r['message_id']),
    sender: (r['sender'] as string | null) ?? null,
    subject: String(r['subject'] ?? ''),
    reason: String(r['reason']),
    receivedAt: r['received_at'] as Date,
    rawLocation: (r['raw_location'] as string | null) ?? null,
    releasedAt: (r['released_at'] as Date | null) ?? null,
    releasedBy: (r['released_by'] as string | null) ?? null,
    ticketId: r['ticket_id'] === null || r['ticket_id'] === undefined ? null : Number(r['ticket_id']),
  };
}
