/**
 * "Seen this signed request before?" across processes: SET NX with an expiry in Redis, so a signed
 * Slack request replayed within its validity window (by whoever captured it) runs once, whichever
 * front end it reaches.
 */
import { Redis } from 'ioredis';

export interface ReplayGuard {
  /** True the first time `key` is presented within `ttlSeconds`; false for a repeat. Throws when Redis cannot answer. */
  firstTime(key: string, ttlSeconds: number): Promise<boolean>;
  close(): void;
}

export class RedisReplayGuard implements ReplayGuard {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: { redisUrl: string; prefix: string }) {
    this.#redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
      retryStrategy: (n) => Math.min(n * 500, 5_000),
    });
    this.#redis.on('error', () => undefined);
    this.#prefix = `${options.prefix}:replay`;
  }

  async firstTime(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.#redis.status === 'wait') await this.#redis.connect();
    return (await this.#redis.set(`${this.#prefix}:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  close(): void {
    this.#redis.disconnect();
  }
}
