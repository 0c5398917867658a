/** ExportStore on MySQL/MariaDB: the export's pages, by ticket id, support tickets only. */
import type mysql from 'mysql2/promise';
import type { Category, Priority, TicketStatus } from '../../src/domain/ticket.ts';
import type { ExportRow, ExportStore } from '../../src/ports/export-store.ts';
import type { Database } from './database.ts';
import { adoptBeforeListing } from './legacy-sync.ts';
import { asDate, asDateOrNull, nullableNumber, queryRows, type Row } from './row.ts';

export class MysqlExportStore implements ExportStore {
  readonly #pool: mysql.Pool;
  readonly #budget: Database['budget'];

  constructor(database: Database) {
    this.#pool = database.pool;
    this.#budget = database.budget;
  }

  #rows(sql: string, params: unknown[], doing: string): Promise<Row[]> {
    return queryRows(this.#pool, sql, params, doing, this.#budget);
  }

  async exportPage(from: Date, to: Date, afterId: number, limit: number): Promise<ExportRow[]> {
    await adoptBeforeListing(this.#pool); // the old site's web-form tickets count too
    const rows = await this.#rows(
      // A value an agent corrected is not triage's: its confidence no longer applies (left empty).
      `SELECT t.ticket_id, t.created_at, t.customer_email, t.subject, t.status, t.source, t.category, t.priority,
              IF(EXISTS (SELECT 1 FROM support_triage_correction c WHERE c.ticket_id = t.ticket_id AND c.field = 'category'), NULL, t.category_confidence) AS category_confidence,
              IF(EXISTS (SELECT 1 FROM support_triage_correction c WHERE c.ticket_id = t.ticket_id AND c.field = 'priority'), NULL, t.priority_confidence) AS priority_confidence,
              t.sentiment, t.language, t.triaged, t.first_response_at, t.closed_at
         FROM support_ticket t WHERE t.created_at >= ? AND t.created_at < ? AND t.ticket_id > ? ORDER BY t.ticket_id LIMIT ?`,
      [from, to, afterId, limit],
      'reading tickets for the export',
    );
    return rows.map((r) => ({
      ticketId: Number(r['ticket_id']),
      createdAt: asDate(r['created_at']),
      customerEmail: String(r['customer_email']),
      subject: String(r['subject']),
      status: r['status'] as TicketStatus,
      source: String(r['source']),
      category: r['category'] as Category,
      categoryConfidence: nullableNumber(r['category_confidence']),
      priority: r['priority'] as Priority,
      priorityConfidence: nullableNumber(r['priority_confidence']),
      sentiment: nullableNumber(r['sentiment']),
      language: r['language'] === null ? null : String(r['language']),
      triaged: Number(r['triaged']) === 1,
      firstResponseAt: asDateOrNull(r['first_response_at']),
      closedAt: asDateOrNull(r['closed_at']),
    }));
  }
}
