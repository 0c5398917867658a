/**
 * Builds the digest use case on an App (part of the composition root, loaded only by the commands and
 * roles that post digests, so `ingest` never loads the chat SDKs).
 */
import { PngDigestChart } from '../../adapters/chart/png-digest-chart.ts';
import type { DigestPublisher } from '../ports/digest-publisher.ts';
import { DigestService, digestChannels } from '../services/build-digest.ts';
import type { App } from '../main.ts';

export async function createDigestService(
  app: App,
  options: { clock?: () => Date } = {},
): Promise<{ service: DigestService; channels: string[] }> {
  const { config } = app;
  const publishers: { slack?: DigestPublisher; discord?: DigestPublisher } = {};
  if (config.slack.botToken) {
    const { SlackDigestPublisher } = await import('../../adapters/slack/slack-digest-publisher.ts');
    publishers.slack = new SlackDigestPublisher({
      token: config.slack.botToken,
      apiUrl: config.slack.apiUrl,
      logger: app.logger,
    });
  }
  if (config.discord.token) {
    const { DiscordDigestPublisher } = await import('../../adapters/discord/discord-digest-publisher.ts');
    publishers.discord = new DiscordDigestPublisher({ token: config.discord.token, apiUrl: config.discord.apiUrl });
  }
  const service = new DigestService({
    store: app.stores.reports,
    ledger: app.stores.digestLedger,
    chart: new PngDigestChart(),
    publishers,
    timeZone: config.digest.timezone,
    logger: app.logger,
    ...(app.sla ? { sla: app.sla } : {}),
    // The tickets of removed agents (« orphelins »), returned to the queue.
    ...(app.assignment ? { orphans: app.assignment } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { service, channels: digestChannels(config.slack.digestChannels, config.discord.digestChannels) };
}
