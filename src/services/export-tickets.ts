/**
 * The ticket export use case: tickets created between two days (inclusive, in the report time zone),
 * with their triage and times, read page by page (never all rows in memory) into a sink (CSV, xlsx).
 */
import { addDays, dayRange, type DayString } from '../domain/digest.ts';
import { AppError } from '../domain/errors.ts';
import type { ExportCell, ExportRow, ExportSink, ExportStore } from '../ports/export-store.ts';

export const EXPORT_COLUMNS = [
  'ticket',
  'created_at',
  'customer_email',
  'subject',
  'status',
  'source',
  'category',
  'category_confidence',
  'priority',
  'priority_confidence',
  'sentiment',
  'language',
  'triaged',
  'first_response_at',
  'closed_at',
  'first_response_hours',
  'resolution_hours',
] as const;

const PAGE_SIZE = 500;
const MAX_DAYS = 366 * 3;

export interface ExportRequest {
  readonly from: DayString;
  readonly to: DayString;
  readonly timeZone: string;
  readonly pageSize?: number;
}

function hoursBetween(a: Date, b: Date | null): number | null {
  return b ? Math.round(((b.getTime() - a.getTime()) / 3_600_000) * 100) / 100 : null;
}

export function exportCells(r: ExportRow): ExportCell[] {
  return [
    r.ticketId,
    r.createdAt,
    r.customerEmail,
    r.subject,
    r.status,
    r.source,
    r.category,
    r.categoryConfidence,
    r.priority,
    r.priorityConfidence,
    r.sentiment,
    r.language,
    r.triaged,
    r.firstResponseAt,
    r.closedAt,
    hoursBetween(r.createdAt, r.firstResponseAt),
    hoursBetween(r.createdAt, r.closedAt),
  ];
}

/** Writes the export into the sink; resolves with the number of tickets written. */
export async function exportTickets(store: ExportStore, sink: ExportSink, request: ExportRequest): Promise<number> {
  if (request.to < request.from) {
    throw new AppError(
      'export.bad_range',
      `The range ends (${request.to}) before it starts (${request.from}): give --from before --to.`,
    );
  }
  if (addDays(request.from, MAX_DAYS) < request.to) {
    throw new AppError('export.bad_range', `The range is longer than ${MAX_DAYS} days: export it in parts.`);
  }
  const from = dayRange(request.from, request.timeZone).start;
  const to = dayRange(request.to, request.timeZone).end;
  const pageSize = request.pageSize ?? PAGE_SIZE;
  await sink.header(EXPORT_COLUMNS);
  let afterId = 0;
  let written = 0;
  for (;;) {
    const page = await store.exportPage(from, to, afterId, pageSize);
    for (const row of page) await sink.row(exportCells(row));
    written += page.length;
    const last = page.at(-1);
    if (!last || page.length < pageSize) break;
    afterId = last.ticketId;
  }
  await sink.end();
  return written;
}
