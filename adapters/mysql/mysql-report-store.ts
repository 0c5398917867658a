/**
 * ReportStore (the digest's figures) and DigestLedger on MySQL/MariaDB. Counts and groups run in the
 * database over support_ticket's indexes. Support tickets only: the shop's
 * other ___xtr_msg rows never appear (every query starts from support_ticket).
 */
import { randomBytes } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type { DayString, TicketBrief } from '../../src/domain/digest.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '../../src/domain/ticket.ts';
import type { DigestClaim, DigestLedger } from '../../src/ports/digest-publisher.ts';
import type { ReportStore } from '../../src/ports/report-store.ts';
import { AppError } from '../../src/domain/errors.ts';
import { adoptBeforeListing } from './legacy-sync.ts';
import { asDate, queryRows, zeroes, type Row } from './row.ts';
import { toAppError, type Database } from './database.ts';

const OPEN_AT = '(t.created_at < ? AND (t.closed_at IS NULL OR t.closed_at >= ?))';

export class MysqlReportStore implements ReportStore, DigestLedger {
  readonly #pool: mysql.Pool;

  constructor(database: Database) {
    this.#pool = database.pool;
  }

  #rows(sql: string, params: unknown[], doing: string): Promise<Row[]> {
    return queryRows(this.#pool, sql, params, doing);
  }

  async countPerRange(event: 'created' | 'closed', boundaries: readonly Date[]): Promise<number[]> {
    await adoptBeforeListing(this.#pool); // the old site's web-form tickets count too
    const n = boundaries.length - 1;
    if (n < 1) return [];
    const column = event === 'created' ? 't.created_at' : 't.closed_at';
    const cases = boundaries
      .slice(1)
      .map(() => `WHEN ${column} < ? THEN ?`)
      .join(' ');
    const caseParams = boundaries.slice(1).flatMap((b, i) => [b, i]);
    const rows = await this.#rows(
      `SELECT CASE ${cases} END AS bucket, COUNT(*) AS n FROM support_ticket t WHERE ${column} >= ? AND ${column} < ? GROUP BY bucket`,
      [...caseParams, boundaries[0], boundaries[n]],
      `counting tickets ${event} per day`,
    );
    const counts = new Array<number>(n).fill(0);
    for (const r of rows) counts[Number(r['bucket'])] = Number(r['n']);
    return counts;
  }

  async openAt(at: Date) {
    await adoptBeforeListing(this.#pool);
    const rows = await this.#rows(
      `SELECT t.priority AS p, COUNT(*) AS n FROM support_ticket t WHERE ${OPEN_AT} GROUP BY t.priority`,
      [at, at],
      'counting open tickets',
    );
    const byPriority = zeroes(PRIORITIES);
    let total = 0;
    for (const r of rows) {
      byPriority[r['p'] as Priority] = Number(r['n']);
      total += Number(r['n']);
    }
    return { total, byPriority };
  }

  async createdBreakdown(from: Date, to: Date) {
    await adoptBeforeListing(this.#pool);
    const rows = await this.#rows(
      'SELECT t.category AS c, t.priority AS p, COUNT(*) AS n FROM support_ticket t WHERE t.created_at >= ? AND t.created_at < ? GROUP BY t.category, t.priority',
      [from, to],
      'counting new tickets by category and priority',
    );
    const byCategory = zeroes(CATEGORIES);
    const byPriority = zeroes(PRIORITIES);
    for (const r of rows) {
      byCategory[r['c'] as Category] += Number(r['n']);
      byPriority[r['p'] as Priority] += Number(r['n']);
    }
    return { byCategory, byPriority };
  }

  async oldestOpenAt(at: Date, limit: number, priority?: Priority): Promise<TicketBrief[]> {
    await adoptBeforeListing(this.#pool);
    const rows = await this.#rows(
      `SELECT t.ticket_id, t.subject, t.priority, t.category, t.created_at FROM support_ticket t WHERE ${OPEN_AT}${priority ? ' AND t.priority = ?' : ''} ORDER BY t.created_at, t.ticket_id LIMIT ?`,
      [at, at, ...(priority ? [priority] : []), limit],
      'listing the oldest open tickets',
    );
    return rows.map((r) => ({
      ticketId: Number(r['ticket_id']),
      subject: String(r['subject']),
      priority: r['priority'] as Priority,
      category: r['category'] as Category,
      createdAt: asDate(r['created_at']),
    }));
  }

  async firstResponseSeconds(from: Date, to: Date): Promise<number[]> {
    const rows = await this.#rows(
      'SELECT TIMESTAMPDIFF(MICROSECOND, t.created_at, t.first_response_at) / 1e6 AS s FROM support_ticket t WHERE t.first_response_at >= ? AND t.first_response_at < ?',
      [from, to],
      'measuring first-response times',
    );
    return rows.map((r) => Math.max(0, Number(r['s'])));
  }

  async resolutionSeconds(from: Date, to: Date): Promise<number[]> {
    const rows = await this.#rows(
      'SELECT TIMESTAMPDIFF(MICROSECOND, t.created_at, t.closed_at) / 1e6 AS s FROM support_ticket t WHERE t.closed_at >= ? AND t.closed_at < ?',
      [from, to],
      'measuring resolution times',
    );
    return rows.map((r) => Math.max(0, Number(r['s'])));
  }

  async untriagedAt(at: Date): Promise<number> {
    const rows = await this.#rows(
      'SELECT COUNT(*) AS n FROM support_ticket WHERE triaged = 0 AND created_at < ?',
      [at],
      'counting untriaged tickets',
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async rejectedCount(from: Date, to: Date): Promise<number> {
    const rows = await this.#rows(
      "SELECT COUNT(*) AS n FROM support_message WHERE kind = 'rejected' AND created_at >= ? AND created_at < ?",
      [from, to],
      'counting rejected emails',
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async spamCount(from: Date, to: Date): Promise<number> {
    const rows = await this.#rows(
      'SELECT COUNT(*) AS n FROM support_spam WHERE received_at >= ? AND received_at < ?',
      [from, to],
      'counting held spam',
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async automatedCount(from: Date, to: Date): Promise<Record<string, number>> {
    const rows = await this.#rows(
      "SELECT COALESCE(m.automated_kind, 'other') AS k, COUNT(*) AS n FROM support_message m WHERE m.kind = 'automated' AND m.created_at >= ? AND m.created_at < ? GROUP BY k",
      [from, to],
      'counting automated mail',
    );
    return Object.fromEntries(rows.map((r) => [String(r['k']), Number(r['n'])]));
  }

  // DigestLedger. message_ref holds "claim:<token>" until sending, "sending:<token>" while the platform is called.

  async claim(channel: string, day: DayString, now: Date, staleMs: number): Promise<DigestClaim> {
    const token = randomBytes(9).toString('base64url');
    try {
      const [inserted] = await this.#pool.query<mysql.ResultSetHeader>(
        "INSERT IGNORE INTO support_digest_post (channel, day, status, claimed_at, message_ref) VALUES (?, ?, 'claimed', ?, ?)",
        [channel, day, now, `claim:${token}`],
      );
      if (inserted.affectedRows === 1) return { state: 'claimed', token };
      // Someone holds it. Take over a claim whose owner vanished before sending anything.
      const [taken] = await this.#pool.query<mysql.ResultSetHeader>(
        "UPDATE support_digest_post SET claimed_at = ?, message_ref = ? WHERE channel = ? AND day = ? AND status = 'claimed' AND message_ref LIKE 'claim:%' AND claimed_at < ?",
        [now, `claim:${token}`, channel, day, new Date(now.getTime() - staleMs)],
      );
      if (taken.affectedRows === 1) return { state: 'claimed', token };
      const [rows] = await this.#pool.query<Row[]>(
        'SELECT status, claimed_at, message_ref FROM support_digest_post WHERE channel = ? AND day = ?',
        [channel, day],
      );
      const row = rows[0];
      if (!row) return this.claim(channel, day, now, staleMs); // forgotten meanwhile
      if (row['status'] === 'posted')
        return { state: 'posted', messageRef: row['message_ref'] === null ? null : String(row['message_ref']) };
      const claimedAt = asDate(row['claimed_at']);
      const sending = String(row['message_ref'] ?? '').startsWith('sending:');
      return sending && claimedAt.getTime() < now.getTime() - staleMs
        ? { state: 'uncertain', claimedAt }
        : { state: 'busy', claimedAt };
    } catch (error) {
      throw toAppError(error, 'claiming the digest post');
    }
  }

  async markSending(channel: string, day: DayString, token: string): Promise<void> {
    await this.#transition(
      channel,
      day,
      `claim:${token}`,
      'message_ref = ?',
      [`sending:${token}`],
      'marking the digest as sending',
    );
  }

  async markPosted(channel: string, day: DayString, token: string, messageRef: string, at: Date): Promise<void> {
    await this.#transition(
      channel,
      day,
      `sending:${token}`,
      "status = 'posted', posted_at = ?, message_ref = ?",
      [at, messageRef.slice(0, 64)],
      'recording the digest post',
    );
  }

  async release(channel: string, day: DayString, token: string): Promise<void> {
    try {
      await this.#pool.query(
        "DELETE FROM support_digest_post WHERE channel = ? AND day = ? AND status = 'claimed' AND message_ref IN (?, ?)",
        [channel, day, `claim:${token}`, `sending:${token}`],
      );
    } catch (error) {
      throw toAppError(error, 'releasing the digest claim');
    }
  }

  async forget(channel: string, day: DayString): Promise<boolean> {
    try {
      const [r] = await this.#pool.query<mysql.ResultSetHeader>(
        "DELETE FROM support_digest_post WHERE channel = ? AND day = ? AND status = 'claimed'",
        [channel, day],
      );
      return r.affectedRows > 0;
    } catch (error) {
      throw toAppError(error, 'forgetting the digest claim');
    }
  }

  async #transition(
    channel: string,
    day: DayString,
    from: string,
    set: string,
    params: unknown[],
    doing: string,
  ): Promise<void> {
    let result: mysql.ResultSetHeader;
    try {
      [result] = await this.#pool.query<mysql.ResultSetHeader>(
        `UPDATE support_digest_post SET ${set} WHERE channel = ? AND day = ? AND status = 'claimed' AND message_ref = ?`,
        [...params, channel, day, from],
      );
    } catch (error) {
      throw toAppError(error, doing);
    }
    if (result.affectedRows !== 1) {
      // Another process took the claim over (we were slower than the stale limit): do not post twice.
      throw new AppError(
        'digest.claim_lost',
        `The digest claim for ${channel} on ${day} was taken over by another process while ${doing}.`,
      );
    }
  }
}
