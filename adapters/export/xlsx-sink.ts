/**
 * ExportSink writing an .xlsx with exceljs's streaming WorkbookWriter: each row is committed as it
 * comes, so memory stays flat whatever the number of tickets. Text cells get the same formula guard
 * as the CSV (a leading apostrophe).
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ExportCell, ExportSink } from '../../src/ports/export-store.ts';

export class XlsxSink implements ExportSink {
  readonly #workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  readonly #sheet: ExcelJS.Worksheet;

  constructor(out: Writable) {
    this.#workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    this.#sheet = this.#workbook.addWorksheet('Tickets', { views: [{ state: 'frozen', ySplit: 1 }] });
  }

  async header(columns: readonly string[]): Promise<void> {
    this.#sheet.columns = columns.map((c) => ({
      header: c,
      key: c,
      width: /subject|email/.test(c) ? 40 : /_at$/.test(c) ? 20 : 14,
    }));
    const row = this.#sheet.getRow(1);
    row.font = { bold: true };
    row.commit();
  }

  async row(cells: readonly ExportCell[]): Promise<void> {
    const row = this.#sheet.addRow(cells.map((c) => (typeof c === 'string' && /^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
    row.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd hh:mm:ss';
    });
    row.commit();
  }

  async end(): Promise<void> {
    this.#sheet.commit();
    await this.#workbook.commit();
  }
}
