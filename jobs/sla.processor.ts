/**
 * The SLA checker of the `worker` role: a pass every SLA_CHECK_SECONDS (one at a time in a process;
 * several workers may run it together, the alert's unique key keeps each alert to one post).
 */
import type { Logger } from '../src/ports/logger.ts';
import type { SlaService } from '../src/services/check-sla.ts';

export interface SlaTimer {
  /** One pass now (waits for a pass already running). */
  tick(): Promise<void>;
  describe(): string;
  stop(): Promise<void>;
}

export function startSlaTimer(
  service: Pick<SlaService, 'checkOnce'>,
  options: { readonly everyMs: number; readonly logger: Logger },
): SlaTimer {
  const log = options.logger.child({ component: 'sla-timer' });
  let running: Promise<void> | null = null;
  let line = 'SLA checker: starting';
  let failing: string | null = null;
  const tick = (): Promise<void> => {
    running ??= service
      .checkOnce()
      .then((pass) => {
        failing = null;
        line = `SLA checker: last pass ${new Date().toISOString()}, ${pass.checked} ticket(s), ${pass.posted} alert(s) posted${pass.deferred ? `, ${pass.deferred} waiting for business hours` : ''}`;
        if (pass.posted) log.info({ ...pass }, 'SLA pass');
      })
      .catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (reason !== failing) log.warn({ err: reason }, 'SLA pass failed; the next one retries');
        failing = reason;
        line = `SLA checker: failing (${reason})`;
      })
      .finally(() => (running = null));
    return running;
  };
  const timer = options.everyMs > 0 ? setInterval(() => void tick(), options.everyMs) : null;
  if (timer) void tick();
  return {
    tick,
    describe: () => line,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
