/**
 * The pace of the background adoption of the old site's history (legacy-sync.ts): it shares the database,
 * and its two cores, with the old site's writer, whose latency must not rise. The history is read in steps
 * of legacy ids, each a few short statements, and the pace is set from how long its own steps take:
 * - a step longer than STEP_TARGET_MS is halved (a long statement holds a core, and the old site's writes
 *   queue behind it), a quick one grows, up to MAX_STEP ids;
 * - after each step the pass rests: REST_SHARE of the step's time when its time per row is near the lowest
 *   it has seen (the database is free), BUSY_REST_SHARE of it when it has risen above BUSY_FACTOR times
 *   that (someone else is busy: the old site, most likely), so it gives way instead of competing.
 * Pure: the caller measures and sleeps. One pace per pool lives as long as the process (what it learnt
 * about the database carries from one pass to the next).
 */

export const MIN_STEP = 500;
export const MAX_STEP = 10_000;
/** A step's time above which the next one is halved. */
export const STEP_TARGET_MS = 150;
/** Time per row over the lowest seen, above which the database is taken as busy. */
export const BUSY_FACTOR = 2;
/** The rest after a step, as a share of its time, when the database is not busy. */
export const REST_SHARE = 0.25;
/** The rest after a step, as a share of its time, when the database is busy. */
export const BUSY_REST_SHARE = 1;
/** The longest rest after one step. */
export const MAX_REST_MS = 2_000;
/** The lowest time per row forgets this share of itself at each step: a slower machine for good is learnt again. */
const DRIFT = 1.01;

export class AdoptionPace {
  #step = 2_000;
  #lowestPerRow = Number.POSITIVE_INFINITY;

  /** Legacy ids the next step reads. */
  get step(): number {
    return this.#step;
  }

  /** A step of `ids` legacy ids took `ms`: how long to rest before the next one. */
  after(ids: number, ms: number): number {
    const perRow = ms / Math.max(1, ids);
    this.#lowestPerRow = Math.min(this.#lowestPerRow * DRIFT, perRow);
    const busy = perRow > this.#lowestPerRow * BUSY_FACTOR;
    if (ms > STEP_TARGET_MS || busy) this.#step = Math.max(MIN_STEP, Math.floor(this.#step / 2));
    else if (ms < STEP_TARGET_MS / 2) this.#step = Math.min(MAX_STEP, Math.ceil(this.#step * 1.5));
    return Math.min(MAX_REST_MS, ms * (busy ? BUSY_REST_SHARE : REST_SHARE));
  }
}
