/**
 * Exports against real MariaDB: the CSV's content (RFC 4180 quoting, formula guard, the day range in
 * the report time zone, paging), a valid xlsx read back with exceljs, and the CLI writing a file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvSink } from '../../adapters/export/csv-sink.ts';
import { exportToBuffer } from '../../adapters/export/export-file.ts';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { MysqlExportStore } from '../../adapters/mysql/mysql-export-store.ts';
import { EXPORT_COLUMNS, exportTickets } from '../../src/services/export-tickets.ts';
import { createTestDatabase, runTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let dir: string;

async function ticket(
  id: number,
  subject: string,
  created: string,
  extra: { closed?: string; firstResponse?: string; sentiment?: number; confidence?: number } = {},
) {
  await db.query(
    `INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, language, source, created_at, updated_at, last_message_at,
       first_response_at, closed_at, sentiment, category_confidence, priority_confidence, triaged)
     VALUES (?, 1, 'c@example.com', ?, ?, 'high', 'billing', 'fr', 'email', ?, ?, ?, ?, ?, ?, ?, 0.8, 1)`,
    [
      id,
      subject,
      extra.closed ? 'closed' : 'open',
      new Date(created),
      new Date(created),
      new Date(created),
      extra.firstResponse ? new Date(extra.firstResponse) : null,
      extra.closed ? new Date(extra.closed) : null,
      extra.sentiment ?? null,
      extra.confidence ?? null,
    ],
  );
}

/** A minimal RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

beforeAll(async () => {
  db = await createTestDatabase('export');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-export-'));
  // Paris, 2026-03-01 … 2026-03-02: from 2026-02-28T23:00Z to 2026-03-02T23:00Z.
  await ticket(1, 'before the range', '2026-02-28T22:30:00Z');
  await ticket(2, '=HYPERLINK("http://evil.example","click")', '2026-02-28T23:30:00Z', {
    firstResponse: '2026-03-01T01:30:00Z',
    closed: '2026-03-01T11:30:00Z',
    sentiment: -0.5,
    confidence: 0.91,
  });
  await ticket(3, 'Refund, "urgent"\nplease', '2026-03-01T12:00:00Z');
  await ticket(4, '@SUM(A1)', '2026-03-02T08:00:00Z');
  await ticket(5, '+33 6 00 00 00 00 called', '2026-03-02T22:30:00Z'); // 23:30 in Paris on the 2nd
  await ticket(6, 'after the range', '2026-03-02T23:30:00Z');
  // An agent corrected ticket 4's priority: triage's confidence in its own choice no longer applies.
  await db.query(
    "INSERT INTO support_triage_correction (ticket_id, field, from_value, to_value, agent_id, created_at) VALUES (4, 'priority', 'normal', 'high', 1, NOW(3))",
  );
  // Not a ticket: never exported.
  await db.query(
    "INSERT INTO ___xtr_msg (msg_cst_id, msg_subject, msg_content) VALUES ('1', 'Review', '{\"type\":\"review\"}')",
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

describe('ticket export', () => {
  it('writes RFC 4180 CSV with triage and times, guarded against formulas, page by page', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const n = await exportTickets(new MysqlExportStore(db.database), new CsvSink(out), {
      from: '2026-03-01',
      to: '2026-03-02',
      timeZone: 'Europe/Paris',
      pageSize: 2,
    });
    expect(n).toBe(4);
    const text = Buffer.concat(chunks).toString('utf8');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['2', '3', '4', '5']);
    const byId = Object.fromEntries(
      rows.slice(1).map((r) => [r[0], Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r[i]]))]),
    );
    expect(byId['2']).toMatchObject({
      subject: `'=HYPERLINK("http://evil.example","click")`,
      created_at: '2026-02-28T23:30:00Z',
      category: 'billing',
      category_confidence: '0.91',
      priority: 'high',
      priority_confidence: '0.8',
      sentiment: '-0.5',
      language: 'fr',
      triaged: 'yes',
      first_response_hours: '2',
      resolution_hours: '12',
      closed_at: '2026-03-01T11:30:00Z',
    });
    expect(byId['3']?.['subject']).toBe('Refund, "urgent"\nplease');
    expect(byId['3']?.['resolution_hours']).toBe('');
    expect(byId['4']?.['subject']).toBe("'@SUM(A1)");
    expect(byId['4']).toMatchObject({ priority: 'high', priority_confidence: '' });
    expect(byId['3']).toMatchObject({ priority: 'high', priority_confidence: '0.8' });
    expect(byId['5']?.['subject']).toBe("'+33 6 00 00 00 00 called");
    expect(text).toContain('"Refund, ""urgent""\nplease"');
  });

  it('writes a valid xlsx (streamed), readable by exceljs', async () => {
    const file = await exportToBuffer(new MysqlExportStore(db.database), {
      format: 'xlsx',
      from: '2026-03-01',
      to: '2026-03-02',
      timeZone: 'Europe/Paris',
    });
    expect(file.filename).toBe('tickets-2026-03-01_2026-03-02.xlsx');
    expect(file.tickets).toBe(4);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.data as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Tickets');
    expect(sheet?.rowCount).toBe(5);
    expect(sheet?.getRow(1).getCell(1).value).toBe('ticket');
    expect(sheet?.getRow(2).getCell(1).value).toBe(2);
    expect(sheet?.getRow(2).getCell(4).value).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect((sheet?.getRow(2).getCell(2).value as Date).toISOString()).toBe('2026-02-28T23:30:00.000Z');
    expect(sheet?.getRow(2).getCell(17).value).toBe(12);
  });

  it('`ticketrelay export` writes the file and says how many tickets', async () => {
    const out = path.join(dir, 'march.csv');
    const result = await runTicketrelay(
      ['export', '--format', 'csv', '--from', '2026-03-01', '--to', '2026-03-02', '--out', out],
      {
        DATABASE_URL: db.url,
        REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
        DATA_DIR: path.join(dir, 'data'),
        QUEUE_PREFIX: 'test-export',
      },
    );
    expect(result.stderr).toContain('4 tickets created from 2026-03-01 to 2026-03-02 (Europe/Paris) written to');
    expect(result.code).toBe(0);
    expect(parseCsv(await readFile(out, 'utf8'))).toHaveLength(5);
    const bad = await runTicketrelay(['export', '--format', 'pdf', '--from', '2026-03-01', '--to', '2026-03-02'], {});
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('Unknown format "pdf": use --format csv or --format xlsx.');
  });
});
