/**
 * `/ticket export` for managers (the file a chat platform uploads, the console saves), refused to
 * agents; and the command latency in /metrics.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/domain/command.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let app: TestApp;
const manager: Caller = { platform: 'slack', userId: 'UBOSS' };
const agent: Caller = { platform: 'slack', userId: 'UAGENT' };

beforeAll(async () => {
  db = await createTestDatabase('cmdexport');
  app = await createTestApp(db, { ACK_ENABLED: 'false' });
  await app.agents.upsert({
    name: 'boss',
    role: 'manager',
    staffId: 7,
    identities: [{ platform: 'slack', kind: 'user', value: 'UBOSS' }],
  });
  await app.agents.upsert({
    name: 'ann',
    role: 'agent',
    staffId: 8,
    identities: [{ platform: 'slack', kind: 'user', value: 'UAGENT' }],
  });
  for (const subject of ['Brake pads for a Clio', '=HYPERLINK("http://evil.example")', 'Invoice, "copy" please']) {
    await app.intake.ingest(eml({ subject, from: `Export <export.${subject.length}@customer.example>` }).raw, {
      kind: 'test',
    });
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('/ticket export', () => {
  it('hands a manager the CSV of the period, formula cells guarded', async () => {
    const reply = await app.commands.run(manager, '/ticket export csv today');
    expect(reply.ok, reply.text).toBe(true);
    expect(reply.text).toMatch(/^3 tickets created from (\d{4}-\d{2}-\d{2}) to \1: tickets-\1_\1\.csv\.$/);
    const csv = Buffer.from(reply.file?.data ?? []).toString('utf8');
    expect(reply.file?.contentType).toMatch(/^text\/csv/);
    expect(csv).toContain('Brake pads for a Clio');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(csv).toContain('"Invoice, ""copy"" please"');
  });

  it('builds a real xlsx, and refuses agents and nonsense with one sentence', async () => {
    const reply = await app.commands.run(manager, '/ticket export xlsx 7d');
    expect(reply.ok).toBe(true);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(reply.file?.data ?? []) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet?.rowCount).toBe(4);
    const refused = await app.commands.run(agent, '/ticket export csv');
    expect(refused).toMatchObject({
      ok: false,
      text: 'Only managers may export tickets; ask a manager, or use "/ticket stats" for the numbers.',
    });
    expect(refused.file).toBeUndefined();
    const wrong = await app.commands.run(manager, '/ticket export 2026-11-30 2026-11-01');
    expect(wrong).toMatchObject({
      ok: false,
      text: 'The period ends (2026-11-01) before it starts (2026-11-30); put the earlier day first.',
    });
  });

  it('times every command in /metrics, by command and result', async () => {
    await app.commands.run(agent, '/ticket list open');
    await app.commands.run(agent, '/ticket frobnicate');
    const text = await app.metrics.render();
    expect(text).toMatch(/ticketrelay_command_duration_seconds_count\{command="list",result="done"\} [1-9]/);
    expect(text).toMatch(/ticketrelay_command_duration_seconds_count\{command="other",result="refused"\} 1/);
    expect(text).toMatch(/ticketrelay_command_duration_seconds_count\{command="export",result="refused"\} [1-9]/);
  });
});
