/**
 * Posts ticket notices to a Discord channel (POST /channels/{id}/messages; a reply to a ticket
 * answers the ticket's message with message_reference). discord.js's REST client waits out 429s on
 * its own; the pacing and coalescing are PacedChatNotifier's.
 */
import { DiscordAPIError, HTTPError, REST, Routes } from 'discord.js';
import { discordText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { ChatPoster } from '../../src/ports/chat-poster.ts';
import { renderNotices } from './discord-render.ts';

export class DiscordChatPoster implements ChatPoster {
  readonly platform = 'discord' as const;
  readonly #rest: REST;
  /** A user's direct-message channel, once opened (Discord returns the same one each time). */
  readonly #dmChannels = new Map<string, string>();

  constructor(options: { token: string; apiUrl: string | null }) {
    this.#rest = new REST({
      version: '10',
      timeout: 15_000,
      ...(options.apiUrl ? { api: options.apiUrl.replace(/\/+$/, '') } : {}),
    }).setToken(options.token);
  }

  postLine(channel: string, line: string): Promise<string> {
    return this.#post(channel, { content: discordText(line) }, 'a notice');
  }

  post(channel: string, notices: readonly TicketNotice[], threadRef: string | null): Promise<string> {
    const message = renderNotices(notices);
    return this.#post(
      channel,
      {
        content: message.content,
        embeds: message.embeds,
        components: message.components,
        ...(threadRef ? { message_reference: { message_id: threadRef, fail_if_not_exists: false } } : {}),
      },
      'a notice',
    );
  }

  postAlert(channel: string, text: string): Promise<string> {
    return this.#post(channel, { content: `🚨 ${discordText(text)}` }, 'an alert');
  }

  /** A direct message to a Discord user: their DM channel (POST /users/@me/channels), then the notice in it. */
  async postDirect(userId: string, notices: readonly TicketNotice[]): Promise<string> {
    let channel = this.#dmChannels.get(userId);
    if (!channel) {
      try {
        const opened = (await this.#rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
          id?: unknown;
        };
        if (typeof opened.id !== 'string') throw new Error('Discord returned no channel id');
        channel = opened.id;
        this.#dmChannels.set(userId, channel);
      } catch (error) {
        throw new AppError(
          'discord.post_failed',
          `Discord would not open a direct message with user ${userId}: ${error instanceof Error ? error.message : String(error)}. The user must share a server with the bot and accept its messages.`,
          { cause: error, retryable: true },
        );
      }
    }
    return this.post(channel, notices, null);
  }

  /** The one way a message goes out: no mentions ever, Discord's refusal as an AppError naming the fix. */
  async #post(channel: string, body: Record<string, unknown>, what: string): Promise<string> {
    try {
      const answer = (await this.#rest.post(Routes.channelMessages(channel), {
        body: { ...body, allowed_mentions: { parse: [] } },
      })) as { id?: unknown };
      if (typeof answer.id !== 'string')
        throw new AppError('discord.post_failed', `Discord did not return the message id for channel ${channel}.`);
      return answer.id;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const hint =
        error instanceof DiscordAPIError && (error.status === 403 || error.status === 404)
          ? ' Give the bot "Send Messages" in that channel, or fix DISCORD_NOTIFY_CHANNEL.'
          : '';
      // A 5xx comes as an HTTPError whose message is only the status text: the code is said too.
      const status = error instanceof HTTPError ? ` (HTTP ${error.status})` : '';
      throw new AppError(
        'discord.post_failed',
        `Discord refused ${what} for channel ${channel}: ${error instanceof Error ? error.message : String(error)}${status}.${hint}`,
        { cause: error, retryable: true },
      );
    }
  }
}
