/**
 * One reader per mailbox across processes: a Redis key holding this process's random token, with
 * an expiry. Renewal and release check the token (a Lua script each), so a process that stalled
 * past the expiry can neither extend nor delete the lease another process has taken since.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { MailboxLease } from '../../src/ports/mailbox.ts';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisMailboxLease implements MailboxLease {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #token = `${process.pid}:${randomBytes(8).toString('hex')}`;

  constructor(options: { redis: Redis; prefix: string; mailbox: string; ttlMs: number }) {
    this.#redis = options.redis;
    this.#key = `${options.prefix}:imap-lease:${options.mailbox}`;
    this.#ttlMs = options.ttlMs;
  }

  async acquire(): Promise<boolean> {
    const set = await this.#redis.set(this.#key, this.#token, 'PX', this.#ttlMs, 'NX');
    if (set === 'OK') return true;
    return this.renew();
  }

  async renew(): Promise<boolean> {
    return (await this.#redis.eval(RENEW, 1, this.#key, this.#token, String(this.#ttlMs))) === 1;
  }

  async release(): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#key, this.#token);
  }

  /** Who holds it (a token: "pid:random"), for status lines; null when free. */
  async holder(): Promise<string | null> {
    return this.#redis.get(this.#key);
  }
}
