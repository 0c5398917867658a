/**
 * Part of the composition root: the intake alone (the parser, the intake store, the triage queue, the
 * outbox that sends acknowledgements), on a database made ready. `ticketrelay ingest` builds only this
 * (issue 19: a mail server's pipe runs it once per email, and its process loads nothing else: no
 * commands, SLA clocks, assignment, reports or chat SDKs); createApp (main.ts) builds the same parts
 * on its own database and adds the rest around them.
 */
import { FileQuarantine } from '../adapters/files/file-quarantine.ts';
import { createLogger, type AppLogger } from '../adapters/logging/pino-logger.ts';
import {
  createLegacyTables,
  legacyTablesPresent,
  openDatabase,
  runMigrations,
  type Database,
} from '../adapters/mysql/database.ts';
import { MysqlIntakeStore } from '../adapters/mysql/mysql-intake-store.ts';
import { MysqlOutboxStore } from '../adapters/mysql/mysql-outbox-store.ts';
import { MysqlSpamStore } from '../adapters/mysql/mysql-spam-store.ts';
import { SpamdSpamFilter } from '../adapters/spam/spamd-spam-filter.ts';
import type { Config } from './config.ts';
import { AppError } from './domain/errors.ts';
import { LazyEmailParser, LazyMailSender, LazyTriageQueue } from './lazy-adapters.ts';
import { OutboxService } from './services/deliver-outbox.ts';
import { IntakeService } from './services/ingest-email.ts';

export interface IntakeOptions {
  logger?: AppLogger;
  prepare?: boolean;
  /**
   * 'inline' parses in the main thread: for a process that takes one email and exits (the mail
   * server's pipe), where starting parser threads costs more than the parse. Default: threads.
   */
  parser?: 'threads' | 'inline';
  /**
   * Load bullmq, nodemailer and mailparser only if and when used: for short commands (`ingest -`,
   * `command`), which exit before most of them would be needed. By default (a service, tests) they
   * load in the background at once, so that the first email does not wait for its imports.
   */
  lazy?: boolean;
  /** A process that runs one command and exits (`ingest -`, `command`): see openDatabase's shortLived. */
  shortLived?: boolean;
}

/**
 * Makes the database ready: our migrations always; the legacy tables are created only in the
 * project-local development database (a real shop has them; we never create or alter them there).
 */
export async function prepareDatabase(database: Database, config: Config, log: (line: string) => void): Promise<void> {
  const present = await legacyTablesPresent(database);
  if (present.length < 2) {
    if (config.database.local && present.length === 0) {
      await createLegacyTables(database);
      log(
        `created the legacy tables ___xtr_msg and ___xtr_customer in the local development database "${database.name}"`,
      );
    } else {
      throw new AppError(
        'db.legacy_missing',
        `The shop's table${present.length ? '' : 's'} ${['___xtr_msg', '___xtr_customer'].filter((t) => !present.includes(t)).join(' and ')} ${present.length ? 'is' : 'are'} missing in database "${database.name}". Point DATABASE_URL at the shop's database, or create them in a development database with "npx ticketrelay db create-legacy".`,
      );
    }
  }
  await runMigrations(database);
}

/** The intake's parts on a database the caller opened (and closes). */
export interface IntakeParts {
  readonly intake: IntakeService;
  readonly outbox: OutboxService;
  /** Spam held for review and the breaker of automatic mail (createApp's SpamReviewService reads it too). */
  readonly spamStore: MysqlSpamStore;
  /** Where spam is kept, for review and release. */
  readonly spamArchive: FileQuarantine;
  /** Waits for the outbox, then closes the parser, the queue and the sender (not the database). */
  close(): Promise<void>;
}

export function wireIntake(database: Database, config: Config, logger: AppLogger, options: IntakeOptions): IntakeParts {
  // bullmq, nodemailer and mailparser load on first use (lazy-adapters.ts): a command that sends no
  // email and stores none (`/ticket view`) never pays for them.
  const sender = new LazyMailSender({
    smtpUrl: config.smtp.url,
    outboxDir: config.smtp.outboxDir,
    allowPlain: config.smtp.allowPlain,
  });
  const triage = new LazyTriageQueue({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix });
  const spamStore = new MysqlSpamStore(database);
  const outbox = new OutboxService({
    store: new MysqlOutboxStore(database),
    sender,
    from: { address: config.mail.supportAddress, name: config.mail.supportName },
    logger,
    breaker: spamStore,
    verp: config.intake.bounceVerp,
  });
  const spamArchive = new FileQuarantine(config.spam.dir);
  // Parsing runs in worker threads, beside the main thread that stores (see bench:intake).
  const parser = new LazyEmailParser({
    attachmentDir: config.intake.attachmentDir,
    attachmentMaxBytes: config.intake.attachmentMaxBytes,
    inline: options.parser === 'inline',
  });
  if (!options.lazy) for (const adapter of [sender, triage, parser]) adapter.preload();
  const intake = new IntakeService({
    parser,
    store: new MysqlIntakeStore(database),
    triage,
    outbox,
    quarantine: new FileQuarantine(config.intake.rejectedDir),
    spamArchive,
    spamFilter: config.spam.filter
      ? new SpamdSpamFilter({ host: config.spam.filter.host, port: config.spam.filter.port })
      : null,
    logger,
    settings: {
      ownAddresses: config.mail.ownAddresses,
      messageIdDomain: config.mail.messageIdDomain,
      supportAddress: config.mail.supportAddress,
      supportName: config.mail.supportName,
      ackEnabled: config.intake.ackEnabled,
      ackMaxPerHour: config.intake.ackMaxPerHour,
      ackMaxPerTicket: config.intake.ackMaxPerTicket,
      ackMaxTotalPerHour: config.intake.ackMaxTotalPerHour,
      ackUnauthenticated: config.intake.ackUnauthenticated,
      trustedAuthservId: config.spam.trustedAuthservId,
      reopenOnReply: config.intake.reopenOnReply,
      defaultLanguage: config.intake.defaultLanguage,
      bounceVerp: config.intake.bounceVerp,
    },
  });
  return {
    intake,
    outbox,
    spamStore,
    spamArchive,
    close: async () => {
      await outbox.idle();
      await parser.close();
      await triage.close();
      await sender.close();
    },
  };
}

/** What `ticketrelay ingest` runs on: the intake and the outbox, nothing else. */
export interface IntakeApp {
  readonly config: Config;
  readonly logger: AppLogger;
  readonly intake: IntakeService;
  readonly outbox: OutboxService;
  close(): Promise<void>;
}

/** One database pool (the intake's), made ready, and the intake's parts on it. */
export async function createIntakeApp(config: Config, options: IntakeOptions = {}): Promise<IntakeApp> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  for (const warning of config.warnings) logger.warn({ component: 'config' }, warning);
  const database = openDatabase({
    url: config.database.url,
    poolSize: config.database.poolSize,
    shortLived: options.shortLived === true,
  });
  // Wired first: what it preloads (the parser, the queue and its Redis connection, the mail sender)
  // loads while the database answers.
  const parts = wireIntake(database, config, logger, options);
  try {
    if (options.prepare !== false)
      await prepareDatabase(database, config, (line) => logger.info({ component: 'db' }, line));
  } catch (error) {
    // The pool's idle connection would keep the process alive after the error was said.
    await parts.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
  return {
    config,
    logger,
    intake: parts.intake,
    outbox: parts.outbox,
    close: async () => {
      await parts.close();
      await database.close();
      logger.flush();
    },
  };
}
