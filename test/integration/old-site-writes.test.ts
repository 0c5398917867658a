/**
 * The old site keeps writing to ___xtr_msg while ticketrelay migrates its tables and adopts the history:
 * none of our statements may hold a lock on a legacy row that the old site then waits for. Each case stalls
 * our work half-way on purpose (a lock the test holds elsewhere) and has the old site UPDATE a legacy row our
 * work has read, with innodb_lock_wait_timeout = 1: it must go through at once, not wait behind us.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { runMigrations, type Database } from '../../adapters/mysql/database.ts';
import { composeLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import { syncLegacyTickets } from '../../adapters/mysql/legacy-sync.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../adapters/mysql/migrations');
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** The old site's UPDATE of one legacy row, allowed to wait one second for a lock: true when it went through. */
async function oldSiteUpdate(url: string, msgId: number): Promise<{ ok: boolean; code?: string }> {
  const conn = await mysql.createConnection(url.replace(/^mariadb:/, 'mysql:'));
  try {
    await conn.query('SET SESSION innodb_lock_wait_timeout = 1');
    await conn.query("UPDATE ___xtr_msg SET msg_subject = CONCAT(msg_subject, '.') WHERE msg_id = ?", [msgId]);
    return { ok: true };
  } catch (error) {
    return { ok: false, code: String((error as { code?: unknown }).code) };
  } finally {
    await conn.end();
  }
}

/** Waits until a statement starting with `prefix` runs in this database (blocked on the test's lock), or `ms` pass. */
async function seenRunning(db: Database, prefix: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const [rows] = await db.pool.query(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE ?',
      [`${prefix}%`],
    );
    if (Number((rows as { n: number }[])[0]?.n) > 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** A database with the legacy tables, migrated up to (not including) migration `before`. */
async function databaseBefore(before: string): Promise<TestDatabase> {
  const db = await createTestDatabase('old_writes_migrate', { migrate: false });
  cleanups.push(() => db.drop());
  // drizzle's migrator on a copy of the folder whose journal stops before `before`.
  const folder = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-migrations-'));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  await mkdir(path.join(folder, 'meta'));
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  journal.entries = journal.entries.filter((e) => e.tag < before);
  await writeFile(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries)
    await copyFile(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
  const [{ drizzle }, { migrate }] = await Promise.all([
    import('drizzle-orm/mysql2'),
    import('drizzle-orm/mysql2/migrator'),
  ]);
  await migrate(drizzle(db.database.pool, { mode: 'default' }), { migrationsFolder: folder });
  return db;
}

describe("the old site's writes while ticketrelay works on the same tables", () => {
  it("db migrate reads the legacy rows without locking them (0015's INSERT … SELECT … JOIN ___xtr_msg)", async () => {
    const { url, database } = await databaseBefore('0015');
    const TICKETS = 2_000;
    const at = new Date(Date.UTC(2026, 0, 1));
    const legacy: unknown[][] = [];
    const ours: unknown[][] = [];
    for (let n = 1; n <= TICKETS; n++) {
      legacy.push([
        n,
        '1',
        `Ticket ${n}`,
        composeLegacyContent(`Texte du ticket ${n}`, {
          priority: 'normal',
          category: 'general',
          created_at: '2026-1-1 9:00:00',
        }),
        '1',
        '0',
      ]);
      ours.push([n, 1, `c${n}@example.fr`, `Ticket ${n}`, 'open', 'normal', 'general', 'web', 1, at, at, at]);
    }
    await database.pool.query(
      'INSERT INTO ___xtr_msg (msg_id, msg_cst_id, msg_subject, msg_content, msg_open, msg_close) VALUES ?',
      [legacy],
    );
    await database.pool.query(
      'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at) VALUES ?',
      [ours],
    );
    // The old site is editing the newest ticket's row: a statement that locks what it reads stops there,
    // holding a lock on every legacy row it read before.
    const editing = await mysql.createConnection(url.replace(/^mariadb:/, 'mysql:'));
    cleanups.push(() => editing.end());
    await editing.query('START TRANSACTION');
    await editing.query('SELECT msg_id FROM ___xtr_msg WHERE msg_id = ? FOR UPDATE', [TICKETS]);
    let done = false;
    const migrating = runMigrations(database).finally(() => (done = true));
    await Promise.race([seenRunning(database, 'INSERT IGNORE INTO `support_ticket_text`', 3_000), migrating]);
    // The old site meanwhile updates rows the migration has read, and waits at most a second for each.
    const updates: { ok: boolean; code?: string }[] = [];
    const until = Date.now() + 3_000;
    while (Date.now() < until && !(done && updates.length >= 3))
      updates.push(await oldSiteUpdate(url, 1 + updates.length));
    await editing.query('COMMIT');
    await migrating;
    expect(updates.filter((u) => !u.ok)).toEqual([]);
    // And the migration did its work: every ticket's text copied for the search.
    const [copied] = await database.pool.query('SELECT COUNT(*) AS n FROM support_ticket_text');
    expect(Number((copied as { n: number }[])[0]?.n)).toBe(TICKETS);
  }, 60_000);

  it("the background pass leaves the old site's rows free while it brings a ticket in line", async () => {
    const db: TestDatabase = await createTestDatabase('old_writes_pass');
    cleanups.push(() => db.drop());
    // The old site's web-form tickets, adopted by the pass while the old site updates them.
    const rows: unknown[][] = [];
    for (let n = 1; n <= 3_000; n++)
      rows.push([
        '1',
        '2026-11-5 9:00:00',
        `Formulaire ${n}`,
        composeLegacyContent('Bonjour', { priority: 'normal', category: 'general', created_at: '2026-11-5 9:00:00' }),
        '1',
        '0',
      ]);
    await db.query(
      'INSERT INTO ___xtr_msg (msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES ?',
      [rows],
    );
    const adopting = syncLegacyTickets(db.database.pool);
    const during: { ok: boolean; code?: string }[] = [];
    for (let i = 0; i < 5; i++) during.push(await oldSiteUpdate(db.url, 1 + i * 600));
    expect((await adopting).adopted).toBe(3_000);
    expect(during.filter((u) => !u.ok)).toEqual([]);

    // The old site closes ticket 42; the pass will bring our copy in line. It is stalled on purpose after it
    // took its locks (the test holds the end of support_event, where the pass records the change).
    await db.query("UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1' WHERE msg_id = 42");
    const holder = await mysql.createConnection(db.url.replace(/^mariadb:/, 'mysql:'));
    cleanups.push(() => holder.end());
    await holder.query('START TRANSACTION');
    await holder.query('SELECT id FROM support_event WHERE id >= 0 FOR UPDATE');
    const pass = syncLegacyTickets(db.database.pool);
    expect(await seenRunning(db.database, 'INSERT INTO support_event', 10_000)).toBe(true);
    // Half-way through bringing ticket 42 in line, the old site edits that very row.
    const update = await oldSiteUpdate(db.url, 42);
    await holder.query('COMMIT');
    expect((await pass).reconciled).toBe(1);
    expect(update).toEqual({ ok: true });
    expect(await db.query('SELECT status FROM support_ticket WHERE ticket_id = 42')).toEqual([{ status: 'closed' }]);
  }, 60_000);
});
