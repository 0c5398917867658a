/**
 * npm run bench:intake — end-to-end intake throughput against the parse-only rate of mailparser on
 * the same messages, measured in the same run (the machines are shared and noisy: the ratio holds,
 * absolute rates drift). Ingests ≥ 5,000 generated emails plus the public corpus into a fresh
 * database. Ends with one JSON line of figures.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import mysql from 'mysql2/promise';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/local-services.ts';
import { createLogger } from '../adapters/logging/pino-logger.ts';
import { createLegacyTables, openDatabase, runMigrations } from '../adapters/mysql/database.ts';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/main.ts';
import { generateEmails } from './generate-emails.ts';

const COUNT = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const CORPUS = path.resolve(import.meta.dirname, '../../shared/corpus/mime');

async function corpusMessages(): Promise<Buffer[]> {
  if (!existsSync(CORPUS)) return [];
  const out: Buffer[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.name.endsWith('.eml')) out.push(await readFile(full));
    }
  };
  await walk(CORPUS);
  return out;
}

async function freshDatabase(): Promise<string> {
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const name = 'ticketrelay_test_bench';
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

async function parseOnly(messages: readonly Buffer[]): Promise<number> {
  const started = performance.now();
  for (const raw of messages) await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
  return messages.length / ((performance.now() - started) / 1000);
}

async function endToEnd(messages: readonly Buffer[], url: string, dataDir: string) {
  const config = loadConfig({ DATABASE_URL: url, REDIS_URL: LOCAL_ENDPOINTS.redisUrl, DATA_DIR: dataDir, QUEUE_PREFIX: 'bench', LOG_LEVEL: 'silent', ACK_MAX_PER_HOUR: '1000', DB_POOL_SIZE: String(CONCURRENCY + 2) });
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }), prepare: false });
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const raw = messages[next++]!;
      const result = await app.intake.ingest(raw, { kind: 'bench' });
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await app.outbox.idle();
  await app.close();
  return { rate: messages.length / seconds, seconds, outcomes };
}

async function main() {
  const generated = generateEmails(COUNT, 42).map((g) => g.raw);
  const corpus = await corpusMessages();
  const messages = [...generated, ...corpus];
  console.log(`bench:intake — ${generated.length} generated emails + ${corpus.length} corpus messages, concurrency ${CONCURRENCY}`);

  // Warm both paths (JIT, connection pool) on a small slice, then measure.
  await parseOnly(messages.slice(0, 200));
  const parseRate = await parseOnly(messages);
  console.log(`  mailparser alone (baseline): ${parseRate.toFixed(0)} emails/s`);

  const url = await freshDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-bench-'));
  try {
    const e2e = await endToEnd(messages, url, dataDir);
    const ratio = e2e.rate / parseRate;
    console.log(`  end to end (parse, customer, thread, dedupe, legacy + our rows in one transaction, triage job, acknowledgement): ${e2e.rate.toFixed(0)} emails/s in ${e2e.seconds.toFixed(1)} s`);
    console.log(`  outcomes: ${JSON.stringify(e2e.outcomes)}`);
    console.log(`  ratio end-to-end / parse-only: ${ratio.toFixed(2)}   (aim: ≥ 300 emails/s and ≥ 0.5)`);
    console.log(
      JSON.stringify({
        bench: 'intake',
        emails: messages.length,
        concurrency: CONCURRENCY,
        endToEndPerSecond: Math.round(e2e.rate),
        parseOnlyPerSecond: Math.round(parseRate),
        ratio: Math.round(ratio * 100) / 100,
        outcomes: e2e.outcomes,
      }),
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
