/**
 * RateGate on Redis: the HTTP API's and the web form's limits counted once for every front end, by one
 * Lua script per request (it reads every window, and counts in all of them only when all pass, so two
 * processes never both take the last place). The sliding estimate is windowDenial's, the same as in
 * memory. When Redis cannot answer (down, or slower than a request should wait), the limits are
 * counted in this process (LocalRateGate), said once in the log, and Redis is asked again next time.
 */
import type { Redis } from 'ioredis';
import {
  LocalRateGate,
  windowDenial,
  windowStart,
  type GateDenial,
  type RateCheck,
} from '../../src/domain/rate-limit.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { RateGate } from '../../src/ports/rate-gate.ts';

/** KEYS: (current, previous) per window; ARGV: (limit, elapsed fraction, ttl ms) per window. */
const TAKE = `
local n = #KEYS / 2
for i = 1, n do
  local limit = tonumber(ARGV[i * 3 - 2])
  local elapsed = tonumber(ARGV[i * 3 - 1])
  local count = tonumber(redis.call('GET', KEYS[i * 2 - 1]) or '0')
  local previous = tonumber(redis.call('GET', KEYS[i * 2]) or '0')
  if previous * (1 - elapsed) + count + 1 > limit then return {i, count, previous} end
end
for i = 1, n do
  redis.call('INCR', KEYS[i * 2 - 1])
  redis.call('PEXPIRE', KEYS[i * 2 - 1], ARGV[i * 3])
end
return 0
`;

/** A request waits at most this long for Redis before it is counted here instead. */
const REDIS_WAIT_MS = 500;

export class RedisRateGate implements RateGate {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #local: LocalRateGate;
  readonly #log: Logger;
  readonly #now: () => number;
  #redisAway = false;

  constructor(options: { redis: Redis; prefix: string; logger: Logger; now?: () => number }) {
    this.#redis = options.redis;
    this.#prefix = `${options.prefix}:rate`;
    this.#now = options.now ?? Date.now;
    this.#local = new LocalRateGate(this.#now);
    this.#log = options.logger.child({ component: 'rate-limit' });
  }

  async take(checks: readonly RateCheck[]): Promise<GateDenial | null> {
    const now = this.#now();
    const windows = checks.flatMap((check) =>
      check.rates.map((rate) => ({ check, rate, start: windowStart(rate, now) })),
    );
    if (windows.length === 0) return null;
    const keys = windows.flatMap(({ check, rate, start }) => {
      const base = `${this.#prefix}:${check.scope}:${rate.windowMs}:${check.key}`;
      return [`${base}:${start}`, `${base}:${start - rate.windowMs}`];
    });
    // Kept two windows: the next one still reads this one as its previous.
    const args = windows.flatMap(({ rate, start }) => [rate.limit, (now - start) / rate.windowMs, 2 * rate.windowMs]);
    let answer: unknown;
    try {
      answer = await withTimeout(this.#redis.eval(TAKE, keys.length, ...keys, ...args), REDIS_WAIT_MS);
    } catch (error) {
      if (!this.#redisAway) {
        this.#redisAway = true;
        this.#log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'Redis cannot count the API and web form rate limits: each process counts its own until it answers (behind a load balancer, the limits then hold per front end)',
        );
      }
      return this.#local.takeNow(checks);
    }
    if (this.#redisAway) {
      this.#redisAway = false;
      this.#log.info({}, 'Redis answers again: the API and web form rate limits are counted for every process');
    }
    if (!Array.isArray(answer)) return null;
    const [index, count, previous] = answer.map(Number);
    const window = windows[(index ?? 1) - 1];
    if (!window) return null;
    const denial = windowDenial(window.rate, now, { start: window.start, count: count ?? 0, previous: previous ?? 0 });
    // The script's estimate and windowDenial's are the same rule: a denial from one is a denial from the other.
    return denial
      ? { ...denial, scope: window.check.scope }
      : { rate: window.rate, retryAfterSeconds: 1, scope: window.check.scope };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
