/**
 * The `bots` role: the Slack app (HTTP receiver or Socket Mode) and the Discord bot (gateway) when
 * each is configured, and the loop that posts new tickets and customers' replies to the notify
 * channels. Neither configured: it says so and only idles. stop() closes them, letting waiting
 * notices go out first.
 */
import type { RoleStarter } from './role.ts';
import { ChatNoticeLoop } from '../services/chat-notice-loop.ts';

export const startBotsRole: RoleStarter = async (app) => {
  const { config } = app;
  const log = app.logger.child({ component: 'bots' });
  const parts: { describe(): string; stop(): Promise<void> }[] = [];
  try {
    if (config.slack.botToken) {
      const { createSlackBot } = await import('../../adapters/slack/slack-bot.ts');
      const bot = createSlackBot({ slack: config.slack, commands: app.commands, logger: app.logger });
      await bot.start();
      parts.push(bot);
    }
    if (config.discord.token) {
      const { DiscordBot } = await import('../../adapters/discord/discord-bot.ts');
      const bot = new DiscordBot({ discord: config.discord, commands: app.commands, agents: app.agents, logger: app.logger });
      await bot.start();
      parts.push(bot);
    }
    const notifiers = app.channelNotifiers;
    if (notifiers.length > 0) {
      const loop = new ChatNoticeLoop({ feedFor: app.stores.noticeFeed, notifiers, logger: app.logger, breaker: { state: () => app.spam.breakerState() } });
      await loop.start();
      parts.push(loop);
    }
  } catch (error) {
    for (const part of parts) await part.stop().catch(() => undefined);
    throw error;
  }
  if (parts.length === 0) {
    log.warn({}, 'neither Slack nor Discord is configured (set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET, or DISCORD_TOKEN; see .env.example): the bots role has nothing to do');
  }
  return {
    name: 'bots',
    describe: () => (parts.length ? parts.map((p) => p.describe()) : ['bots: neither Slack nor Discord is configured']),
    async stop() {
      for (const part of [...parts].reverse()) await part.stop().catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'a chat front end did not stop cleanly'));
    },
  };
};

