/** The project-local services: their ports, endpoints, and how each is recognised on its port. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

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

export const HOST = '127.0.0.1';
export const MARIADB_PORT = 33306;
export const REDIS_PORT = 36379;
export const IMAP_PORT = 31143;
export const SPAMD_PORT = 30783;
export const DB_USER = 'ticketrelay';
/** Local development default, not a secret: the instance only listens on 127.0.0.1. */
export const DB_PASSWORD = 'ticketrelay';
/** Local development default, not a secret: Dovecot's static passdb accepts it for every user. */
export const IMAP_PASSWORD = 'secret';

export const LOCAL_ENDPOINTS: LocalEndpoints = Object.freeze({
  databaseUrl: `mysql://${DB_USER}:${DB_PASSWORD}@${HOST}:${MARIADB_PORT}/ticketrelay`,
  testDatabaseUrl: `mysql://${DB_USER}:${DB_PASSWORD}@${HOST}:${MARIADB_PORT}/ticketrelay_test`,
  redisUrl: `redis://${HOST}:${REDIS_PORT}`,
  imap: Object.freeze({ host: HOST, port: IMAP_PORT, password: IMAP_PASSWORD }),
  spamFilterUrl: `spamd://${HOST}:${SPAMD_PORT}`,
});

export const START_TIMEOUT_MS = 60_000;
export const STOP_GRACE_MS = 15_000;
export const LOCK_TIMEOUT_MS = 10 * 60_000; // a first run may install packages while another run waits
export const PROBE_TIMEOUT_MS = 1_500;
/** sun_path is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH = 107;

export const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Service descriptions
// ---------------------------------------------------------------------------------------------

export type ProbeResult = 'ready' | 'other' | 'closed';

export interface Protocol {
  /** Bytes to send once connected (Redis needs a command; MariaDB and IMAP greet first). */
  send?: string;
  /** undefined: need more bytes; true: the expected server; false: something else answered. */
  check: (received: Buffer) => boolean | undefined;
}

export interface ServiceDef {
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

export function firstLine(received: Buffer): string | undefined {
  const end = received.indexOf('\r\n');
  return end === -1 ? undefined : received.subarray(0, end).toString('latin1');
}

export const SERVICES: Readonly<Record<LocalServiceName, ServiceDef>> = {
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
export const ALL_SERVICES: readonly LocalServiceName[] = ['mariadb', 'redis', 'dovecot', 'spamd'];
export const DEFAULT_SERVICES: readonly LocalServiceName[] = ['mariadb', 'redis', 'dovecot'];
