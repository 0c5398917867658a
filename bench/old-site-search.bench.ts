/**
 * bench:old-site-search — p50/p95 of the old pages' search (GET /api/support/contact/search: the
 * report store's listTickets with the keyword looked for in the ticket's text too) on N generated
 * tickets, beside the old backend's way timed in the same run: a LIKE of the word over ___xtr_msg.
 *
 * Its own database (ticketrelay_test_bench_oldsite_<random>), generated with multi-row INSERTs and
 * dropped at the end (never the shared bench databases: their migrations are other branches' too).
 *   npx tsx bench/old-site-search.bench.ts [--tickets 200000] [--runs 30]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLegacyTables, openDatabase, runMigrations } from '../adapters/mysql/database.ts';
import { MysqlSupportApiStore } from '../adapters/mysql/mysql-support-api-store.ts';
import { percentile } from '../src/domain/digest.ts';
import { composeLegacyContent, formatLegacyDate } from '../adapters/mysql/legacy-format.ts';
import type { TicketListQuery } from '../src/ports/support-api-store.ts';
import { serverConnection } from '../adapters/mysql/server-connection.ts';

const { values } = parseArgs({
  options: { tickets: { type: 'string', default: '200000' }, runs: { type: 'string', default: '30' } },
});
const TICKETS = Math.max(1_000, Number(values.tickets) || 200_000);
const RUNS = Math.max(5, Number(values.runs) || 30);
const BATCH = 2_000;

const PARTS = [
  'plaquettes',
  'disques',
  'courroie',
  'embrayage',
  'amortisseurs',
  'batterie',
  'alternateur',
  'bougies',
  'radiateur',
  'filtre',
];
const PROBLEMS = [
  'pas livrée',
  'mauvaise pièce',
  'remboursement',
  'facture manquante',
  'abîmée',
  'incompatible',
  'question',
  'retard',
];
const CARS = ['Clio', '308', 'Golf', 'Megane', 'C3', 'Polo', 'Focus', 'Corsa'];
const RARE = 'turbocompresseur'; // in one text in 5,000, never in a subject

const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
const name = `ticketrelay_test_bench_oldsite_${randomBytes(3).toString('hex')}`;
const admin = await serverConnection(base.toString());
await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
base.pathname = `/${name}`;
const database = openDatabase({ url: base.toString(), poolSize: 4 });
try {
  await createLegacyTables(database);
  await runMigrations(database);
  const started = performance.now();
  const day0 = Date.UTC(2024, 0, 1);
  for (let from = 1; from <= TICKETS; from += BATCH) {
    const legacy: unknown[][] = [];
    const ours: unknown[][] = [];
    const texts: unknown[][] = [];
    for (let id = from; id < Math.min(from + BATCH, TICKETS + 1); id++) {
      const part = PARTS[id % PARTS.length]!;
      const subject = `${part[0]!.toUpperCase()}${part.slice(1)} ${PROBLEMS[(id >> 3) % PROBLEMS.length]}`;
      const text = `Bonjour, pour ma ${CARS[id % CARS.length]} de ${2005 + (id % 18)}, commande CMD-${100000 + id}. ${id % 5000 === 0 ? `Le ${RARE} siffle. ` : ''}Merci de votre aide.`;
      const at = new Date(day0 + id * 60_000);
      const priority = (['low', 'normal', 'normal', 'high', 'urgent'] as const)[id % 5]!;
      const category = (['general', 'technical', 'billing', 'complaint', 'suggestion'] as const)[id % 5]!;
      legacy.push([
        id,
        String(80000 + (id % 20_000)),
        formatLegacyDate(at),
        subject,
        composeLegacyContent(text, { priority, category, created_at: formatLegacyDate(at) }),
        '1',
        '0',
      ]);
      ours.push([
        id,
        80000 + (id % 20_000),
        `client${id % 20_000}@example.fr`,
        subject,
        'open',
        priority,
        category,
        'web',
        1,
        at,
        at,
        at,
      ]);
      texts.push([id, text]);
    }
    await database.pool.query(
      'INSERT INTO ___xtr_msg (msg_id, msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES ?',
      [legacy],
    );
    await database.pool.query(
      'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at) VALUES ?',
      [ours],
    );
    await database.pool.query('INSERT INTO support_ticket_text (ticket_id, body) VALUES ?', [texts]);
  }
  console.log(`generated ${TICKETS} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  // Quick adoption before a list: nothing to adopt (every row has ours); mark the legacy rows seen.
  await database.pool
    .query(
      'INSERT INTO support_sync_state (name, position, updated_at) VALUES (?, ?, NOW()) ON DUPLICATE KEY UPDATE position = VALUES(position)',
      ['legacy_adoption', TICKETS],
    )
    .catch(() => undefined);

  const store = new MysqlSupportApiStore(database);
  const search = (extra: Partial<TicketListQuery>): TicketListQuery => ({
    page: 1,
    limit: 10,
    status: null,
    keyword: null,
    inContent: true,
    ...extra,
  });
  const cases: [string, TicketListQuery][] = [
    ['common word of the subject ("plaquettes")', search({ keyword: 'plaquettes' })],
    ['word of the text only ("Clio")', search({ keyword: 'Clio' })],
    [`rare word of the text ("${RARE}")`, search({ keyword: RARE })],
    ['ticket number', search({ keyword: `#${Math.floor(TICKETS / 2)}` })],
    ['customer_id', search({ customerId: 80123 })],
    [
      'priority + category + a month',
      search({
        priority: 'urgent',
        category: 'general',
        from: new Date(day0 + 10 * 86_400_000),
        to: new Date(day0 + 40 * 86_400_000),
      }),
    ],
    ['word + page 50', search({ keyword: 'Golf', page: 50 })],
  ];
  const timings: Record<string, number[]> = {};
  const time = async (label: string, run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    (timings[label] ??= []).push(performance.now() - t0);
  };
  const like = async (word: string) =>
    database.pool.query('SELECT COUNT(*) AS n FROM ___xtr_msg WHERE msg_subject LIKE ? OR msg_content LIKE ?', [
      `%${word}%`,
      `%${word}%`,
    ]);
  for (let i = 0; i < RUNS; i++) {
    for (const [label, query] of cases) await time(label, () => store.listTickets(query));
    await time('baseline: LIKE over ___xtr_msg ("Clio")', () => like('Clio'));
  }
  const found = await store.listTickets(search({ keyword: RARE }));
  console.log(`"${RARE}" found ${found.total} tickets (expected ${Math.floor(TICKETS / 5000)})`);
  const summary: Record<string, { p50: number; p95: number }> = {};
  for (const [label, list] of Object.entries(timings)) {
    summary[label] = { p50: Number(percentile(list, 50)!.toFixed(1)), p95: Number(percentile(list, 95)!.toFixed(1)) };
    console.log(
      `${label.padEnd(48)} p50 ${summary[label].p50.toFixed(1).padStart(7)} ms   p95 ${summary[label].p95.toFixed(1).padStart(7)} ms`,
    );
  }
  console.log(JSON.stringify({ bench: 'old-site-search', tickets: TICKETS, runs: RUNS, ms: summary }));
} finally {
  await database.pool.query(`DROP DATABASE \`${name}\``).catch(() => undefined);
  await database.close();
  await admin.end();
}
