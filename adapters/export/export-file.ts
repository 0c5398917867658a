/**
 * An export as a file: to a path or a stream (the CLI), or as a Buffer with its file name (for posting
 * in chat, `/ticket export`).
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { DayString } from '../../src/domain/digest.ts';
import type { ExportStore } from '../../src/ports/export-store.ts';
import { exportTickets } from '../../src/services/export-tickets.ts';
import { CsvSink } from './csv-sink.ts';
import { XlsxSink } from './xlsx-sink.ts';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportOptions {
  readonly format: ExportFormat;
  readonly from: DayString;
  readonly to: DayString;
  readonly timeZone: string;
}

export function exportFileName(options: Pick<ExportOptions, 'format' | 'from' | 'to'>): string {
  return `tickets-${options.from}_${options.to}.${options.format}`;
}

/** Streams the export into `out` (ended when done); resolves with the number of tickets. */
export function writeExport(store: ExportStore, out: Writable, options: ExportOptions): Promise<number> {
  const sink = options.format === 'csv' ? new CsvSink(out) : new XlsxSink(out);
  return exportTickets(store, sink, { from: options.from, to: options.to, timeZone: options.timeZone });
}

/**
 * Writes beside the target and renames when complete: a refused or failed export leaves no empty or
 * half-written file, and a file already at that path is kept.
 */
export async function writeExportFile(store: ExportStore, path: string, options: ExportOptions): Promise<number> {
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial);
  try {
    const tickets = await writeExport(store, out, options);
    await finished(out);
    await rename(partial, path);
    return tickets;
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

/** The whole export in memory, for chat uploads (which need the bytes and a name). */
export async function exportToBuffer(
  store: ExportStore,
  options: ExportOptions,
): Promise<{ filename: string; contentType: string; data: Buffer; tickets: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const tickets = await writeExport(store, out, options);
  return {
    filename: exportFileName(options),
    contentType:
      options.format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    data: Buffer.concat(chunks),
    tickets,
  };
}
