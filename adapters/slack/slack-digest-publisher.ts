/**
 * DigestPublisher for Slack: chat.postMessage with Block Kit blocks, then the chart with
 * files.uploadV2 in the same channel. The Web API base URL is configurable (tests point it at a local
 * recording server). No automatic retries: a lost answer must not become a second post.
 */
import { ErrorCode, WebClient } from '@slack/web-api';
import { slackText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { DigestPost, DigestPublisher } from '../../src/ports/digest-publisher.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { SLACK_NO_PARSE } from './slack-render.ts';

export class SlackDigestPublisher implements DigestPublisher {
  readonly platform = 'slack' as const;
  readonly #client: WebClient;
  readonly #log: Logger;

  constructor(options: { token: string; apiUrl: string | null; logger: Logger }) {
    this.#client = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 30_000,
    });
    this.#log = options.logger.child({ component: 'slack-digest' });
  }

  async publish(channel: string, digest: DigestPost): Promise<string> {
    let ts: string;
    const slackDigestText = digest.textIn({ escape: slackText, bold: (t) => `*${t}*` });
    try {
      const answer = await this.#client.chat.postMessage({
        channel,
        ...SLACK_NO_PARSE,
        text: slackDigestText,
        unfurl_links: false,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: digest.title.slice(0, 150) } },
          {
            type: 'section',
            fields: digest.fields
              .slice(0, 10)
              .map((f) => ({ type: 'mrkdwn' as const, text: `*${f.name}*\n${f.value}`.slice(0, 2000) })),
          },
          { type: 'section', text: { type: 'mrkdwn', text: slackDigestText.slice(0, 3000) } },
        ],
      });
      ts = String(answer.ts ?? '');
    } catch (error) {
      throw toDigestError(error, channel);
    }
    try {
      await this.#client.files.uploadV2({
        channel_id: channel,
        file: Buffer.from(digest.png),
        filename: `digest-${digest.day}.png`,
        title: `New vs closed tickets, 14 days to ${digest.day}`,
      });
    } catch (error) {
      // The digest itself is in the channel: a missing chart does not make it unposted.
      this.#log.warn({ channel, err: toDigestError(error, channel).message }, 'digest posted without its chart');
    }
    return `${channel}/${ts}`;
  }
}

/** Slack's errors → AppError: a platform answer is a definite refusal; no answer leaves it uncertain. */
function toDigestError(error: unknown, channel: string): AppError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === ErrorCode.PlatformError) {
    const reason = String((error as { data?: { error?: unknown } }).data?.error ?? 'unknown_error');
    const hint =
      reason === 'channel_not_found' || reason === 'not_in_channel'
        ? ` Invite the app to ${channel} (/invite @app) or fix SLACK_DIGEST_CHANNELS.`
        : reason === 'invalid_auth' || reason === 'not_authed' || reason === 'token_revoked'
          ? ' Check SLACK_BOT_TOKEN.'
          : '';
    return new AppError('digest.post_refused', `Slack refused the digest for ${channel}: ${reason}.${hint}`, {
      cause: error,
      retryable: reason === 'ratelimited' || reason === 'internal_error',
    });
  }
  if (code === ErrorCode.RateLimitedError || code === ErrorCode.HTTPError) {
    return new AppError(
      'digest.post_refused',
      `Slack answered the digest for ${channel} with an error (${code}); a later attempt may succeed.`,
      { cause: error, retryable: true },
    );
  }
  return new AppError(
    'digest.post_uncertain',
    `Slack did not answer the digest for ${channel} (${error instanceof Error ? error.message : String(error)}); it may or may not have been posted.`,
    {
      cause: error,
      retryable: true,
    },
  );
}
