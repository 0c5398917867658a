/**
 * ExportSink writing RFC 4180 CSV (CRLF, quotes doubled, fields quoted when needed) to a stream, with
 * backpressure. Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or
 * CR) are prefixed with an apostrophe.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ExportCell, ExportSink } from '../../src/ports/export-store.ts';

export function csvField(cell: ExportCell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export class CsvSink implements ExportSink {
  readonly #out: Writable;
  constructor(out: Writable) {
    this.#out = out;
  }
  async #write(line: string): Promise<void> {
    if (!this.#out.write(line)) await once(this.#out, 'drain');
  }
  header(columns: readonly string[]): Promise<void> {
    return this.#write(`${columns.map(csvField).join(',')}\r\n`);
  }
  row(cells: readonly ExportCell[]): Promise<void> {
    return this.#write(`${cells.map(csvField).join(',')}\r\n`);
  }
  async end(): Promise<void> {
    this.#out.end();
    if (!this.#out.writableFinished) await once(this.#out, 'finish');
  }
}
