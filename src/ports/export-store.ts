/**
 * What the export (src/services/export-tickets.ts, `ticketrelay export`, `/ticket export`) reads, and
 * where its rows go. Pages are read by id, a bounded number at a time.
 */
import type { Category, Priority, TicketStatus } from '../domain/ticket.ts';

export interface ExportStore {
  /** One page of tickets created in [from, to) with id > afterId, by id. */
  exportPage(from: Date, to: Date, afterId: number, limit: number): Promise<ExportRow[]>;
}

export interface ExportRow {
  readonly ticketId: number;
  readonly createdAt: Date;
  readonly customerEmail: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly source: string;
  readonly category: Category;
  readonly categoryConfidence: number | null;
  readonly priority: Priority;
  readonly priorityConfidence: number | null;
  readonly sentiment: number | null;
  readonly language: string | null;
  readonly triaged: boolean;
  readonly firstResponseAt: Date | null;
  readonly closedAt: Date | null;
}

export type ExportCell = string | number | boolean | Date | null;

/** Where an export's rows go (a CSV or xlsx writer); each call may wait for the output to drain. */
export interface ExportSink {
  header(columns: readonly string[]): Promise<void>;
  row(cells: readonly ExportCell[]): Promise<void>;
  /** All rows written: finish the file. */
  end(): Promise<void>;
}
