/**
 * What the integration tests share: a database of their own (its name contains "test", and the
 * harness refuses any other), a real SMTP listener on loopback that keeps what it receives, and the
 * application built exactly as `ticketrelay` builds it, from a config.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import mysql from 'mysql2/promise';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { createLegacyTables, openDatabase, runMigrations, type Database } from '../../adapters/mysql/database.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp, type App } from '../../src/main.ts';
import { eml, type EmlOptions } from './eml.ts';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly database: Database;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A fresh database with the legacy tables and our migrations (`migrate: false`: the test's own), dropped by `drop()`. */
export async function createTestDatabase(
  label: string,
  options: { collation?: string; migrate?: boolean } = {},
): Promise<TestDatabase> {
  const name = `ticketrelay_test_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 20)}_${randomBytes(3).toString('hex')}`;
  if (!name.includes('test'))
    throw new Error(`refusing to use database "${name}": test databases must have "test" in their name`);
  const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
  const admin = await mysql.createConnection({
    host: base.hostname,
    port: Number(base.port),
    user: base.username,
    password: base.password,
  });
  // The legacy tables pin their own collation; ours take the database's default (a shop's may differ).
  await admin.query(
    `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE ${options.collation ?? 'utf8mb4_unicode_ci'}`,
  );
  await admin.end();
  base.pathname = `/${name}`;
  const url = base.toString();
  const database = openDatabase({ url, poolSize: 5 });
  await createLegacyTables(database);
  if (options.migrate !== false) await runMigrations(database);
  return {
    url,
    name,
    database,
    async query<T>(sql: string, params: unknown[] = []) {
      const [rows] = await database.pool.query(sql, params);
      return rows as T[];
    },
    async drop() {
      await database.pool.query(`DROP DATABASE \`${name}\``).catch(() => undefined);
      await database.close();
    },
  };
}

export interface ReceivedEmail {
  readonly envelopeTo: string[];
  /** SMTP MAIL FROM (the return path bounces go to). */
  readonly envelopeFrom: string;
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface SmtpListener {
  readonly url: string;
  readonly received: ReceivedEmail[];
  /** Resolves when at least n emails have arrived (or rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (the smtp-server package) on a free loopback port. */
export async function startSmtpListener(): Promise<SmtpListener> {
  const received: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // No DNS here: a reverse lookup of 127.0.0.1 would stall every connection.
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        received.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          parsed: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} emails at the SMTP listener, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TestApp extends App {
  readonly dataDir: string;
  readonly queuePrefix: string;
}

/** The application as the CLI builds it, on a test database, a test queue prefix and a temporary data folder. */
export async function createTestApp(db: TestDatabase, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-test-'));
  const queuePrefix = `test-${randomBytes(4).toString('hex')}`;
  const config: Config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: dataDir,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createApp(config, { logger: createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' }) });
  return {
    ...app,
    dataDir,
    queuePrefix,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
export const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/mime');

const BIN = path.resolve(import.meta.dirname, '../../bin/ticketrelay.mjs');

/** What appWithSmtp sets up for a test file: read its fields inside tests (they are set before the first). */
export interface AppWithSmtp {
  readonly db: TestDatabase;
  readonly smtp: SmtpListener;
  readonly app: TestApp;
}

/**
 * The setup the intake files share: a test database labelled `label`, a loopback SMTP listener, and an
 * app that sends to it (with `env` besides), made before the file's tests and closed after them.
 */
export function appWithSmtp(label: string, env: Record<string, string> = {}): AppWithSmtp {
  const made: { db?: TestDatabase; smtp?: SmtpListener; app?: TestApp } = {};
  beforeAll(async () => {
    made.db = await createTestDatabase(label);
    made.smtp = await startSmtpListener();
    made.app = await createTestApp(made.db, { SMTP_URL: made.smtp.url, SMTP_ALLOW_PLAIN: 'true', ...env });
  });
  afterAll(async () => {
    await made.app?.close();
    await made.smtp?.close();
    await made.db?.drop();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`appWithSmtp: the ${what} is made in beforeAll; read it inside a test`);
    return value;
  };
  return {
    get db() {
      return ready(made.db, 'database');
    },
    get smtp() {
      return ready(made.smtp, 'SMTP listener');
    },
    get app() {
      return ready(made.app, 'app');
    },
  };
}

/**
 * `ticketrelay ARGS…` as a real child process with only this environment (and PATH, HOME); stdin closed after `stdin`.
 * With `timeoutMs`, a child still running then is killed (SIGKILL) and the result has code -1.
 * With `closeStdout`, its standard output is closed unread, as `| head` does once it has enough.
 */
export function runTicketrelay(
  args: readonly string[],
  env: Record<string, string>,
  stdin: Buffer | string = '',
  options: { timeoutMs?: number; closeStdout?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.tmpdir(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

/** Ingests a test email that must open a ticket (throws otherwise); its ticket number and Message-ID. */
export async function ingestTicket(
  app: App,
  options: EmlOptions = {},
): Promise<{ ticketId: number; messageId: string }> {
  const email = eml(options);
  const result = await app.intake.ingest(email.raw, { kind: 'test' });
  if (result.outcome !== 'created') throw new Error(`expected a new ticket, got ${JSON.stringify(result)}`);
  return { ticketId: result.ticketId, messageId: email.messageId ?? result.messageId };
}

/** A loopback port nothing listens on (a mail server that is away). */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
