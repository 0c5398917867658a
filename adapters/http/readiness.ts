/**
 * /readyz's checks: MySQL answers, Redis answers, and each configured mailbox accepts a login (a quick
 * IMAP connect + logout, cached so a scraper or a load balancer cannot hammer the mail server; a
 * refused login is not tried again for minutes, so probes never add up to an account lockout or a
 * fail2ban ban). Failure messages never carry a password.
 */
import { ImapFlow } from 'imapflow';
import type { Redis } from 'ioredis';
import type { MailboxConfig } from '../../src/config.ts';
import { withTimeout } from '../../src/domain/timing.ts';

export interface ReadinessReport {
  readonly ready: boolean;
  /** "ok", or "down: why", per dependency: mysql, redis, mailbox:NAME. */
  readonly checks: Readonly<Record<string, string>>;
  /** What works but needs a look (mail waiting for the mail server): never makes it not ready. */
  readonly warnings?: Readonly<Record<string, string>>;
}

/** A warning in words, or null when all is well. */
export type ReadinessWarning = () => Promise<string | null>;
/** Warnings are looked up at most this often (a load balancer probes every few seconds). */
const WARNING_CACHE_MS = 10_000;

export type ReadinessCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 3_000;
/** Mail servers delay a refused login (Dovecot: 2 s) to slow guessing: a mailbox gets longer to answer. */
export const MAILBOX_TIMEOUT_MS = 8_000;
const MAILBOX_CACHE_MS = 10_000;
/** A refused login is the configuration's fault: asked again only this often (the reader waits as long). */
const REFUSED_LOGIN_CACHE_MS = 5 * 60_000;

export class Readiness {
  readonly #checks = new Map<string, { check: ReadinessCheck; timeoutMs: number }>();
  readonly #warnings = new Map<
    string,
    { warning: ReadinessWarning; cached: { at: number; value: string | null } | null }
  >();
  #down: () => ReadonlyMap<string, string> = () => new Map();

  /** Parts of the process that are down until an operator acts (a chat token refused): named as such, never probed. */
  downParts(parts: () => ReadonlyMap<string, string>): this {
    this.#down = parts;
    return this;
  }

  warn(name: string, warning: ReadinessWarning): this {
    this.#warnings.set(name, { warning, cached: null });
    return this;
  }

  add(name: string, check: ReadinessCheck, timeoutMs = CHECK_TIMEOUT_MS): this {
    this.#checks.set(name, { check, timeoutMs });
    return this;
  }

  async report(): Promise<ReadinessReport> {
    const down = [...this.#down()].map(([name, why]) => [name, why.startsWith('down') ? why : `down: ${why}`] as const);
    const probed = await Promise.all(
      [...this.#checks].map(async ([name, { check, timeoutMs }]) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `down: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300)] as const;
        }
      }),
    );
    const entries = [...probed, ...down];
    const warnings: Record<string, string> = {};
    await Promise.all(
      [...this.#warnings].map(async ([name, entry]) => {
        if (!entry.cached || Date.now() - entry.cached.at > WARNING_CACHE_MS) {
          const value = await withTimeout(entry.warning(), CHECK_TIMEOUT_MS).catch(() => null);
          entry.cached = { at: Date.now(), value };
        }
        if (entry.cached.value) warnings[name] = entry.cached.value;
      }),
    );
    return {
      ready: entries.every(([, v]) => v === 'ok'),
      checks: Object.fromEntries(entries),
      ...(Object.keys(warnings).length ? { warnings } : {}),
    };
  }
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return async () => {
    if (redis.status === 'wait' || redis.status === 'end') await redis.connect().catch(() => undefined);
    // ioredis says "Stream isn't writeable and enableOfflineQueue options is false" for "not connected".
    if (redis.status !== 'ready')
      throw new Error(`not connected (${redis.status}): check REDIS_URL and that Redis runs`);
    const answer = await redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected answer ${answer}`);
  };
}

/**
 * BullMQ needs Redis never to evict a key: under memory pressure any other maxmemory-policy drops
 * queued jobs and locks silently. A Redis that does not let us read its settings (a managed one that
 * renames CONFIG) is not second-guessed.
 */
export function redisEvictionWarning(redis: Redis): ReadinessWarning {
  return async () => {
    if (redis.status !== 'ready') return null;
    const answer = (await redis.config('GET', 'maxmemory-policy').catch(() => null)) as unknown;
    const policy = Array.isArray(answer) && typeof answer[1] === 'string' ? answer[1] : null;
    if (policy === null || policy === 'noeviction') return null;
    return `Redis's maxmemory-policy is ${policy}: when Redis is full it drops keys, and BullMQ's queued jobs with them. Set "maxmemory-policy noeviction" in redis.conf (or CONFIG SET maxmemory-policy noeviction).`;
  };
}

/** Connect, log in, log out; the outcome is cached for a few seconds, a refused login for minutes. */
export function mailboxCheck(mailbox: MailboxConfig, now: () => number = Date.now): ReadinessCheck {
  let cached: { at: number; error: Error | null; refused?: boolean } | null = null;
  let inflight: Promise<void> | null = null;
  const probe = async () => {
    const client = new ImapFlow({
      host: mailbox.host,
      port: mailbox.port,
      secure: mailbox.secure,
      ...(mailbox.secure ? {} : { doSTARTTLS: mailbox.allowPlain ? (mailbox.starttls ? undefined : false) : true }),
      auth: { user: mailbox.user, pass: mailbox.password },
      logger: false,
      connectionTimeout: CHECK_TIMEOUT_MS,
      greetingTimeout: CHECK_TIMEOUT_MS,
      disableAutoIdle: true,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.logout();
    } catch (error) {
      client.close();
      const text = (error instanceof Error ? error.message : String(error)).split(mailbox.password).join('***');
      const refused = typeof error === 'object' && error !== null && 'authenticationFailed' in error;
      throw Object.assign(
        new Error(
          `${mailbox.host}:${mailbox.port}: ${refused ? `login refused (check the user and password in ${mailbox.envPrefix}URL)` : text}`,
        ),
        { refused },
      );
    }
  };
  return async () => {
    if (cached && now() - cached.at < (cached.refused ? REFUSED_LOGIN_CACHE_MS : MAILBOX_CACHE_MS)) {
      if (cached.error) throw cached.error;
      return;
    }
    inflight ??= probe().then(
      () => {
        cached = { at: now(), error: null };
      },
      (error: unknown) => {
        cached = {
          at: now(),
          error: error instanceof Error ? error : new Error(String(error)),
          refused: (error as { refused?: boolean }).refused === true,
        };
      },
    );
    await inflight;
    inflight = null;
    const result = cached as { at: number; error: Error | null } | null;
    if (result?.error) throw result.error;
  };
}
