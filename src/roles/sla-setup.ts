/**
 * Builds the SLA use case on an App (part of the composition root): the shop's calendar and policies
 * from their files, the MySQL store, and the app's notifiers (the console, Slack, Discord; the assignee's DM).
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
    // The same channel notifiers send the assignee's direct message (on the platforms we post to).
    direct: app.channelNotifiers,
    logger: app.logger,
    ...(options.now ? { now: options.now } : {}),
  });
}
