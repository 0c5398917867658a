/**
 * Discord's production path at the wire: the `bots` role logs in with client.login(DISCORD_TOKEN) —
 * GET /api/v10/gateway/bot on the recording server, then a real WebSocket to a local fake of
 * Discord's gateway (HELLO, IDENTIFY, heartbeats, READY, GUILD_CREATE) — and answers `/ticket`
 * interactions the gateway dispatches, on the real command service and tickets in MariaDB; the
 * answers (interaction callback, edit of the original message) reach the recording server. A token
 * Discord refuses stops `ticketrelay start` with a sentence naming DISCORD_TOKEN, never the token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotsRole } from '../../src/roles/bots.ts';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import type { RunningRole } from '../../src/roles/role.ts';
import {
  serveGatewayBot,
  startFakeDiscordGateway,
  type FakeDiscordGateway,
  type GatewayPayload,
} from '../fakes/fake-discord-gateway.ts';
import { DISCORD_IDS, discordMessage, ticketCommand, type CommandOption } from '../fakes/discord-payloads.ts';
import type { RecordedCall, RecordingServer } from '../fakes/recording-server.ts';
import {
  ingestTicket,
  runTicketrelay,
  startTestApp,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

const TOKEN = 'MTIwMDAwMDAwMDAwMDAwMDAwMQ.fake-gateway.bot-token-d1s';
/** Refused by the REST API (401 on /gateway/bot), as Discord does for a reset token. */
const REVOKED_TOKEN = 'MTIwMDAwMDAwMDAwMDAwMDAwMQ.revoked.token-9f3a';
/** Accepted by REST but refused by the gateway (closed with 4004). */
const GATEWAY_REFUSED_TOKEN = 'MTIwMDAwMDAwMDAwMDAwMDAwMQ.gateway-refused.token-77c1';
const { app: APP_ID, guild: GUILD, channel: CHANNEL } = DISCORD_IDS;
const AGENT = '1200000000000000005';
const BOT_USER = { id: '1200000000000000010', username: 'ticketrelay' };
/** discord.js asks for GatewayIntentBits.Guilds only. */
const GUILDS_INTENT = 1;

let setup: TestSetup;
let db: TestDatabase;
let api: RecordingServer;
let gateway: FakeDiscordGateway;
let app: TestApp;
let role: RunningRole | null = null;
let gearbox: { ticketId: number };
let hours: { ticketId: number };

beforeAll(async () => {
  gateway = await startFakeDiscordGateway({
    token: TOKEN,
    applicationId: APP_ID,
    botUser: BOT_USER,
    guilds: [guildCreate()],
    heartbeatIntervalMs: 250,
  });
  setup = await startTestApp('discord_gw', {
    discord: true,
    routes: (api) => {
      serveGatewayBot(api, gateway, [TOKEN, GATEWAY_REFUSED_TOKEN]);
      // Webhook edits answer with the message, as Discord does.
      api.route('/messages/%40original', (call) => ({ body: message(call) }));
    },
    env: { ACK_ENABLED: 'false', DISCORD_TOKEN: TOKEN },
  });
  ({ db, api, app } = setup);
  await app.agents.upsert({
    name: 'alice',
    role: 'agent',
    staffId: 4711,
    identities: [{ platform: 'discord', kind: 'user', value: AGENT }],
  });
  gearbox = await ingestTicket(app, {
    from: 'Ada Lovelace <ada@customer.example>',
    subject: 'Gearbox noise',
    body: 'The gearbox whines above 80 km/h.',
  });
  hours = await ingestTicket(app, {
    from: 'Otto <otto@customer.example>',
    subject: 'Opening hours',
    body: 'Are you open on Saturday?',
  });
});

afterAll(async () => {
  await role?.stop();
  await setup?.close();
  await gateway?.close();
});

function guildCreate(): Record<string, unknown> {
  return {
    id: GUILD,
    name: 'Shop',
    icon: null,
    owner_id: '1200000000000000099',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id: GUILD,
        name: '@everyone',
        color: 0,
        hoist: false,
        position: 0,
        permissions: '0',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: '2026-01-01T00:00:00.000Z',
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [],
    channels: [
      {
        id: CHANNEL,
        type: 0,
        guild_id: GUILD,
        name: 'support',
        position: 0,
        permission_overwrites: [],
        parent_id: null,
        nsfw: false,
      },
    ],
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

const message = (call: RecordedCall) => discordMessage(call, BOT_USER);
/** An INTERACTION_CREATE for `/ticket SUB …` typed by the agent in #support, as the gateway sends it. */
const slashCommand = (sub: string, options: CommandOption[]) =>
  ticketCommand({ id: AGENT, username: 'alice', globalName: 'Alice' }, [], sub, options);

const jsonOf = (call: RecordedCall | undefined) => (call?.body ?? {}) as Record<string, unknown>;
const session = () => gateway.sessions.at(-1)!;

/** Dispatches the interaction over the gateway; resolves with its callback (within Discord's 3 s) and the edited original message. */
async function overGateway(
  interaction: ReturnType<typeof slashCommand>,
): Promise<{ callback: Record<string, unknown>; edit: RecordedCall }> {
  const started = Date.now();
  gateway.dispatch('INTERACTION_CREATE', interaction);
  const [callback] = await api.waitFor(
    `/api/v10/interactions/${interaction.id}/${interaction.token}/callback`,
    1,
    3_000,
  );
  expect(Date.now() - started).toBeLessThan(3_000);
  const [edit] = await api.waitFor(`/api/v10/webhooks/${APP_ID}/${interaction.token}/messages/%40original`, 1, 10_000);
  return { callback: jsonOf(callback), edit: edit! };
}

describe('the Discord bot over the gateway', () => {
  it('logs in: asks REST for the gateway, identifies with the token and the Guilds intent, keeps its heartbeats acknowledged, and says it is connected', async () => {
    role = await startBotsRole(app);
    const [info] = api.callsTo('/api/v10/gateway/bot');
    expect(info?.method).toBe('GET');
    expect(info?.headers['authorization']).toBe(`Bot ${TOKEN}`);
    expect(gateway.sessions).toHaveLength(1);
    expect(Object.fromEntries(session().query)).toEqual({ v: '10', encoding: 'json' });
    const identify = session().received.find((p) => p.op === 2) as GatewayPayload & { d: Record<string, unknown> };
    expect(identify.d).toMatchObject({
      token: TOKEN,
      intents: GUILDS_INTENT,
      shard: [0, 1],
      compress: false,
      properties: {
        os: process.platform,
        browser: expect.stringMatching(/^@discordjs\/ws /),
        device: expect.stringMatching(/^@discordjs\/ws /),
      },
    });
    // discord.js is fully ready once the guild announced in READY arrived as GUILD_CREATE.
    await expect
      .poll(() => role?.describe(), { timeout: 5_000 })
      .toEqual([`discord: gateway connected as ${BOT_USER.username}, 0 interaction(s) handled`]);
    // Several heartbeats, each acknowledged (op 11): discord.js drops a connection whose heartbeat went unanswered, so one session means every ack arrived.
    await gateway.until('3 heartbeats', () => session().heartbeats >= 3);
    expect(gateway.sessions).toHaveLength(1);
    expect(session().closeCode).toBeNull();
  });

  it('/ticket list from an agent: deferred privately at once, then the list of open tickets from the database', async () => {
    const { callback, edit } = await overGateway(slashCommand('list', []));
    expect(callback).toMatchObject({ type: 5, data: { flags: 64 } }); // deferred, ephemeral: a read
    expect(edit.method).toBe('PATCH');
    const embed = (jsonOf(edit)['embeds'] as { title: string; description: string }[])[0];
    expect(embed?.title).toBe('Open tickets, newest first · page 1');
    const rows = await db.query<{ msg_id: number; msg_subject: string; cst_mail: string }>(
      'SELECT m.msg_id, m.msg_subject, c.cst_mail FROM ___xtr_msg m JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id WHERE m.msg_id IN (?, ?) ORDER BY m.msg_id DESC',
      [gearbox.ticketId, hours.ticketId],
    );
    expect(rows.map((r) => r.msg_id)).toEqual([hours.ticketId, gearbox.ticketId]);
    const lines = embed?.description.split('\n') ?? [];
    expect(lines).toHaveLength(2);
    rows.forEach((row, i) =>
      expect(lines[i]).toMatch(
        new RegExp(
          `^\\S+ \\*\\*#${row.msg_id}\\*\\* ${row.msg_subject} — ${row.cst_mail.replace(/\./g, '\\.')} · open, waiting \\d+ min · `,
        ),
      ),
    );
  });

  it('/ticket view N: the ticket with its customer and the thread, and the role counts both interactions', async () => {
    const { callback, edit } = await overGateway(
      slashCommand('view', [{ type: 4, name: 'ticket', value: gearbox.ticketId }]),
    );
    expect(callback).toMatchObject({ type: 5, data: { flags: 64 } });
    const embed = (jsonOf(edit)['embeds'] as { title: string; fields: { name: string; value: string }[] }[])[0];
    expect(embed?.title).toBe(`#${gearbox.ticketId} Gearbox noise`);
    const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields['Customer']).toContain('ada@customer.example');
    expect(fields['Status']).toBe('open');
    expect(Object.values(fields).join('\n')).toContain('The gearbox whines above 80 km/h.');
    const row = (jsonOf(edit)['components'] as { components: { custom_id: string }[] }[])[0];
    expect(row?.components.map((c) => c.custom_id)).toContain(`ticket:close:${gearbox.ticketId}`);
    await expect
      .poll(() => role?.describe())
      .toEqual([`discord: gateway connected as ${BOT_USER.username}, 2 interaction(s) handled`]);
  });

  it('stops: closes the gateway connection normally (1000)', async () => {
    await role?.stop();
    role = null;
    await gateway.until('the connection closed', () => session().closeCode !== null);
    expect(session().closeCode).toBe(1000);
  });
});

describe('a token Discord refuses', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-discord-gw-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const start = (token: string) =>
    runTicketrelay(
      ['start', '--roles', 'bots'],
      {
        DATABASE_URL: db.url,
        REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
        DATA_DIR: dataDir,
        QUEUE_PREFIX: 'test-discord-gw',
        LOG_LEVEL: 'debug',
        DISCORD_TOKEN: token,
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_API_URL: `${api.url}api`,
      },
      '',
      { timeoutMs: 30_000 },
    );

  it('by the gateway (closed with 4004): ticketrelay start exits 1 with a sentence naming DISCORD_TOKEN, and never prints the token', async () => {
    const before = gateway.sessions.length;
    const { code, stdout, stderr } = await start(GATEWAY_REFUSED_TOKEN);
    expect(gateway.sessions.slice(before).map((s) => s.closeCode)).toEqual([4004]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'ticketrelay: Discord refused DISCORD_TOKEN (the gateway closed with 4004, authentication failed): copy the bot token again from "Bot" in the developer portal',
    );
    expect(stdout + stderr).not.toContain(GATEWAY_REFUSED_TOKEN);
    expect(stdout + stderr).not.toContain(GATEWAY_REFUSED_TOKEN.split('.').at(-1));
  });

  it('by the REST API (401 on /gateway/bot): the same sentence, and no connection to the gateway', async () => {
    const before = gateway.sessions.length;
    const { code, stdout, stderr } = await start(REVOKED_TOKEN);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'ticketrelay: Discord refused DISCORD_TOKEN: copy the bot token again from "Bot" in the developer portal',
    );
    expect(stdout + stderr).not.toContain(REVOKED_TOKEN);
    expect(stdout + stderr).not.toContain(REVOKED_TOKEN.split('.').at(-1));
    expect(gateway.sessions.length).toBe(before);
  });
});
