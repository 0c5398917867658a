/**
 * Discord end to end at the wire: raw interaction payloads in Discord's documented JSON shape turned
 * into discord.js interactions; discord.js's REST pointed at a local recording server, where the
 * interaction callbacks and webhook edits are asserted. Tickets come from the real intake.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatNoticeLoop } from '../../adapters/chat/chat-notice-loop.ts';
import { MysqlChatPostLedger } from '../../adapters/chat/mysql-chat-post-ledger.ts';
import { PacedChatNotifier } from '../../adapters/chat/paced-chat-notifier.ts';
import { DiscordBot } from '../../adapters/discord/discord-bot.ts';
import { DiscordChatPoster } from '../../adapters/discord/discord-chat-poster.ts';
import { startRecordingServer, type RecordedCall, type RecordingServer } from '../fakes/recording-server.ts';
import { FakeTicketCommands } from '../fixtures/slack/fake-ticket-commands.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

const APP_ID = '1200000000000000001';
const GUILD = '1200000000000000002';
const CHANNEL = '1200000000000000003';
const AGENT_ROLE = '1200000000000000004';
const AGENT = '1200000000000000005';
const STRANGER = '1200000000000000006';
const NOTIFY = '1200000000000000007';

let db: TestDatabase;
let api: RecordingServer;
let app: TestApp;
let commands: FakeTicketCommands;
let bot: DiscordBot;
let ticketId: number;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase('discord');
  api = await startRecordingServer();
  // Webhook edits and follow-ups answer with the message, as Discord does.
  api.route('/messages/%40original', (call) => (call.method === 'DELETE' ? { status: 204, headers: { 'content-type': 'text/plain' } } : { body: message(call) }));
  api.route(`/webhooks/${APP_ID}/`, (call) => ({ body: message(call) }));
  app = await createTestApp(db, { ACK_ENABLED: 'false', DISCORD_TOKEN: 'discord-test-token', DISCORD_APPLICATION_ID: APP_ID, DISCORD_API_URL: `${api.url}api` });
  commands = new FakeTicketCommands(db);
  commands.agents.add(AGENT_ROLE); // agents by role
  bot = new DiscordBot({ discord: app.config.discord, commands, logger: app.logger });
  const result = await app.intake.ingest(eml({ from: 'Ada <ada@customer.example>', subject: 'Gearbox noise' }).raw, { kind: 'test' });
  if (result.outcome !== 'created') throw new Error(`expected a ticket, got ${JSON.stringify(result)}`);
  ticketId = result.ticketId;
  await db.query("UPDATE support_ticket SET priority = 'high' WHERE ticket_id = ?", [ticketId]);
});

afterAll(async () => {
  await bot?.stop();
  await app?.close();
  await api?.close();
  await db?.drop();
});

beforeEach(() => {
  commands.calls.length = 0;
  api.calls.length = 0;
});

function message(call: RecordedCall): Record<string, unknown> {
  const body = (typeof call.body === 'object' && call.body ? call.body : {}) as Record<string, unknown>;
  return { id: String(1300000000000000000n + BigInt((seq += 1))), channel_id: CHANNEL, type: 0, content: '', embeds: [], components: [], attachments: [], mentions: [], mention_roles: [], pinned: false, mention_everyone: false, tts: false, timestamp: new Date().toISOString(), edited_timestamp: null, flags: 0, author: { id: APP_ID, username: 'ticketrelay', discriminator: '0', global_name: null, avatar: null, bot: true }, ...body };
}

/** The common part of every interaction payload: who, where, and the token to answer with. */
function envelope(user: string, roles: string[]) {
  const id = String(1400000000000000000n + BigInt((seq += 1)));
  return {
    id,
    application_id: APP_ID,
    token: `interaction-token-${id}`,
    version: 1,
    guild_id: GUILD,
    channel_id: CHANNEL,
    channel: { id: CHANNEL, type: 0, guild_id: GUILD, name: 'support' },
    member: { user: { id: user, username: user === AGENT ? 'alice' : 'mallory', discriminator: '0', global_name: null, avatar: null }, roles, nick: null, joined_at: '2026-01-01T00:00:00.000Z', permissions: '0', deaf: false, mute: false, flags: 0 },
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD },
    context: 0,
  };
}

function command(user: string, roles: string[], sub: string, options: { type: number; name: string; value: string | number; focused?: boolean }[], type = 2) {
  return { ...envelope(user, roles), type, data: { id: '1500000000000000001', name: 'ticket', type: 1, guild_id: GUILD, options: [{ type: 1, name: sub, options }] } };
}

function button(user: string, roles: string[], customId: string, embeds: Record<string, unknown>[] = []) {
  return { ...envelope(user, roles), type: 3, data: { custom_id: customId, component_type: 2 }, message: message({ method: 'GET', path: '', query: new URLSearchParams(), headers: {}, raw: Buffer.alloc(0), body: { embeds, flags: 64 } }) };
}

const callbacks = (id: string) => api.callsTo(`/interactions/${id}/interaction-token-${id}/callback`);
const jsonOf = (call: RecordedCall | undefined) => (call?.body ?? {}) as Record<string, unknown>;

describe('/ticket', () => {
  it('defers at once, then edits the answer with an embed coloured by priority and the ticket buttons', async () => {
    const payload = command(STRANGER, [], 'view', [{ type: 4, name: 'ticket', value: ticketId }]);
    await bot.dispatch(payload);
    const [defer] = callbacks(payload.id);
    expect(jsonOf(defer)).toMatchObject({ type: 5, data: { flags: 64 } }); // deferred, ephemeral: a read
    const [edit] = api.callsTo(`/webhooks/${APP_ID}/${payload.token}/messages/%40original`);
    expect(edit?.method).toBe('PATCH');
    const embed = (jsonOf(edit)['embeds'] as { color: number; title: string }[])[0];
    expect(embed?.color).toBe(0xf57c00); // high
    expect(embed?.title).toBe(`#${ticketId} Gearbox noise`);
    const row = (jsonOf(edit)['components'] as { components: { custom_id: string }[] }[])[0];
    expect(row?.components.map((c) => c.custom_id)).toEqual([`ticket:close:${ticketId}`, `ticket:assign_me:${ticketId}`, `ticket:reply:${ticketId}`]);
    expect(commands.calls.map((c) => c.text)).toEqual([`view ${ticketId}`]);
  });

  it('turns subcommand options into the command line, choices included', async () => {
    const payload = command(AGENT, [AGENT_ROLE], 'list', [
      { type: 3, name: 'status', value: 'open' },
      { type: 3, name: 'priority', value: 'urgent' },
      { type: 4, name: 'page', value: 2 },
    ]);
    await bot.dispatch(payload);
    expect(commands.calls.map((c) => c.text)).toEqual(['list open urgent page 2']);
  });

  it('refuses a change from a member without an agent role, privately', async () => {
    const payload = command(STRANGER, ['1200000000000000999'], 'close', [{ type: 4, name: 'ticket', value: ticketId }]);
    await bot.dispatch(payload);
    expect(jsonOf(callbacks(payload.id)[0])).toMatchObject({ type: 5 }); // deferred in public: a change
    expect(api.callsTo(`/webhooks/${APP_ID}/${payload.token}/messages/%40original`).map((c) => c.method)).toEqual(['DELETE']);
    const [followUp] = api.callsTo(`/webhooks/${APP_ID}/${payload.token}`);
    expect(jsonOf(followUp)['flags']).toBe(64);
    expect(String(jsonOf(followUp)['content'])).toMatch(/Only agents may change tickets/);
    expect(commands.calls[0]?.caller).toMatchObject({ platform: 'discord', userId: STRANGER, roleIds: ['1200000000000000999'] });
  });

  it('lets a member with an agent role close, announced in the channel', async () => {
    const payload = command(AGENT, [AGENT_ROLE], 'close', [{ type: 4, name: 'ticket', value: ticketId }, { type: 3, name: 'reason', value: 'fixed by phone' }]);
    await bot.dispatch(payload);
    expect(commands.calls.map((c) => c.text)).toEqual([`close ${ticketId} fixed by phone`]);
    const [edit] = api.callsTo(`/webhooks/${APP_ID}/${payload.token}/messages/%40original`);
    expect(edit?.method).toBe('PATCH');
    expect(String(jsonOf(edit)['content'])).toContain(`Ticket #${ticketId}: close done by alice`);
  });

  it('autocompletes ticket numbers', async () => {
    const payload = command(AGENT, [AGENT_ROLE], 'view', [{ type: 4, name: 'ticket', value: String(ticketId), focused: true }], 4);
    await bot.dispatch(payload);
    const [answer] = callbacks(payload.id);
    expect(jsonOf(answer)).toEqual({ type: 8, data: { choices: [{ name: `#${ticketId} Gearbox noise (high)`, value: ticketId }] } });
  });
});

describe('buttons and the reply modal', () => {
  it('Close acknowledges the press and answers with a follow-up', async () => {
    const payload = button(AGENT, [AGENT_ROLE], `ticket:close:${ticketId}`);
    await bot.dispatch(payload);
    expect(jsonOf(callbacks(payload.id)[0])).toMatchObject({ type: 6 });
    const [followUp] = api.callsTo(`/webhooks/${APP_ID}/${payload.token}`);
    expect(String(jsonOf(followUp)['content'])).toContain('close done');
    expect(commands.calls.map((c) => c.text)).toEqual([`close ${ticketId}`]);
  });

  it('Reply opens a modal; its text comes back as a preview; only Send sends it', async () => {
    const press = button(AGENT, [AGENT_ROLE], `ticket:reply:${ticketId}`);
    await bot.dispatch(press);
    expect(jsonOf(callbacks(press.id)[0])).toMatchObject({ type: 9, data: { custom_id: `ticket:reply_modal:${ticketId}` } });

    const text = 'Hello Ada,\nplease send us a recording of the noise.';
    const submit = { ...envelope(AGENT, [AGENT_ROLE]), type: 5, data: { custom_id: `ticket:reply_modal:${ticketId}`, components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: text }] }] } };
    await bot.dispatch(submit);
    const preview = jsonOf(callbacks(submit.id)[0]);
    expect(preview).toMatchObject({ type: 4, data: { flags: 64 } });
    const data = preview['data'] as { embeds: { description: string }[]; components: { components: { custom_id: string }[] }[] };
    expect(data.embeds[0]?.description).toBe(text);
    expect(data.components[0]?.components.map((c) => c.custom_id)).toEqual([`ticket:send:${ticketId}`, `ticket:cancel:${ticketId}`]);
    expect(commands.calls).toEqual([]);

    const send = button(AGENT, [AGENT_ROLE], `ticket:send:${ticketId}`, data.embeds);
    await bot.dispatch(send);
    expect(jsonOf(callbacks(send.id)[0])).toMatchObject({ type: 6 });
    expect(commands.calls.map((c) => c.text)).toEqual([`reply ${ticketId} ${text}`]);
    const [edit] = api.callsTo(`/webhooks/${APP_ID}/${send.token}/messages/%40original`);
    expect(String(jsonOf(edit)['content'])).toMatch(/^Sent\./);
  });
});

describe('notices in the channel', () => {
  it('lists a burst of new tickets in one message and answers a reply to its ticket message', async () => {
    const ledger = new MysqlChatPostLedger(app.database);
    const notifier = new PacedChatNotifier({ poster: new DiscordChatPoster({ token: 'discord-test-token', apiUrl: `${api.url}api` }), channel: NOTIFY, ledger, logger: app.logger, coalesceMs: 300, minGapMs: 200 });
    const loop = new ChatNoticeLoop({ database: app.database, notifiers: [notifier], logger: app.logger, triageGraceMs: 0 });
    await loop.start();
    const first = eml({ from: 'Bob <bob@customer.example>', subject: 'Clutch' });
    const ids: number[] = [];
    for (const e of [first, eml({ from: 'Cy <cy@customer.example>', subject: 'Mirror' })]) {
      const r = await app.intake.ingest(e.raw, { kind: 'test' });
      if (r.outcome !== 'created') throw new Error(r.outcome);
      ids.push(r.ticketId);
    }
    api.route(`/channels/${NOTIFY}/messages`, (call) => ({ body: message(call) }));
    await loop.runOnce();
    await loop.idle();
    const posts = api.callsTo(`/channels/${NOTIFY}/messages`);
    expect(posts).toHaveLength(1);
    expect(jsonOf(posts[0])['content']).toBe(`2 new tickets: #${ids[0]}, #${ids[1]}`);
    expect((jsonOf(posts[0])['embeds'] as { color: number }[]).map((e) => e.color)).toEqual([0x1976d2, 0x1976d2]);
    const [anchor] = await db.query<{ message_ref: string }>("SELECT message_ref FROM support_chat_post WHERE platform = 'discord' AND channel = ? AND ticket_id = ? AND kind = 'new'", [NOTIFY, ids[0]]);

    await app.intake.ingest(eml({ from: 'Bob <bob@customer.example>', subject: 'Re: Clutch', inReplyTo: `<${first.messageId}>`, body: 'It slips in third gear.' }).raw, { kind: 'test' });
    await loop.runOnce();
    await loop.idle();
    const reply = jsonOf(api.callsTo(`/channels/${NOTIFY}/messages`)[1]);
    expect(reply['message_reference']).toEqual({ message_id: anchor?.message_ref, fail_if_not_exists: false });
    expect(String((reply['embeds'] as { description: string }[])[0]?.description)).toContain('It slips in third gear.');
    await loop.stop();
  });
});
