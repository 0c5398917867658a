/**
 * Composition root: builds the adapters from the config, wires the services, and closes it all.
 * No DI container: plain factories. The only place where adapters and the core meet.
 */
import { MysqlTemplateStore } from '../adapters/mysql/mysql-template-store.ts';
import { FileQuarantine } from '../adapters/files/file-quarantine.ts';
import { servicesUp, type LocalServiceName } from '../adapters/local-services/local-services.ts';
import { createLogger, type AppLogger } from '../adapters/logging/pino-logger.ts';
import { ParsePoolEmailParser } from '../adapters/mailparser/parse-pool.ts';
import { createLegacyTables, legacyTablesPresent, openDatabase, runMigrations, type Database } from '../adapters/mysql/database.ts';
import { MysqlIntakeStore } from '../adapters/mysql/mysql-intake-store.ts';
import { MysqlReportStore } from '../adapters/mysql/mysql-report-store.ts';
import { exportToBuffer } from '../adapters/export/export-file.ts';
import { BullmqTriageQueue } from '../adapters/queue/bullmq-triage-queue.ts';
import { NodemailerMailSender } from '../adapters/smtp/nodemailer-mail-sender.ts';
import { ConsoleNotifier } from '../adapters/console/console-notifier.ts';
import { createChatNotifiers } from '../adapters/chat/chat-notifiers.ts';
import { AppError } from './domain/errors.ts';
import { instrumentCommands, instrumentIntake, MetricsRegistry } from './domain/metrics.ts';
import type { Config } from './config.ts';
import type { ChatNotifier } from './ports/chat-notifier.ts';
import { OutboxService } from './services/deliver-outbox.ts';
import { IntakeService } from './services/ingest-email.ts';
import { CommandService } from './services/run-command.ts';
import { MysqlAgentDirectory } from '../adapters/mysql/mysql-agent-directory.ts';
import { MysqlTicketStore } from '../adapters/mysql/mysql-ticket-store.ts';
import { loadAgentsFile } from '../adapters/files/agents-file.ts';
import { loadSlaSetup } from '../adapters/files/sla-files.ts';
import { MysqlSlaStore } from '../adapters/mysql/mysql-sla-store.ts';
import { SlaService } from './services/check-sla.ts';
import type { SlaCommands } from './services/run-command.ts';
import { describeError } from './domain/errors.ts';

export interface App {
  readonly config: Config;
  readonly logger: AppLogger;
  readonly database: Database;
  readonly intake: IntakeService;
  readonly outbox: OutboxService;
  /** This process's metrics (served by the http role's /metrics); the intake is instrumented. */
  readonly metrics: MetricsRegistry;
  /**
   * Where escalations and other ticket notices go: the console always; chat adapters push theirs
   * (before the worker role starts). The triage service reads this list at each notice.
   */
  readonly notifiers: ChatNotifier[];
  /** The /ticket commands, for Slack, Discord, the console and `ticketrelay command`. */
  readonly commands: CommandService;
  /** Agents and their chat identities (AGENTS_FILE is upserted into it when the app is prepared). */
  readonly agents: MysqlAgentDirectory;
  /** SLA clocks and alerts; null when BUSINESS_CALENDAR_FILE or SLA_POLICIES_FILE was refused (the worker then refuses to start). */
  readonly sla: SlaService | null;
  close(): Promise<void>;
}

/**
 * Starts the project-local services this config relies on (those whose URL is not set), so that
 * every command works on a fresh checkout with no configuration.
 */
export async function ensureLocalServices(config: Config, log: (line: string) => void, extra: readonly LocalServiceName[] = []): Promise<void> {
  const wanted: LocalServiceName[] = [...extra];
  if (config.database.local) wanted.push('mariadb');
  if (config.redis.local) wanted.push('redis');
  if (wanted.length === 0) return;
  await servicesUp({ dataDir: config.dataDir, services: [...new Set(wanted)], log });
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
      log(`created the legacy tables ___xtr_msg and ___xtr_customer in the local development database "${database.name}"`);
    } else {
      throw new AppError(
        'db.legacy_missing',
        `The shop's table${present.length ? '' : 's'} ${['___xtr_msg', '___xtr_customer'].filter((t) => !present.includes(t)).join(' and ')} ${present.length ? 'is' : 'are'} missing in database "${database.name}". Point DATABASE_URL at the shop's database, or create them in a development database with "npx ticketrelay db create-legacy".`,
      );
    }
  }
  await runMigrations(database);
}

export async function createApp(config: Config, options: { logger?: AppLogger; prepare?: boolean } = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  for (const warning of config.warnings) logger.warn({ component: 'config' }, warning);
  await ensureLocalServices(config, (line) => logger.info({ component: 'services' }, line));
  const database = openDatabase({ url: config.database.url, poolSize: config.database.poolSize });
  try {
    if (options.prepare !== false) await prepareDatabase(database, config, (line) => logger.info({ component: 'db' }, line));
  } catch (error) {
    // The pool's idle connection would keep the process alive after the error was said.
    await database.close().catch(() => undefined);
    throw error;
  }
  const store = new MysqlIntakeStore(database);
  const sender = new NodemailerMailSender({ smtpUrl: config.smtp.url, outboxDir: config.smtp.outboxDir });
  const triage = new BullmqTriageQueue({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix });
  const outbox = new OutboxService({ store, sender, from: { address: config.mail.supportAddress, name: config.mail.supportName }, logger });
  // Parsing runs in worker threads, beside the main thread that stores (see bench:intake).
  const parser = new ParsePoolEmailParser({ attachmentDir: config.intake.attachmentDir, attachmentMaxBytes: config.intake.attachmentMaxBytes });
  const intake = new IntakeService({
    parser,
    store,
    triage,
    outbox,
    quarantine: new FileQuarantine(config.intake.rejectedDir),
    logger,
    settings: {
      ownAddresses: config.mail.ownAddresses,
      messageIdDomain: config.mail.messageIdDomain,
      supportAddress: config.mail.supportAddress,
      supportName: config.mail.supportName,
      ackEnabled: config.intake.ackEnabled,
      ackMaxPerHour: config.intake.ackMaxPerHour,
      reopenOnReply: config.intake.reopenOnReply,
      defaultLanguage: config.intake.defaultLanguage,
    },
  });
  const agents = new MysqlAgentDirectory(database, { discordAgentRoles: config.discord.agentRoles });
  const closeAll = async () => {
    await outbox.idle();
    await parser.close();
    await triage.close();
    sender.close();
    await database.close();
    logger.flush();
  };
  let notifiers: ChatNotifier[];
  try {
    if (config.agentsFile && options.prepare !== false) {
      const defined = await loadAgentsFile(config.agentsFile);
      for (const agent of defined) await agents.upsert(agent);
      logger.info({ component: 'agents', count: defined.length }, `${defined.length} agent(s) from AGENTS_FILE registered`);
    }
    // Slack's and Discord's notify channels when configured (their SDKs load only then).
    notifiers = [new ConsoleNotifier({ logger }), ...(await createChatNotifiers(config, database, logger))];
  } catch (error) {
    // A bad AGENTS_FILE (or chat setup) must end the command, not leave the pool and workers running.
    await closeAll().catch(() => undefined);
    throw error;
  }
  const reports = new MysqlReportStore(database);
  // SLA clocks for /ticket view and list due. A calendar or policies file that is refused stops the
  // worker (which posts the alerts); other commands say why the clocks are missing instead of failing.
  let sla: SlaService | null = null;
  let slaCommands: SlaCommands;
  try {
    const setup = await loadSlaSetup(config);
    sla = new SlaService({ store: new MysqlSlaStore(database), ...setup, notifiers, logger });
    slaCommands = sla;
  } catch (error) {
    const problem = describeError(error);
    logger.warn({ component: 'sla', err: problem }, 'SLA clocks unavailable');
    slaCommands = {
      describe: () => Promise.resolve([`SLA clocks unavailable: ${problem.split('\n').join(' ')}`]),
      explain: () => Promise.resolve([`SLA clocks unavailable: ${problem.split('\n').join(' ')}`]),
      due: () => Promise.reject(new AppError('sla.unavailable', `SLA clocks are unavailable: ${problem}`)),
    };
  }
  const commands = new CommandService({
    store: new MysqlTicketStore(database),
    agents,
    outbox,
    logger,
    messageIdDomain: config.mail.messageIdDomain,
    supportName: config.mail.supportName,
    // `/ticket export`: the same file as `ticketrelay export`, days in the digest's time zone.
    exporter: (request) => exportToBuffer(reports, { ...request, timeZone: config.digest.timezone }),
    timeZone: config.digest.timezone,
    attachmentMaxBytes: config.intake.attachmentMaxBytes,
    sla: slaCommands,
    templates: new MysqlTemplateStore(database),
  });
  const metrics = new MetricsRegistry();
  instrumentIntake(intake, metrics);
  instrumentCommands(commands, metrics);
  return {
    config,
    logger,
    database,
    intake,
    outbox,
    metrics,
    commands,
    agents,
    sla,
    notifiers,
    close: closeAll,
  };
}

