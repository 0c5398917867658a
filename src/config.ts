/**
 * process.env → one validated, frozen Config. The only module that reads process.env.
 * With no DATABASE_URL / REDIS_URL the project-local services under .data/ are used (and started).
 */
import { DEFAULT_SUPPORT_ADDRESS, parseLmtpListen, type LmtpListen } from './lmtp-target.ts';
import { closestWord } from './domain/wording.ts';
import { BlockList, isIP } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { AppError } from './domain/errors.ts';
import type { Rate } from './domain/rate-limit.ts';

// drizzle-kit loads this file as CommonJS, where import.meta is empty: it runs from the project root.
// Compiled, this file is dist/src/config.js: the project is the folder above dist/ (the one with package.json).
const ABOVE_SRC = import.meta.dirname ? path.resolve(import.meta.dirname, '..') : process.cwd();
export const PROJECT_ROOT = existsSync(path.join(ABOVE_SRC, 'package.json')) ? ABOVE_SRC : path.dirname(ABOVE_SRC);

/** The project-local development services (see adapters/local-services). */
export const LOCAL_DEFAULTS = {
  databaseUrl: 'mysql://ticketrelay:ticketrelay@127.0.0.1:33306/ticketrelay',
  testDatabaseUrl: 'mysql://ticketrelay:ticketrelay@127.0.0.1:33306/ticketrelay_test',
  redisUrl: 'redis://127.0.0.1:36379',
} as const;

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|k|mb|m|gb|g)?$/i, 'a size such as 10MB, 512KB or 1048576')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
    const n = Number(m?.[1] ?? 0);
    const unit = (m?.[2] ?? '').toLowerCase();
    const mult = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
    return Math.round(n * mult);
  });

const mysqlUrl = z
  .string()
  .refine((u) => /^(mysql|mariadb):\/\/[^/]/.test(u) && URL.canParse(u), {
    message: 'a mysql:// URL such as mysql://user:pass@host:3306/shop',
    abort: true,
  })
  .refine(
    (u) => !URL.canParse(u) || new URL(u).pathname.replace(/^\//, '') !== '',
    'the database name is missing at the end, e.g. mysql://user:pass@host:3306/shop',
  );
// One sentence for a URL that is wrong in any way (not "Invalid URL" and then the expected form).
const redisUrl = z
  .string()
  .refine((u) => /^rediss?:\/\/./.test(u) && URL.canParse(u), 'a redis:// URL such as redis://127.0.0.1:6379');
const spamFilterUrl = z
  .string()
  .refine(
    (u) => /^spamd:\/\/[^/:]+(:\d{1,5})?\/?$/.test(u) && URL.canParse(u),
    "spamd://HOST:PORT, SpamAssassin's spamd, e.g. spamd://127.0.0.1:783",
  );
const smtpUrl = z
  .string()
  .refine(
    (u) => /^smtps?:\/\/./.test(u) && URL.canParse(u),
    'an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587',
  );

const RATE_UNITS: Record<string, number> = {
  s: 1_000,
  sec: 1_000,
  second: 1_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** "5/min", "30/hour", "1000/day", or several joined by commas: each window is enforced. */
const rates = z
  .string()
  .regex(
    /^\s*\d+\s*\/\s*(s|sec|second|min|minute|h|hour|day)\s*(,\s*\d+\s*\/\s*(s|sec|second|min|minute|h|hour|day)\s*)*$/i,
    'one or more limits such as 5/min or 5/min,30/hour (per second, min, hour or day)',
  )
  .transform((v) => list(v).map(parseRate));

const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: mysqlUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  SMTP_URL: smtpUrl.optional(),
  // Plain SMTP (no TLS, the password in clear) only when explicitly allowed, e.g. a loopback relay.
  SMTP_ALLOW_PLAIN: bool.default(false),
  DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SUPPORT_ADDRESS: z.string().email().default(DEFAULT_SUPPORT_ADDRESS),
  SUPPORT_NAME: z.string().min(1).default('Support'),
  SUPPORT_ADDITIONAL_ADDRESSES: z.string().default(''),
  MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'a domain name such as shop.example')
    .optional(),
  ACK_ENABLED: bool.default(true),
  ACK_MAX_PER_HOUR: z.coerce.number().int().min(0).max(1000).default(5),
  ACK_MAX_PER_TICKET: z.coerce.number().int().min(0).max(100).default(1),
  ACK_MAX_TOTAL_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(500),
  ACK_UNAUTHENTICATED: z.enum(['send', 'skip']).default('send'),
  // Spam: the local filter, and whose Authentication-Results are believed.
  SPAM_FILTER: spamFilterUrl.optional(),
  SPAM_TRUSTED_AUTHSERV_ID: z
    .string()
    .regex(
      /^[^\s;()]+$/,
      'one authserv-id, as your mail server writes it first in Authentication-Results (e.g. mx.shop.example)',
    )
    .optional(),
  BOUNCE_VERP: bool.default(false),
  REOPEN_ON_REPLY: bool.default(true),
  DEFAULT_LANGUAGE: z.enum(['fr', 'en']).default('fr'),
  ATTACHMENT_MAX_BYTES: bytes.default(10 * 1024 * 1024),
  MESSAGE_MAX_BYTES: bytes.default(60 * 1024 * 1024),
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, - and _')
    .default('ticketrelay'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // The time budget of each query the HTTP API and the chat commands run (max_statement_time).
  DB_QUERY_BUDGET_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  // The time budget of each query of an export (`export`, /ticket export): pages of 500 tickets, read in a row.
  DB_EXPORT_BUDGET_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  // Mailboxes: IMAP_URL for one (named "support"), or IMAP_MAILBOXES=support,billing with IMAP_<NAME>_* each.
  IMAP_MAILBOXES: z
    .string()
    .regex(/^\s*[a-z][a-z0-9_]*(\s*,\s*[a-z][a-z0-9_]*)*\s*$/i, 'comma-separated mailbox names such as support,billing')
    .optional(),
  IMAP_LEASE_SECONDS: z.coerce.number().int().min(3).max(600).default(15),
  // Triage worker.
  TRIAGE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
  TRIAGE_RULES_FILE: z.string().min(1).optional(),
  TRIAGE_MODEL_FILE: z.string().min(1).optional(),
  TRIAGE_SWEEP_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  VIP_CUSTOMERS: z.string().default(''),
  // Agents (also managed with `ticketrelay agents`): a JSON file listing them.
  AGENTS_FILE: z.string().min(1).optional(),
  // Slack.
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().min(1).optional(),
  SLACK_SOCKET_MODE: bool.default(false),
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_API_URL: z.string().url().optional(),
  SLACK_NOTIFY_CHANNEL: z.string().min(1).optional(),
  SLACK_DIGEST_CHANNELS: z.string().default(''),
  // Discord.
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'a numeric application id').optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d+$/, 'a numeric guild id').optional(),
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'the 64-hex-digit public key')
    .optional(),
  DISCORD_API_URL: z.string().url().optional(),
  DISCORD_NOTIFY_CHANNEL: z.string().regex(/^\d+$/, 'a numeric channel id').optional(),
  DISCORD_DIGEST_CHANNELS: z.string().default(''),
  DISCORD_AGENT_ROLES: z.string().default(''),
  // Chat notices (both platforms): messages per channel and minute before the rest is one summary line;
  // how long a stopping process still posts waiting notices (the rest waits for the next start).
  CHAT_NOTICES_PER_MINUTE: z.coerce.number().int().min(1).max(60).default(12),
  CHAT_STOP_SECONDS: z.coerce.number().min(0).max(120).default(5),
  // Daily digest.
  DIGEST_CRON: z.string().min(1).default('0 8 * * *'),
  DIGEST_TIMEZONE: z.string().min(1).default('Europe/Paris'),
  // Business calendar and SLA clocks.
  BUSINESS_CALENDAR_FILE: z.string().min(1).optional(),
  SLA_POLICIES_FILE: z.string().min(1).optional(),
  SLA_CHECK_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  // Automatic assignment.
  ASSIGNMENT_FILE: z.string().min(1).optional(),
  // HTTP server (health, metrics, the old module's API).
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(512),
  // name:scope[+scope]:token, comma-separated (parsed by apiTokens below: its messages never echo a token).
  API_TOKENS: z.string().default(''),
  API_RATE_PER_TOKEN: rates.default(parseRates('600/min')),
  // /ticket commands and buttons per chat or console user.
  COMMAND_RATE_PER_USER: rates.default(parseRates('120/min')),
  // The web form (POST /api/support/contact): per client address, and for everyone together.
  FORM_RATE_PER_IP: rates.default(parseRates('5/min,20/hour')),
  FORM_RATE_TOTAL: rates.default(parseRates('300/hour')),
  // Peers whose X-Forwarded-For is believed (the operator's reverse proxy): addresses or CIDR ranges.
  TRUSTED_PROXIES: z.string().default(''),
  // The key that lets `console`/`command --as NAME` act as a manager (given with --key or CONSOLE_KEY).
  CONSOLE_MANAGER_KEY: z.string().optional(),
  CONSOLE_KEY: z.string().optional(),
  LMTP_LISTEN: z
    .string()
    .refine((v) => parseLmtpListen(v) !== null, 'unix:/path/to/lmtp.sock, or host:port such as 127.0.0.1:2424')
    .optional(),
});

const AFTER = ['seen', 'move', 'none'] as const;
const MailboxEnvSchema = z.object({
  URL: z
    .string()
    .url()
    .refine(
      (u) => /^imaps?:\/\//.test(u),
      'an imap:// or imaps:// URL such as imaps://support%40shop.example:secret@imap.shop.example/INBOX',
    ),
  AFTER: z.enum(AFTER).default('seen'),
  PROCESSED_FOLDER: z.string().min(1).default('Processed'),
  QUARANTINE_FOLDER: z.string().min(1).default('Quarantine'),
  CATEGORY: z.enum(['general', 'technical', 'billing', 'complaint', 'suggestion']).optional(),
  ALLOW_PLAIN: bool.default(false),
  STARTTLS: bool.default(true),
  POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
});

export interface MailboxConfig {
  /** Our name for it: the checkpoint's and the lease's key, shown in logs and status. */
  readonly name: string;
  /** The prefix of its variables (IMAP_ or IMAP_BILLING_), so that a message can name the one to fix. */
  readonly envPrefix: string;
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (imaps://). */
  readonly secure: boolean;
  /** Upgrade a plain connection with STARTTLS; required unless allowPlain. */
  readonly starttls: boolean;
  /** Plain text only when explicitly allowed (e.g. loopback). */
  readonly allowPlain: boolean;
  readonly user: string;
  readonly password: string;
  readonly folder: string;
  /** What happens to a message once its rows are committed. */
  readonly after: (typeof AFTER)[number];
  readonly processedFolder: string;
  readonly quarantineFolder: string;
  /** Triage's default category hint for this mailbox's tickets. */
  readonly category: 'general' | 'technical' | 'billing' | 'complaint' | 'suggestion' | null;
  /** Polling interval where the server lacks IDLE. */
  readonly pollSeconds: number;
  readonly batchSize: number;
}

export interface Config {
  /** Variables that look like ours but are not (a typo like SUPPORT_ADRESS): said at start, not refused. */
  readonly warnings: readonly string[];
  readonly env: string;
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Whether LOG_LEVEL was set: commands that talk to a person log only warnings unless it was. */
  readonly logLevelSet: boolean;
  readonly database: {
    readonly url: string;
    readonly local: boolean;
    readonly poolSize: number;
    /** Each query of the HTTP API and of chat commands is stopped after this long (ms). */
    readonly queryBudgetMs: number;
    /** Each query of an export is stopped after this long (ms). */
    readonly exportBudgetMs: number;
  };
  /** /ticket commands and buttons per caller (chat or console user). */
  readonly commandRate: readonly Rate[];
  readonly redis: { readonly url: string; readonly local: boolean; readonly queuePrefix: string };
  /** allowPlain: SMTP without TLS (the password in clear) is allowed; otherwise smtps:// or STARTTLS is required. */
  readonly smtp: { readonly url: string | null; readonly outboxDir: string; readonly allowPlain: boolean };
  readonly mail: {
    readonly supportAddress: string;
    readonly supportName: string;
    /** Every address that is ours: never a customer, never acknowledged. */
    readonly ownAddresses: readonly string[];
    /** Domain of the Message-IDs we generate; mail carrying it is our own coming back. */
    readonly messageIdDomain: string;
  };
  readonly intake: {
    readonly ackEnabled: boolean;
    /** Acknowledgements per normalised mailbox per hour. */
    /** Outgoing mail's envelope sender is support+bounce-<token>@domain, so a bounce names the email it is about. */
    readonly bounceVerp: boolean;
    readonly ackMaxPerHour: number;
    /** Automatic emails per ticket per hour. */
    readonly ackMaxPerTicket: number;
    /** Automatic emails in all per hour: reaching it trips the breaker that stops them all until reset. */
    readonly ackMaxTotalPerHour: number;
    /** A sender our mail server reported no authentication for: acknowledged ('send') or not ('skip'). */
    readonly ackUnauthenticated: 'send' | 'skip';
    readonly reopenOnReply: boolean;
    /** Language of our mail when the customer's cannot be told. */
    readonly defaultLanguage: 'fr' | 'en';
    readonly attachmentDir: string;
    readonly rejectedDir: string;
    readonly attachmentMaxBytes: number;
    readonly messageMaxBytes: number;
    readonly concurrency: number;
  };
  readonly imap: { readonly mailboxes: readonly MailboxConfig[]; readonly leaseSeconds: number };
  readonly spam: {
    /** SPAM_FILTER: SpamAssassin's spamd asked about each email from a person (null: the mail server's headers alone decide). */
    readonly filter: { readonly kind: 'spamd'; readonly host: string; readonly port: number } | null;
    /** SPAM_TRUSTED_AUTHSERV_ID: only the Authentication-Results our server wrote under this id are believed. */
    readonly trustedAuthservId: string | null;
    /** Where the raw bytes of spam are kept for review. */
    readonly dir: string;
  };
  readonly triage: {
    readonly concurrency: number;
    readonly rulesFile: string | null;
    readonly modelFile: string;
    readonly sweepSeconds: number;
    readonly vipCustomers: readonly string[];
  };
  readonly agentsFile: string | null;
  readonly slack: {
    readonly botToken: string | null;
    readonly signingSecret: string | null;
    readonly appToken: string | null;
    readonly socketMode: boolean;
    readonly port: number;
    /** Web API base URL (tests point it at a local recording server). */
    readonly apiUrl: string | null;
    readonly notifyChannel: string | null;
    readonly digestChannels: readonly string[];
  };
  readonly discord: {
    readonly token: string | null;
    readonly applicationId: string | null;
    readonly guildId: string | null;
    readonly publicKey: string | null;
    readonly apiUrl: string | null;
    readonly notifyChannel: string | null;
    readonly digestChannels: readonly string[];
    readonly agentRoles: readonly string[];
  };
  readonly chat: { readonly noticesPerMinute: number; readonly stopSeconds: number };
  readonly digest: { readonly cron: string; readonly timezone: string };
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly maxConnections: number;
    /** Bearer tokens of the API; none: only the public form, /healthz and /readyz's up/down answer. */
    readonly tokens: readonly ApiToken[];
    readonly ratePerToken: readonly Rate[];
    readonly formRatePerIp: readonly Rate[];
    readonly formRateTotal: readonly Rate[];
    /** Addresses and CIDR ranges of reverse proxies whose X-Forwarded-For is believed. */
    readonly trustedProxies: readonly string[];
  };
  readonly console: {
    /** Lets `--as` act as a manager when the same key is given (--key or CONSOLE_KEY); null: never. */
    readonly managerKey: string | null;
    /** The key given in the environment (CONSOLE_KEY), as --key would give it. */
    readonly key: string | null;
  };
  /** The `lmtp` role's socket (LMTP_LISTEN); null: the role is not configured. */
  readonly lmtp: { readonly listen: LmtpListen | null };
  /**
   * The shop's business calendar (BUSINESS_CALENDAR_FILE; none: Mon–Fri 09:00–18:00 in DIGEST_TIMEZONE
   * with France's holidays) and the SLA policies (SLA_POLICIES_FILE; none: the built-in ones), checked by
   * the worker every checkSeconds (0: never).
   */
  readonly sla: {
    readonly calendarFile: string | null;
    readonly policiesFile: string | null;
    readonly checkSeconds: number;
  };
  /** Automatic assignment's strategies, agents and rules (ASSIGNMENT_FILE; none: nobody is assigned automatically). */
  readonly assignment: { readonly file: string | null };
}

export type ApiScope = 'read' | 'write' | 'metrics';
export const API_SCOPES: readonly ApiScope[] = ['read', 'write', 'metrics'];
/** An API credential: its name is the actor of the changes made with it ("api:oldsite"). */
export interface ApiToken {
  readonly name: string;
  readonly scopes: readonly ApiScope[];
  readonly token: string;
}
/** Shorter tokens can be guessed or are typos; `openssl rand -hex 32` gives 64 characters. */
export const API_TOKEN_MIN_LENGTH = 32;

/** Parse the environment once. Every problem is reported at once, each with its variable's name. */
/**
 * The last configuration read, with the environment it was read from: a process asks more than once
 * (`ingest -` tries the hand-over to the lmtp role, then takes the email itself), and the schema's
 * parse is a good part of a short command's start. A changed environment is read again.
 */
let lastRead: { readonly env: string; readonly config: Config } | null = null;

export function loadConfig(given: NodeJS.ProcessEnv = process.env): Config {
  const key = JSON.stringify(given);
  if (lastRead?.env === key) return lastRead.config;
  const config = readConfig(given);
  lastRead = { env: key, config };
  return config;
}

function readConfig(given: NodeJS.ProcessEnv): Config {
  // `X=` (an EnvironmentFile line left empty) means "not set": the default applies, instead of a
  // boolean refused or a number read as 0. Not for URLs: an empty one is a mistake to report.
  const env = Object.fromEntries(
    Object.entries(given).filter(([key, value]) => value === undefined || value.trim() !== '' || key.endsWith('_URL')),
  );
  const parsed = EnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${plainIssue(issue)}`);
  const { mailboxes, problems: mailboxProblems } = loadMailboxes(env);
  problems.push(...mailboxProblems);
  const zone = env['DIGEST_TIMEZONE'];
  if (zone && !isTimeZone(zone))
    problems.push(`  DIGEST_TIMEZONE: "${zone}" is not an IANA time zone such as Europe/Paris`);
  const tokens = apiTokens(env['API_TOKENS'] ?? '');
  problems.push(...tokens.problems);
  const proxies = list(env['TRUSTED_PROXIES'] ?? '');
  const badProxy = proxies.filter((p) => !isAddressOrRange(p));
  if (badProxy.length)
    problems.push(
      `  TRUSTED_PROXIES: ${badProxy.map((p) => `"${p}"`).join(', ')} ${badProxy.length === 1 ? 'is not an address or a range' : 'are not addresses or ranges'}; write e.g. 127.0.0.1,10.0.0.0/8,::1`,
    );
  const managerKey = env['CONSOLE_MANAGER_KEY'];
  if (managerKey !== undefined && managerKey.length < 16)
    problems.push('  CONSOLE_MANAGER_KEY: too short: at least 16 characters (e.g. openssl rand -hex 16)');
  const cron = env['DIGEST_CRON'];
  if (cron) {
    const problem = cronProblem(cron, zone && isTimeZone(zone) ? zone : 'UTC');
    if (problem) problems.push(`  DIGEST_CRON: ${problem}`);
  }
  if (!parsed.success || problems.length > 0) {
    throw new AppError(
      'config.invalid',
      `The configuration is not valid:\n${problems.join('\n')}\nSee .env.example for every variable.`,
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(PROJECT_ROOT, e.DATA_DIR ?? '.data');
  const supportAddress = e.SUPPORT_ADDRESS.toLowerCase();
  const extra = e.SUPPORT_ADDITIONAL_ADDRESSES.split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  const config: Config = {
    warnings: unknownVariables(
      env,
      mailboxes.map((m) => m.envPrefix),
    ),
    env: e.NODE_ENV ?? 'development',
    dataDir,
    logLevel: e.LOG_LEVEL,
    logLevelSet: env['LOG_LEVEL'] !== undefined,
    database: {
      url: e.DATABASE_URL ?? LOCAL_DEFAULTS.databaseUrl,
      local: e.DATABASE_URL === undefined,
      poolSize: e.DB_POOL_SIZE,
      queryBudgetMs: e.DB_QUERY_BUDGET_MS,
      exportBudgetMs: e.DB_EXPORT_BUDGET_MS,
    },
    commandRate: e.COMMAND_RATE_PER_USER,
    redis: {
      url: e.REDIS_URL ?? LOCAL_DEFAULTS.redisUrl,
      local: e.REDIS_URL === undefined,
      queuePrefix: e.QUEUE_PREFIX,
    },
    smtp: { url: e.SMTP_URL ?? null, outboxDir: path.join(dataDir, 'outbox'), allowPlain: e.SMTP_ALLOW_PLAIN },
    mail: {
      supportAddress,
      supportName: e.SUPPORT_NAME,
      ownAddresses: [supportAddress, ...extra],
      messageIdDomain: (e.MESSAGE_ID_DOMAIN ?? supportAddress.split('@')[1] ?? 'ticketrelay.local').toLowerCase(),
    },
    intake: {
      ackEnabled: e.ACK_ENABLED,
      bounceVerp: e.BOUNCE_VERP,
      ackMaxPerHour: e.ACK_MAX_PER_HOUR,
      ackMaxPerTicket: e.ACK_MAX_PER_TICKET,
      ackMaxTotalPerHour: e.ACK_MAX_TOTAL_PER_HOUR,
      ackUnauthenticated: e.ACK_UNAUTHENTICATED,
      reopenOnReply: e.REOPEN_ON_REPLY,
      defaultLanguage: e.DEFAULT_LANGUAGE,
      attachmentDir: path.join(dataDir, 'attachments'),
      rejectedDir: path.join(dataDir, 'rejected'),
      attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
      messageMaxBytes: e.MESSAGE_MAX_BYTES,
      concurrency: e.INGEST_CONCURRENCY,
    },
    imap: { mailboxes, leaseSeconds: e.IMAP_LEASE_SECONDS },
    spam: {
      filter: e.SPAM_FILTER ? spamFilterEndpoint(e.SPAM_FILTER) : null,
      trustedAuthservId: e.SPAM_TRUSTED_AUTHSERV_ID?.toLowerCase() ?? null,
      dir: path.join(dataDir, 'spam'),
    },
    triage: {
      concurrency: e.TRIAGE_CONCURRENCY,
      rulesFile: e.TRIAGE_RULES_FILE ? path.resolve(PROJECT_ROOT, e.TRIAGE_RULES_FILE) : null,
      modelFile: e.TRIAGE_MODEL_FILE
        ? path.resolve(PROJECT_ROOT, e.TRIAGE_MODEL_FILE)
        : path.join(dataDir, 'triage-model.json'),
      sweepSeconds: e.TRIAGE_SWEEP_SECONDS,
      vipCustomers: list(e.VIP_CUSTOMERS).map((a) => a.toLowerCase()),
    },
    agentsFile: e.AGENTS_FILE ? path.resolve(PROJECT_ROOT, e.AGENTS_FILE) : null,
    slack: {
      botToken: e.SLACK_BOT_TOKEN ?? null,
      signingSecret: e.SLACK_SIGNING_SECRET ?? null,
      appToken: e.SLACK_APP_TOKEN ?? null,
      socketMode: e.SLACK_SOCKET_MODE,
      port: e.SLACK_PORT,
      apiUrl: e.SLACK_API_URL ?? null,
      notifyChannel: e.SLACK_NOTIFY_CHANNEL ?? null,
      digestChannels: list(e.SLACK_DIGEST_CHANNELS),
    },
    discord: {
      token: e.DISCORD_TOKEN ?? null,
      applicationId: e.DISCORD_APPLICATION_ID ?? null,
      guildId: e.DISCORD_GUILD_ID ?? null,
      publicKey: e.DISCORD_PUBLIC_KEY ?? null,
      apiUrl: e.DISCORD_API_URL ?? null,
      notifyChannel: e.DISCORD_NOTIFY_CHANNEL ?? null,
      digestChannels: list(e.DISCORD_DIGEST_CHANNELS),
      agentRoles: list(e.DISCORD_AGENT_ROLES),
    },
    chat: { noticesPerMinute: e.CHAT_NOTICES_PER_MINUTE, stopSeconds: e.CHAT_STOP_SECONDS },
    digest: { cron: e.DIGEST_CRON, timezone: e.DIGEST_TIMEZONE },
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      tokens: tokens.tokens,
      ratePerToken: e.API_RATE_PER_TOKEN,
      formRatePerIp: e.FORM_RATE_PER_IP,
      formRateTotal: e.FORM_RATE_TOTAL,
      trustedProxies: proxies,
    },
    console: { managerKey: e.CONSOLE_MANAGER_KEY ?? null, key: e.CONSOLE_KEY ?? null },
    lmtp: { listen: e.LMTP_LISTEN ? parseLmtpListen(e.LMTP_LISTEN) : null },
    sla: {
      calendarFile: e.BUSINESS_CALENDAR_FILE ? path.resolve(PROJECT_ROOT, e.BUSINESS_CALENDAR_FILE) : null,
      policiesFile: e.SLA_POLICIES_FILE ? path.resolve(PROJECT_ROOT, e.SLA_POLICIES_FILE) : null,
      checkSeconds: e.SLA_CHECK_SECONDS,
    },
    assignment: { file: e.ASSIGNMENT_FILE ? path.resolve(PROJECT_ROOT, e.ASSIGNMENT_FILE) : null },
  };
  return deepFreeze(config);
}

/**
 * IMAP_URL (one mailbox, named "support", settings IMAP_*) or IMAP_MAILBOXES=a,b (settings IMAP_A_*, IMAP_B_*).
 * Every problem is reported with its variable's name; the password never appears in a message.
 */
function loadMailboxes(env: NodeJS.ProcessEnv): { mailboxes: MailboxConfig[]; problems: string[] } {
  const names = env['IMAP_MAILBOXES']
    ? list(env['IMAP_MAILBOXES']).map((n) => n.toLowerCase())
    : env['IMAP_URL']
      ? ['support']
      : [];
  const single = !env['IMAP_MAILBOXES'];
  const problems: string[] = [];
  const mailboxes: MailboxConfig[] = [];
  if (new Set(names).size !== names.length) problems.push('  IMAP_MAILBOXES: each mailbox name once');
  for (const name of names) {
    const prefix = single ? 'IMAP_' : `IMAP_${name.toUpperCase()}_`;
    const slice: Record<string, string | undefined> = {};
    for (const key of Object.keys(MailboxEnvSchema.shape)) slice[key] = env[prefix + key];
    const parsed = MailboxEnvSchema.safeParse(slice);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = `${prefix}${issue.path.join('.')}`;
        problems.push(
          `  ${key}: ${slice[String(issue.path[0])] === undefined ? `required for mailbox "${name}"` : plainIssue(issue)}`,
        );
      }
      continue;
    }
    const m = parsed.data;
    const url = new URL(m.URL);
    const secure = url.protocol === 'imaps:';
    if (!url.username) problems.push(`  ${prefix}URL: the user name is missing (imaps://USER:PASSWORD@host/INBOX)`);
    mailboxes.push({
      name,
      envPrefix: prefix,
      host: url.hostname,
      port: url.port ? Number(url.port) : secure ? 993 : 143,
      secure,
      starttls: m.STARTTLS,
      allowPlain: m.ALLOW_PLAIN,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      folder: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX',
      after: m.AFTER,
      processedFolder: m.PROCESSED_FOLDER,
      quarantineFolder: m.QUARANTINE_FOLDER,
      category: m.CATEGORY ?? null,
      pollSeconds: m.POLL_SECONDS,
      batchSize: m.BATCH_SIZE,
    });
  }
  return { mailboxes, problems };
}

function spamFilterEndpoint(value: string): { kind: 'spamd'; host: string; port: number } {
  const url = new URL(value);
  return { kind: 'spamd', host: url.hostname, port: url.port ? Number(url.port) : 783 };
}

/**
 * API_TOKENS: "name:scope[+scope]:token" entries, comma-separated. A problem names the entry by its
 * position and name, never by its token (a half-typed line may hold one).
 */
function apiTokens(value: string): { tokens: ApiToken[]; problems: string[] } {
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  const entries = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const at = `entry ${index + 1}`;
    const first = entry.indexOf(':');
    const second = first === -1 ? -1 : entry.indexOf(':', first + 1);
    if (first === -1 || second === -1) {
      problems.push(`  API_TOKENS: ${at} is not name:scope[+scope]:token (e.g. oldsite:read+write:<64 hex digits>)`);
      return;
    }
    const name = entry.slice(0, first).trim();
    const scopeText = entry.slice(first + 1, second).trim();
    const token = entry.slice(second + 1).trim();
    const label = /^[a-z0-9_.-]{1,64}$/i.test(name) ? `${at} ("${name}")` : at;
    if (!/^[a-z0-9_.-]{1,64}$/i.test(name))
      problems.push(`  API_TOKENS: ${at}: the name must be 1 to 64 letters, digits, ".", "_" or "-"`);
    const scopes = scopeText.split('+').map((s) => s.trim().toLowerCase());
    const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
    if (unknown.length || scopes.length === 0)
      problems.push(
        `  API_TOKENS: ${label}: the scopes must be read, write and/or metrics joined by + (e.g. read+write)`,
      );
    if (token.length < API_TOKEN_MIN_LENGTH)
      problems.push(
        `  API_TOKENS: ${label}: the token is too short: at least ${API_TOKEN_MIN_LENGTH} characters (openssl rand -hex 32)`,
      );
    else if (!/^[\x21-\x7e]+$/.test(token))
      problems.push(
        `  API_TOKENS: ${label}: the token may hold only visible ASCII characters, no spaces and no commas`,
      );
    if (tokens.some((t) => t.name.toLowerCase() === name.toLowerCase()))
      problems.push(`  API_TOKENS: ${label}: the name is used twice; give each token its own name`);
    if (tokens.some((t) => t.token === token))
      problems.push(`  API_TOKENS: ${label}: the same token is given twice; give each client its own`);
    tokens.push({ name, scopes: [...new Set(scopes)] as ApiScope[], token });
  });
  return { tokens, problems };
}

function parseRate(text: string): Rate {
  const [count, unit] = text.split('/').map((p) => p.trim().toLowerCase());
  return { limit: Number(count), windowMs: RATE_UNITS[unit ?? ''] ?? 60_000, text: `${Number(count)}/${unit}` };
}

function parseRates(text: string): Rate[] {
  return list(text).map(parseRate);
}

function isAddressOrRange(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  if (rest.length || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return false;
  try {
    new BlockList().addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    return true;
  } catch {
    return false;
  }
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Why BullMQ's scheduler would refuse this pattern (it parses with cron-parser too), or null. */
function cronProblem(pattern: string, timezone: string): string | null {
  const fields = pattern.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    return `"${pattern}" has ${fields} field${fields === 1 ? '' : 's'}; write minute hour day-of-month month day-of-week, e.g. "0 8 * * *" (08:00 every day)`;
  }
  try {
    // Loaded only when DIGEST_CRON is set: every command reads the config, few set the pattern.
    const requireHere = createRequire(import.meta.url ?? path.join(process.cwd(), 'config.cjs'));
    (requireHere('cron-parser') as { CronExpressionParser: typeof CronExpressionParser }).CronExpressionParser.parse(
      pattern,
      { tz: timezone },
    );
    return null;
  } catch (error) {
    return `"${pattern}" is not a cron pattern (${error instanceof Error ? error.message : String(error)}); e.g. "0 8 * * *" (08:00 every day)`;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Zod's wording where it is not a person's: a number variable given "abc" is "not a number", not "received NaN". */
function plainIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.expected === 'number')
    return 'must be a whole number (it is not a number)';
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number';
  if (issue.code === 'too_small' && issue.origin === 'number') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'invalid_value' && issue.values.length > 0)
    return `must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
}

/** Prefixes only ticketrelay's variables use: another name with one of them is most likely a typo. */
const OUR_PREFIXES = [
  'API_',
  'FORM_',
  'CONSOLE_',
  'TRUSTED_',
  'COMMAND_',
  'SPAM_',
  'BOUNCE_',
  'IMAP_',
  'SLACK_',
  'DISCORD_',
  'SUPPORT_',
  'SMTP_',
  'ACK_',
  'TRIAGE_',
  'DIGEST_',
  'INGEST_',
  'MESSAGE_',
  'AGENTS_',
  'VIP_',
  'QUEUE_',
  'DATABASE_',
  'REDIS_',
  'HTTP_',
  'LOG_',
  'DB_',
  'DATA_',
];
/** Other software's variables under those prefixes (proxies, mostly): never ours, never a typo of ours. */
const NOT_OURS = new Set(['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'HTTP_PROXY_USER', 'HTTP_PROXY_PASS', 'LOG_FORMAT']);

/** How many characters of a variable's name are not [A-Z0-9_]. */
function foreignCharacters(key: string): number {
  let n = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) n++;
  }
  return n;
}

/**
 * A sentence for each variable named like ours that nothing reads (SUPPORT_ADRESS, IMAP_ALLOW_PLAN),
 * with the closest known name: otherwise the typo silently leaves the default in place.
 */
function unknownVariables(env: NodeJS.ProcessEnv, mailboxPrefixes: readonly string[]): string[] {
  const mailboxKeys = Object.keys(MailboxEnvSchema.shape);
  const known = new Set([
    ...Object.keys(EnvSchema.shape),
    ...mailboxKeys.map((k) => `IMAP_${k}`),
    ...mailboxPrefixes.flatMap((p) => mailboxKeys.map((k) => p + k)),
  ]);
  const warnings: string[] = [];
  for (const key of Object.keys(env).sort()) {
    if (known.has(key) || NOT_OURS.has(key)) continue;
    // Ours by prefix, or a near miss of one of our names (DATABSE_URL, SUPORT_NAME: the typo is in the prefix).
    // Our names are [A-Z0-9_]: a name with more than two other characters is more than two edits from each
    // (npm's dozens of npm_config_* under `npm run`), and is not measured against the ~200 of ours.
    const near = key.length >= 7 && foreignCharacters(key) <= 2 && closestWord(key, known, 2) !== null;
    if (!near && !OUR_PREFIXES.some((p) => key.startsWith(p))) continue;
    // IMAP_<NAME>_<SETTING> of a mailbox IMAP_MAILBOXES does not list.
    const setting = mailboxKeys.find((k) => key.startsWith('IMAP_') && key.endsWith(`_${k}`));
    if (setting && mailboxPrefixes.length > 0 && env['IMAP_MAILBOXES']) {
      warnings.push(
        `${key} is set, but "${key.slice(5, key.length - setting.length - 1).toLowerCase()}" is not in IMAP_MAILBOXES: it is not read.`,
      );
      continue;
    }
    const closest = closestWord(key, known, 3);
    warnings.push(
      `${key} is not a ticketrelay variable and is not read${closest ? `: did you mean ${closest}?` : ''} (.env.example lists them all).`,
    );
  }
  return warnings;
}
