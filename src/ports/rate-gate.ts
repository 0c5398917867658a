/**
 * Rate limits passed together (the HTTP API's per-token limit, the web form's per-client and overall
 * limits). Counted where every process sees the same counts when it can (Redis), in this process's
 * memory otherwise (LocalRateGate in src/domain/rate-limit.ts). Not in it: resetting or reading
 * counts; a limit is only ever taken.
 */
import type { GateDenial, RateCheck } from '../domain/rate-limit.ts';

export interface RateGate {
  /** When every check passes, each is counted once and null is returned; otherwise the first denial, nothing counted. */
  take(checks: readonly RateCheck[]): Promise<GateDenial | null>;
}
