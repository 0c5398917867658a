/**
 * npm run bench:triage — tickets/s through BullMQ with the real classifier and the real MySQL writes
 * (support_ticket + the legacy metadata block + the audit event), against the rate of no-op jobs on
 * the same Redis, with the same job options and concurrency, in the same run. The machines are shared
 * and noisy: the ratio is the figure, absolute rates drift. The no-op rate is measured before and
 * after, and their mean is the baseline. Ends with one JSON line.
 *
 *   npm run bench:triage [-- TICKETS [CONCURRENCY]]     (default 5000 tickets, concurrency 128)
 *
 * Both sides use the same BullMQ settings: the same job options, concurrency, Redis and number of
 * jobs; the no-op side measures BullMQ alone (fetch, complete, events), the triage side the same plus
 * loading the ticket, classifying it and saving the decision. CPU per job of node, MariaDB and Redis
 * is printed for both: on a shared machine it says what each side costs better than the rates do.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import mysql from 'mysql2/promise';
import { buildClassifier, loadLabelledSet } from '../adapters/files/triage-files.ts';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { createLogger } from '../adapters/logging/pino-logger.ts';
import { createLegacyTables, openDatabase, runMigrations } from '../adapters/mysql/database.ts';
import { MysqlTriageStore } from '../adapters/mysql/mysql-triage-store.ts';
import { triageJobId } from '../adapters/queue/bullmq-triage-queue.ts';
import { QUEUE_NAMES } from '../jobs/queues.ts';
import { startTriageWorker } from '../jobs/triage-worker.ts';
import { PROJECT_ROOT } from '../src/config.ts';
import { findOrderNumber } from '../src/domain/ticket.ts';
import { composeLegacyContent, formatLegacyDate } from '../adapters/mysql/legacy-format.ts';
import type { ChatNotifier } from '../src/ports/chat-notifier.ts';
import type { StoredDecision, TriageStore } from '../src/ports/triage-store.ts';
import { TriageService } from '../src/services/triage-ticket.ts';
import { serverConnection } from '../adapters/mysql/server-connection.ts';

const COUNT = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 128);
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: 1000,
  removeOnFail: false,
} as const;
const redisUrl = LOCAL_ENDPOINTS.redisUrl;
const logger = createLogger({ level: 'silent' });

/**
 * CPU seconds used so far by this process, the local MariaDB and the local Redis (Linux /proc; null
 * elsewhere). Per job, they say what each side costs, whatever else the shared machine is doing.
 */
function cpuNow(): { node: number; mariadb: number | null; redis: number | null } {
  const ticks = (pidFile: string): number | null => {
    try {
      const pid = readFileSync(path.join(PROJECT_ROOT, '.data', pidFile), 'utf8').trim();
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
    } catch {
      return null;
    }
  };
  const own = process.cpuUsage();
  return {
    node: (own.user + own.system) / 1e6,
    mariadb: ticks('mariadb/mariadbd.pid'),
    redis: ticks('redis/redis.pid'),
  };
}

type CpuPerJob = { node: number; mariadb: number | null; redis: number | null };
function cpuPerJob(before: ReturnType<typeof cpuNow>, jobs: number): CpuPerJob {
  const after = cpuNow();
  const per = (a: number | null, b: number | null) =>
    a === null || b === null ? null : Math.round(((a - b) / jobs) * 1e6) / 1e3;
  return {
    node: per(after.node, before.node)!,
    mariadb: per(after.mariadb, before.mariadb),
    redis: per(after.redis, before.redis),
  };
}
const showCpu = (c: CpuPerJob) =>
  `CPU per job: node ${c.node} ms, MariaDB ${c.mariadb ?? '?'} ms, Redis ${c.redis ?? '?'} ms`;

async function freshDatabase(): Promise<string> {
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const name = 'ticketrelay_test_bench_triage';
  const admin = await serverConnection(base.toString());
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  base.pathname = `/${name}`;
  return base.toString();
}

/** COUNT untriaged tickets as intake leaves them, with the labelled set's texts (cycled). */
async function seedTickets(url: string): Promise<number[]> {
  const database = openDatabase({ url, poolSize: 2 });
  await createLegacyTables(database);
  await runMigrations(database);
  const { emails } = await loadLabelledSet();
  if (emails.length === 0) throw new Error('no labelled emails in data/triage/');
  const now = new Date();
  const ids: number[] = [];
  for (let start = 0; start < COUNT; start += 500) {
    const n = Math.min(500, COUNT - start);
    const batch = Array.from({ length: n }, (_, i) => emails[(start + i) % emails.length]!);
    const [result] = await database.pool.query<mysql.ResultSetHeader>(
      'INSERT INTO ___xtr_msg (msg_cst_id, msg_ord_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES ?',
      [
        batch.map((e) => [
          '1',
          findOrderNumber(`${e.subject}\n${e.body}`),
          formatLegacyDate(now),
          e.subject,
          composeLegacyContent(e.body, {
            priority: 'normal',
            category: 'general',
            created_at: formatLegacyDate(now),
            source: 'email',
            triaged: false,
            ticketrelay: 1,
          }),
          '1',
          '0',
        ]),
      ],
    );
    const first = result.insertId;
    const batchIds = batch.map((_, i) => first + i);
    await database.pool.query(
      'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, order_number, triaged, created_at, updated_at, last_message_at) VALUES ?',
      [
        batch.map((e, i) => [
          batchIds[i],
          1,
          `customer${i}@bench.example`,
          e.subject.slice(0, 500),
          'open',
          'normal',
          'general',
          'email',
          findOrderNumber(`${e.subject}\n${e.body}`),
          0,
          now,
          now,
          now,
        ]),
      ],
    );
    ids.push(...batchIds);
  }
  await database.close();
  return ids;
}

async function fill(prefix: string, ids: readonly number[]): Promise<Queue> {
  const queue = new Queue(QUEUE_NAMES.triage, { connection: { url: redisUrl }, prefix });
  for (let i = 0; i < ids.length; i += 1000) {
    await queue.addBulk(
      ids.slice(i, i + 1000).map((ticketId) => ({
        name: 'triage',
        data: { ticketId },
        opts: { ...JOB_OPTIONS, jobId: triageJobId(ticketId) },
      })),
    );
  }
  return queue;
}

async function drain(
  queue: Queue,
  count: number,
  completed: () => number,
  failed: () => number,
): Promise<{ rate: number; cpu: CpuPerJob }> {
  const started = performance.now();
  const cpuBefore = cpuNow();
  while (completed() + failed() < count) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuPerJob(cpuBefore, count);
  if (failed() > 0) console.error(`${failed()} jobs failed`);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  return { rate: count / seconds, cpu };
}

async function noOpRate(ids: readonly number[]): Promise<{ rate: number; cpu: CpuPerJob }> {
  const prefix = `bench-noop-${randomBytes(3).toString('hex')}`;
  const queue = await fill(prefix, ids);
  let done = 0;
  let failed = 0;
  const worker = new Worker(QUEUE_NAMES.triage, async () => null, {
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    prefix,
    concurrency: CONCURRENCY,
    autorun: false,
  });
  worker.on('completed', () => done++);
  worker.on('failed', () => failed++);
  void worker.run();
  const measured = await drain(
    queue,
    ids.length,
    () => done,
    () => failed,
  );
  await worker.close();
  return measured;
}

/** The real store, timed: where a job waits (the same calls, in the same order). */
class TimedStore implements TriageStore {
  readonly ms = { load: 0, save: 0, claim: 0 };
  constructor(readonly real: MysqlTriageStore) {}
  async #timed<T>(what: 'load' | 'save' | 'claim', call: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await call();
    } finally {
      this.ms[what] += performance.now() - t;
    }
  }
  loadTicket(id: number) {
    return this.#timed('load', () => this.real.loadTicket(id));
  }
  saveDecision(id: number, decision: StoredDecision) {
    return this.#timed('save', () => this.real.saveDecision(id, decision));
  }
  claimEscalation(id: number, at: Date) {
    return this.#timed('claim', () => this.real.claimEscalation(id, at));
  }
  untriagedTicketIds(before: Date, limit: number) {
    return this.real.untriagedTicketIds(before, limit);
  }
}

async function triageRate(
  ids: readonly number[],
  url: string,
): Promise<{ rate: number; cpu: CpuPerJob; triaged: number; legacyUpdated: number; escalated: number }> {
  const database = openDatabase({ url, poolSize: 10 });
  const { classifier } = await buildClassifier({
    modelFile: '/nonexistent/use-the-shipped-set.json',
    rulesFile: null,
    vipCustomers: [],
  });
  let escalated = 0;
  const counting: ChatNotifier = { notify: async () => void escalated++ };
  const real = new MysqlTriageStore(database);
  const store = new TimedStore(real);
  let classifyMs = 0;
  const timedClassify: typeof classifier.classify = (input) => {
    const t = performance.now();
    const decision = classifier.classify(input);
    classifyMs += performance.now() - t;
    return decision;
  };
  const timedClassifier = new Proxy(classifier, {
    get: (target, key) => (key === 'classify' ? timedClassify : Reflect.get(target, key, target)),
  });
  const service = new TriageService({ store, classifier: timedClassifier, notifiers: [counting], logger });
  const prefix = `bench-triage-${randomBytes(3).toString('hex')}`;
  const queue = await fill(prefix, ids);
  const worker = startTriageWorker({ redisUrl, prefix, concurrency: CONCURRENCY, service, logger });
  const { rate, cpu } = await drain(
    queue,
    ids.length,
    () => worker.counts.done,
    () => worker.counts.failed,
  );
  await worker.close();
  const per = (ms: number) => (ms / ids.length).toFixed(2);
  console.log(
    `  per ticket: waiting for its load ${per(store.ms.load)} ms, classifying ${per(classifyMs)} ms (main thread), waiting for its save ${per(store.ms.save)} ms, separate escalation claims ${per(store.ms.claim)} ms`,
  );
  console.log(`  batching: ${JSON.stringify(real.batching)}`);
  const [[counts]] = (await database.pool.query(
    `SELECT SUM(st.triaged = 1) AS triaged, SUM(m.msg_content LIKE '%"triaged":true%') AS legacy
       FROM support_ticket st JOIN ___xtr_msg m ON m.msg_id = st.ticket_id`,
  )) as unknown as [[{ triaged: number; legacy: number }]];
  await database.close();
  return { rate, cpu, triaged: Number(counts.triaged), legacyUpdated: Number(counts.legacy), escalated };
}

const url = await freshDatabase();
console.log(`Seeding ${COUNT} untriaged tickets (texts of the labelled set) in ticketrelay_test_bench_triage…`);
const ids = await seedTickets(url);
console.log(
  `Both sides: concurrency ${CONCURRENCY}, the same job options as intake (attempts 5, exponential backoff, removeOnComplete 1000), the same Redis, ${COUNT} jobs.`,
);
console.log(
  'no-op = BullMQ alone (fetch, complete); triage = the same + load the ticket, classify, save both tables and the audit event, claim escalations.',
);
const noOpBefore = await noOpRate(ids);
console.log(`no-op jobs (before):   ${noOpBefore.rate.toFixed(0)} jobs/s      ${showCpu(noOpBefore.cpu)}`);
const real = await triageRate(ids, url);
console.log(`triage, real writes:   ${real.rate.toFixed(0)} tickets/s   ${showCpu(real.cpu)}`);
console.log(
  `  (${real.triaged} tickets triaged, ${real.legacyUpdated} legacy blocks updated, ${real.escalated} escalations announced)`,
);
const noOpAfter = await noOpRate(ids);
console.log(`no-op jobs (after):    ${noOpAfter.rate.toFixed(0)} jobs/s      ${showCpu(noOpAfter.cpu)}`);
const baseline = (noOpBefore.rate + noOpAfter.rate) / 2;
const ratio = real.rate / baseline;
// The aim "≥ 0.5 of no-op jobs" is withdrawn (issue 19): the ratio stays as context beside the CPU per job.
console.log(
  `ratio triage / no-op:  ${ratio.toFixed(2)}   (context, no longer an aim; aim: ≥ 1,000 tickets/s, and keep the CPU per job low: ${showCpu(real.cpu)})`,
);
if (real.triaged !== COUNT || real.legacyUpdated !== COUNT)
  console.error(`expected ${COUNT} tickets triaged and legacy blocks updated`);
const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
console.log(
  JSON.stringify({
    tickets: COUNT,
    concurrency: CONCURRENCY,
    triagePerSecond: Math.round(real.rate),
    noOpPerSecond: Math.round(baseline),
    noOpBefore: Math.round(noOpBefore.rate),
    noOpAfter: Math.round(noOpAfter.rate),
    ratio: Math.round(ratio * 100) / 100,
    triageCpuMsPerJob: real.cpu,
    noOpCpuMsPerJob: noOpAfter.cpu,
    triaged: real.triaged,
    legacyUpdated: real.legacyUpdated,
    escalated: real.escalated,
    loadAverage: Number(load),
  }),
);
process.exit(0);
