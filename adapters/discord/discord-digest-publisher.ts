/**
 * DigestPublisher for Discord: one POST /channels/{id}/messages through discord.js's REST client, with
 * an embed (title, fields, text) and the chart attached as a PNG shown in the embed. The API base URL
 * is configurable (tests point it at a local recording server). No retries on 5xx or timeouts: a lost
 * answer must not become a second post.
 */
import { DiscordAPIError, HTTPError, REST, Routes } from 'discord.js';
import { clipEncoded, discordText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { DigestPost, DigestPublisher } from '../../src/ports/digest-publisher.ts';

export class DiscordDigestPublisher implements DigestPublisher {
  readonly platform = 'discord' as const;
  readonly #rest: REST;

  constructor(options: { token: string; apiUrl: string | null }) {
    this.#rest = new REST({
      version: '10',
      retries: 0,
      timeout: 30_000,
      ...(options.apiUrl ? { api: options.apiUrl.replace(/\/+$/, '') } : {}),
    }).setToken(options.token);
  }

  async publish(channel: string, digest: DigestPost): Promise<string> {
    const filename = `digest-${digest.day}.png`;
    try {
      const answer = (await this.#rest.post(Routes.channelMessages(channel), {
        body: {
          embeds: [
            {
              title: digest.title.slice(0, 256),
              description: clipEncoded(digest.textIn({ escape: discordText, bold: (t) => `**${t}**` }), 4096),
              color: 0x2e6ec8,
              fields: digest.fields
                .slice(0, 25)
                .map((f) => ({ name: f.name.slice(0, 256), value: f.value.slice(0, 1024), inline: true })),
              image: { url: `attachment://${filename}` },
            },
          ],
          attachments: [{ id: 0, filename }],
          allowed_mentions: { parse: [] },
        },
        files: [{ name: filename, data: Buffer.from(digest.png), contentType: 'image/png' }],
      })) as { id?: unknown };
      return `${channel}/${String(answer.id ?? '')}`;
    } catch (error) {
      throw toDigestError(error, channel);
    }
  }
}

/** discord.js's errors → AppError: an API answer is a definite refusal; no answer leaves it uncertain. */
function toDigestError(error: unknown, channel: string): AppError {
  if (error instanceof DiscordAPIError) {
    const hint =
      error.status === 403 || error.status === 404
        ? ' Give the bot "Send Messages" and "Attach Files" in that channel, or fix DISCORD_DIGEST_CHANNELS.'
        : error.status === 401
          ? ' Check DISCORD_TOKEN.'
          : '';
    return new AppError(
      'digest.post_refused',
      `Discord refused the digest for channel ${channel}: ${error.status} ${error.message}.${hint}`,
      { cause: error, retryable: error.status === 429 },
    );
  }
  if (error instanceof HTTPError) {
    return new AppError(
      'digest.post_refused',
      `Discord answered the digest for channel ${channel} with HTTP ${error.status}; a later attempt may succeed.`,
      { cause: error, retryable: true },
    );
  }
  return new AppError(
    'digest.post_uncertain',
    `Discord did not answer the digest for channel ${channel} (${error instanceof Error ? error.message : String(error)}); it may or may not have been posted.`,
    {
      cause: error,
      retryable: true,
    },
  );
}
