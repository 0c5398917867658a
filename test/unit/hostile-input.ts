/**
 * Shared by the tests that feed 2 MB of hostile text to a parser: they guard against catastrophic
 * backtracking and quadratic loops, not against slowness (that is the benchmarks' job). A quadratic
 * pass over 2 MB takes minutes, a linear one tens of milliseconds; the bound sits far from both, so a
 * loaded machine (two cores shared by a whole team's test runs) does not make it fail.
 */

/** 2 MiB: an email at the size limit. */
export const HUGE = 2 * 1024 * 1024;

/** How long a linear pass over HUGE characters may take, even on a loaded machine. */
export const LINEAR_BOUND_MS = 2_000;

/** Milliseconds `run` took. */
export function elapsed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}
