/**
 * Posts ticket notices to a Discord channel (POST /channels/{id}/messages; a reply to a ticket
 * answers the ticket's message with message_reference). discord.js's REST client waits out 429s on
 * its own; the pacing and coalescing are PacedChatNotifier's.
 */
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { discordText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { ChatPoster } from '../../src/ports/chat-poster.ts';
import { renderNotices } from './discord-render.ts';

export class DiscordChatPoster implements ChatPoster {
  readonly platform = 'discord' as const;
  readonly #rest: REST;

  constructor(options: { token: string; apiUrl: string | null }) {
    this.#rest = new REST({
      version: '10',
      timeout: 15_000,
      ...(options.apiUrl ? { api: options.apiUrl.replace(/\/+$/, '') } : {}),
    }).setToken(options.token);
  }

  async postLine(channel: string, line: string): Promise<string> {
    try {
      const answer = (await this.#rest.post(Routes.channelMessages(channel), {
        body: { content: discordText(line), allowed_mentions: { parse: [] } },
      })) as { id?: unknown };
      if (typeof answer.id !== 'string')
        throw new AppError('discord.post_failed', `Discord did not return the message id for channel ${channel}.`);
      return answer.id;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(
        'discord.post_failed',
        `Discord refused a notice for channel ${channel}: ${error instanceof Error ? error.message : String(error)}.`,
        { cause: error, retryable: true },
      );
    }
  }

  async post(channel: string, notices: readonly TicketNotice[], threadRef: string | null): Promise<string> {
    const message = renderNotices(notices);
    try {
      const answer = (await this.#rest.post(Routes.channelMessages(channel), {
        body: {
          content: message.content,
          embeds: message.embeds,
          components: message.components,
          allowed_mentions: { parse: [] },
          ...(threadRef ? { message_reference: { message_id: threadRef, fail_if_not_exists: false } } : {}),
        },
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
      throw new AppError(
        'discord.post_failed',
        `Discord refused a notice for channel ${channel}: ${error instanceof Error ? error.message : String(error)}.${hint}`,
        { cause: error, retryable: true },
      );
    }
  }

  async postAlert(channel: string, text: string): Promise<string> {
    try {
      const answer = (await this.#rest.post(Routes.channelMessages(channel), {
        body: { content: `🚨 ${discordText(text)}`, allowed_mentions: { parse: [] } },
      })) as { id?: unknown };
      if (typeof answer.id !== 'string')
        throw new AppError('discord.post_failed', `Discord did not return the message id for channel ${channel}.`);
      return answer.id;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(
        'discord.post_failed',
        `Discord refused an alert for channel ${channel}: ${error instanceof Error ? error.message : String(error)}.`,
        { cause: error, retryable: true },
      );
    }
  }
}
