/**
 * Builds (or completes) the 15-million-row legacy table bench:scale measures on, in its own database
 * (ticketrelay_bench_scale, or another ticketrelay_bench_* named by --database, as bench:scale takes).
 * Resumable: run it again after an interruption and it goes on.
 *   npx tsx bench/scale-generate.ts [--rows 15000000] [--database ticketrelay_bench_scale]
 */
import { parseArgs } from 'node:util';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLegacyTables, legacyTablesPresent, openDatabase } from '../adapters/mysql/database.ts';
import { generateLegacyMix } from './legacy-mix.ts';
import { serverConnection } from '../adapters/mysql/server-connection.ts';

export const SCALE_DB = 'ticketrelay_bench_scale';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '15000000' }, database: { type: 'string', default: SCALE_DB } },
});
const ROWS = Math.max(10_000, Number(values.rows) || 15_000_000);
const DATABASE = /^ticketrelay_bench_[a-z0-9_]+$/.test(values.database) ? values.database : SCALE_DB;

async function main(): Promise<void> {
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const admin = await serverConnection(base.toString());
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  base.pathname = `/${DATABASE}`;
  const database = openDatabase({ url: base.toString(), poolSize: 4 });
  if ((await legacyTablesPresent(database)).length === 0) await createLegacyTables(database);
  // The same "now" for every resumed run: the table's dates do not depend on when it was resumed.
  const now = Date.UTC(2026, 11, 1);
  let last = 0;
  const started = Date.now();
  const { seconds, written } = await generateLegacyMix(database.pool, ROWS, now, (done, total) => {
    if (done - last < 100_000 && done !== total) return;
    last = done;
    const width = 40;
    const filled = Math.round((done / total) * width);
    const rate = done / Math.max(1, (Date.now() - started) / 1000);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s   `,
    );
  });
  process.stderr.write('\n');
  await database.pool.query('ANALYZE TABLE ___xtr_msg, ___xtr_customer');
  await database.close();
  process.stdout.write(
    `${JSON.stringify({ bench: 'scale-generate', rows: ROWS, written, seconds: Math.round(seconds) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`scale-generate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
