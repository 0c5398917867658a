/**
 * Builds the SLA use case on an App (part of the composition root): the shop's calendar and policies
 * from their files, the MySQL store, and the app's notifiers (the console, Slack, Discord).
 */
import { loadSlaSetup } from '../../adapters/files/sla-files.ts';
import type { App } from '../main.ts';
import { SlaService } from '../services/check-sla.ts';

export async function createSlaService(app: App, options: { now?: () => Date } = {}): Promise<SlaService> {
  const { calendar, settings } = await loadSlaSetup(app.config);
  return new SlaService({
    store: app.stores.sla,
    calendar,
    settings,
    notifiers: app.notifiers,
    logger: app.logger,
    ...(options.now ? { now: options.now } : {}),
  });
}
