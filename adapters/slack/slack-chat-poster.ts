/**
 * Posts ticket notices to a Slack channel (chat.postMessage; a reply goes in the ticket's thread with
 * thread_ts). Its WebClient waits out a 429's Retry-After and retries; the pacing and coalescing are
 * PacedChatNotifier's.
 */
import { WebClient, type ChatPostMessageArguments } from '@slack/web-api';
import { slackText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { ChatPoster } from '../../src/ports/chat-poster.ts';
import { renderNotices, SLACK_NO_PARSE } from './slack-render.ts';
import { slackErrorText } from './slack-bot.ts';

/** What a post carries besides its channel: the text, and the blocks or thread of a notice. */
type SlackPost = Omit<ChatPostMessageArguments, 'channel'> & { readonly text: string };

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

  postLine(channel: string, line: string): Promise<string> {
    return this.#post(channel, { ...SLACK_NO_PARSE, text: slackText(line) }, 'a notice');
  }

  post(channel: string, notices: readonly TicketNotice[], threadRef: string | null): Promise<string> {
    const message = renderNotices(notices);
    return this.#post(
      channel,
      {
        ...SLACK_NO_PARSE,
        text: message.text,
        ...(message.attachments ? { attachments: message.attachments } : {}),
        ...(threadRef ? { thread_ts: threadRef } : {}),
      },
      'a notice',
    );
  }

  postAlert(channel: string, text: string): Promise<string> {
    return this.#post(channel, { text: `:rotating_light: ${text}` }, 'an alert');
  }

  /**
   * A direct message to a Slack user: chat.postMessage with the user id as channel posts in the app's
   * conversation with them (the notice as in a channel, never threaded).
   */
  postDirect(userId: string, notices: readonly TicketNotice[]): Promise<string> {
    return this.post(userId, notices, null);
  }

  /** The one way a message goes out: chat.postMessage, unfurls off, Slack's refusal as an AppError naming the fix. */
  async #post(channel: string, content: SlackPost, what: string): Promise<string> {
    try {
      const answer = await this.#client.chat.postMessage({
        ...content,
        channel,
        unfurl_links: false,
        unfurl_media: false,
      } as ChatPostMessageArguments);
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
      throw new AppError('slack.post_failed', `Slack refused ${what} for ${channel}: ${reason}.${hint}`, {
        cause: error,
        retryable: true,
      });
    }
  }
}
