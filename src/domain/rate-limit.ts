/**
 * Per-client rate limits: at most `limit` in any `windowMs` (a sliding window, estimated from the
 * current and the previous fixed window, so a burst across a boundary is not twice the limit). In
 * memory, per process: behind a load balancer each front end counts its own clients.
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
      const w = windows[i]!;
      const elapsed = (now - w.start) / rate.windowMs;
      const estimate = w.previous * (1 - elapsed) + w.count;
      if (estimate + 1 > rate.limit) {
        // The previous window's share shrinks as time goes on; the current one's count stays until its end.
        const retry =
          w.count + 1 > rate.limit
            ? w.start + rate.windowMs - now
            : Math.ceil(((estimate + 1 - rate.limit) / Math.max(w.previous, 1)) * rate.windowMs);
        return { rate, retryAfterSeconds: Math.max(1, Math.ceil(retry / 1000)) };
      }
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
      windows = this.#rates.map((rate) => ({ start: now - (now % rate.windowMs), count: 0, previous: 0 }));
      this.#windows.set(key, windows);
    }
    for (const [i, rate] of this.#rates.entries()) {
      const w = windows[i]!;
      const start = now - (now % rate.windowMs);
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
