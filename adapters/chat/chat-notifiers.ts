/**
 * The chat notifiers the configuration asks for: Slack's when SLACK_BOT_TOKEN and
 * SLACK_NOTIFY_CHANNEL are set, Discord's when DISCORD_TOKEN and DISCORD_NOTIFY_CHANNEL are. Their
 * SDKs are loaded only then, so commands that never post do not pay for them.
 */
import type { Config } from '../../src/config.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { Database } from '../mysql/database.ts';
import { MysqlChatPostLedger } from './mysql-chat-post-ledger.ts';
import { PacedChatNotifier } from './paced-chat-notifier.ts';

export async function createChatNotifiers(config: Pick<Config, 'slack' | 'discord' | 'chat'>, database: Database, logger: Logger): Promise<PacedChatNotifier[]> {
  const ledger = new MysqlChatPostLedger(database);
  const notifiers: PacedChatNotifier[] = [];
  if (config.slack.botToken && config.slack.notifyChannel) {
    const { SlackChatPoster } = await import('../slack/slack-chat-poster.ts');
    const poster = new SlackChatPoster({ token: config.slack.botToken, apiUrl: config.slack.apiUrl });
    notifiers.push(new PacedChatNotifier({ poster, channel: config.slack.notifyChannel, ledger, logger, maxPerMinute: config.chat.noticesPerMinute }));
  }
  if (config.discord.token && config.discord.notifyChannel) {
    const { DiscordChatPoster } = await import('../discord/discord-chat-poster.ts');
    const poster = new DiscordChatPoster({ token: config.discord.token, apiUrl: config.discord.apiUrl });
    notifiers.push(new PacedChatNotifier({ poster, channel: config.discord.notifyChannel, ledger, logger, maxPerMinute: config.chat.noticesPerMinute }));
  }
  return notifiers;
}
