/**
 * The `worker` role: the triage worker (jobs/triage-worker.ts) with the classifier and the triage
 * service, and the timer of the old site's pass (what it created, closed, reopened or re-prioritised,
 * taken into our copy). Stopping finishes the jobs and the pass in flight.
 */
import { buildClassifier } from '../../adapters/files/triage-files.ts';
import { BullmqTriageQueue } from '../../adapters/queue/bullmq-triage-queue.ts';
import { startTriageWorker } from '../../jobs/triage-worker.ts';
import { AppError, describeError } from '../domain/errors.ts';
import type { Category } from '../domain/ticket.ts';
import { TriageService } from '../services/triage-ticket.ts';
import type { RoleStarter } from './role.ts';

/** How often the worker takes in what the old site did to the tickets. */
const LEGACY_SYNC_MS = 15_000;
/** How often the worker looks at the assignment queue (shifts start, absences end, tickets close elsewhere). */
const ASSIGNMENT_DRAIN_MS = 30_000;

export const startWorkerRole: RoleStarter = async (app) => {
  const { config } = app;
  const log = app.logger.child({ component: 'worker' });
  const { classifier, source } = await buildClassifier(config.triage);
  log.info({ modelVersion: classifier.modelVersion, source }, 'triage model ready');
  const store = app.stores.triage;
  // Automatic assignment after triage (a refused ASSIGNMENT_FILE or an unknown agent in it stops the start).
  if (!app.assignment) {
    const { loadCalendar } = await import('../../adapters/files/sla-files.ts');
    const { loadAssignmentFile } = await import('../../adapters/files/assignment-file.ts');
    await loadAssignmentFile(config.assignment.file, await loadCalendar(config)); // throws what is wrong
    throw new AppError('assignment.unavailable', 'Automatic assignment could not be set up; see the warning above.');
  }
  const assignment = app.assignment;
  await assignment.prepare();
  const service = new TriageService({
    assignment,
    store,
    classifier,
    // The same list the chat adapters add theirs to (the console is always in it).
    notifiers: app.notifiers,
    logger: app.logger,
    mailboxCategories: Object.fromEntries(config.imap.mailboxes.map((m) => [m.name, m.category])) as Record<
      string,
      Category | null
    >,
  });
  const worker = startTriageWorker({
    redisUrl: config.redis.url,
    prefix: config.redis.queuePrefix,
    concurrency: config.triage.concurrency,
    service,
    logger: app.logger,
    store,
    sweepQueue: new BullmqTriageQueue({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix }),
    sweepMs: config.triage.sweepSeconds * 1000,
  });
  // The old site works on the same tables: its new tickets adopted, what it closed, reopened or
  // re-prioritised taken into our copy, for the lists, stats and digest (one pass at a time).
  let syncing: Promise<unknown> | null = null;
  // Said by `status` while it lasts: lists go stale without it.
  let legacyFailing: { since: Date; reason: string } | null = null;
  const syncLegacy = () => {
    syncing ??= app.stores.legacy
      .syncOnce()
      .then((done) => {
        legacyFailing = null;
        if (done.adopted || done.reconciled)
          log.info(
            done,
            `old site: ${done.adopted} ticket(s) adopted, ${done.reconciled} brought in line with its changes`,
          );
      })
      .catch((error: unknown) => {
        legacyFailing = { since: legacyFailing?.since ?? new Date(), reason: describeError(error) };
        log.warn({ err: error }, 'old site pass failed; the next one retries');
      })
      .finally(() => (syncing = null));
  };
  syncLegacy();
  const legacyTimer = setInterval(syncLegacy, LEGACY_SYNC_MS);
  // The queue drains when someone becomes available: a shift starting, an absence ending, a ticket closed
  // elsewhere (the old site, the API); `/ticket back` and `/ticket close` drain it at once. Before it, the
  // same pass returns removed agents' tickets to the queue, decides on tickets reopened elsewhere (a
  // customer's reply taken by the intake role) and, with reassign_on_at_risk, on responses at risk.
  let draining: Promise<unknown> | null = null;
  const drainTimer = setInterval(() => {
    draining ??= assignment
      .pass()
      .catch((error: unknown) => log.warn({ err: error }, 'assignment queue pass failed; the next one retries'))
      .finally(() => (draining = null));
  }, ASSIGNMENT_DRAIN_MS);
  // SLA clocks: at-risk and breach alerts (a bad calendar or policies file stops the start, with what to fix).
  const { createSlaService } = await import('./sla-setup.ts');
  const { startSlaTimer } = await import('../../jobs/sla.processor.ts');
  const slaService = await createSlaService(app);
  // Running clocks follow the calendar as it is now (an edited BUSINESS_CALENDAR_FILE moves their deadlines).
  await slaService.markOpenForCheck();
  // Alerts a worker of this host claimed and never posted (it was killed meanwhile) go out on the first pass.
  const abandoned = await slaService.releaseAbandonedAlerts();
  if (abandoned) log.warn({ abandoned }, `${abandoned} SLA alert(s) claimed by a worker that died: posting them now`);
  const sla = startSlaTimer(slaService, { everyMs: config.sla.checkSeconds * 1000, logger: app.logger });
  let lines = [`triage worker: concurrency ${config.triage.concurrency}, model ${classifier.modelVersion}`];
  const refresh = setInterval(() => {
    worker.describe().then(
      (l) =>
        (lines = [
          ...l.map((x) => `${x}, model ${classifier.modelVersion}`),
          ...(legacyFailing
            ? [`old site pass failing since ${legacyFailing.since.toISOString()}: ${legacyFailing.reason}`]
            : []),
          sla.describe(),
        ]),
      () => undefined,
    );
  }, 2_000);
  return {
    name: 'worker',
    describe: () => lines,
    async stop() {
      clearInterval(refresh);
      clearInterval(legacyTimer);
      clearInterval(drainTimer);
      await sla.stop();
      await worker.close();
      await syncing;
      await draining;
    },
  };
};
