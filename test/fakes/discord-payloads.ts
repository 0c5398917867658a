/**
 * Discord's wire payloads as the tests need them, in one place: the message objects Discord's REST
 * answers with, and the interactions (slash commands, buttons, modals) its gateway or HTTP endpoint
 * delivers. Ids are snowflake-shaped strings; each call takes a fresh one.
 */
import type { RecordedCall } from './recording-server.ts';

export const DISCORD_IDS = {
  app: '1200000000000000001',
  guild: '1200000000000000002',
  channel: '1200000000000000003',
} as const;

let seq = 0;
const snowflake = (base: bigint) => String(base + BigInt((seq += 1)));

export interface DiscordUser {
  readonly id: string;
  readonly username: string;
  readonly globalName?: string | null;
}

/** The message object Discord answers a POST/PATCH with: the request's body over the defaults, by `author`. */
export function discordMessage(call: Pick<RecordedCall, 'body'>, author: DiscordUser): Record<string, unknown> {
  const body = (typeof call.body === 'object' && call.body ? call.body : {}) as Record<string, unknown>;
  return {
    id: snowflake(1300000000000000000n),
    channel_id: DISCORD_IDS.channel,
    type: 0,
    content: '',
    embeds: [],
    components: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    pinned: false,
    mention_everyone: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: 0,
    author: {
      id: author.id,
      username: author.username,
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
    },
    ...body,
  };
}

/** The common part of every interaction: who, where (#support of the guild), and the token to answer with. */
export function interactionEnvelope(user: DiscordUser, roles: readonly string[]) {
  const id = snowflake(1400000000000000000n);
  const { app, guild, channel } = DISCORD_IDS;
  return {
    id,
    application_id: app,
    token: `interaction-token-${id}`,
    version: 1,
    guild_id: guild,
    channel_id: channel,
    channel: { id: channel, type: 0, guild_id: guild, name: 'support' },
    member: {
      user: {
        id: user.id,
        username: user.username,
        discriminator: '0',
        global_name: user.globalName ?? null,
        avatar: null,
      },
      roles: [...roles],
      nick: null,
      joined_at: '2026-01-01T00:00:00.000Z',
      permissions: '0',
      deaf: false,
      mute: false,
      flags: 0,
    },
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: { '0': guild },
    context: 0,
  };
}

export type CommandOption = { type: number; name: string; value: string | number; focused?: boolean };

/** `/ticket SUB …` (type 2), or its autocomplete (type 4). */
export function ticketCommand(
  user: DiscordUser,
  roles: readonly string[],
  sub: string,
  options: CommandOption[],
  type = 2,
) {
  return {
    ...interactionEnvelope(user, roles),
    type,
    data: {
      id: '1500000000000000001',
      name: 'ticket',
      type: 1,
      guild_id: DISCORD_IDS.guild,
      options: [{ type: 1, name: sub, options }],
    },
  };
}
