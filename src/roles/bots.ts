/**
 * The `bots` role: the Slack app (HTTP receiver or Socket Mode) and the Discord bot (gateway) when
 * each is configured, and the loop that posts new tickets and customers' replies to the notify
 * channels. Neither configured: it says so and only idles. A platform that refuses our token is one
 * log line naming the variable and "down: token refused" in `status` and /readyz; the other platform
 * and the other roles go on. stop() closes them, posting waiting notices only until a deadline.
 */
import { isAppError } from '../domain/errors.ts';
import type { RoleStarter } from './role.ts';
import { RedisReplayGuard } from '../../adapters/queue/redis-replay-guard.ts';
import { ChatNoticeLoop } from '../services/chat-notice-loop.ts';

/** The code both chat adapters give a refused token (slack-bot.ts, discord-bot.ts). */
const TOKEN_REFUSED = 'chat.token_refused';

export const startBotsRole: RoleStarter = async (app) => {
  const { config } = app;
  const log = app.logger.child({ component: 'bots' });
  const parts: { describe(): string; stop(): Promise<void> }[] = [];
  const down: { platform: 'slack' | 'discord'; why: string }[] = [];
  let firstRefusal: unknown = null;
  const closers: (() => void)[] = [];
  /** A refused token takes that platform down, its notices with it; any other failure ends the role's start. */
  const refused = (platform: 'slack' | 'discord', error: unknown): void => {
    if (!isAppError(error) || error.code !== TOKEN_REFUSED) throw error;
    firstRefusal ??= error;
    log.error({ platform }, error.message);
    down.push({ platform, why: 'down: token refused' });
    app.down.set(
      platform,
      `down: token refused (${platform === 'slack' ? 'SLACK_BOT_TOKEN or SLACK_APP_TOKEN' : 'DISCORD_TOKEN'})`,
    );
    // Its notices would be refused the same way, once a pass: they wait in the ledger for the next start.
    const onPlatform = (n: object) => 'platform' in n && n.platform === platform;
    for (let i = app.notifiers.length - 1; i >= 0; i--) if (onPlatform(app.notifiers[i]!)) app.notifiers.splice(i, 1);
    for (let i = app.channelNotifiers.length - 1; i >= 0; i--)
      if (onPlatform(app.channelNotifiers[i]!)) app.channelNotifiers.splice(i, 1);
  };
  try {
    if (config.slack.botToken) {
      const { createSlackBot } = await import('../../adapters/slack/slack-bot.ts');
      const replayGuard = new RedisReplayGuard({
        redisUrl: config.redis.url,
        prefix: config.redis.queuePrefix,
        logger: app.logger,
      });
      const bot = createSlackBot({ slack: config.slack, commands: app.commands, logger: app.logger, replayGuard });
      closers.push(() => replayGuard.close());
      try {
        await bot.start();
        parts.push(bot);
      } catch (error) {
        // Nothing of it listens yet (Bolt's stop() would wait for a server that never started).
        refused('slack', error);
      }
    }
    if (config.discord.token) {
      const { DiscordBot } = await import('../../adapters/discord/discord-bot.ts');
      const bot = new DiscordBot({
        discord: config.discord,
        commands: app.commands,
        agents: app.agents,
        logger: app.logger,
      });
      try {
        await bot.start();
        parts.push(bot);
      } catch (error) {
        await bot.stop().catch(() => undefined);
        refused('discord', error);
      }
    }
    // Every configured platform refused: nothing of this role runs, which the caller decides about.
    if (parts.length === 0 && firstRefusal) throw firstRefusal;
    const notifiers = app.channelNotifiers;
    if (notifiers.length > 0) {
      const loop = new ChatNoticeLoop({
        feedFor: app.stores.noticeFeed,
        notifiers,
        logger: app.logger,
        breaker: { state: () => app.spam.breakerState() },
        stopDeadlineMs: config.chat.stopSeconds * 1000,
      });
      await loop.start();
      parts.push(loop);
    }
  } catch (error) {
    for (const part of parts) await part.stop().catch(() => undefined);
    for (const close of closers) close();
    throw error;
  }
  if (parts.length === 0) {
    log.warn(
      {},
      'neither Slack nor Discord is configured (set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET, or DISCORD_TOKEN; see .env.example): the bots role has nothing to do',
    );
  }
  return {
    name: 'bots',
    describe: () => [
      ...down.map((d) => `${d.platform}: ${d.why}`),
      ...(parts.length
        ? parts.map((p) => p.describe())
        : down.length
          ? []
          : ['bots: neither Slack nor Discord is configured']),
    ],
    async stop() {
      for (const part of [...parts].reverse())
        await part
          .stop()
          .catch((error: unknown) =>
            log.warn(
              { err: error instanceof Error ? error.message : String(error) },
              'a chat front end did not stop cleanly',
            ),
          );
      for (const close of closers) close();
    },
  };
};

/** The role in place of the bots when every chat platform refused its token, in a process with other roles. */
export function downBotsRole(reason: string): { name: 'bots'; describe(): string[]; stop(): Promise<void> } {
  return { name: 'bots', describe: () => [`bots: ${reason}`], stop: async () => undefined };
}
