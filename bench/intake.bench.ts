/**
 * npm run bench:intake — end-to-end intake throughput against the parse-only rate of mailparser on
 * the same messages, measured in the same run (the machines are shared and noisy: the ratio holds,
 * absolute rates drift). Ingests ≥ 5,000 generated emails plus the public corpus into a fresh
 * database. Ends with one JSON line of figures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLogger } from '../adapters/logging/pino-logger.ts';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/main.ts';
import { benchDataDir, freshBenchDatabase } from './bench-database.ts';
import { generateEmails } from './generate-emails.ts';

const COUNT = Number(process.argv[2] ?? 5000);
// Emails in flight: an import or an IMAP catch-up keeps many going, and the store then commits
// them in groups (`npm run bench:intake -- 5000 8` for the figure with few in flight).
const CONCURRENCY = Number(process.argv[3] ?? 32);
const CORPUS = path.resolve(import.meta.dirname, '../../shared/corpus/mime');
/** Where `services up` keeps the local MariaDB's and Redis' pid files (the default DATA_DIR). */
const LOCAL_DATA_DIR = loadConfig({}).dataDir;

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

const freshDatabase = () => freshBenchDatabase('ticketrelay_test_bench');

/**
 * The baseline: mailparser's simpleParser on the same messages, one after the other, in this
 * process's main thread (no worker threads, nothing stored, attachments kept in memory).
 */
async function parseOnly(messages: readonly Buffer[]): Promise<{ rate: number; cpuMsPerEmail: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const raw of messages) await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
  const used = process.cpuUsage(cpu);
  return {
    rate: messages.length / ((performance.now() - started) / 1000),
    cpuMsPerEmail: (used.user + used.system) / 1000 / messages.length,
  };
}

/** CPU seconds a process (or one of its threads) has used so far, from /proc; null where there is none. */
function procCpuSeconds(statPath: string): number | null {
  try {
    const fields = readFileSync(statPath, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}

function servicePid(file: string): number | null {
  try {
    return Number(readFileSync(path.join(LOCAL_DATA_DIR, file), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** CPU used by this process (all threads), its main thread alone, and the local MariaDB and Redis. */
function cpuSnapshot() {
  const mariadb = servicePid('mariadb/mariadbd.pid');
  const redis = servicePid('redis/redis.pid');
  const usage = process.cpuUsage();
  return {
    node: (usage.user + usage.system) / 1e6,
    nodeKernel: usage.system / 1e6,
    mainThread: procCpuSeconds(`/proc/self/task/${process.pid}/stat`),
    mariadb: mariadb ? procCpuSeconds(`/proc/${mariadb}/stat`) : null,
    redis: redis ? procCpuSeconds(`/proc/${redis}/stat`) : null,
  };
}

function cpuMsPerEmail(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>, emails: number) {
  const per = (a: number | null, b: number | null) =>
    a === null || b === null ? null : Math.round(((b - a) * 1000 * 100) / emails) / 100;
  return {
    node: per(before.node, after.node),
    nodeKernel: per(before.nodeKernel, after.nodeKernel),
    mainThread: per(before.mainThread, after.mainThread),
    mariadb: per(before.mariadb, after.mariadb),
    redis: per(before.redis, after.redis),
  };
}

async function endToEnd(messages: readonly Buffer[], url: string, dataDir: string) {
  const config = loadConfig({
    DATABASE_URL: url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: dataDir,
    QUEUE_PREFIX: 'bench',
    LOG_LEVEL: 'silent',
    ACK_MAX_PER_HOUR: '1000',
    ACK_MAX_TOTAL_PER_HOUR: '1000000',
    DB_POOL_SIZE: String(CONCURRENCY + 2),
  });
  const app = await createApp(config, { logger: createLogger({ level: 'silent' }), prepare: false });
  // Warm-up outside the clock (parser threads started, connections open): an email with no sender
  // is recorded as rejected and opens no ticket, so the numbering the generated replies cite holds.
  await app.intake.ingest(Buffer.from('Subject: bench warm-up\r\nMessage-ID: <warm-up@bench>\r\n\r\nwarm-up\r\n'), {
    kind: 'bench',
  });
  const outcomes: Record<string, number> = {};
  const cpuBefore = cpuSnapshot();
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
  // The acknowledgements are sent off the intake path: the end-to-end figure waits for the last one.
  await app.outbox.idle();
  const withAcks = (performance.now() - started) / 1000;
  const cpu = cpuMsPerEmail(cpuBefore, cpuSnapshot(), messages.length);
  await app.close();
  return {
    rate: messages.length / withAcks,
    seconds: withAcks,
    intakeOnlyRate: messages.length / seconds,
    outcomes,
    cpu,
  };
}

async function main() {
  const generated = generateEmails(COUNT, 42).map((g) => g.raw);
  const corpus = await corpusMessages();
  const messages = [...generated, ...corpus];
  console.log(
    `bench:intake — ${generated.length} generated emails + ${corpus.length} corpus messages, concurrency ${CONCURRENCY}`,
  );

  // Warm the parser (JIT) on a small slice, then measure; again after the end-to-end run, and the
  // mean of the two is the baseline (the machine is shared: its load drifts during a run).
  await parseOnly(messages.slice(0, 200));
  const parseBefore = await parseOnly(messages);
  console.log(
    `  mailparser alone (baseline: simpleParser, one message after another, in this process's main thread): ${parseBefore.rate.toFixed(0)} emails/s, ${parseBefore.cpuMsPerEmail.toFixed(2)} ms CPU per email`,
  );

  const url = await freshDatabase();
  const dataDir = await benchDataDir('intake');
  {
    const e2e = await endToEnd(messages, url, dataDir);
    const parseAfter = await parseOnly(messages);
    const parseRate = (parseBefore.rate + parseAfter.rate) / 2;
    console.log(
      `  mailparser alone, again after: ${parseAfter.rate.toFixed(0)} emails/s → baseline ${parseRate.toFixed(0)} emails/s`,
    );
    const ratio = e2e.rate / parseRate;
    console.log(
      `  end to end (parse, customer, thread, dedupe, legacy + our rows in one transaction, triage job, acknowledgement written): ${e2e.rate.toFixed(0)} emails/s in ${e2e.seconds.toFixed(1)} s`,
    );
    console.log(
      `    (every email stored and its triage job queued, not counting the acknowledgements still being sent: ${e2e.intakeOnlyRate.toFixed(0)} emails/s)`,
    );
    console.log(
      `  CPU per email, end to end: ${JSON.stringify(e2e.cpu)} ms (node = all its threads, nodeKernel = the part of it spent in the kernel (sockets, files); mariadb and redis are shared with whatever else runs on them)`,
    );
    console.log(`  outcomes: ${JSON.stringify(e2e.outcomes)}`);
    // The aim "≥ 0.5 of mailparser alone" is withdrawn (issue 19): the ratio stays as context; the CPU
    // per email above is what to keep low.
    console.log(
      `  ratio end-to-end / parse-only: ${ratio.toFixed(2)}   (context, no longer an aim; aim: ≥ 300 emails/s, and keep the CPU per email low)`,
    );
    console.log(
      JSON.stringify({
        bench: 'intake',
        emails: messages.length,
        concurrency: CONCURRENCY,
        endToEndPerSecond: Math.round(e2e.rate),
        storedPerSecond: Math.round(e2e.intakeOnlyRate),
        parseOnlyPerSecond: Math.round(parseRate),
        parseOnlyCpuMsPerEmail: Math.round(parseBefore.cpuMsPerEmail * 100) / 100,
        cpuMsPerEmail: e2e.cpu,
        ratio: Math.round(ratio * 100) / 100,
        outcomes: e2e.outcomes,
      }),
    );
    console.log(
      `  (the run's outbox, attachments and rejected emails are in ${path.relative(process.cwd(), dataDir)})`,
    );
  }
}

await main();
