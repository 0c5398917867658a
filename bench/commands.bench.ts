/**
 * bench:commands — p50/p95 of /ticket list, view and stats through the real CommandService, on
 * 1,000,000 tickets in the legacy table and support_ticket (plus replies and non-ticket JSON rows in
 * ___xtr_msg), with a naive `SELECT COUNT(*) FROM ___xtr_msg` timed beside them in the same run.
 *
 * The data lives in its own database (ticketrelay_bench_commands), generated once with multi-row
 * INSERTs in big batches and reused by later runs (delete the database to generate again).
 *   npm run bench:commands [-- --tickets 1000000 --runs 60]
 * Timings on a shared machine are noisy: compare the commands with the COUNT(*) of the same run.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLogger } from '../adapters/logging/pino-logger.ts';
import { createLegacyTables, openDatabase, runMigrations, type Database } from '../adapters/mysql/database.ts';
import { MysqlAgentDirectory } from '../adapters/mysql/mysql-agent-directory.ts';
import { MysqlTicketStore } from '../adapters/mysql/mysql-ticket-store.ts';
import type { Caller } from '../src/domain/command.ts';
import { composeLegacyContent, formatLegacyDate } from '../adapters/mysql/legacy-format.ts';
import { CommandService } from '../src/services/run-command.ts';
import { customerNames, FIRST_NAMES, ISSUES, LAST_NAMES, seededRandom, writeCustomers } from './shop-data.ts';
import { serverConnection } from '../adapters/mysql/server-connection.ts';

const DB_NAME = 'ticketrelay_bench_commands';
const BATCH = 5_000;
const CUSTOMERS = 50_000;
const SPAN_DAYS = 3 * 365;

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '60' },
    'generate-only': { type: 'boolean', default: false },
  },
});
const TICKETS = Math.max(1000, Number(values.tickets) || 1_000_000);
const RUNS = Math.max(5, Number(values.runs) || 60);

const SUBJECT_A = [
  'Brake pads',
  'Oil filter',
  'Timing belt',
  'Clutch kit',
  'Shock absorbers',
  'Headlight bulb',
  'Wiper blades',
  'Battery',
  'Alternator',
  'Spark plugs',
  'Exhaust',
  'Radiator',
  'Air filter',
  'Tyres',
  'Windscreen',
  'Mirror glass',
  'Starter motor',
  'Fuel pump',
  'Water pump',
  'Disc rotors',
];
const RARE = ['carburetor', 'turbocharger', 'differential', 'catalytic'];

/**
 * bench:commands' customers since its first run: the first 15 first names (Thomas spelt 'tom') and the first
 * 14 last names of the shared lists. Kept, because a database generated before is reused by later runs.
 */
const customers = customerNames(
  FIRST_NAMES.slice(0, 15).map((name) => (name === 'thomas' ? 'tom' : name)),
  LAST_NAMES.slice(0, 14),
);

function weighted<T extends string>(r: number, table: readonly (readonly [T, number])[]): T {
  let acc = 0;
  for (const [value, weight] of table) {
    acc += weight;
    if (r < acc) return value;
  }
  return table[table.length - 1]![0];
}

async function openBenchDatabase(): Promise<{ database: Database; fresh: boolean }> {
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const admin = await serverConnection(base.toString());
  const [rows] = await admin.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    DB_NAME,
  ]);
  const exists = (rows as unknown[]).length > 0;
  if (!exists) await admin.query(`CREATE DATABASE \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  base.pathname = `/${DB_NAME}`;
  const database = openDatabase({ url: base.toString(), poolSize: 6 });
  if (!exists) await createLegacyTables(database);
  await runMigrations(database);
  return { database, fresh: !exists };
}

async function generatedCount(database: Database): Promise<number> {
  await database.pool.query(
    'CREATE TABLE IF NOT EXISTS bench_generated (tickets INT UNSIGNED NOT NULL, generated_at DATETIME NOT NULL)',
  );
  const [rows] = await database.pool.query('SELECT MAX(tickets) AS n FROM bench_generated');
  return Number((rows as { n: number | null }[])[0]?.n ?? 0);
}

/** Ticket rows, some replies and a few non-ticket JSON rows in ___xtr_msg; the matching support_ticket rows. */
async function generate(database: Database, tickets: number, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const pool = database.pool;
  // TRUNCATE fires no trigger: the tally is emptied with the tickets.
  await pool.query('TRUNCATE TABLE support_ticket');
  await pool.query('TRUNCATE TABLE support_ticket_tally');
  await pool.query('TRUNCATE TABLE support_ticket_hourly');
  await pool.query('TRUNCATE TABLE support_ticket_text');
  await pool.query('TRUNCATE TABLE ___xtr_msg');
  await pool.query('TRUNCATE TABLE ___xtr_customer');
  // The FULLTEXT index is built once at the end: faster than maintaining it row by row.
  await pool.query('ALTER TABLE support_ticket DROP INDEX ft_ticket_subject_email').catch(() => undefined);
  await writeCustomers(pool, customers, 1, CUSTOMERS, BATCH);
  const now = Date.now();
  const spanMs = SPAN_DAYS * 86_400_000;
  const random = seededRandom(42);
  let msgId = 0;
  let made = 0;
  const inflight: Promise<unknown>[] = [];
  const send = async (sql: string, rows: unknown[][]) => {
    const conn = await pool.getConnection();
    try {
      await conn.query('SET unique_checks = 0');
      await conn.query(sql, [rows]);
    } finally {
      conn.release();
    }
  };
  while (made < tickets) {
    const legacy: unknown[][] = [];
    const ours: unknown[][] = [];
    const target = Math.min(tickets, made + BATCH);
    while (made < target) {
      msgId++;
      // One row in 40 is something else the shop keeps in ___xtr_msg: a review, a legal page, a redirect.
      if (msgId % 40 === 0) {
        const type = ['review', 'legal', 'redirect'][msgId % 3]!;
        legacy.push([
          msgId,
          null,
          null,
          formatLegacyDate(new Date(now - spanMs)),
          `${type} ${msgId}`,
          JSON.stringify({ type, rating: 4, text: 'Great brake pads' }),
          null,
          '0',
          '0',
        ]);
        continue;
      }
      made++;
      const ticketId = msgId;
      const at = new Date(now - spanMs + Math.floor((made / tickets) * spanMs));
      const age = (now - at.getTime()) / 86_400_000;
      // Recent tickets are mostly open, old ones closed.
      const open = random() < (age < 7 ? 0.7 : age < 30 ? 0.25 : 0.02);
      const priority = weighted(random(), [
        ['urgent', 0.03],
        ['high', 0.12],
        ['normal', 0.65],
        ['low', 0.2],
      ] as const);
      const category = weighted(random(), [
        ['general', 0.3],
        ['technical', 0.3],
        ['billing', 0.2],
        ['complaint', 0.12],
        ['suggestion', 0.08],
      ] as const);
      const customer = 1 + Math.floor(random() * CUSTOMERS);
      const subject =
        random() < 0.001
          ? `${RARE[made % RARE.length]} ${ISSUES[made % ISSUES.length]}`
          : `${SUBJECT_A[Math.floor(random() * SUBJECT_A.length)]} ${ISSUES[Math.floor(random() * ISSUES.length)]}`;
      const content = composeLegacyContent(`Hello, about my order: ${subject.toLowerCase()}. Thanks.`, {
        priority,
        category,
        created_at: formatLegacyDate(at),
      });
      legacy.push([
        ticketId,
        String(customer),
        null,
        formatLegacyDate(at),
        subject,
        content,
        null,
        open ? '1' : '0',
        open ? '0' : '1',
      ]);
      ours.push([
        ticketId,
        customer,
        customers.email(customer),
        subject,
        open ? 'open' : 'closed',
        priority,
        category,
        'email',
        1,
        at,
        at,
        at,
        open ? null : new Date(at.getTime() + 86_400_000),
      ]);
      // One ticket in eight has a reply from staff.
      if (made % 8 === 0) {
        msgId++;
        legacy.push([
          msgId,
          String(customer),
          '7',
          formatLegacyDate(new Date(at.getTime() + 3_600_000)),
          `Re: ${subject}`,
          'We are on it.',
          String(ticketId),
          '0',
          '0',
        ]);
      }
    }
    inflight.push(
      send(
        'INSERT INTO ___xtr_msg (msg_id, msg_cst_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close) VALUES ?',
        legacy,
      ),
      send(
        'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at, closed_at) VALUES ?',
        ours,
      ),
    );
    if (inflight.length >= 4) await Promise.all(inflight.splice(0));
    if (made % 100_000 < BATCH) log(`  ${made.toLocaleString('en')} tickets…`);
  }
  await Promise.all(inflight);
  log('  building the FULLTEXT index…');
  await pool.query('ALTER TABLE support_ticket ADD FULLTEXT INDEX ft_ticket_subject_email (subject, customer_email)');
  await pool.query('ANALYZE TABLE support_ticket, ___xtr_msg');
  await pool.query('INSERT INTO bench_generated (tickets, generated_at) VALUES (?, NOW())', [tickets]);
  return (performance.now() - started) / 1000;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(
  runs: number,
  work: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p95: number; max: number }> {
  for (let i = 0; i < 3; i++) await work(i); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), max: round(ms[ms.length - 1]!) };
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const { database } = await openBenchDatabase();
  let generationSeconds: number | null = null;
  const have = await generatedCount(database);
  if (have !== TICKETS) {
    log(`Generating ${TICKETS.toLocaleString('en')} tickets in "${DB_NAME}" (once; later runs reuse them)…`);
    generationSeconds = Math.round((await generate(database, TICKETS, log)) * 10) / 10;
    log(`Generated in ${generationSeconds} s.`);
  } else {
    log(`Reusing the ${TICKETS.toLocaleString('en')} tickets already in "${DB_NAME}".`);
  }
  if (values['generate-only']) {
    await database.close();
    return;
  }
  const [[sizes]] = (await database.pool.query(
    "SELECT (SELECT table_rows FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '___xtr_msg') AS msg_rows",
  )) as unknown as [[{ msg_rows: number }]];
  const agents = new MysqlAgentDirectory(database);
  const caller: Caller = { platform: 'console', userId: 'bench' };
  await agents.upsert({
    name: 'bench',
    role: 'manager',
    staffId: 7,
    identities: [{ platform: 'console', kind: 'user', value: 'bench' }],
  });
  const logger = createLogger({ level: 'silent' });
  const commands = new CommandService({
    store: new MysqlTicketStore(database),
    agents,
    outbox: { deliverPending: async () => 0, idle: async () => undefined },
    logger,
  });
  const run = async (line: string) => {
    const reply = await commands.run(caller, line);
    if (!reply.ok) throw new Error(`"${line}" failed: ${reply.text}`);
    return reply;
  };
  const [[maxRow]] = (await database.pool.query('SELECT MAX(ticket_id) AS n FROM support_ticket')) as unknown as [
    [{ n: number }],
  ];
  const random = seededRandom(7);
  const lists = {
    'list open': '/ticket list open',
    'list all urgent billing': '/ticket list all urgent billing',
    'list closed high page 50': '/ticket list closed high page 50',
    'list all words "brake refund"': '/ticket list all brake refund',
    'list all rare word': '/ticket list all turbocharger',
    'list all customer address': `/ticket list all ${customers.email(1234)}`,
    'list all page 1000': '/ticket list all page 1000',
  };
  const results: Record<string, { p50: number; p95: number; max: number }> = {};
  log(
    `\n${RUNS} runs each, through CommandService.run (the same path as Slack, Discord and the console); ${os.cpus().length} CPUs, shared:`,
  );
  const report = (name: string, r: { p50: number; p95: number; max: number }) => {
    results[name] = r;
    log(
      `  ${name.padEnd(34)} p50 ${String(r.p50).padStart(7)} ms   p95 ${String(r.p95).padStart(7)} ms   max ${String(r.max).padStart(7)} ms`,
    );
  };
  for (const [name, line] of Object.entries(lists)) report(name, await time(RUNS, () => run(line)));
  report(
    'view N (random ticket)',
    await time(RUNS, () => commands.run(caller, `/ticket view ${1 + Math.floor(random() * maxRow.n)}`)),
  );
  for (const period of ['today', '7d', '30d'])
    report(`stats ${period}`, await time(RUNS, () => run(`/ticket stats ${period}`)));
  const naiveRuns = Math.max(5, Math.round(RUNS / 6));
  report(
    'naive SELECT COUNT(*) FROM ___xtr_msg',
    await time(naiveRuns, () => database.pool.query('SELECT COUNT(*) FROM ___xtr_msg')),
  );
  const naive = results['naive SELECT COUNT(*) FROM ___xtr_msg']!;
  const worstP95 = Math.max(
    ...Object.entries(results)
      .filter(([k]) => !k.startsWith('naive'))
      .map(([, r]) => r.p95),
  );
  log(
    `\nWorst command p95: ${worstP95} ms (aim ≤ 100 ms); the naive COUNT(*) over ___xtr_msg (${Number(sizes.msg_rows).toLocaleString('en')} rows, estimated) p50 ${naive.p50} ms, ${(naive.p50 / Math.max(0.1, worstP95)).toFixed(1)}× the worst command p95, same run.`,
  );
  await database.close();
  process.stdout.write(
    `${JSON.stringify({ bench: 'commands', tickets: TICKETS, runs: RUNS, generationSeconds, worstP95Ms: worstP95, naiveCountP50Ms: naive.p50, results })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:commands failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
