/**
 * The chat notifiers the configuration asks for: Slack's when SLACK_BOT_TOKEN and
 * SLACK_NOTIFY_CHANNEL are set, Discord's when DISCORD_TOKEN and DISCORD_NOTIFY_CHANNEL are. Their
 * SDKs are loaded only then, so commands that never post do not pay for them.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../ports/logger.ts';
import type { ChatPostLedger } from '../ports/notice-feed.ts';
import { PacedChatNotifier } from '../services/paced-chat-notifier.ts';

export async function createChatNotifiers(
  config: Pick<Config, 'slack' | 'discord' | 'chat'>,
  ledger: ChatPostLedger,
  logger: Logger,
): Promise<PacedChatNotifier[]> {
  const notifiers: PacedChatNotifier[] = [];
  if (config.slack.botToken && config.slack.notifyChannel) {
    const { SlackChatPoster } = await import('../../adapters/slack/slack-chat-poster.ts');
    const poster = new SlackChatPoster({ token: config.slack.botToken, apiUrl: config.slack.apiUrl });
    notifiers.push(
      new PacedChatNotifier({
        poster,
        channel: config.slack.notifyChannel,
        ledger,
        logger,
        maxPerMinute: config.chat.noticesPerMinute,
      }),
    );
  }
  if (config.discord.token && config.discord.notifyChannel) {
    const { DiscordChatPoster } = await import('../../adapters/discord/discord-chat-poster.ts');
    const poster = new DiscordChatPoster({ token: config.discord.token, apiUrl: config.discord.apiUrl });
    notifiers.push(
      new PacedChatNotifier({
        poster,
        channel: config.discord.notifyChannel,
        ledger,
        logger,
        maxPerMinute: config.chat.noticesPerMinute,
      }),
    );
  }
  return notifiers;
}
