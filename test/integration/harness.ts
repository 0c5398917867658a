/**
 * What the integration tests share: a database of their own (its name contains "test", and the
 * harness refuses any other), a real SMTP listener on loopback that keeps what it receives, and the
 * application built exactly as `ticketrelay` builds it, from a config.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { createLegacyTables, openDatabase, runMigrations, type Database } from '../../adapters/mysql/database.ts';
import { MysqlChatPostLedger } from '../../adapters/mysql/mysql-chat-post-ledger.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp, type App } from '../../src/main.ts';
import { ChatNoticeLoop, type ChatNoticeLoopOptions } from '../../src/services/chat-notice-loop.ts';
import { PacedChatNotifier, type PacedChatNotifierOptions } from '../../src/services/paced-chat-notifier.ts';
import { DISCORD_IDS } from '../fakes/discord-payloads.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import { eml, type EmlOptions } from './eml.ts';
import { serverConnection } from '../../adapters/mysql/server-connection.ts';

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
  const admin = await serverConnection(base.toString());
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

/** The environment a `ticketrelay` child needs to work as `app` does: its database, Redis, data folder and queue prefix. */
export function commandEnv(db: TestDatabase, app: TestApp): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: app.dataDir,
    QUEUE_PREFIX: app.queuePrefix,
  };
}

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
export const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/mime');

const BIN = path.resolve(import.meta.dirname, '../../bin/ticketrelay.mjs');

/** What a test file's app talks to besides MariaDB and Redis (`startTestApp`'s options). */
export interface TestAppOptions {
  /** A real SMTP listener on loopback that the app sends to (SMTP_URL, SMTP_ALLOW_PLAIN). */
  readonly smtp?: boolean;
  /** A recording server (`api`) the test points what it builds at, the app's config untouched. */
  readonly api?: boolean;
  /** Slack's Web API on the recording server: SLACK_BOT_TOKEN `xoxb-test`, SLACK_API_URL, and a signing secret if given. */
  readonly slack?: boolean | { readonly signingSecret: string };
  /** Discord's REST on the recording server: DISCORD_TOKEN, DISCORD_APPLICATION_ID `DISCORD_IDS.app`, DISCORD_API_URL. */
  readonly discord?: boolean;
  /** The recording server's answers, set before the app is built. */
  readonly routes?: (api: RecordingServer) => void;
  /** More environment for the app, applied last (it overrides the above). */
  readonly env?: Record<string, string>;
}

/** A test file's app and what it talks to, made by `startTestApp`; `close()` ends it all. */
export interface TestSetup {
  readonly db: TestDatabase;
  readonly app: TestApp;
  /** The SMTP listener (with `smtp: true`; reading it otherwise throws). */
  readonly smtp: SmtpListener;
  /** The recording server (with `api`, `slack`, `discord` or `routes`; reading it otherwise throws). */
  readonly api: RecordingServer;
  /** Another app on the same database, with the same environment and `env` besides; `close()` closes it first. */
  anotherApp(env?: Record<string, string>): Promise<TestApp>;
  /** Closes the apps (the last made first), the recording server and the SMTP listener, then drops the database. */
  close(): Promise<void>;
}

/**
 * What an app needs to post to Slack and to Discord on the recording server `api`, into these notify
 * channels (the SLA alert tests, which build and close several apps on one environment).
 */
export function chatEnv(
  api: RecordingServer,
  channels: { readonly slack: string; readonly discord: string; readonly discordAppId?: string },
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_NOTIFY_CHANNEL: channels.slack,
    SLACK_API_URL: api.url,
    DISCORD_TOKEN: 'discord-test-token',
    DISCORD_APPLICATION_ID: channels.discordAppId ?? DISCORD_IDS.app,
    DISCORD_NOTIFY_CHANNEL: channels.discord,
    DISCORD_API_URL: `${api.url}api`,
  };
}

/**
 * The setup most integration files share: a test database labelled `label`, the loopback servers the
 * options ask for, and an app built on them. Anything made before a failure is closed before it is rethrown.
 */
export async function startTestApp(label: string, options: TestAppOptions = {}): Promise<TestSetup> {
  const apps: TestApp[] = [];
  let smtp: SmtpListener | undefined;
  let api: RecordingServer | undefined;
  const db = await createTestDatabase(label);
  const close = async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    await api?.close();
    await smtp?.close();
    await db.drop();
  };
  try {
    const env: Record<string, string> = {};
    if (options.smtp) {
      smtp = await startSmtpListener();
      Object.assign(env, { SMTP_URL: smtp.url, SMTP_ALLOW_PLAIN: 'true' });
    }
    if (options.api || options.slack || options.discord || options.routes) {
      api = await startRecordingServer();
      options.routes?.(api);
    }
    if (options.slack && api) {
      Object.assign(env, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: api.url });
      if (typeof options.slack === 'object') env['SLACK_SIGNING_SECRET'] = options.slack.signingSecret;
    }
    if (options.discord && api) {
      Object.assign(env, {
        DISCORD_TOKEN: 'discord-test-token',
        DISCORD_APPLICATION_ID: DISCORD_IDS.app,
        DISCORD_API_URL: `${api.url}api`,
      });
    }
    Object.assign(env, options.env);
    const anotherApp = async (more: Record<string, string> = {}) => {
      const app = await createTestApp(db, { ...env, ...more });
      apps.push(app);
      return app;
    };
    const app = await anotherApp();
    const made = <T>(value: T | undefined, what: string): T => {
      if (value === undefined) throw new Error(`startTestApp("${label}"): no ${what}; ask for it in the options`);
      return value;
    };
    return {
      db,
      app,
      get smtp() {
        return made(smtp, 'SMTP listener (smtp: true)');
      },
      get api() {
        return made(api, 'recording server (api, slack, discord or routes)');
      },
      anotherApp,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * A paced notifier as the bots role builds one, on the poster a test points at its recording server: it
 * claims its posts in the database's chat post ledger and logs with the app's logger.
 */
export function pacedNotifier(
  db: TestDatabase,
  app: App,
  options: Omit<PacedChatNotifierOptions, 'ledger' | 'logger'>,
): PacedChatNotifier {
  return new PacedChatNotifier({ ...options, ledger: new MysqlChatPostLedger(db.database), logger: app.logger });
}

/**
 * The chat notices as the bots role runs them: a `pacedNotifier` fed by a loop over the app's notice feed
 * (no grace for triage unless `loop` says otherwise). The test starts, runs and stops it.
 */
export function noticeLoop(
  db: TestDatabase,
  app: App,
  notifier: Omit<PacedChatNotifierOptions, 'ledger' | 'logger'>,
  loop: Omit<ChatNoticeLoopOptions, 'feedFor' | 'notifiers' | 'logger'> = { triageGraceMs: 0 },
): ChatNoticeLoop {
  return new ChatNoticeLoop({
    ...loop,
    feedFor: app.stores.noticeFeed,
    notifiers: [pacedNotifier(db, app, notifier)],
    logger: app.logger,
  });
}

/** What appWithSmtp sets up for a test file: read its fields inside tests (they are set before the first). */
export interface AppWithSmtp {
  readonly db: TestDatabase;
  readonly smtp: SmtpListener;
  readonly app: TestApp;
}

/**
 * `startTestApp` with an SMTP listener, made before the file's tests and closed after them (for files that
 * read the handles inside their tests rather than keeping them in variables of their own).
 */
export function appWithSmtp(label: string, env: Record<string, string> = {}): AppWithSmtp {
  let setup: TestSetup | undefined;
  beforeAll(async () => {
    setup = await startTestApp(label, { smtp: true, env });
  });
  afterAll(async () => {
    await setup?.close();
  });
  const ready = (): TestSetup => {
    if (setup === undefined) throw new Error('appWithSmtp: the app is made in beforeAll; read it inside a test');
    return setup;
  };
  return {
    get db() {
      return ready().db;
    },
    get smtp() {
      return ready().smtp;
    },
    get app() {
      return ready().app;
    },
  };
}

/** A `ticketrelay` child process started by `startTicketrelay`. */
export interface RunningTicketrelay {
  readonly child: ChildProcessWithoutNullStreams;
  /** What it has written to standard output so far. */
  stdout(): string;
  /** What it has written to standard error so far. */
  stderr(): string;
  /** Its exit code (null when a signal ended it), once its output is closed. */
  readonly exited: Promise<number | null>;
  /** Resolves true as soon as its standard error contains `text`; false if it exits or `timeoutMs` pass first. */
  waitForStderr(text: string, timeoutMs: number): Promise<boolean>;
}

/**
 * `ticketrelay ARGS…` as a real child process with only this environment (and PATH, HOME), left running:
 * for `start --roles …`, which the test signals. With `closeStdout`, its standard output is closed unread.
 */
export function startTicketrelay(
  args: readonly string[],
  env: Record<string, string>,
  options: { closeStdout?: boolean } = {},
): RunningTicketrelay {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.tmpdir(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let closed = false;
  if (options.closeStdout) child.stdout.destroy();
  else child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      closed = true;
      resolve(code);
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(text, timeoutMs) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          child.stderr.off('data', check);
          child.off('close', done);
          resolve(stderr.includes(text));
        };
        const check = () => {
          if (stderr.includes(text)) done();
        };
        const timer = setTimeout(done, timeoutMs);
        child.stderr.on('data', check);
        child.on('close', done);
        if (closed) done();
        else check();
      });
    },
  };
}

/**
 * `ticketrelay ARGS…` run to its end (`startTicketrelay`), its standard input closed after `stdin`.
 * With `timeoutMs`, a child still running then is killed (SIGKILL) and the result has code -1.
 * With `closeStdout`, its standard output is closed unread, as `| head` does once it has enough.
 */
export async function runTicketrelay(
  args: readonly string[],
  env: Record<string, string>,
  stdin: Buffer | string = '',
  options: { timeoutMs?: number; closeStdout?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startTicketrelay(args, env, options.closeStdout ? { closeStdout: true } : {});
  const timer = options.timeoutMs ? setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs) : null;
  run.child.stdin.end(stdin);
  try {
    const code = await run.exited;
    return { code: code ?? -1, stdout: run.stdout(), stderr: run.stderr() };
  } finally {
    if (timer) clearTimeout(timer);
  }
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
