/**
 * Slack end to end at the wire, on the real command service: real HTTP requests, signed as Slack signs
 * them, to Bolt's receiver; Slack's Web API and the response_url pointed at a local recording server;
 * tickets from the real intake on MariaDB, agents from the real agent directory, replies delivered to
 * a real SMTP listener. Notices are read from the database and posted to the channel.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackBot, type SlackBot } from '../../adapters/slack/slack-bot.ts';
import { SlackChatPoster } from '../../adapters/slack/slack-chat-poster.ts';
import { RedisReplayGuard } from '../../adapters/queue/redis-replay-guard.ts';
import { signedSlackPost } from '../fakes/slack-requests.ts';
import { startRecordingServer, type RecordedCall, type RecordingServer } from '../fakes/recording-server.ts';
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

const SECRET = 'test-signing-secret-8f2b';
/** An agent registered by Slack user id (staff id 4711). */
const ALICE = 'U0ALICE';
/** An agent registered by the email of their Slack profile (staff id 4712). */
const BRUNO = 'U0BRUNO';
const STRANGER = 'U0STRANGER';
/** A manager (staff id 4713). */
const CARLA = 'U0CARLA';
const NAMES: Record<string, string> = { [ALICE]: 'alice', [BRUNO]: 'bruno', [STRANGER]: 'mallory' };
const CHANNEL = 'C0NOTIFY';

let setup: TestSetup;
let db: TestDatabase;
let api: RecordingServer;
let smtp: SmtpListener;
let app: TestApp;
let bot: SlackBot;
let base: string;
/** Ada's ticket (urgent) and the Message-ID of her email. */
let ticketId: number;
let adaMessageId: string;
/** Another open ticket, normal priority. */
let otherId: number;
let ts = 1_700_000_000;

beforeAll(async () => {
  setup = await startTestApp('slack', {
    smtp: true,
    slack: { signingSecret: SECRET },
    routes: (api) => {
      api.route('auth.test', () => ({ body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM' } }));
      api.route('users.info', (call) => {
        const user = String((call.body as Record<string, unknown>)['user']);
        return {
          body: {
            ok: true,
            user: {
              id: user,
              profile: { email: user === BRUNO ? 'Bruno@Shop.example' : `${NAMES[user] ?? 'x'}@else.example` },
            },
          },
        };
      });
      api.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000100`, channel: CHANNEL } }));
    },
    env: { ACK_ENABLED: 'false' },
  });
  ({ db, api, smtp, app } = setup);
  await app.agents.upsert({
    name: 'alice',
    role: 'agent',
    staffId: 4711,
    identities: [{ platform: 'slack', kind: 'user', value: ALICE }],
  });
  await app.agents.upsert({
    name: 'bruno',
    role: 'agent',
    staffId: 4712,
    identities: [{ platform: 'slack', kind: 'email', value: 'bruno@shop.example' }],
  });
  await app.agents.upsert({
    name: 'carla',
    role: 'manager',
    staffId: 4713,
    identities: [{ platform: 'slack', kind: 'user', value: CARLA }],
  });
  bot = createSlackBot({ slack: app.config.slack, commands: app.commands, logger: app.logger });
  base = `http://127.0.0.1:${await bot.start(0)}`;

  const ada = await ingestTicket(app, {
    from: 'Ada <ada@customer.example>',
    subject: 'Invoice is wrong',
    body: 'The invoice charges me twice for the brake pads.',
  });
  ticketId = ada.ticketId;
  adaMessageId = `<${ada.messageId}>`;
  otherId = (await ingestTicket(app, { from: 'Otto <otto@customer.example>', subject: 'Opening hours' })).ticketId;
  // An agent's correction, through the same service: Ada's ticket is urgent.
  const corrected = await app.commands.run({ platform: 'slack', userId: ALICE }, `priority ${ticketId} urgent`);
  if (!corrected.ok) throw new Error(corrected.text);
});

afterAll(async () => {
  await bot?.stop();
  await setup?.close();
});

/** POSTs a body to the receiver with Slack's v0 signature (or a given bad one / timestamp). */
function signedPost(body: string, options: { timestamp?: number; signature?: string } = {}): Promise<Response> {
  return signedSlackPost(`${base}/slack/events`, SECRET, body, options);
}

let responses = 0;
/** A slash command as Slack sends it, with its own response_url on the recording server. */
function slashCommand(user: string, text: string): { body: string; responsePath: string } {
  const responsePath = `/response/${(responses += 1)}`;
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'shop',
    channel_id: 'C0WORK',
    channel_name: 'support',
    user_id: user,
    user_name: NAMES[user] ?? user,
    command: '/ticket',
    text,
    api_app_id: 'A0APP',
    response_url: `${api.url.replace(/\/$/, '')}${responsePath}`,
    trigger_id: '1.2.3',
  }).toString();
  return { body, responsePath };
}

function interaction(payload: Record<string, unknown>): { body: string; responsePath: string } {
  const responsePath = `/response/${(responses += 1)}`;
  const full = {
    team: { id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'legacy',
    response_url: `${api.url.replace(/\/$/, '')}${responsePath}`,
    trigger_id: '9.8.7',
    ...payload,
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(full) }).toString(), responsePath };
}

function buttonPress(user: string, actionId: string, value: number) {
  return interaction({
    type: 'block_actions',
    user: { id: user, name: NAMES[user] ?? user },
    channel: { id: 'C0WORK', name: 'support' },
    container: { type: 'message', message_ts: '1.1', channel_id: 'C0WORK' },
    message: { ts: '1.1', text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: `ticket_actions_${value}`,
        value: String(value),
        action_ts: '1.2',
      },
    ],
  });
}

/** Runs a slash command and returns what was posted to its response_url. */
async function slash(user: string, text: string): Promise<Record<string, unknown>> {
  const { body: form, responsePath } = slashCommand(user, text);
  const res = await signedPost(form);
  expect(res.status).toBe(200);
  const [answer] = await api.waitFor(responsePath);
  return body(answer);
}

async function press(user: string, actionId: string, value: number): Promise<Record<string, unknown>> {
  const { body: form, responsePath } = buttonPress(user, actionId, value);
  expect((await signedPost(form)).status).toBe(200);
  const [answer] = await api.waitFor(responsePath);
  return body(answer);
}

function body(call: RecordedCall | undefined): Record<string, unknown> {
  return (call?.body ?? {}) as Record<string, unknown>;
}

interface Block {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { action_id?: string; value?: string; text?: string }[];
  accessory?: { action_id: string; value: string };
}

/** Every text a person sees in a message's blocks, in order. */
function visibleText(blocks: readonly Block[]): string {
  return blocks
    .flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)])
    .filter(Boolean)
    .join('\n');
}

async function legacyFlags(id: number): Promise<{ msg_open: string; msg_close: string }> {
  const [row] = await db.query<{ msg_open: string; msg_close: string }>(
    'SELECT msg_open, msg_close FROM ___xtr_msg WHERE msg_id = ?',
    [id],
  );
  return row!;
}

async function events(id: number, type: string): Promise<{ actor: string; details: unknown }[]> {
  return db.query<{ actor: string; details: unknown }>(
    'SELECT actor, details FROM support_event WHERE ticket_id = ? AND type = ? ORDER BY id',
    [id, type],
  );
}

async function staffReplies(id: number): Promise<{ msg_cnfa_id: string; msg_subject: string; msg_content: string }[]> {
  return db.query(
    'SELECT msg_cnfa_id, msg_subject, msg_content FROM ___xtr_msg WHERE msg_parent_id = ? ORDER BY msg_id',
    [String(id)],
  );
}

describe('the /ticket slash command', () => {
  it('view: acknowledged at once, answered at the response_url with the real ticket on a card coloured by priority', async () => {
    const { body: form, responsePath } = slashCommand(ALICE, `view ${ticketId}`);
    const started = Date.now();
    const res = await signedPost(form);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    const [answer] = await api.waitFor(responsePath);
    const sent = body(answer);
    expect(sent['response_type']).toBe('ephemeral');
    const attachment = (sent['attachments'] as { color: string; blocks: Block[] }[])[0];
    expect(attachment?.color).toBe('#d32f2f'); // urgent
    const seen = visibleText(attachment?.blocks ?? []);
    expect(seen).toContain(`*#${ticketId} Invoice is wrong*`);
    expect(seen).toContain('ada@customer.example');
    expect(seen).toContain(':red_circle: urgent');
    expect(seen).toContain('charges me twice for the brake pads');
    const buttons = attachment?.blocks.find((b) => b.type === 'actions')?.elements ?? [];
    expect(buttons.map((b) => b.action_id)).toEqual(['ticket_reply', 'ticket_assign_me', 'ticket_close']);
    expect(buttons.every((b) => b.value === String(ticketId))).toBe(true);

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
    const card = ((await slash(ALICE, `view ${bea.ticketId}`))['attachments'] as { blocks: Block[] }[])[0];
    const entries = (card?.blocks ?? []).map((b) => b.text?.text ?? '').filter((t) => t.startsWith(':email:'));
    expect(entries[0]).toMatch(/^:email: \*bea@customer\.example\* · .*\n>The bumper came scratched\.$/);
    expect(entries[1]).toMatch(
      /^:email: \*bea@work\.example\* · .*\n>Photo attached\.\n:paperclip: bumper\.png · image\/png · 70 B$/,
    );
    // Out of the open lists the next tests check.
    expect((await app.commands.run({ platform: 'slack', userId: ALICE }, `close ${bea.ticketId}`)).ok).toBe(true);
  });

  it('export: the file goes to the manager by direct message, never into the channel; an agent is refused', async () => {
    api.route('conversations.open', () => ({ body: { ok: true, channel: { id: 'D0CARLA' } } }));
    api.route('files.getUploadURLExternal', () => ({
      body: { ok: true, upload_url: `${api.url}upload/F0EXPORT`, file_id: 'F0EXPORT' },
    }));
    api.route('upload/F0EXPORT', () => ({ body: 'OK - 1' }));
    api.route('files.completeUploadExternal', () => ({ body: { ok: true, files: [{ id: 'F0EXPORT' }] } }));
    const sent = await slash(CARLA, 'export csv today');
    expect(sent['response_type']).toBe('ephemeral');
    expect(String(sent['text'])).toMatch(
      /^\d+ tickets? created from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: tickets-[\d-]+_[\d-]+\.csv\.$/,
    );
    const [opened] = await api.waitFor('conversations.open');
    expect(body(opened)['users']).toBe(CARLA);
    const [upload] = await api.waitFor('upload/F0EXPORT');
    expect(upload?.raw.toString('utf8')).toContain('Invoice is wrong');
    const [complete] = await api.waitFor('files.completeUploadExternal');
    expect(body(complete)['channel_id']).toBe('D0CARLA');

    const refused = await slash(ALICE, 'export csv');
    expect(refused['text']).toBe(
      'Only managers may export tickets; ask a manager, or use "/ticket stats" for the numbers.',
    );
    expect(api.callsTo('conversations.open')).toHaveLength(1);
  });

  it('list open urgent: the urgent ticket only, for an agent recognised by the email of their profile', async () => {
    const sent = await slash(BRUNO, 'list open urgent');
    expect(sent['response_type']).toBe('ephemeral');
    const blocks = sent['blocks'] as Block[];
    expect(blocks[0]?.text?.text).toBe('*Open urgent tickets*, newest first · page 1');
    const rows = blocks.filter((b) => b.accessory);
    expect(rows.map((b) => b.accessory?.value)).toEqual([String(ticketId)]);
    expect(rows[0]?.text?.text).toMatch(
      new RegExp(
        `^:red_circle: \\*#${ticketId}\\* Invoice is wrong — ada@customer\\.example · open, waiting \\d+ min · urgent`,
      ),
    );
    expect(visibleText(blocks)).not.toContain(`#${otherId}`);

    const all = await slash(BRUNO, 'list open');
    expect((all['blocks'] as Block[]).filter((b) => b.accessory).map((b) => b.accessory?.value)).toEqual([
      String(otherId),
      String(ticketId),
    ]); // newest first
  });

  it('refuses a bad signature and a stale timestamp with 401, running nothing', async () => {
    const { body: forged, responsePath: forgedPath } = slashCommand(ALICE, `close ${ticketId}`);
    const bad = await signedPost(forged, { signature: `v0=${'0'.repeat(64)}` });
    expect(bad.status).toBe(401);
    const { body: old, responsePath: oldPath } = slashCommand(ALICE, `close ${ticketId}`);
    const stale = await signedPost(old, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(stale.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect([...api.callsTo(forgedPath), ...api.callsTo(oldPath)]).toEqual([]);
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '1', msg_close: '0' });
    expect(await events(ticketId, 'closed')).toEqual([]);
  });

  it('tells a non-agent, privately, that they may neither change nor read tickets, and changes nothing', async () => {
    const close = await slash(STRANGER, `close ${ticketId}`);
    expect(close['response_type']).toBe('ephemeral');
    expect(String(close['text'])).toMatch(
      /^Only registered agents may change tickets or write to customers, and you are not one; ask a manager to register you with "npx ticketrelay agents add" \(your slack id is U0STRANGER\)\.$/,
    );
    const view = await slash(STRANGER, `view ${ticketId}`);
    expect(String(view['text'])).toMatch(/Only registered agents may read tickets/);
    expect(view['attachments']).toBeUndefined();
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '1', msg_close: '0' });
    expect(await events(ticketId, 'closed')).toEqual([]);
  });

  it('a mistake gets one sentence saying what to type', async () => {
    const sent = await slash(ALICE, 'view 999999');
    expect(sent['response_type']).toBe('ephemeral');
    expect(sent['text']).toBe(
      'There is no ticket #999999; check the number with "/ticket list" or "/ticket list all".',
    );
  });

  it('reply N text emails the customer, threaded on her email with [#N], and signs the legacy row with the staff id', async () => {
    const before = smtp.received.length;
    const sent = await slash(ALICE, `reply ${ticketId} Hello Ada,\nwe refunded the second charge.`);
    expect(sent['response_type']).toBe('in_channel');
    expect(String(sent['text'])).toBe(`Reply sent to ada@customer.example on ticket #${ticketId} by alice.`);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.envelopeTo).toEqual(['ada@customer.example']);
    expect(mail?.parsed.subject).toBe(`Re: [#${ticketId}] Invoice is wrong`);
    expect(mail?.parsed.inReplyTo).toBe(adaMessageId);
    expect([mail?.parsed.references].flat()).toContain(adaMessageId);
    expect(mail?.parsed.text).toContain('we refunded the second charge.');
    const replies = await staffReplies(ticketId);
    expect(replies.map((r) => r.msg_cnfa_id)).toEqual(['4711']);
    expect(replies[0]?.msg_content).toContain('we refunded the second charge.');
    expect((await events(ticketId, 'replied')).map((e) => e.actor)).toEqual(['alice (slack)']);
  });
});

describe('the ticket buttons', () => {
  it('Close and Reopen change the legacy flags, are announced in the channel and audited with the agent', async () => {
    const closed = await press(BRUNO, 'ticket_close', ticketId);
    expect(closed['response_type']).toBe('in_channel');
    expect(String(closed['text'])).toBe(`Ticket #${ticketId} "Invoice is wrong" closed by bruno.`);
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '0', msg_close: '1' });
    expect((await events(ticketId, 'closed')).map((e) => e.actor)).toEqual(['bruno (slack)']);

    const again = await press(ALICE, 'ticket_close', ticketId);
    expect(again['response_type']).toBe('ephemeral');
    expect(String(again['text'])).toBe(`Ticket #${ticketId} is already closed; nothing changed.`);

    const reopened = await press(ALICE, 'ticket_reopen', ticketId);
    expect(String(reopened['text'])).toBe(`Ticket #${ticketId} "Invoice is wrong" reopened by alice.`);
    expect(await legacyFlags(ticketId)).toEqual({ msg_open: '1', msg_close: '0' });
    expect((await events(ticketId, 'reopened')).map((e) => e.actor)).toEqual(['alice (slack)']);
  });

  it('Assign to me names the agent on the ticket', async () => {
    const sent = await press(BRUNO, 'ticket_assign_me', otherId);
    expect(String(sent['text'])).toBe(`Ticket #${otherId} assigned to bruno.`);
    const [row] = await db.query<{ name: string }>(
      'SELECT a.name FROM support_ticket t JOIN support_agent a ON a.id = t.assignee_agent_id WHERE t.ticket_id = ?',
      [otherId],
    );
    expect(row?.name).toBe('bruno');
  });

  it("a list row's Open button shows that ticket's card, privately", async () => {
    const sent = await press(ALICE, 'ticket_view', otherId);
    expect(sent['response_type']).toBe('ephemeral');
    const attachment = (sent['attachments'] as { color: string; blocks: Block[] }[])[0];
    expect(attachment?.color).toBe('#1976d2'); // normal
    expect(visibleText(attachment?.blocks ?? [])).toContain(`*#${otherId} Opening hours*`);
  });

  it('a non-agent pressing Close is refused privately', async () => {
    const sent = await press(STRANGER, 'ticket_close', otherId);
    expect(sent['response_type']).toBe('ephemeral');
    expect(String(sent['text'])).toMatch(/^Only registered agents may change tickets/);
    expect(await legacyFlags(otherId)).toEqual({ msg_open: '1', msg_close: '0' });
  });

  it('Reply opens a modal; submitting shows a preview and sends nothing; Send emails the customer', async () => {
    const { body: pressed } = buttonPress(BRUNO, 'ticket_reply', ticketId);
    expect((await signedPost(pressed)).status).toBe(200);
    const [open] = await api.waitFor('views.open');
    expect(body(open)['trigger_id']).toBe('9.8.7');
    const view = body(open)['view'] as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('ticket_reply_compose');

    const mailsBefore = smtp.received.length;
    const rowsBefore = (await staffReplies(ticketId)).length;
    const text = 'Hello Ada,\nthe corrected invoice is attached.';
    const { body: compose } = interaction({
      type: 'view_submission',
      user: { id: BRUNO, name: 'bruno' },
      view: {
        id: 'V1',
        callback_id: 'ticket_reply_compose',
        private_metadata: view.private_metadata,
        state: { values: { reply_text: { reply_text_input: { type: 'plain_text_input', value: text } } } },
      },
    });
    const previewRes = await signedPost(compose);
    expect(previewRes.status).toBe(200);
    const preview = (await previewRes.json()) as {
      response_action: string;
      view: { callback_id: string; private_metadata: string; blocks: { text?: { text: string } }[] };
    };
    expect(preview.response_action).toBe('update');
    expect(preview.view.callback_id).toBe('ticket_reply_confirm');
    expect(preview.view.blocks.map((b) => b.text?.text ?? '').join('\n')).toContain(
      '>the corrected invoice is attached.',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.length).toBe(mailsBefore); // the preview sends nothing
    expect((await staffReplies(ticketId)).length).toBe(rowsBefore);

    const postsBefore = api.callsTo('chat.postMessage').length;
    const { body: confirm } = interaction({
      type: 'view_submission',
      user: { id: BRUNO, name: 'bruno' },
      view: {
        id: 'V1',
        callback_id: 'ticket_reply_confirm',
        private_metadata: preview.view.private_metadata,
        state: { values: {} },
      },
    });
    expect((await signedPost(confirm)).status).toBe(200);
    const [mail] = (await smtp.waitFor(mailsBefore + 1)).slice(mailsBefore);
    expect(mail?.envelopeTo).toEqual(['ada@customer.example']);
    expect(mail?.parsed.subject).toBe(`Re: [#${ticketId}] Invoice is wrong`);
    expect(mail?.parsed.inReplyTo).toBe(adaMessageId);
    expect([mail?.parsed.references].flat()).toContain(adaMessageId);
    expect(mail?.parsed.text).toContain('the corrected invoice is attached.');
    expect((await staffReplies(ticketId)).map((r) => r.msg_cnfa_id).slice(rowsBefore)).toEqual(['4712']);
    const posted = (await api.waitFor('chat.postMessage', postsBefore + 1)).slice(postsBefore);
    expect(body(posted[0])['channel']).toBe('C0WORK');
    expect(String(body(posted[0])['text'])).toBe(`Reply sent to ada@customer.example on ticket #${ticketId} by bruno.`);
  });

  it('/ticket reply N without text opens the same form, for the channel it was typed in', async () => {
    const opened = api.callsTo('views.open').length;
    const { body: form, responsePath } = slashCommand(ALICE, `reply ${ticketId}`);
    expect((await signedPost(form)).status).toBe(200);
    const open = (await api.waitFor('views.open', opened + 1)).slice(opened);
    expect(body(open[0])['trigger_id']).toBe('1.2.3');
    const view = body(open[0])['view'] as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('ticket_reply_compose');
    expect(JSON.parse(view.private_metadata)).toEqual({ ticketId, channel: 'C0WORK' });
    expect(api.callsTo(responsePath)).toEqual([]);
  });

  it('a reply too long to carry to the Send step is refused in the form, before any preview', async () => {
    const { body: compose } = interaction({
      type: 'view_submission',
      user: { id: ALICE, name: 'alice' },
      view: {
        id: 'V3',
        callback_id: 'ticket_reply_compose',
        private_metadata: JSON.stringify({ ticketId, channel: 'C0WORK' }),
        state: {
          values: { reply_text: { reply_text_input: { type: 'plain_text_input', value: '"quoted"\n'.repeat(300) } } },
        },
      },
    });
    const res = await signedPost(compose);
    expect(await res.json()).toMatchObject({
      response_action: 'errors',
      errors: { reply_text: expect.stringContaining('too long for the form') },
    });
  });

  it('an empty reply is refused in the modal itself', async () => {
    const { body: compose } = interaction({
      type: 'view_submission',
      user: { id: ALICE, name: 'alice' },
      view: {
        id: 'V2',
        callback_id: 'ticket_reply_compose',
        private_metadata: JSON.stringify({ ticketId, channel: 'C0WORK' }),
        state: { values: { reply_text: { reply_text_input: { type: 'plain_text_input', value: '   ' } } } },
      },
    });
    const res = await signedPost(compose);
    expect(await res.json()).toMatchObject({
      response_action: 'errors',
      errors: { reply_text: expect.stringContaining('Write the reply first') },
    });
  });
});

describe('notices in the channel', () => {
  it('coalesces a burst of new tickets into one message, threads a reply under it, and waits out a 429', async () => {
    const notifyApi = await startRecordingServer();
    let refused = 0;
    notifyApi.route('chat.postMessage', () =>
      refused++ === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }
        : undefined,
    );
    notifyApi.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000200`, channel: CHANNEL } }));
    try {
      const loop = noticeLoop(db, app, {
        poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: notifyApi.url }),
        channel: CHANNEL,
        coalesceMs: 300,
        minGapMs: 200,
      });
      await loop.start(); // from now on: the existing ticket is history, not announced
      const ids: number[] = [];
      const first = eml({ from: 'Bob <bob@customer.example>', subject: 'Brake pads' });
      for (const [i, e] of [
        first,
        eml({ from: 'Cy <cy@customer.example>', subject: 'Gearbox' }),
        eml({ from: 'Di <di@customer.example>', subject: 'Refund' }),
      ].entries()) {
        const r = await app.intake.ingest(e.raw, { kind: 'test' });
        if (r.outcome !== 'created') throw new Error(`email ${i}: ${r.outcome}`);
        ids.push(r.ticketId);
      }
      await loop.runOnce();
      await loop.idle();
      const posts = notifyApi.callsTo('chat.postMessage');
      expect(posts).toHaveLength(2); // the 429, then the same message again after Retry-After
      const sent = body(posts[1]);
      expect(sent['channel']).toBe(CHANNEL);
      expect(sent['text']).toBe(`3 new tickets: ${ids.map((id) => `#${id}`).join(', ')}`);
      expect((sent['attachments'] as unknown[]).length).toBe(3);
      const [anchor] = await db.query<{ message_ref: string }>(
        "SELECT message_ref FROM support_chat_post WHERE platform = 'slack' AND channel = ? AND ticket_id = ? AND kind = 'new'",
        [CHANNEL, ids[0]],
      );
      expect(anchor?.message_ref).toMatch(/^\d+\.000200$/);

      // A second pass finds nothing new: nothing is posted twice.
      await loop.runOnce();
      await loop.idle();
      expect(notifyApi.callsTo('chat.postMessage')).toHaveLength(2);

      // Bob answers the acknowledgement: his reply goes in the ticket's thread.
      const reply = await app.intake.ingest(
        eml({
          from: 'Bob <bob@customer.example>',
          subject: 'Re: Brake pads',
          inReplyTo: `<${first.messageId}>`,
          body: 'I found the order number: CMD-77.',
        }).raw,
        { kind: 'test' },
      );
      expect(reply.outcome).toBe('reply');
      await loop.runOnce();
      await loop.idle();
      const threaded = body(notifyApi.callsTo('chat.postMessage')[2]);
      expect(threaded['thread_ts']).toBe(anchor?.message_ref);
      expect(String(threaded['text'])).toContain(`on ticket #${ids[0]}`);
      await loop.stop();
    } finally {
      await notifyApi.close();
    }
  });
});

describe("customers' mentions and links (security review, findings 9 and 15)", () => {
  const HOSTILE = [
    '<!channel>',
    '<!here>',
    '<!everyone>',
    '<@UBOSS>',
    '<#CRED|general>',
    '<!subteam^S123>',
    '<https://phish.example',
  ];

  it('reach Slack escaped in every field: notices, reply notices, the card and confirmations, posted with parse none and no link_names', async () => {
    const notifyApi = await startRecordingServer();
    notifyApi.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000300`, channel: CHANNEL } }));
    try {
      const loop = noticeLoop(db, app, {
        poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: notifyApi.url }),
        channel: CHANNEL,
        coalesceMs: 100,
        minGapMs: 100,
      });
      await loop.start();
      const first = eml({
        from: '"<!here> Boss <!subteam^S123>" <mention1@attacker.example>',
        subject: '<!channel> URGENT refund <https://phish.example/login|https://shop.example/account> @everyone',
        body: '<!everyone> please look <@UBOSS> <#CRED|general>\n<https://phish.example|Click to verify your agent account>',
      });
      const created = await app.intake.ingest(first.raw, { kind: 'test' });
      if (created.outcome !== 'created') throw new Error(created.outcome);
      await loop.runOnce();
      await loop.idle();
      await app.intake.ingest(
        eml({
          from: 'mention1@attacker.example',
          subject: 'Re: x',
          inReplyTo: `<${first.messageId}>`,
          body: '<!channel> second message <!here>',
        }).raw,
        { kind: 'test' },
      );
      await loop.runOnce();
      await loop.idle();
      await loop.stop();
      const posts = notifyApi.callsTo('chat.postMessage').map(body);
      expect(posts.length).toBeGreaterThanOrEqual(2);
      const card = await slash(ALICE, `view ${created.ticketId}`);
      const closed = await slash(ALICE, `close ${created.ticketId}`);
      const listed = await slash(ALICE, 'list all refund');
      for (const message of [...posts, card, closed, listed]) {
        const wire = JSON.stringify(message);
        for (const form of HOSTILE) expect(wire).not.toContain(form);
        // The Web API's form encoding writes false as "false"; the response_url's JSON keeps it a boolean.
        expect([message['parse'], String(message['link_names'])]).toEqual(['none', 'false']);
      }
      // Shown as the customer wrote it (Slack turns the entities back into characters).
      const wires = posts.map((p) => JSON.stringify(p));
      expect(
        wires.some((w) =>
          w.includes('&lt;!channel&gt; URGENT refund &lt;https://phish.example/login|https://shop.example/account&gt;'),
        ),
      ).toBe(true);
      expect(wires.some((w) => w.includes('&lt;!everyone&gt; please look &lt;@UBOSS&gt; &lt;#CRED|general&gt;'))).toBe(
        true,
      );
      expect(wires.some((w) => w.includes('&lt;!channel&gt; second message'))).toBe(true);
      expect(String(closed['text'])).toContain(`Ticket #${created.ticketId} "&lt;!channel&gt; URGENT refund`);
    } finally {
      await notifyApi.close();
    }
  });

  it('refuses a request signed more than five minutes ahead, and runs a replayed one once', async () => {
    const guard = new RedisReplayGuard({ redisUrl: app.config.redis.url, prefix: app.queuePrefix });
    const { post, guarded } = await startGuardedBot(guard);
    const notes = async () => (await events(otherId, 'note')).length;
    try {
      const before = await notes();
      const future = slashCommand(ALICE, `note ${otherId} from the future`);
      expect((await post(future.body, Math.floor(Date.now() / 1000) + 10 * 60)).status).toBe(401);
      const now = Math.floor(Date.now() / 1000);
      const note = slashCommand(ALICE, `note ${otherId} said once`);
      expect((await post(note.body, now)).status).toBe(200);
      await api.waitFor(note.responsePath);
      expect((await post(note.body, now)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(await notes()).toBe(before + 1);
      expect(api.callsTo(note.responsePath)).toHaveLength(1);
    } finally {
      await guarded.stop();
      guard.close();
    }
  });
});

/** A Slack bot on HTTP behind `guard`, and a poster of requests signed with the app's secret. */
async function startGuardedBot(guard: RedisReplayGuard) {
  const guarded = createSlackBot({
    slack: app.config.slack,
    commands: app.commands,
    logger: app.logger,
    replayGuard: guard,
  });
  const url = `http://127.0.0.1:${await guarded.start(0)}/slack/events`;
  const post = (
    form: string,
    timestamp: number,
    signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${form}`).digest('hex')}`,
  ) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
      body: form,
    });
  return { guarded, post };
}

describe('Slack replay guard with Redis away (it fails safe)', () => {
  it('still runs a replayed signed request once in this process, and refuses (503) what it cannot vouch for', async () => {
    // A closed port: every Redis call fails, as when Redis is down.
    const guard = new RedisReplayGuard({ redisUrl: 'redis://127.0.0.1:1', prefix: app.queuePrefix, maxLocalKeys: 2 });
    const { post, guarded } = await startGuardedBot(guard);
    const notes = async () => (await events(otherId, 'note')).length;
    try {
      const before = await notes();
      const now = Math.floor(Date.now() / 1000);
      const note = slashCommand(ALICE, `note ${otherId} said once without Redis`);
      expect((await post(note.body, now)).status).toBe(200);
      await api.waitFor(note.responsePath);
      expect((await post(note.body, now)).status).toBe(200);
      const second = slashCommand(ALICE, `note ${otherId} a second one`);
      expect((await post(second.body, now)).status).toBe(200);
      await api.waitFor(second.responsePath);
      // The record is full of live keys (2 here): a third request is refused, never run on trust.
      const third = slashCommand(ALICE, `note ${otherId} a third one`);
      expect((await post(third.body, now)).status).toBe(503);
      await new Promise((r) => setTimeout(r, 500));
      expect(await notes()).toBe(before + 2);
      expect(api.callsTo(note.responsePath)).toHaveLength(1);
      expect(api.callsTo(third.responsePath)).toHaveLength(0);
    } finally {
      await guarded.stop();
      guard.close();
    }
  });
});

describe('Slack: /ticket reply N tpl:KEY', () => {
  it('previews the template privately, then emails it on "send" and applies its actions', async () => {
    const { MysqlTemplateStore } = await import('../../adapters/mysql/mysql-template-store.ts');
    await new MysqlTemplateStore(db.database).save(
      {
        key: 'facture-corrigee',
        title: 'Facture corrigée',
        tags: [],
        actions: { category: 'billing', status: 'closed' },
        bodies: {
          fr: 'Bonjour {{customer.first_name|Madame, Monsieur}}, avoir {{ask:avoir}} émis (#{{ticket.number}}).',
          en: 'Hello {{customer.first_name|there}}, credit note {{ask:avoir}} issued (#{{ticket.number}}).',
        },
      },
      false,
      new Date(),
    );
    const { ticketId: id } = await ingestTicket(app, {
      from: 'Ada <ada@customer.example>',
      subject: 'Double charge',
      body: 'You charged me twice for the brake pads, please fix the invoice.',
    });
    await db.query("UPDATE support_ticket SET language = 'en' WHERE ticket_id = ?", [id]);
    const before = smtp.received.length;
    const preview = await slash(ALICE, `reply ${id} tpl:facture-corrigee avoir=AV-77`);
    expect(preview['response_type']).toBe('ephemeral');
    expect(JSON.stringify(preview)).toContain(`Hello Ada, credit note AV-77 issued (#${id}).`);
    expect(smtp.received.length).toBe(before);
    const sent = await slash(ALICE, `reply ${id} tpl:facture-corrigee avoir=AV-77 send`);
    expect(sent['response_type']).toBe('in_channel');
    expect(JSON.stringify(sent)).toContain('facture-corrigee@1');
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.parsed.text).toContain(`Hello Ada, credit note AV-77 issued (#${id}).`);
    const [row] = await db.query<{ status: string; category: string }>(
      'SELECT status, category FROM support_ticket WHERE ticket_id = ?',
      [id],
    );
    expect(row).toEqual({ status: 'closed', category: 'billing' });
  });
});
