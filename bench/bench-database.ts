/** A fresh database for a benchmark: dropped and made again, with the legacy tables and our migrations. */
import mysql from 'mysql2/promise';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/local-services.ts';
import { createLegacyTables, openDatabase, runMigrations } from '../adapters/mysql/database.ts';

/** Its URL. The name must start with ticketrelay_test_ (the local user may create only ticketrelay_* databases). */
export async function freshBenchDatabase(name: string): Promise<string> {
  if (!/^ticketrelay_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop database "${name}": bench databases are named ticketrelay_test_*`);
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const admin = await mysql.createConnection({ host: base.hostname, port: Number(base.port), user: base.username, password: base.password });
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
