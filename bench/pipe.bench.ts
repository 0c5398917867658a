/**
 * npm run bench:pipe [PIPED LMTP BATCH] — what a ticketrelay process costs, whole process, as a mail
 * server or a shell sees it: wall time, CPU (user + sys) and peak resident memory of
 * - `node -e 0` (the baseline: node's own start, in the same run: the machine is shared and noisy),
 * - `ticketrelay --help`, `ticketrelay command "/ticket view N"`, `ticketrelay ingest -` of one email
 *   (median of 5 each),
 * - a sequence of PIPED (200) emails piped one after the other, a process each (emails/s, CPU per email),
 * - the same kind of emails handed to a running `start --roles lmtp` over one LMTP connection (LMTP,
 *   default 1,000): the server's CPU per email,
 * - `ingest -` again (one email, median of 5; then PIPED in a row) with that service running: the piped
 *   process hands the email over LMTP_LISTEN; the service's CPU is counted beside the process's,
 * - batch `ingest FOLDER` of BATCH (1,000) emails in one process: CPU per email, with and without the
 *   process's fixed start.
 * Prints one JSON line at the end.
 *
 * CPU of a finished child is read from this process's cutime + cstime (/proc/self/stat: children
 * waited for, 10 ms ticks); peak memory is the child's VmHWM (/proc/PID/status), sampled every 2 ms
 * while it runs (it only grows, so the last sample is the peak but for what the last 2 ms added).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { openDatabase } from '../adapters/mysql/database.ts';
import { loadConfig } from '../src/config.ts';
import { benchDataDir, freshBenchDatabase } from './bench-database.ts';
import { generateEmails } from './generate-emails.ts';

const PIPED = Number(process.argv[2] ?? 200);
const LMTP = Number(process.argv[3] ?? 1000);
const BATCH = Number(process.argv[4] ?? 1000);
const RUNS = 5;
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'ticketrelay.mjs');
const LOCAL_DATA_DIR = loadConfig({}).dataDir;
/** The peer's mail-gate path (issue 19): CPU per email of rt-mailgate into Request Tracker 5. */
const PEER_CPU_MS_PER_EMAIL = { low: 310, high: 360 };

interface Run {
  wallMs: number;
  cpuMs: number;
  peakRssMiB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** CPU seconds of the children this process has waited for (utime + stime of each, summed). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime
}

function procCpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function peakRssKiB(pid: number): number | null {
  try {
    const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? Number(line[1]) : null;
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
const mariadbPid = servicePid('mariadb/mariadbd.pid');
const mariadbCpu = () => (mariadbPid ? procCpuSeconds(mariadbPid) : null);

/** Runs one child to its end; only one at a time, so the children's CPU delta is this child's. */
function runChild(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  input: Buffer | null,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuSeconds();
    const started = performance.now();
    const child = spawn(command, [...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let peak = 0;
    const sample = () => {
      const kib = child.pid ? peakRssKiB(child.pid) : null;
      if (kib !== null && kib > peak) peak = kib;
    };
    const timer = setInterval(sample, 2);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), sample()));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), sample()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(timer);
      // 'exit' comes once the child is reaped: its CPU is in our cutime/cstime now.
      resolve({
        wallMs: performance.now() - started,
        cpuMs: (childrenCpuSeconds() - cpuBefore) * 1000,
        peakRssMiB: peak / 1024,
        code,
        stdout,
        stderr,
      });
    });
    if (input) child.stdin.end(input);
    else child.stdin.end();
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

async function medianOf(
  label: string,
  make: (i: number) => { args: string[]; input: Buffer | null },
  env: Record<string, string>,
  check: (run: Run) => boolean,
) {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { args, input } = make(i);
    const run = await runChild(process.execPath, args, env, input);
    if (!check(run))
      throw new Error(
        `${label}: unexpected result (exit ${run.code}): ${run.stdout.slice(0, 300)} ${run.stderr.slice(0, 600)}`,
      );
    runs.push(run);
  }
  const figure = {
    wallMs: round(median(runs.map((r) => r.wallMs))),
    cpuMs: round(median(runs.map((r) => r.cpuMs))),
    peakRssMiB: round(median(runs.map((r) => r.peakRssMiB)), 1),
  };
  console.log(
    `  ${label.padEnd(34)} wall ${String(figure.wallMs).padStart(5)} ms   CPU ${String(figure.cpuMs).padStart(5)} ms   peak RSS ${figure.peakRssMiB} MiB   (median of ${RUNS})`,
  );
  return figure;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`the lmtp role did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** PIPED emails piped one after the other, a process each; with `service`, that service's CPU is counted too. */
async function pipeSequence(emails: readonly Buffer[], env: Record<string, string>, service: number | null) {
  let cpuMs = 0;
  let peak = 0;
  const dbBefore = mariadbCpu();
  const serviceBefore = service ? procCpuSeconds(service) : null;
  const started = performance.now();
  for (const raw of emails) {
    const run = await runChild(process.execPath, [BIN, 'ingest', '-'], env, raw);
    if (run.code !== 0) throw new Error(`piped ingest exited ${run.code}: ${run.stderr.slice(0, 600)}`);
    cpuMs += run.cpuMs;
    peak = Math.max(peak, run.peakRssMiB);
  }
  const seconds = (performance.now() - started) / 1000;
  const dbAfter = mariadbCpu();
  const serviceAfter = service ? procCpuSeconds(service) : null;
  const figures = {
    emails: emails.length,
    emailsPerSecond: round(emails.length / seconds, 2),
    cpuMsPerEmail: round(cpuMs / emails.length, 1),
    serviceCpuMsPerEmail:
      serviceBefore !== null && serviceAfter !== null
        ? round(((serviceAfter - serviceBefore) * 1000) / emails.length, 1)
        : null,
    mariadbCpuMsPerEmail:
      dbBefore !== null && dbAfter !== null ? round(((dbAfter - dbBefore) * 1000) / emails.length, 2) : null,
    peakRssMiB: round(peak, 1),
  };
  console.log(
    `  ${figures.emailsPerSecond} emails/s, ${figures.cpuMsPerEmail} ms CPU per email in the piped processes${figures.serviceCpuMsPerEmail !== null ? ` + ${figures.serviceCpuMsPerEmail} ms in the service` : ''} (MariaDB ${figures.mariadbCpuMsPerEmail ?? '?'} ms), peak RSS ${figures.peakRssMiB} MiB`,
  );
  return figures;
}

async function main(): Promise<void> {
  // The build a fresh clone's first run would do, outside every clock.
  const build = await runChild(process.execPath, [path.join(ROOT, 'bin', 'build.mjs')], {}, null);
  if (build.code !== 0) throw new Error(`the build failed: ${build.stderr}`);
  const url = await freshBenchDatabase('ticketrelay_test_bench_pipe');
  const dataDir = await benchDataDir('pipe');
  const env = {
    DATABASE_URL: url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: dataDir,
    QUEUE_PREFIX: `bench-pipe-${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'warn',
  };
  const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const loadBefore = load();
  console.log(`bench:pipe — whole processes on ${path.basename(url)}; load average ${loadBefore}`);

  // Every email unique (different seeds never share a Message-ID): each path opens tickets.
  const seeds = { single: 901, piped: 902, lmtp: 903, batch: 904, handedSingle: 905, pipedHanded: 906 };
  const singles = generateEmails(RUNS, seeds.single).map((e) => e.raw);
  const handedSingles = generateEmails(RUNS, seeds.handedSingle).map((e) => e.raw);
  const piped = generateEmails(PIPED, seeds.piped).map((e) => e.raw);
  const pipedHanded = generateEmails(PIPED, seeds.pipedHanded).map((e) => e.raw);
  const lmtpEmails = generateEmails(LMTP, seeds.lmtp).map((e) => e.raw);
  const batch = generateEmails(BATCH, seeds.batch).map((e) => e.raw);
  const batchDir = path.join(dataDir, 'batch-emails');
  await mkdir(batchDir, { recursive: true });
  await Promise.all(batch.map((raw, i) => writeFile(path.join(batchDir, `${String(i).padStart(5, '0')}.eml`), raw)));

  // An agent for `/ticket view`, and a first ticket to view (outside the clocks).
  const agent = await runChild(
    process.execPath,
    [BIN, 'agents', 'add', 'bench', '--role', 'agent', '--staff-id', '1', '--console', 'bench'],
    env,
    null,
  );
  if (agent.code !== 0) throw new Error(`agents add failed: ${agent.stderr}`);

  console.log('Process start (median of 5, whole process):');
  const bare = await medianOf(
    'node -e 0 (baseline)',
    () => ({ args: ['-e', '0'], input: null }),
    {},
    (r) => r.code === 0,
  );
  const help = await medianOf(
    'ticketrelay --help',
    () => ({ args: [BIN, '--help'], input: null }),
    env,
    (r) => r.code === 0 && r.stdout.includes('Usage:'),
  );
  const ingestOne = await medianOf(
    'ticketrelay ingest - (one email)',
    (i) => ({ args: [BIN, 'ingest', '-', '--json'], input: singles[i]! }),
    env,
    (r) => r.code === 0 && /"total":1/.test(r.stdout),
  );
  const database = openDatabase({ url, poolSize: 1 });
  const [[first]] = (await database.pool.query('SELECT MIN(ticket_id) AS id FROM support_ticket')) as unknown as [
    [{ id: number }],
  ];
  await database.close();
  const ticketId = Number(first.id);
  const view = await medianOf(
    `ticketrelay command "/ticket view ${ticketId}"`,
    () => ({ args: [BIN, 'command', `/ticket view ${ticketId}`, '--as', 'bench'], input: null }),
    env,
    (r) => r.code === 0 && r.stdout.includes(`#${ticketId}`),
  );

  console.log(`A mail server's pipe, no service running: ${PIPED} emails, one process each, one after the other:`);
  const pipe = await pipeSequence(piped, env, null);

  console.log(`LMTP: ${LMTP} emails to a running "start --roles lmtp", over one connection, one after the other:`);
  const port = await freePort();
  const server = spawn(process.execPath, [BIN, 'start', '--roles', 'lmtp'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env, LMTP_LISTEN: `127.0.0.1:${port}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverErr = '';
  server.stderr.setEncoding('utf8').on('data', (d: string) => (serverErr += d));
  let lmtp;
  try {
    await waitForPort(port, 60_000);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      lmtp: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
      ignoreTLS: true,
      name: 'mx.bench',
    });
    const send = (raw: Buffer) =>
      transport.sendMail({ envelope: { from: 'mta@bench.example', to: ['support@ticketrelay.test'] }, raw });
    await send(
      Buffer.from(
        `From: warm@bench.example\r\nSubject: warm-up\r\nMessage-ID: <warm-up-${port}@bench>\r\n\r\nwarm-up\r\n`,
      ),
    );
    const cpuBefore = procCpuSeconds(server.pid!);
    const dbBefore = mariadbCpu();
    const started = performance.now();
    for (const raw of lmtpEmails) {
      const info = await send(raw);
      if (info.rejected.length > 0) throw new Error(`LMTP refused an email: ${JSON.stringify(info)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = procCpuSeconds(server.pid!);
    const dbAfter = mariadbCpu();
    transport.close();
    const lmtpFigures = {
      emails: LMTP,
      emailsPerSecond: round(LMTP / seconds, 1),
      cpuMsPerEmail: cpuBefore !== null && cpuAfter !== null ? round(((cpuAfter - cpuBefore) * 1000) / LMTP, 2) : null,
      mariadbCpuMsPerEmail:
        dbBefore !== null && dbAfter !== null ? round(((dbAfter - dbBefore) * 1000) / LMTP, 2) : null,
      serverPeakRssMiB: round((peakRssKiB(server.pid!) ?? 0) / 1024, 1),
    };
    console.log(
      `  ${lmtpFigures.emailsPerSecond} emails/s, ${lmtpFigures.cpuMsPerEmail} ms CPU per email in the service (MariaDB ${lmtpFigures.mariadbCpuMsPerEmail ?? '?'} ms), the service's peak RSS ${lmtpFigures.serverPeakRssMiB} MiB`,
    );
    // The same pipe with the service running: `ingest -` hands each email over LMTP_LISTEN.
    const handedEnv = { ...env, LMTP_LISTEN: `127.0.0.1:${port}` };
    console.log('ingest - with the lmtp role running (the piped process hands the email over):');
    const serviceBefore = procCpuSeconds(server.pid!);
    const ingestHanded = await medianOf(
      'ticketrelay ingest - (handed over)',
      (i) => ({ args: [BIN, 'ingest', '-', '--json'], input: handedSingles[i]! }),
      handedEnv,
      (r) => r.code === 0 && /"total":1,/.test(r.stdout) && /"failed":0/.test(r.stdout),
    );
    const serviceAfter = procCpuSeconds(server.pid!);
    const ingestHandedService =
      serviceBefore !== null && serviceAfter !== null ? round(((serviceAfter - serviceBefore) * 1000) / RUNS) : null;
    console.log(`    (and ${ingestHandedService ?? '?'} ms CPU per email in the service)`);
    console.log(`A mail server's pipe with the service running: ${PIPED} emails, one process each, handed over:`);
    const pipeHanded = await pipeSequence(pipedHanded, handedEnv, server.pid!);
    lmtp = { lmtp: lmtpFigures, ingestHanded: { ...ingestHanded, serviceCpuMs: ingestHandedService }, pipeHanded };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
  }
  if (!lmtp) throw new Error(`the lmtp role failed: ${serverErr}`);
  const { ingestHanded, pipeHanded } = lmtp;
  const lmtpFigures = lmtp.lmtp;

  console.log(`Batch: "ingest FOLDER" of ${BATCH} emails, one process:`);
  const dbBeforeBatch = mariadbCpu();
  const batchRun = await runChild(process.execPath, [BIN, 'ingest', batchDir, '--json'], env, null);
  const dbAfterBatch = mariadbCpu();
  if (batchRun.code !== 0) throw new Error(`batch ingest exited ${batchRun.code}: ${batchRun.stderr.slice(0, 600)}`);
  // Its fixed cost (start, connections, exit) is about a whole `ingest -` of one email: said apart.
  const batchFigures = {
    emails: BATCH,
    emailsPerSecond: round(BATCH / (batchRun.wallMs / 1000), 1),
    cpuMsPerEmail: round(batchRun.cpuMs / BATCH, 2),
    cpuMsPerEmailWithoutStart: round(Math.max(0, batchRun.cpuMs - ingestOne.cpuMs) / BATCH, 2),
    mariadbCpuMsPerEmail:
      dbBeforeBatch !== null && dbAfterBatch !== null
        ? round(((dbAfterBatch - dbBeforeBatch) * 1000) / BATCH, 2)
        : null,
    peakRssMiB: round(batchRun.peakRssMiB, 1),
  };
  console.log(
    `  ${batchFigures.emailsPerSecond} emails/s, ${batchFigures.cpuMsPerEmail} ms CPU per email (${batchFigures.cpuMsPerEmailWithoutStart} ms without the process's start), MariaDB ${batchFigures.mariadbCpuMsPerEmail ?? '?'} ms`,
  );

  const lmtpToBatch =
    lmtpFigures.cpuMsPerEmail !== null && batchFigures.cpuMsPerEmailWithoutStart > 0
      ? round(lmtpFigures.cpuMsPerEmail / batchFigures.cpuMsPerEmailWithoutStart, 2)
      : null;
  const peerOverLmtp = lmtpFigures.cpuMsPerEmail
    ? round(PEER_CPU_MS_PER_EMAIL.low / lmtpFigures.cpuMsPerEmail, 1)
    : null;
  const loadAfter = load();
  console.log('Aims (issue 19):');
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const aims = (f: { wallMs: number; cpuMs: number; peakRssMiB: number }) =>
    `≤ 250 ms wall ${mark(f.wallMs <= 250)}, ≤ 300 ms CPU ${mark(f.cpuMs <= 300)}, ≤ 100 MiB ${mark(f.peakRssMiB <= 100)}`;
  console.log(`  ingest - alone: ${aims(ingestOne)}; handed to the lmtp role: ${aims(ingestHanded)}`);
  console.log(
    `  --help ≤ 300 ms wall ${mark(help.wallMs <= 300)}; /ticket view ≤ 300 ms wall ${mark(view.wallMs <= 300)}`,
  );
  console.log(
    `  LMTP CPU per email ${lmtpToBatch ?? '?'}× batch ingest's (aim ≤ 1.5 ${mark(lmtpToBatch !== null && lmtpToBatch <= 1.5)}); the peer's mailgate spends ${peerOverLmtp ?? '?'}× LMTP's (aim ≥ 20 ${mark(peerOverLmtp !== null && peerOverLmtp >= 20)})`,
  );
  console.log(
    `  (node -e 0 took ${bare.wallMs} ms wall and ${bare.cpuMs} ms CPU in this run: wall times on a loaded machine are mostly waiting for a core; load average ${loadBefore} → ${loadAfter})`,
  );
  console.log(
    JSON.stringify({
      bench: 'pipe',
      nodeBare: bare,
      help,
      commandView: view,
      ingestOne,
      ingestHanded,
      pipe,
      pipeHanded,
      lmtp: lmtpFigures,
      batch: batchFigures,
      lmtpCpuOverBatch: lmtpToBatch,
      peerCpuOverLmtp: peerOverLmtp,
      loadAverage: [loadBefore, loadAfter],
    }),
  );
}

await main();
process.exit(0);
