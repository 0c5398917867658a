/**
 * Secrets never reach a log or an error message (security review, finding 23: "turn this script into a
 * test"). Each case runs a real `ticketrelay` process with one distinctive secret that the other side
 * refuses or cannot use — a wrong database or Redis password, an SMTP or IMAP login refused, Slack and
 * Discord tokens refused, URLs whose unencoded password breaks them — with LOG_LEVEL=debug, and greps
 * everything it printed for the secret and for either half of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import { eml } from './eml.ts';
import { closedPort, createTestDatabase, runTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let slack: RecordingServer;
let discord: RecordingServer;
let dataDir: string;
/** A mail server that refuses every login (535), as one does after a password change. */
let refusingSmtp: SMTPServer;
let refusingSmtpPort: number;

beforeAll(async () => {
  db = await createTestDatabase('secrets_out');
  slack = await startRecordingServer();
  slack.route('auth.test', () => ({ body: { ok: false, error: 'invalid_auth' } }));
  slack.route('chat.postMessage', () => ({ body: { ok: false, error: 'invalid_auth' } }));
  discord = await startRecordingServer();
  discord.route('', () => ({ status: 401, body: { message: '401: Unauthorized', code: 0 } }));
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-secrets-'));
  refusingSmtp = new SMTPServer({
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth: (_auth, _session, callback) => callback(new Error('Authentication failed')),
  });
  await new Promise<void>((resolve) => refusingSmtp.listen(0, '127.0.0.1', resolve));
  refusingSmtpPort = (refusingSmtp.server.address() as AddressInfo).port;
  // An acknowledgement waiting in the outbox, so that `outbox send` has to log in to the mail server.
  const ingest = await runTicketrelay(
    ['ingest', '-'],
    { ...base(), SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`, SMTP_ALLOW_PLAIN: 'true' },
    eml({ from: 'waiting@customer.example' }).raw,
  );
  if (ingest.code !== 0) throw new Error(`ingest failed: ${ingest.stderr}`);
}, 60_000);

afterAll(async () => {
  await slack?.close();
  await discord?.close();
  await new Promise<void>((resolve) => (refusingSmtp ? refusingSmtp.close(() => resolve()) : resolve()));
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A URL with `user:password@` put in place of the test database's credentials. */
function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

interface Case {
  readonly name: string;
  readonly secret: string;
  /** What the run must have said: it did meet the failure the secret caused. */
  readonly said: RegExp;
  readonly args: readonly string[];
  readonly env: (secret: string) => Promise<Record<string, string>> | Record<string, string>;
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

const base = (): Record<string, string> => ({
  DATABASE_URL: db.url,
  REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
  DATA_DIR: dataDir,
  QUEUE_PREFIX: `test-secrets-${process.pid}`,
  LOG_LEVEL: 'debug',
});

const CASES: Case[] = [
  ...(['agents list', 'db migrate', 'command'] as const).map((command): Case => ({
    name: `${command} with a wrong database password`,
    secret: `Db-Pa55-${command.length}-q7Zr2x`,
    said: /The database refused the login/,
    args: command === 'command' ? ['command', '/ticket view 1', '--as', 'nobody'] : command.split(' '),
    env: (secret) => ({ ...base(), DATABASE_URL: withCredentials(db.url, 'ticketrelay', secret) }),
  })),
  {
    name: 'ingest - with a wrong database password',
    secret: 'Ingest-Db-Pa55-k9Wm3v',
    said: /The database refused the login/,
    args: ['ingest', '-'],
    stdin: eml({ from: 'secrets@customer.example' }).raw.toString(),
    env: (secret) => ({ ...base(), DATABASE_URL: withCredentials(db.url, 'ticketrelay', secret) }),
  },
  {
    name: 'jobs failed with a Redis password the server does not have',
    secret: 'Redis-Pa55-h4Tn8c',
    said: /REDIS_URL|Redis/,
    args: ['jobs', 'failed'],
    // A user Redis does not know: WRONGPASS (the default user of a server without a password takes any).
    env: (secret) => ({ ...base(), REDIS_URL: withCredentials(LOCAL_ENDPOINTS.redisUrl, 'ticketrelay', secret) }),
  },
  {
    name: 'outbox send with an SMTP server away',
    secret: 'Smtp-Pa55-r2Lp6d',
    said: /ECONNREFUSED/,
    args: ['outbox', 'send'],
    env: async (secret) => ({
      ...base(),
      SMTP_URL: `smtp://agent:${secret}@127.0.0.1:${await closedPort()}`,
      SMTP_ALLOW_PLAIN: 'true',
    }),
  },
  {
    name: 'outbox send with the SMTP login refused',
    secret: 'Smtp-Login-Pa55-w6Jx3b',
    said: /SMTP_URL/,
    args: ['outbox', 'send'],
    env: (secret) => ({
      ...base(),
      SMTP_URL: `smtp://agent:${secret}@127.0.0.1:${refusingSmtpPort}`,
      SMTP_ALLOW_PLAIN: 'true',
    }),
  },
  {
    name: 'the intake role with an IMAP login refused by Dovecot',
    secret: 'Imap-Pa55-y5Qs1f',
    said: /AUTHENTICATE|LOGIN/,
    args: ['start', '--roles', 'intake'],
    timeoutMs: 8_000,
    env: (secret) => ({
      ...base(),
      IMAP_URL: `imap://support:${secret}@${LOCAL_ENDPOINTS.imap.host}:${LOCAL_ENDPOINTS.imap.port}/INBOX`,
      IMAP_ALLOW_PLAIN: 'true',
    }),
  },
  {
    name: 'digest --now with a Slack bot token refused',
    secret: 'xoxb-Slack-T0ken-m8Vd4k',
    said: /invalid_auth\. Check SLACK_BOT_TOKEN/,
    args: ['digest', '--now', '--channel', 'slack:C0DIGEST'],
    env: (secret) => ({
      ...base(),
      SLACK_BOT_TOKEN: secret,
      SLACK_SIGNING_SECRET: 'signing-secret-for-the-test',
      SLACK_API_URL: slack.url,
    }),
  },
  {
    name: 'discord register with a Discord token refused',
    secret: 'Discord.T0ken.Zx9Wq2Lm7Np4',
    said: /Discord refused the registration .*Check DISCORD_TOKEN/,
    args: ['discord', 'register'],
    env: (secret) => ({
      ...base(),
      DISCORD_TOKEN: secret,
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_API_URL: discord.url,
    }),
  },
  // Passwords that break the URL they are written in, unencoded.
  ...[
    ['a # in the password', (s: string) => `mysql://ticketrelay:${s}#x@127.0.0.1:33306/shop`],
    ['a / in the password', (s: string) => `mysql://ticketrelay:ab/${s}@127.0.0.1:33306/shop`],
    ['a ? in the password', (s: string) => `mysql://ticketrelay:${s}?x@127.0.0.1:33306/shop`],
    ['a bad port', (s: string) => `mysql://ticketrelay:${s}@127.0.0.1:99999/shop`],
    ['a bad scheme', (s: string) => `postgres://ticketrelay:${s}@127.0.0.1:5432/shop`],
  ].map(([what, url], i): Case => ({
    name: `status with a DATABASE_URL with ${what as string}`,
    secret: `Broken-Url-Pa55-${i}-t3Gh`,
    said: /DATABASE_URL: a mysql:\/\/ URL/,
    args: ['status'],
    env: (secret) => ({ ...base(), DATABASE_URL: (url as (s: string) => string)(secret) }),
  })),
];

describe('secrets in output (LOG_LEVEL=debug)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: not a trace of the secret',
    async (_name, c) => {
      const run = await runTicketrelay(c.args, await c.env(c.secret), c.stdin ?? '', {
        timeoutMs: c.timeoutMs ?? 60_000,
      });
      const output = `${run.stdout}\n${run.stderr}`;
      // The run did meet the secret's owner: it said something about the failure.
      expect(output.trim().length).toBeGreaterThan(0);
      const half = Math.floor(c.secret.length / 2);
      for (const piece of [c.secret, c.secret.slice(0, half), c.secret.slice(half), encodeURIComponent(c.secret)])
        expect(output, `"${piece}" printed by ${c.args.join(' ')}`).not.toContain(piece);
    },
    90_000,
  );
});
