/**
 * Discord end to end at the wire, on the real command service: raw interaction payloads in Discord's
 * documented JSON shape turned into discord.js interactions; discord.js's REST pointed at a local
 * recording server, where the interaction callbacks and webhook edits are asserted. Tickets come
 * from the real intake, agents from the real agent directory, replies go to a real SMTP listener.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiscordBot } from '../../adapters/discord/discord-bot.ts';
import { DiscordChatPoster } from '../../adapters/discord/discord-chat-poster.ts';
import {
  DISCORD_IDS,
  discordMessage,
  interactionEnvelope,
  ticketCommand,
  type CommandOption,
} from '../fakes/discord-payloads.ts';
import type { RecordedCall, RecordingServer } from '../fakes/recording-server.ts';
import { eml, TINY_PNG, withAttachments } from './eml.ts';
import {
  ingestTicket,
  noticeLoop,
  startTestApp,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

const APP_ID = DISCORD_IDS.app;
/** Members with this role are the agent "desk" (staff id 4720). */
const AGENT_ROLE = '1200000000000000004';
/** Registered by user id as the agent "alice" (staff id 4711). */
const AGENT = '1200000000000000005';
/** A manager (staff id 4730). */
const MANAGER = '1200000000000000009';
const STRANGER = '1200000000000000006';
const NOTIFY = '1200000000000000007';
/** A member without a registration of their own, an agent through AGENT_ROLE. */
const ROLE_MEMBER = '1200000000000000008';
const OTHER_ROLE = '1200000000000000999';
const NAMES: Record<string, string> = { [AGENT]: 'alice', [ROLE_MEMBER]: 'rolf', [STRANGER]: 'mallory' };

let setup: TestSetup;
let db: TestDatabase;
let api: RecordingServer;
let smtp: SmtpListener;
let app: TestApp;
let bot: DiscordBot;
/** Ada's ticket (high) and the Message-ID of her email. */
let ticketId: number;
let adaMessageId: string;
/** Another open ticket, normal priority. */
let otherId: number;

beforeAll(async () => {
  setup = await startTestApp('discord', {
    smtp: true,
    discord: true,
    routes: (api) => {
      // Webhook edits and follow-ups answer with the message, as Discord does.
      api.route('/messages/%40original', (call) =>
        call.method === 'DELETE' ? { status: 204, headers: { 'content-type': 'text/plain' } } : { body: message(call) },
      );
      api.route(`/webhooks/${APP_ID}/`, (call) => ({ body: message(call) }));
    },
    env: { ACK_ENABLED: 'false' },
  });
  ({ db, api, smtp, app } = setup);
  await app.agents.upsert({
    name: 'alice',
    role: 'agent',
    staffId: 4711,
    identities: [{ platform: 'discord', kind: 'user', value: AGENT }],
  });
  await app.agents.upsert({
    name: 'desk',
    role: 'agent',
    staffId: 4720,
    identities: [{ platform: 'discord', kind: 'role', value: AGENT_ROLE }],
  });
  await app.agents.upsert({
    name: 'dora',
    role: 'manager',
    staffId: 4730,
    identities: [{ platform: 'discord', kind: 'user', value: MANAGER }],
  });
  bot = new DiscordBot({ discord: app.config.discord, commands: app.commands, agents: app.agents, logger: app.logger });
  const ada = await ingestTicket(app, {
    from: 'Ada <ada@customer.example>',
    subject: 'Gearbox noise',
    body: 'The gearbox whines above 80 km/h.',
  });
  ticketId = ada.ticketId;
  adaMessageId = `<${ada.messageId}>`;
  otherId = (await ingestTicket(app, { from: 'Otto <otto@customer.example>', subject: 'Opening hours' })).ticketId;
  // An agent's correction, through the same service: Ada's ticket is high.
  const corrected = await app.commands.run({ platform: 'discord', userId: AGENT }, `priority ${ticketId} high`);
  if (!corrected.ok) throw new Error(corrected.text);
});

afterAll(async () => {
  await bot?.stop();
  await setup?.close();
});

beforeEach(() => {
  api.calls.length = 0;
});

const message = (call: Pick<RecordedCall, 'body'>) => discordMessage(call, { id: APP_ID, username: 'ticketrelay' });
const who = (user: string) => ({ id: user, username: NAMES[user] ?? 'someone' });
const envelope = (user: string, roles: string[]) => interactionEnvelope(who(user), roles);
const command = (user: string, roles: string[], sub: string, options: CommandOption[], type = 2) =>
  ticketCommand(who(user), roles, sub, options, type);

function button(user: string, roles: string[], customId: string, embeds: Record<string, unknown>[] = []) {
  return {
    ...envelope(user, roles),
    type: 3,
    data: { custom_id: customId, component_type: 2 },
    message: message({ body: { embeds, flags: 64 } }),
  };
}

const callbacks = (id: string) => api.callsTo(`/interactions/${id}/interaction-token-${id}/callback`);
const jsonOf = (call: RecordedCall | undefined) => (call?.body ?? {}) as Record<string, unknown>;

const original = (token: string) => api.callsTo(`/webhooks/${APP_ID}/${token}/messages/%40original`);
const followUps = (token: string) => api.callsTo(`/webhooks/${APP_ID}/${token}`);

async function legacyFlags(id: number): Promise<{ msg_open: string; msg_close: string }> {
  const [row] = await db.query<{ msg_open: string; msg_close: string }>(
    'SELECT msg_open, msg_close FROM ___xtr_msg WHERE msg_id = ?',
    [id],
  );
  return row!;
}

async function events(id: number, type: string): Promise<{ actor: string; details: Record<string, unknown> }[]> {
  const rows = await db.query<{ actor: string; details: unknown }>(
    'SELECT actor, details FROM support_event WHERE ticket_id = ? AND type = ? ORDER BY id',
    [id, type],
  );
  return rows.map((r) => ({
    actor: r.actor,
    details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  }));
}

async function staffIds(id: number): Promise<string[]> {
  const rows = await db.query<{ msg_cnfa_id: string }>(
    'SELECT msg_cnfa_id FROM ___xtr_msg WHERE msg_parent_id = ? ORDER BY msg_id',
    [String(id)],
  );
  return rows.map((r) => r.msg_cnfa_id);
}

describe('/ticket', () => {
  it('view: defers at once, then edits the answer with the real ticket in an embed coloured by priority, with its buttons', async () => {
    const payload = command(AGENT, [], 'view', [{ type: 4, name: 'ticket', value: ticketId }]);
    await bot.dispatch(payload);
    const [defer] = callbacks(payload.id);
    expect(jsonOf(defer)).toMatchObject({ type: 5, data: { flags: 64 } }); // deferred, ephemeral: a read
    const [edit] = original(payload.token);
    expect(edit?.method).toBe('PATCH');
    const embed = (
      jsonOf(edit)['embeds'] as { color: number; title: string; fields: { name: string; value: string }[] }[]
    )[0];
    expect(embed?.color).toBe(0xf57c00); // high
    expect(embed?.title).toBe(`#${ticketId} Gearbox noise`);
    const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields['Priority']).toBe('🟠 high');
    expect(fields['Status']).toBe('open');
    expect(fields['Customer']).toContain('ada@customer.example');
    expect(Object.values(fields).join('\n')).toContain('The gearbox whines above 80 km/h.');
    const row = (jsonOf(edit)['components'] as { components: { custom_id: string }[] }[])[0];
    expect(row?.components.map((c) => c.custom_id)).toEqual([
      `ticket:reply:${ticketId}`,
      `ticket:assign_me:${ticketId}`,
      `ticket:close:${ticketId}`,
    ]);

    // A customer's answer from another address (one she copied), with a photo: under that address, the file below its text.
    const bea = await ingestTicket(app, {
      from: 'Bea <bea@customer.example>',
      cc: 'bea@work.example',
      subject: 'Scratched bumper',
      body: 'The bumper came scratched.',
    });
    const fromWork = eml({
      from: 'Bea <bea@work.example>',
      subject: 'Re: Scratched bumper',
      inReplyTo: `<${bea.messageId}>`,
      mime: withAttachments('Photo attached.', [{ name: 'bumper.png', type: 'image/png', data: TINY_PNG }]),
    });
    expect(await app.intake.ingest(fromWork.raw, { kind: 'test' })).toMatchObject({
      outcome: 'reply',
      ticketId: bea.ticketId,
    });
    const again = command(AGENT, [], 'view', [{ type: 4, name: 'ticket', value: bea.ticketId }]);
    await bot.dispatch(again);
    const [beaEdit] = original(again.token);
    const thread = (
      (jsonOf(beaEdit)['embeds'] as { fields: { name: string; value: string }[] }[])[0]?.fields ?? []
    ).filter((f) => f.name.startsWith('✉️'));
    expect(thread.map((f) => f.name)).toEqual(['✉️ bea@customer.example', '✉️ bea@work.example']);
    expect(thread[0]?.value).toMatch(/\nThe bumper came scratched\.$/);
    expect(thread[1]?.value).toMatch(/\nPhoto attached\.\n📎 bumper\.png · image\/png · 70 B$/);
  });

  it('export: the file is attached to the private answer for a manager; an agent is refused', async () => {
    const payload = command(MANAGER, [], 'export', [
      { type: 3, name: 'format', value: 'csv' },
      { type: 3, name: 'period', value: 'today' },
    ]);
    await bot.dispatch(payload);
    expect(jsonOf(callbacks(payload.id)[0])).toMatchObject({ type: 5, data: { flags: 64 } }); // private
    const [edit] = original(payload.token);
    const sent = edit?.raw.toString('utf8') ?? '';
    expect(edit?.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(sent).toMatch(/filename="tickets-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"/);
    expect(sent).toContain('Gearbox noise');
    expect(sent).toMatch(/\d+ tickets? created from/);

    const refused = command(AGENT, [], 'export', []);
    await bot.dispatch(refused);
    const answer = JSON.stringify(jsonOf(original(refused.token)[0]));
    expect(answer).toContain('Only managers may export tickets');
    expect(answer).not.toContain('filename');
  });

  it('list with status and priority choices: the high ticket only, for a member who is an agent by role; an empty page says so', async () => {
    const payload = command(ROLE_MEMBER, [AGENT_ROLE], 'list', [
      { type: 3, name: 'status', value: 'open' },
      { type: 3, name: 'priority', value: 'high' },
    ]);
    await bot.dispatch(payload);
    const embed = (
      jsonOf(original(payload.token)[0])['embeds'] as { title: string; description: string; color: number }[]
    )[0];
    expect(embed?.title).toBe('Open high tickets, newest first · page 1');
    expect(embed?.color).toBe(0xf57c00);
    // New, unanswered: the customer waits for us.
    expect(embed?.description).toMatch(
      new RegExp(
        `^🟠 \\*\\*#${ticketId}\\*\\* Gearbox noise — ada@customer\\.example · open, waiting \\d+ min · high · general$`,
      ),
    );

    const page2 = command(ROLE_MEMBER, [AGENT_ROLE], 'list', [
      { type: 3, name: 'status', value: 'open' },
      { type: 3, name: 'priority', value: 'high' },
      { type: 4, name: 'page', value: 2 },
    ]);
    await bot.dispatch(page2);
    const empty = (jsonOf(original(page2.token)[0])['embeds'] as { title: string; description: string }[])[0];
    expect(empty?.title).toBe('Open high tickets, newest first · page 2');
    expect(empty?.description).toBe(
      'No open high tickets on page 2; the list ends before it. Try "/ticket list open high".',
    );
  });

  it('refuses a change from a member without an agent role, privately, and changes nothing', async () => {
    const payload = command(STRANGER, [OTHER_ROLE], 'close', [{ type: 4, name: 'ticket', value: ticketId }]);
    await bot.dispatch(payload);
    expect(jsonOf(callbacks(payload.id)[0])).toMatchObject({ type: 5 }); // deferred in public: a change
    expect(original(payload.token).map((c) => c.method)).toEqual(['DELETE']);
    const [followUp] = followUps(payload.token);
    expect(jsonOf(followUp)['flags']).toBe(64);
    expect(String(jsonOf(followUp)['content'])).toBe(
      `⚠️ Only registered agents may change tickets or write to customers, and you are not one; ask a manager to register you with "npx ticketrelay agents add" (your discord id is ${STRANGER}).`,
    );
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '1', msg_close: '0' });
    expect(await events(ticketId, 'closed')).toEqual([]);
  });

  it('autocompletes ticket numbers from the open tickets, for agents only', async () => {
    const payload = command(
      AGENT,
      [],
      'view',
      [{ type: 4, name: 'ticket', value: String(ticketId), focused: true }],
      4,
    );
    await bot.dispatch(payload);
    const [answer] = callbacks(payload.id);
    expect(jsonOf(answer)).toEqual({
      type: 8,
      data: { choices: [{ name: `#${ticketId} Gearbox noise (high)`, value: ticketId }] },
    });

    const stranger = command(
      STRANGER,
      [OTHER_ROLE],
      'view',
      [{ type: 4, name: 'ticket', value: String(ticketId), focused: true }],
      4,
    );
    await bot.dispatch(stranger);
    expect(jsonOf(callbacks(stranger.id)[0])).toEqual({ type: 8, data: { choices: [] } }); // no subjects for non-agents
  });

  it('close with a reason by a member with the agent role: legacy flags, announced in the channel, audited with the agent', async () => {
    const payload = command(ROLE_MEMBER, [AGENT_ROLE], 'close', [
      { type: 4, name: 'ticket', value: ticketId },
      { type: 3, name: 'reason', value: 'fixed by phone' },
    ]);
    await bot.dispatch(payload);
    const [edit] = original(payload.token);
    expect(edit?.method).toBe('PATCH');
    expect(jsonOf(edit)['content']).toBe(`Ticket #${ticketId} "Gearbox noise" closed by desk (fixed by phone).`);
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '0', msg_close: '1' });
    const [closed] = await events(ticketId, 'closed');
    expect(closed?.actor).toBe('desk (discord)');
    expect(closed?.details['reason']).toBe('fixed by phone');
  });

  it('reply N text emails the customer, threaded on her email with [#N], signed with the staff id', async () => {
    const before = smtp.received.length;
    const payload = command(AGENT, [], 'reply', [
      { type: 4, name: 'ticket', value: ticketId },
      { type: 3, name: 'text', value: 'A mechanic will call you tomorrow.' },
    ]);
    await bot.dispatch(payload);
    expect(jsonOf(original(payload.token)[0])['content']).toBe(
      `Reply sent to ada@customer.example on ticket #${ticketId} by alice (the ticket stays closed; reopen it if you expect an answer).`,
    );
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.envelopeTo).toEqual(['ada@customer.example']);
    expect(mail?.parsed.subject).toBe(`Re: [#${ticketId}] Gearbox noise`);
    expect(mail?.parsed.inReplyTo).toBe(adaMessageId);
    expect([mail?.parsed.references].flat()).toContain(adaMessageId);
    expect(mail?.parsed.text).toContain('A mechanic will call you tomorrow.');
    expect(await staffIds(ticketId)).toEqual(['4711']);
  });
});

describe('buttons and the reply modal', () => {
  it('Reopen acknowledges the press, changes the legacy flags and answers with a follow-up naming the agent', async () => {
    const payload = button(AGENT, [], `ticket:reopen:${ticketId}`);
    await bot.dispatch(payload);
    expect(jsonOf(callbacks(payload.id)[0])).toMatchObject({ type: 6 });
    const [followUp] = followUps(payload.token);
    expect(jsonOf(followUp)['content']).toBe(`Ticket #${ticketId} "Gearbox noise" reopened by alice.`);
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '1', msg_close: '0' });
    expect((await events(ticketId, 'reopened')).map((e) => e.actor)).toEqual(['alice (discord)']);
  });

  it('Close pressed by a stranger is refused privately', async () => {
    const payload = button(STRANGER, [OTHER_ROLE], `ticket:close:${otherId}`);
    await bot.dispatch(payload);
    const [followUp] = followUps(payload.token);
    expect(jsonOf(followUp)['flags']).toBe(64);
    expect(String(jsonOf(followUp)['content'])).toMatch(/^⚠️ Only registered agents may change tickets/);
    expect(await legacyFlags(otherId)).toEqual({ msg_open: '1', msg_close: '0' });
  });

  it('Reply opens a modal; its text comes back as a preview that sends nothing; Send emails the customer', async () => {
    const press = button(ROLE_MEMBER, [AGENT_ROLE], `ticket:reply:${ticketId}`);
    await bot.dispatch(press);
    expect(jsonOf(callbacks(press.id)[0])).toMatchObject({
      type: 9,
      data: { custom_id: `ticket:reply_modal:${ticketId}` },
    });

    const before = smtp.received.length;
    const rowsBefore = (await staffIds(ticketId)).length;
    const text = 'Hello Ada,\nplease send us a recording of the noise.';
    const submit = {
      ...envelope(ROLE_MEMBER, [AGENT_ROLE]),
      type: 5,
      data: {
        custom_id: `ticket:reply_modal:${ticketId}`,
        components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: text }] }],
      },
    };
    await bot.dispatch(submit);
    const preview = jsonOf(callbacks(submit.id)[0]);
    expect(preview).toMatchObject({ type: 4, data: { flags: 64 } });
    const data = preview['data'] as {
      embeds: { description: string }[];
      components: { components: { custom_id: string }[] }[];
    };
    expect(data.embeds[0]?.description).toBe(text);
    expect(data.components[0]?.components.map((c) => c.custom_id)).toEqual([
      `ticket:send:${ticketId}`,
      `ticket:cancel:${ticketId}`,
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(before); // the preview sends nothing
    expect((await staffIds(ticketId)).length).toBe(rowsBefore);

    const send = button(ROLE_MEMBER, [AGENT_ROLE], `ticket:send:${ticketId}`, data.embeds);
    await bot.dispatch(send);
    expect(jsonOf(callbacks(send.id)[0])).toMatchObject({ type: 6 });
    const [edit] = original(send.token);
    expect(jsonOf(edit)['content']).toBe(`Sent. Reply sent to ada@customer.example on ticket #${ticketId} by desk.`);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.envelopeTo).toEqual(['ada@customer.example']);
    expect(mail?.parsed.subject).toBe(`Re: [#${ticketId}] Gearbox noise`);
    expect(mail?.parsed.inReplyTo).toBe(adaMessageId);
    expect([mail?.parsed.references].flat()).toContain(adaMessageId);
    expect(mail?.parsed.text).toContain('please send us a recording of the noise.');
    expect((await staffIds(ticketId)).slice(rowsBefore)).toEqual(['4720']);
  });

  it('/ticket reply N without text shows the same form', async () => {
    const payload = command(AGENT, [], 'reply', [{ type: 4, name: 'ticket', value: ticketId }]);
    await bot.dispatch(payload);
    expect(jsonOf(callbacks(payload.id)[0])).toMatchObject({
      type: 9,
      data: { custom_id: `ticket:reply_modal:${ticketId}`, title: `Reply to ticket #${ticketId}` },
    });
    expect(original(payload.token)).toEqual([]);
  });

  it('Send pressed by a stranger sends nothing', async () => {
    const before = smtp.received.length;
    const send = button(STRANGER, [OTHER_ROLE], `ticket:send:${ticketId}`, [
      { title: `Reply to #${ticketId}`, description: 'Pay me instead.' },
    ]);
    await bot.dispatch(send);
    expect(String(jsonOf(original(send.token)[0])['content'])).toMatch(
      /^⚠️ Only registered agents may change tickets or write to customers/,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(before);
  });
});

describe('notices in the channel', () => {
  it('lists a burst of new tickets in one message and answers a reply to its ticket message', async () => {
    const loop = noticeLoop(db, app, {
      poster: new DiscordChatPoster({ token: 'discord-test-token', apiUrl: `${api.url}api` }),
      channel: NOTIFY,
      coalesceMs: 300,
      minGapMs: 200,
    });
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
    const [anchor] = await db.query<{ message_ref: string }>(
      "SELECT message_ref FROM support_chat_post WHERE platform = 'discord' AND channel = ? AND ticket_id = ? AND kind = 'new'",
      [NOTIFY, ids[0]],
    );

    await app.intake.ingest(
      eml({
        from: 'Bob <bob@customer.example>',
        subject: 'Re: Clutch',
        inReplyTo: `<${first.messageId}>`,
        body: 'It slips in third gear.',
      }).raw,
      { kind: 'test' },
    );
    await loop.runOnce();
    await loop.idle();
    const reply = jsonOf(api.callsTo(`/channels/${NOTIFY}/messages`)[1]);
    expect(reply['message_reference']).toEqual({ message_id: anchor?.message_ref, fail_if_not_exists: false });
    expect(String((reply['embeds'] as { description: string }[])[0]?.description)).toContain('It slips in third gear.');
    await loop.stop();
  });
});

describe("customers' markdown and mentions (security review, finding 10)", () => {
  it('reach Discord escaped in notices, the card and confirmations, and no call allows a mention', async () => {
    const loop = noticeLoop(db, app, {
      poster: new DiscordChatPoster({ token: 'discord-test-token', apiUrl: `${api.url}api` }),
      channel: NOTIFY,
      coalesceMs: 100,
      minGapMs: 100,
    });
    await loop.start();
    api.route(`/channels/${NOTIFY}/messages`, (call) => ({ body: message(call) }));
    const created = await app.intake.ingest(
      eml({
        from: '"@everyone <@&123456>" <mention2@attacker.example>',
        subject: '@everyone <@&123456> URGENT [refund](https://phish.example) <!channel>',
        body: '@everyone please look <@120000000000000000>\n[Verify your Discord account](https://phish.example/discord)\n# HUGE HEADER\n||spoiler|| `code` **bold**\nLog in at https://phish.example/login_now to see it.',
      }).raw,
      { kind: 'test' },
    );
    if (created.outcome !== 'created') throw new Error(created.outcome);
    await loop.runOnce();
    await loop.idle();
    await loop.stop();
    const view = command(AGENT, [], 'view', [{ type: 4, name: 'ticket', value: created.ticketId }]);
    await bot.dispatch(view);
    const close = command(AGENT, [], 'close', [{ type: 4, name: 'ticket', value: created.ticketId }]);
    await bot.dispatch(close);
    const reopen = button(AGENT, [], `ticket:reopen:${created.ticketId}`);
    await bot.dispatch(reopen);
    const cancel = button(AGENT, [], `ticket:cancel:${created.ticketId}`);
    await bot.dispatch(cancel);
    const sent = api.calls.filter(
      (c) => c.method !== 'GET' && c.method !== 'DELETE' && c.body && typeof c.body === 'object',
    );
    const bodies = sent.map((c) => {
      const b = c.body as Record<string, unknown>;
      return (b['data'] as Record<string, unknown> | undefined) ?? b;
    });
    const withText = bodies.filter((b) => 'content' in b || 'embeds' in b);
    expect(withText.length).toBeGreaterThanOrEqual(5);
    for (const b of withText) {
      expect(b['allowed_mentions']).toEqual({ parse: [] });
      const wire = JSON.stringify(b);
      expect(wire).not.toMatch(/(?<!\\\\)\[(refund|Verify your Discord account)\]\(/);
      expect(wire).not.toMatch(/@(everyone|here)/);
      expect(wire).not.toMatch(/(?<!\\\\)<@/);
      expect(wire).not.toMatch(/\\n# HUGE|(?<!\\\\)\|\|spoiler/);
      // Every URL inside <…>: a link that shows no embed of the page and reads as the address it goes to.
      expect(wire.replace(/(?<!\\\\)<https:\/\/[^\s<>"\\]+>/g, '')).not.toMatch(/https:\/\//);
    }
    expect(
      withText
        .map((b) => JSON.stringify(b))
        .some((w) => w.includes('\\\\[Verify your Discord account\\\\](<https://phish.example/discord>)')),
    ).toBe(true);
    expect(
      withText
        .map((b) => JSON.stringify(b))
        .some((w) => w.includes('Log in at <https://phish.example/login_now> to see it.')),
    ).toBe(true);
  });
});
