/** A fresh database for a benchmark: dropped and made again, with the legacy tables and our migrations. */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLegacyTables, openDatabase, runMigrations } from '../adapters/mysql/database.ts';
import { loadConfig } from '../src/config.ts';
import { serverConnection } from '../adapters/mysql/server-connection.ts';

/** Its URL. The name must start with ticketrelay_test_ (the local user may create only ticketrelay_* databases). */
export async function freshBenchDatabase(name: string): Promise<string> {
  if (!/^ticketrelay_test_[a-z0-9_]+$/.test(name))
    throw new Error(`refusing to drop database "${name}": bench databases are named ticketrelay_test_*`);
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const admin = await serverConnection(base.toString());
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  base.pathname = `/${name}`;
  const database = openDatabase({ url: base.toString(), poolSize: 2 });
  await createLegacyTables(database);
  await runMigrations(database);
  await database.close();
  return base.toString();
}

/**
 * A data folder (attachments, outbox, rejected) for one benchmark run, under the project's .data/bench/
 * where the service keeps its own files by default. It is kept after the run (the outbox can be
 * read), and folders of runs older than 15 minutes are removed when the next run starts: on this
 * VM's ext4, creating files within minutes of deleting thousands costs up to 1 ms of kernel CPU each
 * (ext4 scans recently deleted inodes, seen with perf), so a run that cleaned up just before the
 * next one would charge it for the deletion.
 */
export async function benchDataDir(name: string): Promise<string> {
  const root = path.join(loadConfig({}).dataDir, 'bench');
  await mkdir(root, { recursive: true });
  const now = Date.now();
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(`${name}-`)) continue;
    const full = path.join(root, entry.name);
    if (now - (await stat(full)).mtimeMs > 15 * 60_000) await rm(full, { recursive: true, force: true });
  }
  const dir = path.join(root, `${name}-${new Date(now).toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
