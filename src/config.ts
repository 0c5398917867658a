/**
 * process.env → one validated, frozen Config. The only module that reads process.env.
 * With no DATABASE_URL / REDIS_URL the project-local services under .data/ are used (and started).
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './domain/errors.ts';

// drizzle-kit loads this file as CommonJS, where import.meta is empty: it runs from the project root.
export const PROJECT_ROOT = import.meta.dirname ? path.resolve(import.meta.dirname, '..') : process.cwd();

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
  .url()
  .refine((u) => /^(mysql|mariadb):\/\//.test(u), 'a mysql:// URL such as mysql://user:pass@host:3306/shop');
const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'a redis:// URL such as redis://127.0.0.1:6379');
const smtpUrl = z
  .string()
  .url()
  .refine((u) => /^smtps?:\/\//.test(u), 'an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587');

const EnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  DATABASE_URL: mysqlUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  SMTP_URL: smtpUrl.optional(),
  DATA_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SUPPORT_ADDRESS: z.string().email().default('support@ticketrelay.test'),
  SUPPORT_NAME: z.string().min(1).default('Support'),
  SUPPORT_ADDITIONAL_ADDRESSES: z.string().default(''),
  MESSAGE_ID_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/i, 'a domain name such as shop.example').optional(),
  ACK_ENABLED: bool.default(true),
  ACK_MAX_PER_HOUR: z.coerce.number().int().min(0).max(1000).default(5),
  REOPEN_ON_REPLY: bool.default(true),
  DEFAULT_LANGUAGE: z.enum(['fr', 'en']).default('fr'),
  ATTACHMENT_MAX_BYTES: bytes.default(10 * 1024 * 1024),
  MESSAGE_MAX_BYTES: bytes.default(60 * 1024 * 1024),
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, - and _').default('ticketrelay'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export interface Config {
  readonly env: string;
  readonly dataDir: string;
  readonly logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Whether LOG_LEVEL was set: commands that talk to a person log only warnings unless it was. */
  readonly logLevelSet: boolean;
  readonly database: { readonly url: string; readonly local: boolean; readonly poolSize: number };
  readonly redis: { readonly url: string; readonly local: boolean; readonly queuePrefix: string };
  readonly smtp: { readonly url: string | null; readonly outboxDir: string };
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
    readonly ackMaxPerHour: number;
    readonly reopenOnReply: boolean;
    /** Language of our mail when the customer's cannot be told. */
    readonly defaultLanguage: 'fr' | 'en';
    readonly attachmentDir: string;
    readonly rejectedDir: string;
    readonly attachmentMaxBytes: number;
    readonly messageMaxBytes: number;
    readonly concurrency: number;
  };
}

/** Parse the environment once. Every problem is reported at once, each with its variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new AppError('config.invalid', `The configuration is not valid:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(PROJECT_ROOT, e.DATA_DIR ?? '.data');
  const supportAddress = e.SUPPORT_ADDRESS.toLowerCase();
  const extra = e.SUPPORT_ADDITIONAL_ADDRESSES.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
  const config: Config = {
    env: e.NODE_ENV ?? 'development',
    dataDir,
    logLevel: e.LOG_LEVEL,
    logLevelSet: env['LOG_LEVEL'] !== undefined,
    database: { url: e.DATABASE_URL ?? LOCAL_DEFAULTS.databaseUrl, local: e.DATABASE_URL === undefined, poolSize: e.DB_POOL_SIZE },
    redis: { url: e.REDIS_URL ?? LOCAL_DEFAULTS.redisUrl, local: e.REDIS_URL === undefined, queuePrefix: e.QUEUE_PREFIX },
    smtp: { url: e.SMTP_URL ?? null, outboxDir: path.join(dataDir, 'outbox') },
    mail: {
      supportAddress,
      supportName: e.SUPPORT_NAME,
      ownAddresses: [supportAddress, ...extra],
      messageIdDomain: (e.MESSAGE_ID_DOMAIN ?? supportAddress.split('@')[1] ?? 'ticketrelay.local').toLowerCase(),
    },
    intake: {
      ackEnabled: e.ACK_ENABLED,
      ackMaxPerHour: e.ACK_MAX_PER_HOUR,
      reopenOnReply: e.REOPEN_ON_REPLY,
      defaultLanguage: e.DEFAULT_LANGUAGE,
      attachmentDir: path.join(dataDir, 'attachments'),
      rejectedDir: path.join(dataDir, 'rejected'),
      attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
      messageMaxBytes: e.MESSAGE_MAX_BYTES,
      concurrency: e.INGEST_CONCURRENCY,
    },
  };
  return deepFreeze(config);
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
