/**
 * "Seen this signed request before?" across processes: SET NX with an expiry in Redis, so a signed
 * Slack request replayed within its validity window (by whoever captured it) runs once, whichever
 * front end it reaches.
 *
 * It fails safe, not open: each process also keeps its own record of what it took in the window, so
 * while Redis cannot answer a replay to the same process is still refused (a replay to another front
 * end is the risk left for that while, said once in the log). Refusing every command while Redis is
 * down would take chat down with it though the commands need only MySQL; the record is bounded, and
 * when it is full of live keys a request is refused rather than forgetting a key that could be replayed.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../src/ports/logger.ts';

export type ReplayVerdict = 'first' | 'replay' | 'refused';

export interface ReplayGuard {
  /**
   * 'first' the first time `key` is presented within `ttlSeconds`, 'replay' for a repeat, 'refused'
   * when it cannot tell (Redis away and this process's record full): the caller must not run it.
   */
  check(key: string, ttlSeconds: number): Promise<ReplayVerdict>;
  close(): void;
}

/** Keys this process remembers at most: far more than Slack sends one app in a window of eleven minutes. */
export const LOCAL_REPLAY_KEYS = 50_000;

/** The in-process record: key → when it may be forgotten. Also the whole guard where no Redis is configured. */
export class LocalReplayRecord {
  readonly #expiries = new Map<string, number>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { maxKeys?: number; now?: () => number } = {}) {
    this.#max = options.maxKeys ?? LOCAL_REPLAY_KEYS;
    this.#now = options.now ?? Date.now;
  }

  check(key: string, ttlSeconds: number): ReplayVerdict {
    const now = this.#now();
    const until = this.#expiries.get(key);
    if (until !== undefined && until > now) return 'replay';
    if (until === undefined && this.#expiries.size >= this.#max) {
      // Insertion order is expiry order (one ttl per guard): drop what is over, from the oldest.
      for (const [k, t] of this.#expiries) {
        if (t > now) break;
        this.#expiries.delete(k);
      }
      if (this.#expiries.size >= this.#max) return 'refused';
    }
    this.#expiries.delete(key);
    this.#expiries.set(key, now + ttlSeconds * 1000);
    return 'first';
  }
}

export class RedisReplayGuard implements ReplayGuard {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #local: LocalReplayRecord;
  readonly #log: Logger | null;
  #redisAway = false;

  constructor(options: { redisUrl: string; prefix: string; logger?: Logger; maxLocalKeys?: number }) {
    this.#redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
      commandTimeout: 2_000,
      retryStrategy: (n) => Math.min(n * 500, 5_000),
    });
    this.#redis.on('error', () => undefined);
    this.#prefix = `${options.prefix}:replay`;
    this.#local = new LocalReplayRecord(options.maxLocalKeys === undefined ? {} : { maxKeys: options.maxLocalKeys });
    this.#log = options.logger?.child({ component: 'slack-replay-guard' }) ?? null;
  }

  async check(key: string, ttlSeconds: number): Promise<ReplayVerdict> {
    // This process's record first: it holds whether or not Redis answers.
    const local = this.#local.check(key, ttlSeconds);
    if (local !== 'first') return local;
    try {
      if (this.#redis.status === 'wait') await this.#redis.connect();
      const first = (await this.#redis.set(`${this.#prefix}:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
      if (this.#redisAway) {
        this.#redisAway = false;
        this.#log?.info({}, 'Redis answers again: signed Slack requests are checked for replay across processes');
      }
      return first ? 'first' : 'replay';
    } catch (error) {
      if (!this.#redisAway) {
        this.#redisAway = true;
        this.#log?.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'Redis cannot check signed Slack requests for replay: until it answers, each process refuses the replays it saw itself (a replay sent to another front end would run)',
        );
      }
      return 'first';
    }
  }

  close(): void {
    this.#redis.disconnect();
  }
}
