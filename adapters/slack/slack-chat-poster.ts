/**
 * Posts ticket notices to a Slack channel (chat.postMessage; a reply goes in the ticket's thread with
 * thread_ts). Its WebClient waits out a 429's Retry-After and retries; the pacing and coalescing are
 * PacedChatNotifier's.
 */
import { WebClient } from '@slack/web-api';
import { slackText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { ChatPoster } from '../../src/ports/chat-poster.ts';
import { renderNotices, SLACK_NO_PARSE } from './slack-render.ts';
import { slackErrorText } from './slack-bot.ts';

export class SlackChatPoster implements ChatPoster {
  readonly platform = 'slack' as const;
  readonly #client: WebClient;

  constructor(options: { token: string; apiUrl: string | null; retries?: number }) {
    this.#client = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl.replace(/\/?$/, '/') } : {}),
      rejectRateLimitedCalls: false,
      retryConfig: { retries: options.retries ?? 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
      timeout: 15_000,
    });
  }

  async postLine(channel: string, line: string): Promise<string> {
    try {
      const answer = await this.#client.chat.postMessage({
        channel,
        ...SLACK_NO_PARSE,
        text: slackText(line),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!answer.ts)
        throw new AppError('slack.post_failed', `Slack did not return the message's ts for channel ${channel}.`);
      return answer.ts;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('slack.post_failed', `Slack refused a notice for ${channel}: ${slackErrorText(error)}.`, {
        cause: error,
        retryable: true,
      });
    }
  }

  async post(channel: string, notices: readonly TicketNotice[], threadRef: string | null): Promise<string> {
    const message = renderNotices(notices);
    try {
      const answer = await this.#client.chat.postMessage({
        channel,
        ...SLACK_NO_PARSE,
        text: message.text,
        ...(message.attachments ? { attachments: message.attachments } : {}),
        ...(threadRef ? { thread_ts: threadRef } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!answer.ts)
        throw new AppError('slack.post_failed', `Slack did not return the message's ts for channel ${channel}.`);
      return answer.ts;
    } catch (error) {
      if (error instanceof AppError) throw error;
      const reason = slackErrorText(error);
      const hint =
        reason === 'channel_not_found' || reason === 'not_in_channel'
          ? ` Invite the app to ${channel} (/invite @ticketrelay) or fix SLACK_NOTIFY_CHANNEL.`
          : '';
      throw new AppError('slack.post_failed', `Slack refused a notice for ${channel}: ${reason}.${hint}`, {
        cause: error,
        retryable: true,
      });
    }
  }

  async postAlert(channel: string, text: string): Promise<string> {
    try {
      const answer = await this.#client.chat.postMessage({
        channel,
        text: `:rotating_light: ${text}`,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!answer.ts)
        throw new AppError('slack.post_failed', `Slack did not return the message's ts for channel ${channel}.`);
      return answer.ts;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('slack.post_failed', `Slack refused an alert for ${channel}: ${slackErrorText(error)}.`, {
        cause: error,
        retryable: true,
      });
    }
  }
}
