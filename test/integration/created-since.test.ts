/**
 * "Created since" in /ticket stats and the old API's /stats: whole hours from support_ticket_hourly (kept by the
 * triggers of migration 0025, whoever writes support_ticket), the first partial hour from the created_at index.
 * Checked against a COUNT of the tickets themselves after inserts from several connections, a ticket whose
 * creation time is corrected, deletions, and for a `since` on an hour, inside one, before everything and after.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlSupportApiStore } from '../../adapters/mysql/mysql-support-api-store.ts';
import { MysqlTicketStore } from '../../adapters/mysql/mysql-ticket-store.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

let db: TestDatabase;
const HOUR = 3_600_000;
const day0 = Date.UTC(2026, 10, 30, 0, 0, 0);

/** Ticket n's creation: spread over two weeks, some exactly on an hour, a few in its last millisecond. */
const createdAt = (n: number) =>
  new Date(day0 + (n % 7 === 0 ? Math.floor(n / 7) * HOUR : n % 11 === 0 ? (n % 72) * HOUR - 1 : n * 97_003));

const row = (n: number) => {
  const at = createdAt(n);
  return [n, 1, `client${n}@example.fr`, `Ticket ${n}`, 'open', 'normal', 'general', 'web', 1, at, at, at];
};
const INSERT =
  'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at) VALUES ?';

beforeAll(async () => {
  db = await createTestDatabase('created_since');
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

async function counted(since: Date): Promise<number> {
  const [r] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket WHERE created_at >= ?', [since]);
  return Number(r?.n ?? 0);
}

describe('tickets created since a time, from the hourly tally', () => {
  it('says what a COUNT of the tickets says, whoever wrote them and however they changed', async () => {
    // Before the first ticket, then from several connections at once (each its own shard of the tally).
    const pool = db.database.pool;
    await Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const conn = await pool.getConnection();
        try {
          const rows = Array.from({ length: 600 }, (_, i) => row(k * 600 + i + 1));
          await conn.query(INSERT, [rows]);
        } finally {
          conn.release();
        }
      }),
    );
    // A creation time corrected (the legacy pass reads the old site's date again), another moved by an hour
    // exactly, and tickets deleted.
    await db.query('UPDATE support_ticket SET created_at = ? WHERE ticket_id = ?', [new Date(day0 + 5 * HOUR + 1), 10]);
    await db.query('UPDATE support_ticket SET created_at = created_at + INTERVAL 1 HOUR WHERE ticket_id = 14');
    await db.query('UPDATE support_ticket SET subject = ? WHERE ticket_id = 15', ['Ticket 15, renamed']);
    await db.query('DELETE FROM support_ticket WHERE ticket_id BETWEEN 100 AND 140');
    const tickets = new MysqlTicketStore(db.database);
    const api = new MysqlSupportApiStore(db.database);
    const times = [
      new Date(0),
      new Date(day0),
      new Date(day0 + 5 * HOUR),
      new Date(day0 + 5 * HOUR + 1),
      new Date(day0 + 17 * HOUR + 1_234_567),
      new Date(day0 + 30 * HOUR - 1),
      new Date(day0 + 47 * HOUR + 59 * 60_000),
      new Date(day0 + 30 * 86_400_000),
    ];
    for (const since of times) {
      const expected = await counted(since);
      expect((await tickets.counts(since)).createdSince, since.toISOString()).toBe(expected);
      expect((await api.contactStats(since)).createdSince, since.toISOString()).toBe(expected);
    }
    expect(await counted(new Date(0))).toBe(2_400 - 41);
    expect(await counted(new Date(day0 + 30 * 86_400_000))).toBe(0);
  });

  it('counts once a ticket written while migration 0025 runs, between its triggers and its count of the tickets there', async () => {
    // The migration's last statement, as db migrate runs it (on a connection in READ COMMITTED).
    const sql = await readFile(
      path.join(import.meta.dirname, '../../adapters/mysql/migrations/0025_ticket_words_index.sql'),
      'utf8',
    );
    const backfill = sql.split('--> statement-breakpoint').at(-1) ?? '';
    expect(backfill).toMatch(/INSERT INTO `support_ticket_hourly`/);
    await db.query('DELETE FROM support_ticket');
    await db.query('DELETE FROM support_ticket_hourly');
    const pool = db.database.pool;
    // Tickets there before the migration: the triggers did not exist, nothing counted them.
    await db.query(INSERT, [Array.from({ length: 300 }, (_, i) => row(5_000 + i))]);
    await db.query('DELETE FROM support_ticket_hourly');
    // The triggers exist now; before the count, the intake and the old site's adoption write and delete.
    await db.query(INSERT, [Array.from({ length: 40 }, (_, i) => row(6_000 + i))]);
    await db.query('DELETE FROM support_ticket WHERE ticket_id BETWEEN 5000 AND 5009');
    await db.query('UPDATE support_ticket SET created_at = created_at + INTERVAL 3 DAY WHERE ticket_id = 5020');
    const conn = await pool.getConnection();
    try {
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      // One more still uncommitted while the count runs: its trigger's row commits with it, after.
      const writer = await pool.getConnection();
      try {
        await writer.beginTransaction();
        await writer.query(INSERT, [[row(7_001)]]);
        await conn.query(backfill);
        await writer.commit();
      } finally {
        writer.release();
      }
    } finally {
      conn.release();
    }
    await db.query(INSERT, [[row(7_002)]]);
    const byHour = async (sqlText: string) =>
      Object.fromEntries(
        (await db.query<{ hour: string; n: number }>(sqlText)).map((r) => [String(r.hour), Number(r.n)]),
      );
    const tallied = await byHour(
      "SELECT DATE_FORMAT(hour, '%Y-%m-%d %H') AS hour, SUM(tickets) AS n FROM support_ticket_hourly GROUP BY hour HAVING SUM(tickets) <> 0",
    );
    const actual = await byHour(
      "SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H') AS hour, COUNT(*) AS n FROM support_ticket GROUP BY 1",
    );
    expect(Object.values(actual).reduce((a, b) => a + b, 0)).toBe(300 - 10 + 40 + 2);
    expect(tallied).toEqual(actual);
    const tickets = new MysqlTicketStore(db.database);
    expect((await tickets.counts(new Date(0))).createdSince).toBe(332);
  });
});
