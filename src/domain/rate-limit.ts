/**
 * Per-client rate limits: at most `limit` in any `windowMs` (a sliding window, estimated from the
 * current and the previous fixed window, so a burst across a boundary is not twice the limit). The
 * estimate is `windowDenial`, one pure rule; RateLimiter and LocalRateGate count in memory, per
 * process (the HTTP API's gate counts in Redis for every process, and falls back to these).
 */
import type { Caller, CommandReply } from './command.ts';

/** At most `limit` in every `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
  /** As written in the configuration: "5/min". */
  readonly text: string;
}

export interface RateDenial {
  /** The limit that was reached. */
  readonly rate: Rate;
  /** When one more would be allowed. */
  readonly retryAfterSeconds: number;
}

interface Window {
  start: number;
  count: number;
  previous: number;
}

/** Keys kept at most; past it, windows that are over are dropped (and, if need be, the oldest). */
const MAX_KEYS = 100_000;

export class RateLimiter {
  readonly #rates: readonly Rate[];
  readonly #now: () => number;
  readonly #windows = new Map<string, Window[]>();

  constructor(rates: readonly Rate[], now: () => number = Date.now) {
    this.#rates = rates;
    this.#now = now;
  }

  /** The first limit this key has reached, or null when one more is allowed (nothing is counted). */
  check(key: string): RateDenial | null {
    const now = this.#now();
    const windows = this.#windowsOf(key, now);
    for (const [i, rate] of this.#rates.entries()) {
      const denial = windowDenial(rate, now, windows[i]!);
      if (denial) return denial;
    }
    return null;
  }

  /** Counts one for this key. */
  consume(key: string): void {
    const windows = this.#windowsOf(key, this.#now());
    for (const w of windows) w.count += 1;
  }

  /** check() then consume() when allowed. */
  take(key: string): RateDenial | null {
    const denial = this.check(key);
    if (!denial) this.consume(key);
    return denial;
  }

  #windowsOf(key: string, now: number): Window[] {
    let windows = this.#windows.get(key);
    if (!windows) {
      if (this.#windows.size >= MAX_KEYS) this.#sweep(now);
      windows = this.#rates.map((rate) => ({ start: windowStart(rate, now), count: 0, previous: 0 }));
      this.#windows.set(key, windows);
    }
    for (const [i, rate] of this.#rates.entries()) {
      const w = windows[i]!;
      const start = windowStart(rate, now);
      if (start !== w.start) {
        w.previous = start - w.start === rate.windowMs ? w.count : 0;
        w.count = 0;
        w.start = start;
      }
    }
    return windows;
  }

  #sweep(now: number): void {
    const longest = Math.max(...this.#rates.map((r) => r.windowMs));
    for (const [key, windows] of this.#windows) {
      if (windows.every((w) => now - w.start >= 2 * longest)) this.#windows.delete(key);
    }
    // Still full (a flood of distinct keys): the oldest go; a client among them starts afresh.
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < MAX_KEYS) break;
      this.#windows.delete(key);
    }
  }
}

/** A fixed window's count and the one before it (0 when it was not the window just before). */
export interface WindowCount {
  readonly start: number;
  readonly count: number;
  readonly previous: number;
}

/** The window in which `now` falls: where it starts. */
export function windowStart(rate: Rate, now: number): number {
  return now - (now % rate.windowMs);
}

/** Whether one more at `now` would go over `rate`, and then when it would not (the sliding estimate). */
export function windowDenial(rate: Rate, now: number, w: WindowCount): RateDenial | null {
  const elapsed = (now - w.start) / rate.windowMs;
  const estimate = w.previous * (1 - elapsed) + w.count;
  if (estimate + 1 <= rate.limit) return null;
  // The previous window's share shrinks as time goes on; the current one's count stays until its end.
  const retry =
    w.count + 1 > rate.limit
      ? w.start + rate.windowMs - now
      : Math.ceil(((estimate + 1 - rate.limit) / Math.max(w.previous, 1)) * rate.windowMs);
  return { rate, retryAfterSeconds: Math.max(1, Math.ceil(retry / 1000)) };
}

/** One limit to pass: `key` (a client address, a token's name) counted against `rates` under `scope`. */
export interface RateCheck {
  readonly scope: string;
  readonly key: string;
  readonly rates: readonly Rate[];
}

/** The limit that was reached, and which check reached it. */
export interface GateDenial extends RateDenial {
  readonly scope: string;
}

/**
 * Several limits passed together, in this process's memory: when every check passes, each is counted
 * once; otherwise the first denial, and nothing is counted (a refused request uses up no allowance).
 */
export class LocalRateGate {
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  take(checks: readonly RateCheck[]): Promise<GateDenial | null> {
    return Promise.resolve(this.takeNow(checks));
  }

  takeNow(checks: readonly RateCheck[]): GateDenial | null {
    const limiters = checks.map((c) => this.#limiterOf(c));
    for (const [i, check] of checks.entries()) {
      const denial = limiters[i]!.check(check.key);
      if (denial) return { ...denial, scope: check.scope };
    }
    for (const [i, check] of checks.entries()) limiters[i]!.consume(check.key);
    return null;
  }

  #limiterOf(check: RateCheck): RateLimiter {
    const id = `${check.scope}|${check.rates.map((r) => r.text).join(',')}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiter(check.rates, this.#now);
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** What limitCommands wraps: the command service's two entry points (their first argument is the caller). */
export interface LimitableCommands {
  run(caller: Caller, ...rest: never[]): Promise<CommandReply>;
  runAction(caller: Caller, ...rest: never[]): Promise<CommandReply>;
}

/**
 * Each caller (platform and user id) gets at most the limiter's rates of commands and buttons; past
 * them the answer is a refusal saying when to try again, and nothing reaches the database.
 */
export function limitCommands(commands: LimitableCommands, limiter: RateLimiter): void {
  for (const method of ['run', 'runAction'] as const) {
    const original = commands[method];
    commands[method] = async (caller: Caller, ...rest: never[]) => {
      const denial = limiter.take(`${caller.platform}:${caller.userId}`);
      if (denial) {
        return {
          ok: false,
          ephemeral: true,
          text: `Too many commands (at most ${denial.rate.text} each): try again in ${denial.retryAfterSeconds} s.`,
        };
      }
      return original.call(commands, caller, ...rest);
    };
  }
}
