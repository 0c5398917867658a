/**
 * Composition root: builds the adapters from the config, wires the services, and closes it all.
 * No DI container: plain factories. With src/roles/ (which start what each role runs on this App), the
 * only place where adapters and the core meet. The App it returns holds services and ports only: no
 * database handle and no Mysql* type leaves this file. The project-local development services are
 * not started here: the CLI does that before it builds the app (adapters/cli/build-app.ts).
 */
import { MysqlTemplateStore } from '../adapters/mysql/mysql-template-store.ts';
import { SpamReviewService } from './services/review-spam.ts';
import { createLogger, type AppLogger } from '../adapters/logging/pino-logger.ts';
import { openDatabase } from '../adapters/mysql/database.ts';
import { prepareDatabase, wireIntake, type IntakeOptions } from './intake-app.ts';
import type { IntakeService } from './services/ingest-email.ts';
import type { OutboxService } from './services/deliver-outbox.ts';
import { MysqlExportStore } from '../adapters/mysql/mysql-export-store.ts';
import { MysqlReportStore } from '../adapters/mysql/mysql-report-store.ts';
import { MysqlSupportApiStore } from '../adapters/mysql/mysql-support-api-store.ts';
import { ConsoleNotifier } from '../adapters/console/console-notifier.ts';
import { createChatNotifiers } from './roles/chat-notifiers.ts';
import { AppError } from './domain/errors.ts';
import { commandMetrics, intakeMetrics, MetricsRegistry } from './services/metrics.ts';
import { limitCommands, RateLimiter } from './domain/rate-limit.ts';
import type { Config } from './config.ts';
import type { ChatPlatform } from './domain/platform.ts';
import type { AgentRegistry } from './ports/agent-directory.ts';
import type { ChatNotifier } from './ports/chat-notifier.ts';
import type { DigestLedger } from './ports/digest-publisher.ts';
import type { LegacySync } from './ports/legacy-sync.ts';
import type { MailboxCheckpointStore } from './ports/mailbox.ts';
import type { ChatPostLedger, NoticeFeed } from './ports/notice-feed.ts';
import type { OperationsStore } from './ports/operations-store.ts';
import type { ExportStore } from './ports/export-store.ts';
import type { ReportStore } from './ports/report-store.ts';
import type { SupportApiStore } from './ports/support-api-store.ts';
import type { TriageRecords, TriageStore } from './ports/triage-store.ts';
import type { PacedChatNotifier } from './services/paced-chat-notifier.ts';
import { CommandService } from './services/run-command.ts';
import { TicketStatusService } from './services/set-ticket-status.ts';
import { MysqlAgentDirectory } from '../adapters/mysql/mysql-agent-directory.ts';
import { MysqlChatPostLedger } from '../adapters/mysql/mysql-chat-post-ledger.ts';
import { MysqlLegacySync } from '../adapters/mysql/legacy-sync.ts';
import { MysqlMailboxCheckpoints } from '../adapters/mysql/mysql-mailbox-checkpoints.ts';
import { MysqlOperationsStore } from '../adapters/mysql/mysql-operations-store.ts';
import { MysqlTicketNoticeFeed } from '../adapters/mysql/mysql-ticket-notice-feed.ts';
import { MysqlTicketStore } from '../adapters/mysql/mysql-ticket-store.ts';
import { MysqlTriageStore } from '../adapters/mysql/mysql-triage-store.ts';
import { loadAgentsFile } from '../adapters/files/agents-file.ts';

/**
 * The stores the roles and commands use, as ports: the database behind them is built here once and
 * never leaves this file.
 */
export interface AppStores {
  /** IMAP checkpoints (the intake role). */
  readonly checkpoints: MailboxCheckpointStore;
  /** Triage's reads and writes (the worker role), and its stored results (`triage explain|train`, the demo). */
  readonly triage: TriageStore & TriageRecords;
  /** The digest's figures (the scheduler role, `digest`): no statement budget. */
  readonly reports: ReportStore;
  /** The export's pages (`export`, `/ticket export`): each query within DB_EXPORT_BUDGET_MS. */
  readonly exports: ExportStore;
  /** The old web module's reads (the http role's API): each query within DB_QUERY_BUDGET_MS. */
  readonly supportApi: SupportApiStore;
  /** One digest post per channel and day. */
  readonly digestLedger: DigestLedger;
  /** Which chat message announced which ticket (the bots role's notices, escalations). */
  readonly chatPosts: ChatPostLedger;
  /** The notices one channel has not been told about (the bots role). */
  noticeFeed(platform: ChatPlatform, channel: string): NoticeFeed;
  /** The pass that takes in what the old site did (the worker role). */
  readonly legacy: LegacySync;
  /** /readyz and /metrics (the http role): each query within DB_QUERY_BUDGET_MS. */
  readonly operations: OperationsStore;
  /** SLA clocks and their alerts (the worker role, /ticket view, sla commands). */
  readonly sla: SlaStore;
  /** Automatic assignment: decisions under lock, the queue, absences (the worker role, /ticket away|back). */
  readonly assignment: AssignmentStore;
}
import { loadSlaSetup } from '../adapters/files/sla-files.ts';
import { MysqlSlaStore } from '../adapters/mysql/mysql-sla-store.ts';
import type { SlaStore } from './ports/sla-store.ts';
import { SlaService } from './services/check-sla.ts';
import type { SlaCommands } from './services/run-command.ts';
import { describeError } from './domain/errors.ts';
import { loadCalendar } from '../adapters/files/sla-files.ts';
import { loadAssignmentFile } from '../adapters/files/assignment-file.ts';
import { MysqlAssignmentStore } from '../adapters/mysql/mysql-assignment-store.ts';
import type { AssignmentStore } from './ports/assignment-store.ts';
import { AssignmentService, type AssignmentCommands } from './services/assign-ticket.ts';

export interface App {
  readonly config: Config;
  readonly logger: AppLogger;
  readonly intake: IntakeService;
  readonly outbox: OutboxService;
  /** This process's metrics (served by the http role's /metrics); the intake is instrumented. */
  readonly metrics: MetricsRegistry;
  /**
   * Where escalations and other ticket notices go: the console always; chat adapters push theirs
   * (before the worker role starts). The triage service reads this list at each notice.
   */
  readonly notifiers: ChatNotifier[];
  /** The Slack and Discord channel notifiers among `notifiers` (the bots role feeds them new tickets and replies). */
  readonly channelNotifiers: PacedChatNotifier[];
  /** The /ticket commands, for Slack, Discord, the console and `ticketrelay command`. */
  readonly commands: CommandService;
  /** Close and reopen on behalf of the old web module: the same rule as /ticket close|reopen. */
  readonly statuses: TicketStatusService;
  /** Agents and their chat identities (AGENTS_FILE is upserted into it when the app is prepared). */
  readonly agents: AgentRegistry;
  readonly stores: AppStores;
  /** Spam held for review (list, release) and the breaker of automatic mail. */
  readonly spam: SpamReviewService;
  /**
   * Parts of this process that are down for good until an operator acts ("slack" → "down: token
   * refused"), set by the roles that own them; /readyz reports them, the other roles go on.
   */
  readonly down: Map<string, string>;
  /** SLA clocks and alerts; null when BUSINESS_CALENDAR_FILE or SLA_POLICIES_FILE was refused (the worker then refuses to start). */
  readonly sla: SlaService | null;
  /** Automatic assignment; null when ASSIGNMENT_FILE (or the calendar) was refused (the worker then refuses to start). */
  readonly assignment: AssignmentService | null;
  close(): Promise<void>;
}

export type AppOptions = IntakeOptions;

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  for (const warning of config.warnings) logger.warn({ component: 'config' }, warning);
  const shortLived = options.shortLived === true;
  const database = openDatabase({ url: config.database.url, poolSize: config.database.poolSize, shortLived });
  try {
    if (options.prepare !== false)
      await prepareDatabase(database, config, (line) => logger.info({ component: 'db' }, line));
  } catch (error) {
    // The pool's idle connection would keep the process alive after the error was said.
    await database.close().catch(() => undefined);
    throw error;
  }
  const { intake, outbox, spamStore, spamArchive, close: closeIntake } = wireIntake(database, config, logger, options);
  const interactiveDatabase = openDatabase({
    url: config.database.url,
    poolSize: config.database.poolSize,
    queryBudget: { ms: config.database.queryBudgetMs, variable: 'DB_QUERY_BUDGET_MS' },
    shortLived,
  });
  // Exports read page after page: a budget of their own, on a small pool of their own.
  const exportDatabase = openDatabase({
    url: config.database.url,
    poolSize: 2,
    queryBudget: { ms: config.database.exportBudgetMs, variable: 'DB_EXPORT_BUDGET_MS' },
    shortLived,
  });
  const agents = new MysqlAgentDirectory(database, { discordAgentRoles: config.discord.agentRoles });
  const closeAll = async () => {
    await closeIntake();
    await interactiveDatabase.close();
    await exportDatabase.close();
    await database.close();
    logger.flush();
  };
  const chatPosts = new MysqlChatPostLedger(database);
  let channelNotifiers: PacedChatNotifier[];
  try {
    if (config.agentsFile && options.prepare !== false) {
      const defined = await loadAgentsFile(config.agentsFile);
      for (const agent of defined) await agents.upsert(agent);
      logger.info(
        { component: 'agents', count: defined.length },
        `${defined.length} agent(s) from AGENTS_FILE registered`,
      );
    }
    // Slack's and Discord's notify channels when configured (their SDKs load only then).
    channelNotifiers = await createChatNotifiers(config, chatPosts, logger);
  } catch (error) {
    // A bad AGENTS_FILE (or chat setup) must end the command, not leave the pool and workers running.
    await closeAll().catch(() => undefined);
    throw error;
  }
  const notifiers: ChatNotifier[] = [new ConsoleNotifier({ logger }), ...channelNotifiers];
  const reports = new MysqlReportStore(database);
  const exports = new MysqlExportStore(exportDatabase);
  const stores: AppStores = {
    checkpoints: new MysqlMailboxCheckpoints(database),
    triage: new MysqlTriageStore(database),
    reports,
    exports,
    supportApi: new MysqlSupportApiStore(interactiveDatabase),
    digestLedger: reports,
    chatPosts,
    noticeFeed: (platform, channel) => new MysqlTicketNoticeFeed({ database, platform, channel }),
    legacy: new MysqlLegacySync(database),
    operations: new MysqlOperationsStore(interactiveDatabase),
    sla: new MysqlSlaStore(database),
    assignment: new MysqlAssignmentStore(database),
  };
  const spam = new SpamReviewService({ store: spamStore, breaker: spamStore, archive: spamArchive, intake, logger });
  // SLA clocks for /ticket view and list due. A calendar or policies file that is refused stops the
  // worker (which posts the alerts); other commands say why the clocks are missing instead of failing.
  let sla: SlaService | null = null;
  let slaCommands: SlaCommands;
  try {
    const setup = await loadSlaSetup(config);
    sla = new SlaService({ store: stores.sla, ...setup, notifiers, direct: channelNotifiers, logger });
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
  // Automatic assignment: a refused ASSIGNMENT_FILE stops the worker; commands say why instead of failing.
  let assignment: AssignmentService | null = null;
  let assignmentCommands: AssignmentCommands;
  try {
    const calendar = sla?.calendar ?? (await loadCalendar(config));
    const settings = await loadAssignmentFile(config.assignment.file, calendar);
    assignment = new AssignmentService({
      store: stores.assignment,
      settings,
      calendar,
      notifiers,
      // An at-risk reassignment tells both agents directly (the platforms we post to).
      direct: channelNotifiers,
      logger,
    });
    assignmentCommands = assignment;
  } catch (error) {
    const problem = describeError(error).split('\n').join(' ');
    logger.warn({ component: 'assignment', err: problem }, 'automatic assignment unavailable');
    const unavailable = () => Promise.resolve(`Automatic assignment is unavailable: ${problem}`);
    assignmentCommands = {
      away: unavailable,
      back: unavailable,
      stats: unavailable,
      describe: async () => [await unavailable()],
      drain: () => Promise.resolve(0),
      reopened: () => Promise.resolve(null),
      capacity: () => Promise.resolve(null),
    };
  }
  const commands = new CommandService({
    store: new MysqlTicketStore(interactiveDatabase),
    agents,
    outbox,
    logger,
    messageIdDomain: config.mail.messageIdDomain,
    supportName: config.mail.supportName,
    // `/ticket export`: the same file as `ticketrelay export`, days in the digest's time zone.
    exporter: async (request) => {
      const { exportToBuffer } = await import('../adapters/export/export-file.ts'); // exceljs: only for an export
      return exportToBuffer(exports, { ...request, timeZone: config.digest.timezone });
    },
    timeZone: config.digest.timezone,
    attachmentMaxBytes: config.intake.attachmentMaxBytes,
    spam,
    sla: slaCommands,
    templates: new MysqlTemplateStore(database),
    assignment: assignmentCommands,
  });
  const metrics = new MetricsRegistry();
  intake.onResult(intakeMetrics(metrics));
  commands.onAnswer(commandMetrics(metrics));
  limitCommands(commands, new RateLimiter(config.commandRate));
  return {
    config,
    logger,
    intake,
    outbox,
    metrics,
    commands,
    // The HTTP API's status changes run within the statement budget, as commands do.
    statuses: new TicketStatusService({ store: new MysqlTicketStore(interactiveDatabase) }),
    agents,
    spam,
    sla,
    assignment,
    notifiers,
    channelNotifiers,
    stores,
    down: new Map(),
    close: closeAll,
  };
}
