/**
 * Project-local development services: MariaDB, Redis, Dovecot IMAP and (optional) SpamAssassin's
 * spamd, started on 127.0.0.1 on
 * their own ports with every file (data, config, logs, pid files, sockets) under one data folder
 * (the project's `.data/`). They never touch the system instances Debian's packages install.
 *
 * Layout under `dataDir`:
 *   mariadb/  my.cnf  data/  mariadb.sock  mariadbd.pid  mariadb.log  bootstrap.done
 *   redis/    redis.conf  redis.pid  redis.log  (and redis' own files: it is its `dir`)
 *   dovecot/  dovecot.conf  run/master.pid  state/  home/<user>/Maildir  dovecot.log  dovecot-start.log
 *   spamd/    conf/ (site config: Debian's .pre files + local.cf)  spamd.pid  spamd.log  spamd-start.log
 *   .services.lock   (held while a `servicesUp` / `servicesDown` changes something)
 *
 * `servicesUp` is idempotent and cheap when everything already runs: it reads the pid files,
 * checks that those processes live, and that the ports answer with the expected protocol.
 */
import { execFile, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import { AppError } from '../../src/domain/errors.ts';
import { sleep } from '../../src/domain/timing.ts';

export type LocalServiceName = 'mariadb' | 'redis' | 'dovecot' | 'spamd';

export interface LocalServicesOptions {
  /** Absolute path, e.g. /work/main/.data */
  dataDir: string;
  services: readonly LocalServiceName[];
  /** Progress lines for a person ("mariadb: started on 127.0.0.1:33306"). */
  log: (line: string) => void;
}

export interface LocalEndpoints {
  databaseUrl: string;
  testDatabaseUrl: string;
  redisUrl: string;
  /** Any user name logs in with `password`. */
  imap: { host: string; port: number; password: string };
  /** SPAM_FILTER for the local spamd (started only when asked for: `services up spamd`). */
  spamFilterUrl: string;
}

export interface LocalServiceStatus {
  name: LocalServiceName;
  running: boolean;
  pid: number | null;
  endpoint: string;
  detail: string;
}

const HOST = '127.0.0.1';
const MARIADB_PORT = 33306;
const REDIS_PORT = 36379;
const IMAP_PORT = 31143;
const SPAMD_PORT = 30783;
const DB_USER = 'ticketrelay';
/** Local development default, not a secret: the instance only listens on 127.0.0.1. */
const DB_PASSWORD = 'ticketrelay';
/** Local development default, not a secret: Dovecot's static passdb accepts it for every user. */
const IMAP_PASSWORD = 'secret';

export const LOCAL_ENDPOINTS: LocalEndpoints = Object.freeze({
  databaseUrl: `mysql://${DB_USER}:${DB_PASSWORD}@${HOST}:${MARIADB_PORT}/ticketrelay`,
  testDatabaseUrl: `mysql://${DB_USER}:${DB_PASSWORD}@${HOST}:${MARIADB_PORT}/ticketrelay_test`,
  redisUrl: `redis://${HOST}:${REDIS_PORT}`,
  imap: Object.freeze({ host: HOST, port: IMAP_PORT, password: IMAP_PASSWORD }),
  spamFilterUrl: `spamd://${HOST}:${SPAMD_PORT}`,
});

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const LOCK_TIMEOUT_MS = 10 * 60_000; // a first run may install packages while another run waits
const PROBE_TIMEOUT_MS = 1_500;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Service descriptions
// ---------------------------------------------------------------------------------------------

type ProbeResult = 'ready' | 'other' | 'closed';

interface Protocol {
  /** Bytes to send once connected (Redis needs a command; MariaDB and IMAP greet first). */
  send?: string;
  /** undefined: need more bytes; true: the expected server; false: something else answered. */
  check: (received: Buffer) => boolean | undefined;
}

interface ServiceDef {
  name: LocalServiceName;
  packageName: string;
  port: number;
  endpoint: string;
  /** /proc/<pid>/comm values a live instance of ours may have (guards against pid reuse). */
  processNames: readonly string[];
  protocol: Protocol;
  dir: (dataDir: string) => string;
  pidFile: (dataDir: string) => string;
  logFiles: (dataDir: string) => string[];
}

function firstLine(received: Buffer): string | undefined {
  const end = received.indexOf('\r\n');
  return end === -1 ? undefined : received.subarray(0, end).toString('latin1');
}

const SERVICES: Readonly<Record<LocalServiceName, ServiceDef>> = {
  mariadb: {
    name: 'mariadb',
    packageName: 'mariadb-server',
    port: MARIADB_PORT,
    endpoint: `mysql://${HOST}:${MARIADB_PORT}`,
    processNames: ['mariadbd', 'mysqld'],
    protocol: {
      // The server speaks first: a packet (3-byte length, sequence id 0) holding either the
      // handshake (protocol version 10) or an error (0xff), e.g. 1130 "Host '127.0.0.1' is not
      // allowed to connect" before the ticketrelay user exists. Both mean MariaDB answers.
      check: (received) => {
        if (received.length < 5) return undefined;
        const length = received.readUIntLE(0, 3);
        return received[3] === 0 && length > 0 && (received[4] === 0x0a || received[4] === 0xff);
      },
    },
    dir: (dataDir) => path.join(dataDir, 'mariadb'),
    pidFile: (dataDir) => path.join(dataDir, 'mariadb', 'mariadbd.pid'),
    logFiles: (dataDir) => [path.join(dataDir, 'mariadb', 'mariadb.log')],
  },
  redis: {
    name: 'redis',
    packageName: 'redis-server',
    port: REDIS_PORT,
    endpoint: `redis://${HOST}:${REDIS_PORT}`,
    processNames: ['redis-server'],
    protocol: {
      send: 'PING\r\n',
      check: (received) => {
        const line = firstLine(received);
        return line === undefined ? undefined : line === '+PONG';
      },
    },
    dir: (dataDir) => path.join(dataDir, 'redis'),
    pidFile: (dataDir) => path.join(dataDir, 'redis', 'redis.pid'),
    logFiles: (dataDir) => [path.join(dataDir, 'redis', 'redis.log')],
  },
  dovecot: {
    name: 'dovecot',
    packageName: 'dovecot-imapd',
    port: IMAP_PORT,
    endpoint: `imap://${HOST}:${IMAP_PORT}`,
    processNames: ['dovecot'],
    protocol: {
      check: (received) => {
        const line = firstLine(received);
        return line === undefined ? undefined : line.startsWith('* OK');
      },
    },
    dir: (dataDir) => path.join(dataDir, 'dovecot'),
    pidFile: (dataDir) => path.join(dataDir, 'dovecot', 'run', 'master.pid'),
    logFiles: (dataDir) => [
      path.join(dataDir, 'dovecot', 'dovecot-start.log'),
      path.join(dataDir, 'dovecot', 'dovecot.log'),
    ],
  },
  spamd: {
    name: 'spamd',
    // Debian 12 splits the daemon (spamd) from the engine and its rules (spamassassin).
    packageName: 'spamd',
    port: SPAMD_PORT,
    endpoint: `spamd://${HOST}:${SPAMD_PORT}`,
    // A Perl program: its comm is the script's name (or perl's on other builds).
    processNames: ['spamd', 'perl', 'spamd child'],
    protocol: {
      send: 'PING SPAMC/1.5\r\n\r\n',
      check: (received) => {
        const line = firstLine(received);
        return line === undefined ? undefined : line.startsWith('SPAMD/') && line.endsWith('PONG');
      },
    },
    dir: (dataDir) => path.join(dataDir, 'spamd'),
    pidFile: (dataDir) => path.join(dataDir, 'spamd', 'spamd.pid'),
    logFiles: (dataDir) => [path.join(dataDir, 'spamd', 'spamd-start.log'), path.join(dataDir, 'spamd', 'spamd.log')],
  },
};

/** Optional ones last: `services up` with no names starts the first three (spamd only when asked for). */
const ALL_SERVICES: readonly LocalServiceName[] = ['mariadb', 'redis', 'dovecot', 'spamd'];
export const DEFAULT_SERVICES: readonly LocalServiceName[] = ['mariadb', 'redis', 'dovecot'];

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

export async function servicesUp(options: LocalServicesOptions): Promise<LocalEndpoints> {
  const { dataDir, services, log } = normaliseOptions(options);
  if (services.length === 0) return copyEndpoints();

  // Fast path, without the lock: everything requested already runs and is ours.
  const quick = await Promise.all(services.map((name) => inspect(SERVICES[name], dataDir)));
  if (quick.every((state) => state.kind === 'running')) {
    const bootstrapped = services.includes('mariadb')
      ? await mariadbBootstrapped(dataDir, pidOf(quick, services, 'mariadb'))
      : true;
    if (bootstrapped) {
      quick.forEach((state, index) => {
        const def = SERVICES[services[index] as LocalServiceName];
        log(`${def.name}: already running on ${HOST}:${def.port} (pid ${String(state.pid)})`);
      });
      return copyEndpoints();
    }
  }

  return withLock(dataDir, log, async () => {
    const states = await Promise.all(services.map((name) => inspect(SERVICES[name], dataDir)));

    const foreign = services.filter((_, index) => states[index]?.kind === 'foreign');
    if (foreign.length > 0) throw portInUseError(foreign, dataDir);

    const toStart = services.filter((_, index) => states[index]?.kind === 'stopped');
    const binaries = await ensureInstalled(toStart, log);

    const results = await Promise.allSettled(
      services.map(async (name, index) => {
        const def = SERVICES[name];
        const state = states[index] as Inspection;
        if (state.kind === 'running' || state.kind === 'unresponsive') {
          const pid = state.pid as number;
          if (state.kind === 'unresponsive') {
            log(`${name}: pid ${pid} is running but ${HOST}:${def.port} does not answer yet; waiting`);
            await waitUntilReady(def, dataDir, async () => pid, Date.now(), 'unresponsive');
          }
          if (name === 'mariadb' && !(await mariadbBootstrapped(dataDir, pid))) {
            const found = await findBinaries('mariadb');
            if (found === null) throw missingBinaryError('mariadb');
            await bootstrapMariadb(dataDir, found, pid);
          }
          log(`${name}: already running on ${HOST}:${def.port} (pid ${pid})`);
          return;
        }
        if (state.stalePid !== null) {
          log(`${name}: removing stale pid file (pid ${state.stalePid} is not running)`);
        }
        await removeFile(def.pidFile(dataDir));
        const bins = binaries.get(name);
        if (bins === undefined) throw missingBinaryError(name);
        const startedAt = Date.now();
        const pid = await START[name](dataDir, bins, log);
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        log(`${name}: started on ${HOST}:${def.port} (pid ${pid}, ${seconds} s)`);
      }),
    );
    throwIfAnyFailed(results, 'services.start_failed', 'Some local services did not start');
    return copyEndpoints();
  });
}

export async function servicesDown(options: LocalServicesOptions): Promise<void> {
  const { dataDir, services, log } = normaliseOptions(options);
  if (services.length === 0) return;
  if (!(await exists(dataDir))) {
    for (const name of services) log(`${name}: not running`);
    return;
  }
  await withLock(dataDir, log, async () => {
    const results = await Promise.allSettled(services.map((name) => stopService(SERVICES[name], dataDir, log)));
    throwIfAnyFailed(results, 'services.stop_failed', 'Some local services did not stop');
  });
}

export async function servicesStatus(options: LocalServicesOptions): Promise<LocalServiceStatus[]> {
  const { dataDir, services } = normaliseOptions(options);
  return Promise.all(
    services.map(async (name): Promise<LocalServiceStatus> => {
      const def = SERVICES[name];
      const state = await inspect(def, dataDir);
      const where = `${HOST}:${def.port}`;
      let detail: string;
      switch (state.kind) {
        case 'running':
          detail = `pid ${String(state.pid)}, answering on ${where}`;
          break;
        case 'unresponsive':
          detail = `pid ${String(state.pid)} is alive but ${where} does not answer (starting up, or hung: see ${def.logFiles(dataDir).join(', ')})`;
          break;
        case 'foreign':
          detail = `not running; ${where} is used by another process that is not ours (no live pid file in ${def.dir(dataDir)})`;
          break;
        case 'stopped':
          detail = state.stalePid === null ? 'not running' : `not running (stale pid file: pid ${state.stalePid} is gone)`;
          break;
      }
      return { name, running: state.kind === 'running', pid: state.pid, endpoint: def.endpoint, detail };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Inspection: pid file + process + port
// ---------------------------------------------------------------------------------------------

interface Inspection {
  /**
   * running: our pid lives and the port answers with the right protocol.
   * unresponsive: our pid lives but the port does not answer (yet).
   * foreign: no live pid of ours, but something listens on the port.
   * stopped: no live pid of ours and the port is free.
   */
  kind: 'running' | 'unresponsive' | 'foreign' | 'stopped';
  /** Our live pid, or null. */
  pid: number | null;
  /** A pid file named a process that is gone (or is not ours any more). */
  stalePid: number | null;
}

async function inspect(def: ServiceDef, dataDir: string): Promise<Inspection> {
  const [recorded, probe] = await Promise.all([readPidFile(def.pidFile(dataDir)), probePort(def.port, def.protocol)]);
  let pid: number | null = null;
  let stalePid: number | null = null;
  if (recorded !== null) {
    if (recorded > 0 && (await isOurProcess(recorded, def.processNames))) pid = recorded;
    else stalePid = recorded;
  }
  if (pid !== null) return { kind: probe === 'ready' ? 'running' : 'unresponsive', pid, stalePid };
  return { kind: probe === 'closed' ? 'stopped' : 'foreign', pid: null, stalePid };
}

function pidOf(states: Inspection[], services: readonly LocalServiceName[], name: LocalServiceName): number {
  return states[services.indexOf(name)]?.pid ?? 0;
}

/** The pid in a pid file; null when there is none; 0 when the file holds garbage (stale). */
async function readPidFile(file: string): Promise<number | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  // A zombie (exited, not yet reaped by its parent) still answers kill(pid, 0).
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (error) {
    return errorCode(error) !== 'ENOENT' || !(await exists('/proc/self/stat'));
  }
}

async function isOurProcess(pid: number, names: readonly string[]): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  try {
    const comm = (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    return names.includes(comm);
  } catch {
    return true; // no /proc (not Linux): trust the pid file
  }
}

function probePort(port: number, protocol: Protocol, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let connected = false;
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(connected ? 'other' : 'closed'), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      if (protocol.send !== undefined) socket.write(protocol.send);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = protocol.check(received);
      if (verdict !== undefined) finish(verdict ? 'ready' : 'other');
      else if (received.length > 4096) finish('other');
    });
    socket.once('error', () => finish(connected ? 'other' : 'closed'));
    socket.once('close', () => finish(connected ? 'other' : 'closed'));
  });
}

async function waitUntilReady(
  def: ServiceDef,
  dataDir: string,
  currentPid: () => Promise<number | null>,
  startedAt: number,
  situation: 'starting' | 'unresponsive',
): Promise<void> {
  const deadline = startedAt + START_TIMEOUT_MS;
  for (;;) {
    if ((await probePort(def.port, def.protocol)) === 'ready') return;
    const pid = await currentPid();
    if (pid !== null && !(await isOurProcess(pid, def.processNames))) {
      throw new AppError(
        `services.${def.name}_exited`,
        `${def.name} (pid ${pid}) exited before it answered on ${HOST}:${def.port}.${await logTails(def, dataDir)}`,
        { details: { service: def.name, pid } },
      );
    }
    if (Date.now() > deadline) {
      const hint = situation === 'unresponsive' ? ' Stop it with `services down` and try again.' : '';
      throw new AppError(
        'services.start_timeout',
        `${def.name} did not answer on ${HOST}:${def.port} within ${START_TIMEOUT_MS / 1000} s` +
          `${pid === null ? '' : ` (pid ${pid})`}.${hint}${await logTails(def, dataDir)}`,
        { retryable: true, details: { service: def.name, port: def.port } },
      );
    }
    await sleep(100);
  }
}

function portInUseError(names: readonly LocalServiceName[], dataDir: string): AppError {
  const lines = names.map((name) => {
    const def = SERVICES[name];
    return `${HOST}:${def.port} (${name}) is already in use by a process that is not our ${name} (no live pid file at ${def.pidFile(dataDir)}). Find it with: ss -ltnp 'sport = :${def.port}'`;
  });
  return new AppError(
    'services.port_in_use',
    `${lines.join('\n')}\nStop that process (or the other checkout's services) first; ticketrelay will not use someone else's server.`,
    { details: { services: [...names], ports: names.map((name) => SERVICES[name].port) } },
  );
}

// ---------------------------------------------------------------------------------------------
// Packages
// ---------------------------------------------------------------------------------------------

interface Binaries {
  /** mariadb: server, installDb, client; redis: server; dovecot: server. */
  server: string;
  installDb?: string;
  client?: string;
}

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

async function which(candidates: readonly string[]): Promise<string | null> {
  const dirs = [...new Set([...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS])];
  for (const name of candidates) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        await fs.access(file, fsConstants.X_OK);
        return file;
      } catch {
        // keep looking
      }
    }
  }
  return null;
}

async function findBinaries(name: LocalServiceName): Promise<Binaries | null> {
  switch (name) {
    case 'mariadb': {
      const [server, installDb, client] = await Promise.all([
        which(['mariadbd', 'mysqld']),
        which(['mariadb-install-db', 'mysql_install_db']),
        which(['mariadb', 'mysql']),
      ]);
      return server && installDb && client ? { server, installDb, client } : null;
    }
    case 'redis': {
      const server = await which(['redis-server']);
      return server ? { server } : null;
    }
    case 'dovecot': {
      const server = await which(['dovecot']);
      // dovecot-core alone has no IMAP server: that is dovecot-imapd's /usr/lib/dovecot/imap.
      const imap = (await exists('/usr/lib/dovecot/imap')) || (await exists('/usr/libexec/dovecot/imap'));
      return server && imap ? { server } : null;
    }
    case 'spamd': {
      const server = await which(['spamd']);
      // The rules come with the spamassassin package (spamd depends on it).
      const rules = (await exists('/usr/share/spamassassin')) || (await exists('/var/lib/spamassassin'));
      return server && rules ? { server } : null;
    }
  }
}

function missingBinaryError(name: LocalServiceName): AppError {
  const pkg = SERVICES[name].packageName;
  return new AppError('services.missing_packages', `${pkg} is installed incompletely: its programs were not found. Run: sudo apt-get install -y --reinstall ${pkg}`, {
    details: { packages: [pkg] },
  });
}

async function ensureInstalled(
  names: readonly LocalServiceName[],
  log: (line: string) => void,
): Promise<Map<LocalServiceName, Binaries>> {
  const found = new Map<LocalServiceName, Binaries>();
  const lookups = await Promise.all(names.map(async (name) => [name, await findBinaries(name)] as const));
  const missing: LocalServiceName[] = [];
  for (const [name, bins] of lookups) {
    if (bins === null) missing.push(name);
    else found.set(name, bins);
  }
  if (missing.length === 0) return found;

  const packages = missing.map((name) => SERVICES[name].packageName);
  await installPackages(packages, log);
  for (const name of missing) {
    const bins = await findBinaries(name);
    if (bins === null) throw missingBinaryError(name);
    found.set(name, bins);
  }
  return found;
}

async function installPackages(packages: readonly string[], log: (line: string) => void): Promise<void> {
  const list = packages.join(' ');
  const command = `sudo apt-get install -y --no-install-recommends ${list}`;
  const subject = packages.length === 1 ? `${packages[0]} is` : `${packages.join(', ')} are`;
  if (process.getuid?.() !== 0) {
    throw new AppError('services.missing_packages', `${subject} not installed. Run: ${command}`, {
      details: { packages: [...packages], command },
    });
  }
  const aptGet = await which(['apt-get']);
  if (aptGet === null) {
    throw new AppError(
      'services.missing_packages',
      `${subject} not installed and apt-get is not available here; install the equivalent packages with this system's package manager.`,
      { details: { packages: [...packages] } },
    );
  }

  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = async (): Promise<void> => {
    log('packages: apt-get update');
    const result = await runStreaming(aptGet, ['-q', 'update'], env, () => undefined);
    if (result.code !== 0) {
      throw new AppError('services.package_install_failed', `apt-get update failed (exit ${result.code}):\n${result.tail.join('\n')}`, {
        retryable: true,
        details: { packages: [...packages] },
      });
    }
  };
  const install = (): Promise<{ code: number; tail: string[] }> => {
    log(`packages: installing ${list} with apt-get (this takes a minute)`);
    return runStreaming(
      aptGet,
      ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...packages],
      env,
      (line) => {
        const match = /^Setting up (\S+?)(?::\w+)? \(/.exec(line);
        if (match?.[1] !== undefined && packages.includes(match[1])) log(`packages: ${line.trim()}`);
      },
    );
  };

  const startedAt = Date.now();
  let updated = false;
  if (await aptListsEmpty()) {
    await update();
    updated = true;
  }
  let result = await install();
  if (result.code !== 0 && !updated) {
    log('packages: apt-get install failed; refreshing the package lists and trying again');
    await update();
    result = await install();
  }
  if (result.code !== 0) {
    throw new AppError(
      'services.package_install_failed',
      `apt-get install ${list} failed (exit ${result.code}):\n${result.tail.join('\n')}\nTry by hand: ${command}`,
      { retryable: true, details: { packages: [...packages], command } },
    );
  }
  log(`packages: installed ${list} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

async function aptListsEmpty(): Promise<boolean> {
  try {
    const entries = await fs.readdir('/var/lib/apt/lists');
    return !entries.some((entry) => /_Packages(\.\w+)?$/.test(entry));
  } catch {
    return true;
  }
}

/** Runs a command, hands each output line to `onLine`, keeps the last lines for error messages. */
function runStreaming(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const take = (line: string): void => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onLine(line);
    };
    createInterface({ input: child.stdout }).on('line', take);
    createInterface({ input: child.stderr }).on('line', take);
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), tail }));
  });
}

// ---------------------------------------------------------------------------------------------
// Starting
// ---------------------------------------------------------------------------------------------

type Starter = (dataDir: string, bins: Binaries, log: (line: string) => void) => Promise<number>;

const START: Readonly<Record<LocalServiceName, Starter>> = {
  mariadb: startMariadb,
  redis: startRedis,
  dovecot: startDovecot,
  spamd: startSpamd,
};

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function osUserName(): string {
  return os.userInfo().username;
}

/** Values for MariaDB's option files: quoted, with the escapes it understands. */
function cnfValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

async function startMariadb(dataDir: string, bins: Binaries, log: (line: string) => void): Promise<number> {
  const def = SERVICES.mariadb;
  const dir = def.dir(dataDir);
  const datadir = path.join(dir, 'data');
  const socket = path.join(dir, 'mariadb.sock');
  const cnf = path.join(dir, 'my.cnf');
  const logFile = def.logFiles(dataDir)[0] as string;
  assertSocketPath(socket, 'mariadb');
  await fs.mkdir(dir, { recursive: true });

  await fs.writeFile(
    cnf,
    [
      '# Generated by ticketrelay (adapters/local-services): rewritten at every start, do not edit.',
      '[mysqld]',
      `datadir = ${cnfValue(datadir)}`,
      `socket = ${cnfValue(socket)}`,
      `pid-file = ${cnfValue(def.pidFile(dataDir))}`,
      `port = ${MARIADB_PORT}`,
      `bind-address = ${HOST}`,
      'skip-name-resolve',
      'skip-log-bin',
      'innodb_flush_log_at_trx_commit = 2',
      'innodb_buffer_pool_size = 512M',
      'max_connections = 500',
      // Readiness probes connect and hang up before logging in; never block 127.0.0.1 for it.
      'max_connect_errors = 1000000000',
      'max_allowed_packet = 64M',
      'character-set-server = utf8mb4',
      'collation-server = utf8mb4_unicode_ci',
      '',
    ].join('\n'),
  );

  if (!(await exists(path.join(datadir, 'mysql')))) {
    if (await exists(datadir)) {
      const entries = await fs.readdir(datadir);
      if (entries.length > 0) {
        throw new AppError(
          'services.mariadb_datadir_broken',
          `${datadir} exists but holds no MariaDB system tables (no mysql/ folder). Move it away or delete it, and ticketrelay will initialise a fresh one.`,
          { details: { datadir } },
        );
      }
      await fs.rmdir(datadir);
    }
    // Initialise into a scratch folder and rename it when complete: an interrupted first run
    // then never leaves a half-initialised data directory behind.
    const scratch = path.join(dir, 'data.initialising');
    await fs.rm(scratch, { recursive: true, force: true });
    log(`mariadb: initialising ${datadir} (first run)`);
    const args = [
      `--defaults-file=${cnf}`,
      `--datadir=${scratch}`,
      '--skip-test-db',
      '--auth-root-authentication-method=socket',
      `--auth-root-socket-user=${osUserName()}`,
      ...(isRoot() ? ['--user=root'] : []),
    ];
    try {
      const { stdout, stderr } = await execFileAsync(bins.installDb as string, args, {
        cwd: dir,
        env: mysqlEnv(),
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      await fs.appendFile(logFile, `--- mariadb-install-db ${new Date().toISOString()}\n${stdout}${stderr}`);
    } catch (error) {
      const output = `${String((error as { stdout?: unknown }).stdout ?? '')}${String((error as { stderr?: unknown }).stderr ?? '')}`;
      await fs.appendFile(logFile, `--- mariadb-install-db failed ${new Date().toISOString()}\n${output}`);
      throw new AppError('services.mariadb_init_failed', `mariadb-install-db failed for ${datadir}:\n${lastLines(output, 20)}`, {
        cause: error,
        details: { datadir },
      });
    }
    await fs.rename(scratch, datadir);
  }

  // Running as root, mariadbd refuses to start unless told explicitly to stay root.
  const pid = await spawnDetached(bins.server, [`--defaults-file=${cnf}`, ...(isRoot() ? ['--user=root'] : [])], dir, logFile);
  await fs.writeFile(def.pidFile(dataDir), `${pid}\n`);
  await waitUntilReady(def, dataDir, async () => pid, Date.now(), 'starting');
  await bootstrapMariadb(dataDir, bins, pid);
  return pid;
}

const BOOTSTRAP_SQL = [
  'CREATE DATABASE IF NOT EXISTS `ticketrelay` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
  'CREATE DATABASE IF NOT EXISTS `ticketrelay_test` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci',
  ...['127.0.0.1', 'localhost'].flatMap((host) => [
    `CREATE USER IF NOT EXISTS '${DB_USER}'@'${host}' IDENTIFIED BY '${DB_PASSWORD}'`,
    `ALTER USER '${DB_USER}'@'${host}' IDENTIFIED BY '${DB_PASSWORD}'`,
    // `ticketrelay%` lets the user CREATE DATABASE ticketrelay_anything (test and bench schemas).
    `GRANT ALL PRIVILEGES ON \`ticketrelay%\`.* TO '${DB_USER}'@'${host}'`,
  ]),
].join(';\n');

function bootstrapMarker(dataDir: string): string {
  return path.join(SERVICES.mariadb.dir(dataDir), 'bootstrap.done');
}

/** The marker names the server pid it was written for, so a restarted server is re-checked. */
async function mariadbBootstrapped(dataDir: string, pid: number): Promise<boolean> {
  try {
    return (await fs.readFile(bootstrapMarker(dataDir), 'utf8')).trim() === String(pid);
  } catch {
    return false;
  }
}

/** Idempotent: databases, the `ticketrelay` user and its grants, as the OS user over the socket. */
async function bootstrapMariadb(dataDir: string, bins: Binaries, pid: number): Promise<void> {
  const socket = path.join(SERVICES.mariadb.dir(dataDir), 'mariadb.sock');
  try {
    await execFileAsync(
      bins.client as string,
      ['--no-defaults', '--protocol=socket', `--socket=${socket}`, `--user=${osUserName()}`, '--batch', '-e', BOOTSTRAP_SQL],
      { env: mysqlEnv(), timeout: 30_000 },
    );
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new AppError(
      'services.mariadb_bootstrap_failed',
      `Could not create the ticketrelay databases and user in the local MariaDB: ${stderr || String(error)}`,
      { cause: error },
    );
  }
  await fs.writeFile(bootstrapMarker(dataDir), `${pid}\n`);
}

/** The MariaDB tools read these; a developer's own settings must not redirect ours. */
function mysqlEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['MYSQL_HOST', 'MYSQL_TCP_PORT', 'MYSQL_UNIX_PORT', 'MYSQL_PWD', 'MYSQL_HOME', 'MARIADB_HOME']) delete env[key];
  return env;
}

/** Values for redis.conf: double-quoted with backslash escapes. */
function redisValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

async function startRedis(dataDir: string, bins: Binaries): Promise<number> {
  const def = SERVICES.redis;
  const dir = def.dir(dataDir);
  const conf = path.join(dir, 'redis.conf');
  const logFile = def.logFiles(dataDir)[0] as string;
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    conf,
    [
      '# Generated by ticketrelay (adapters/local-services): rewritten at every start, do not edit.',
      `bind ${HOST}`,
      `port ${REDIS_PORT}`,
      'protected-mode yes',
      'daemonize no',
      'supervised no',
      `pidfile ${redisValue(def.pidFile(dataDir))}`,
      'logfile ""',
      'loglevel notice',
      `dir ${redisValue(dir)}`,
      'save ""',
      'appendonly no',
      '',
    ].join('\n'),
  );
  const pid = await spawnDetached(bins.server, [conf], dir, logFile);
  await fs.writeFile(def.pidFile(dataDir), `${pid}\n`);
  await waitUntilReady(def, dataDir, async () => pid, Date.now(), 'starting');
  return pid;
}

async function startDovecot(dataDir: string, bins: Binaries): Promise<number> {
  const def = SERVICES.dovecot;
  const dir = def.dir(dataDir);
  const baseDir = path.join(dir, 'run');
  const home = path.join(dir, 'home');
  const conf = path.join(dir, 'dovecot.conf');
  const [startLog, serverLog] = def.logFiles(dataDir) as [string, string];
  // Dovecot's sockets live in base_dir, the longest is about 30 characters below it.
  assertSocketPath(path.join(baseDir, 'login', 'imap-urlauth-worker'), 'dovecot');

  await fs.mkdir(dir, { recursive: true });
  await fs.mkdir(home, { recursive: true });

  let users: { login: string; internal: string; group: string; uid: string; gid: string };
  if (isRoot()) {
    // Mail processes run as the dovecot user: it must reach the folder and own home/.
    await fs.chmod(dir, 0o777);
    await assertTraversable(dir, dataDir);
    await execFileAsync('chown', ['-R', 'dovecot:dovecot', home]);
    users = { login: 'dovenull', internal: 'dovecot', group: 'dovecot', uid: 'dovecot', gid: 'dovecot' };
  } else {
    // Without root Dovecot cannot switch users: everything runs as the current user.
    const me = os.userInfo();
    const group = (await execFileAsync('id', ['-gn'])).stdout.trim();
    users = { login: me.username, internal: me.username, group, uid: String(me.uid), gid: String(me.gid) };
  }

  await fs.writeFile(
    conf,
    [
      '# Generated by ticketrelay (adapters/local-services): rewritten at every start, do not edit.',
      `base_dir = ${baseDir}`,
      `state_dir = ${path.join(dir, 'state')}`,
      `log_path = ${serverLog}`,
      'protocols = imap',
      `listen = ${HOST}`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `default_login_user = ${users.login}`,
      `default_internal_user = ${users.internal}`,
      `default_internal_group = ${users.group}`,
      'service imap-login {',
      '  inet_listener imap {',
      `    address = ${HOST}`,
      `    port = ${IMAP_PORT}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      '  chroot =',
      '}',
      'service anvil {',
      '  chroot =',
      '}',
      'passdb {',
      '  driver = static',
      `  args = password=${IMAP_PASSWORD}`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=${users.uid} gid=${users.gid} home=${home}/%u`,
      '}',
      'mail_location = maildir:~/Maildir',
      'first_valid_uid = 1',
      'first_valid_gid = 1',
      '',
    ].join('\n'),
  );

  // `dovecot -c CONF` checks the configuration, forks the master into the background (new
  // session) and exits; the master writes base_dir/master.pid.
  const startedAt = Date.now();
  const handle = await fs.open(startLog, 'a');
  let code: number | null;
  try {
    await handle.write(`--- dovecot -c ${conf} ${new Date().toISOString()}\n`);
    code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(bins.server, ['-c', conf], { cwd: dir, detached: true, stdio: ['ignore', handle.fd, handle.fd] });
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal === null ? null : 128)));
    });
  } finally {
    await handle.close();
  }
  if (code !== 0) {
    throw new AppError('services.dovecot_exited', `dovecot -c ${conf} failed (exit ${String(code)}).${await logTails(def, dataDir)}`, {
      details: { service: 'dovecot' },
    });
  }
  const pidFile = def.pidFile(dataDir);
  await waitUntilReady(def, dataDir, async () => readPidFile(pidFile), startedAt, 'starting');
  const pid = await readPidFile(pidFile);
  if (pid === null || pid === 0) {
    throw new AppError('services.dovecot_exited', `dovecot answers on ${HOST}:${IMAP_PORT} but wrote no pid file at ${pidFile}.`);
  }
  return pid;
}

/**
 * spamd as a daemon of ours: its own site configuration (Debian's plugin .pre files, and a local.cf
 * that turns off what needs the network: DNS blocklists, Razor, Pyzor, and Bayes, which would learn
 * from the tests), on loopback only. As root it drops to debian-spamd, which must reach the folder.
 */
async function startSpamd(dataDir: string, bins: Binaries): Promise<number> {
  const def = SERVICES.spamd;
  const dir = def.dir(dataDir);
  const conf = path.join(dir, 'conf');
  const [startLog, serverLog] = def.logFiles(dataDir) as [string, string];
  await fs.mkdir(conf, { recursive: true });
  for (const site of ['/etc/spamassassin', '/etc/mail/spamassassin']) {
    const entries = await fs.readdir(site).catch(() => [] as string[]);
    for (const entry of entries.filter((e) => e.endsWith('.pre'))) await fs.copyFile(path.join(site, entry), path.join(conf, entry));
    if (entries.length > 0) break;
  }
  await fs.writeFile(
    path.join(conf, 'local.cf'),
    [
      '# Generated by ticketrelay (adapters/local-services): rewritten at every start, do not edit.',
      'use_bayes 0',
      'bayes_auto_learn 0',
      'dns_available no',
      'skip_rbl_checks 1',
      'use_razor2 0',
      '',
    ].join('\n'),
  );
  const args = [
    `--listen=${HOST}:${SPAMD_PORT}`,
    `--allowed-ips=${HOST}`,
    `--pidfile=${def.pidFile(dataDir)}`,
    `--syslog=${serverLog}`,
    `--siteconfigpath=${conf}`,
    `--helper-home-dir=${dir}`,
    '--local',
    '--nouser-config',
    '--min-children=1',
    '--max-children=2',
    '--daemonize',
  ];
  if (isRoot()) {
    const user = (await execFileAsync('id', ['-u', 'debian-spamd']).then(() => 'debian-spamd').catch(() => 'nobody'));
    await fs.chmod(dir, 0o777);
    await assertTraversable(dir, dataDir, user);
    args.push(`--username=${user}`);
  }
  // `spamd --daemonize` forks, writes the pid file once its children run, and the parent exits.
  const startedAt = Date.now();
  const handle = await fs.open(startLog, 'a');
  let code: number | null;
  try {
    await handle.write(`--- spamd ${args.join(' ')} ${new Date().toISOString()}\n`);
    code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(bins.server, args, { cwd: dir, detached: true, stdio: ['ignore', handle.fd, handle.fd] });
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal === null ? null : 128)));
    });
  } finally {
    await handle.close();
  }
  if (code !== 0) {
    throw new AppError('services.spamd_exited', `spamd failed to start (exit ${String(code)}).${await logTails(def, dataDir)}`, { details: { service: 'spamd' } });
  }
  const pidFile = def.pidFile(dataDir);
  await waitUntilReady(def, dataDir, async () => readPidFile(pidFile), startedAt, 'starting');
  const pid = await readPidFile(pidFile);
  if (pid === null || pid === 0) throw new AppError('services.spamd_exited', `spamd answers on ${HOST}:${SPAMD_PORT} but wrote no pid file at ${pidFile}.`);
  return pid;
}

function assertSocketPath(socketPath: string, name: LocalServiceName): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new AppError(
      'services.data_dir_too_long',
      `The data folder path is too long for ${name}'s unix sockets (${socketPath} is over ${MAX_SOCKET_PATH} bytes). Use a shorter data folder.`,
      { details: { service: name } },
    );
  }
}

/**
 * Dovecot's mail processes (user dovecot) must be able to enter every parent folder. The data
 * folder is ours, so it gets o+x; any other parent is the developer's to change.
 */
async function assertTraversable(dir: string, dataDir: string, user = 'dovecot'): Promise<void> {
  let current = path.dirname(dir);
  for (;;) {
    const { mode } = await fs.stat(current);
    if ((mode & 0o001) === 0 && current === dataDir) {
      await fs.chmod(current, (mode & 0o7777) | 0o001);
    } else if ((mode & 0o001) === 0) {
      throw new AppError(
        'services.dovecot_path_not_traversable',
        `${user === 'dovecot' ? 'Dovecot runs mail processes as the dovecot user' : `spamd runs as ${user}`}, which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}). Run: chmod o+x ${current}`,
        { details: { path: current } },
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** Starts a long-running server in its own session, stdout and stderr appended to `logFile`. */
async function spawnDetached(command: string, args: readonly string[], cwd: string, logFile: string): Promise<number> {
  const handle = await fs.open(logFile, 'a');
  try {
    await handle.write(`--- ${path.basename(command)} ${args.join(' ')} ${new Date().toISOString()}\n`);
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', handle.fd, handle.fd] });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<unknown>((resolve) => child.once('error', resolve));
      throw new AppError('services.spawn_failed', `Could not start ${command}: ${String(error)}`, { cause: error });
    }
    child.on('error', () => undefined);
    child.unref();
    return pid;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Stopping
// ---------------------------------------------------------------------------------------------

async function stopService(def: ServiceDef, dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = def.pidFile(dataDir);
  const pid = await readPidFile(pidFile);
  if (pid === null) {
    log(`${def.name}: not running`);
    return;
  }
  if (pid === 0 || !(await isOurProcess(pid, def.processNames))) {
    await removeFile(pidFile);
    log(`${def.name}: not running (removed stale pid file for pid ${pid})`);
    return;
  }
  const startedAt = Date.now();
  signal(pid, 'SIGTERM');
  let killed = false;
  if (!(await waitForExit(pid, def.processNames, STOP_GRACE_MS))) {
    log(`${def.name}: pid ${pid} did not stop within ${STOP_GRACE_MS / 1000} s; sending SIGKILL`);
    signal(pid, 'SIGKILL');
    killed = true;
    if (!(await waitForExit(pid, def.processNames, 5_000))) {
      throw new AppError('services.stop_failed', `${def.name} (pid ${pid}) survived SIGKILL.`, { details: { service: def.name, pid } });
    }
  }
  // The servers delete their own pid file on a clean exit, but not when killed.
  if ((await readPidFile(pidFile)) === pid) await removeFile(pidFile);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  log(`${def.name}: stopped (pid ${pid}, ${seconds} s${killed ? ', killed' : ''})`);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (errorCode(error) !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid: number, names: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isOurProcess(pid, names)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Lock: one process at a time changes the services of a data folder
// ---------------------------------------------------------------------------------------------

/** Serialises this process's own calls, so a lock file naming our pid is always stale. */
let inProcessQueue: Promise<unknown> = Promise.resolve();

function withLock<T>(dataDir: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const run = inProcessQueue.then(() => withFileLock(dataDir, log, work));
  inProcessQueue = run.catch(() => undefined);
  return run;
}

async function withFileLock<T>(dataDir: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  await fs.mkdir(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, '.services.lock');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const owner = await readPidFile(lockFile);
    if (owner === null) continue; // released between our two calls
    if (owner === 0 || owner === process.pid || !(await isAlive(owner))) {
      await removeFile(lockFile);
      continue;
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'services.locked',
        `Another process (pid ${owner}) has been starting or stopping the local services for too long (lock ${lockFile}).`,
        { retryable: true, details: { pid: owner } },
      );
    }
    if (!announced) {
      log(`services: waiting for another process (pid ${owner}) that is starting or stopping them`);
      announced = true;
    }
    await sleep(200);
  }
  try {
    return await work();
  } finally {
    await removeFile(lockFile);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function normaliseOptions(options: LocalServicesOptions): {
  dataDir: string;
  services: LocalServiceName[];
  log: (line: string) => void;
} {
  if (!path.isAbsolute(options.dataDir)) {
    throw new AppError('services.invalid_options', `dataDir must be an absolute path, got ${JSON.stringify(options.dataDir)}.`);
  }
  const unknown = options.services.filter((name) => !ALL_SERVICES.includes(name));
  if (unknown.length > 0) {
    throw new AppError('services.invalid_options', `Unknown local services: ${unknown.join(', ')} (known: ${ALL_SERVICES.join(', ')}).`);
  }
  const services = ALL_SERVICES.filter((name) => options.services.includes(name));
  return { dataDir: path.resolve(options.dataDir), services, log: options.log };
}

function copyEndpoints(): LocalEndpoints {
  return { ...LOCAL_ENDPOINTS, imap: { ...LOCAL_ENDPOINTS.imap } };
}

function throwIfAnyFailed(results: PromiseSettledResult<unknown>[], code: string, summary: string): void {
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  throw new AppError(code, `${summary}:\n${errors.map((error) => (error instanceof Error ? error.message : String(error))).join('\n\n')}`, {
    cause: errors[0],
  });
}

async function logTails(def: ServiceDef, dataDir: string): Promise<string> {
  const parts: string[] = [];
  for (const file of def.logFiles(dataDir)) {
    const text = await readTail(file, 8192);
    if (text.trim() !== '') parts.push(`\nLast lines of ${file}:\n${lastLines(text, 20)}`);
  }
  return parts.join('');
}

async function readTail(file: string, bytes: number): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function removeFile(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}
