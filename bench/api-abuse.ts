/**
 * api:abuse — the security review's floods (findings 5 and 11) against the http role, measured:
 * 300 web-form posts from one client, 16 at a time, each to a new address (the review: 300 tickets in
 * 2.98 s); then, on ROWS synthetic tickets, keyword searches without a token, and with a token under
 * DB_QUERY_BUDGET_MS. Prints one JSON line at the end. The database (ticketrelay_test_api_abuse) is dropped after.
 *   npx tsx bench/api-abuse.ts [ROWS] [BUDGET_MS]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { startHttpFrontEnd } from '../src/roles/http.ts';
import { createLogger } from '../adapters/logging/pino-logger.ts';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/main.ts';
import { openDatabase } from '../adapters/mysql/database.ts';
import { freshBenchDatabase } from './bench-database.ts';

const ROWS = Number(process.argv[2] ?? 300_000);
const BUDGET_MS = Number(process.argv[3] ?? 100);
const TOKEN = 'bench-token-0123456789abcdef0123456789abcdef';

async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const url = await freshBenchDatabase('ticketrelay_test_api_abuse');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-api-abuse-'));
const config = loadConfig({
  DATABASE_URL: url,
  REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
  DATA_DIR: dataDir,
  QUEUE_PREFIX: 'bench-api-abuse',
  LOG_LEVEL: 'silent',
  API_TOKENS: `bench:read+write:${TOKEN}`,
  DB_QUERY_BUDGET_MS: String(BUDGET_MS),
  API_RATE_PER_TOKEN: '100000/min',
});
const app = await createApp(config, { logger: createLogger({ level: 'silent' }) });
// The benchmark's own connection, to count and to seed rows (the app exposes no database).
const database = openDatabase({ url, poolSize: 2 });
const front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1' });
const base = front.server.url;
try {
  // 1. The form flood.
  let started = performance.now();
  const statuses = await pool(300, 16, async (i) => {
    const res = await fetch(`${base}/api/support/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Buy Cheap',
        email: `flood${i}@third-party.example`,
        subject: `Visit http://spam.example/${i} for cheap pills`,
        message: 'Cheap pills at http://spam.example, best prices.',
      }),
    });
    await res.text();
    return res.status;
  });
  const floodSeconds = (performance.now() - started) / 1000;
  const byStatus: Record<string, number> = {};
  for (const s of statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
  const [[tickets]] = (await database.pool.query('SELECT COUNT(*) AS n FROM support_ticket')) as unknown as [
    [{ n: number }],
  ];
  console.log(
    `form flood: 300 posts, 16 at a time, in ${floodSeconds.toFixed(2)} s: ${JSON.stringify(byStatus)}; tickets made: ${tickets.n}`,
  );

  // 2. Searches on ROWS tickets.
  started = performance.now();
  await database.pool.query(
    `INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, created_at, updated_at, last_message_at, message_count, triaged)
     SELECT 1000000 + seq, 1, CONCAT('c', seq, '@customer.example'), CONCAT('Brake pads order ', seq), 'open', 'normal', 'general', 'email', NOW(3) - INTERVAL seq SECOND, NOW(3), NOW(3), 1, 1 FROM seq_1_to_${ROWS}`,
  );
  console.log(`${ROWS} synthetic tickets inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const time = async (pathAndQuery: string, token: boolean) => {
    const t = performance.now();
    const res = await fetch(`${base}${pathAndQuery}`, { headers: token ? { authorization: `Bearer ${TOKEN}` } : {} });
    const body = await res.text();
    return { status: res.status, ms: performance.now() - t, body };
  };
  const anonymous = await pool(160, 16, (i) =>
    time(`/api/support/contact/tickets?keyword=zq${i}&limit=100&page=2`, false),
  );
  const anonMs = anonymous.map((r) => r.ms).sort((a, b) => a - b);
  console.log(
    `160 anonymous searches, 16 at a time: statuses ${[...new Set(anonymous.map((r) => r.status))].join(',')}, p50 ${anonMs[80]!.toFixed(1)} ms, max ${anonMs.at(-1)!.toFixed(1)} ms`,
  );
  const searches = [];
  for (const q of ['zq', '%25', '%25%25%25%25'])
    searches.push({ q, ...(await time(`/api/support/contact/tickets?keyword=${q}&limit=100`, true)) });
  for (const s of searches)
    console.log(
      `token search keyword=${s.q}: ${s.status} in ${s.ms.toFixed(0)} ms ${s.status === 503 ? '(over budget)' : ''}`,
    );
  const plain = await time('/api/support/contact/tickets?limit=20', true);
  console.log(`token list, no filter: ${plain.status} in ${plain.ms.toFixed(0)} ms`);
  console.log(
    JSON.stringify({
      floodSeconds: Number(floodSeconds.toFixed(2)),
      flood: byStatus,
      ticketsFromFlood: tickets.n,
      anonymousSearch: { statuses: [...new Set(anonymous.map((r) => r.status))], p50Ms: Math.round(anonMs[80]!) },
      tokenSearches: searches.map((s) => ({ keyword: s.q, status: s.status, ms: Math.round(s.ms) })),
      budgetMs: BUDGET_MS,
      rows: ROWS,
    }),
  );
} finally {
  await front.close();
  await database.pool.query('DROP DATABASE IF EXISTS ticketrelay_test_api_abuse');
  await database.close();
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
}
