/**
 * Slack end to end at the wire: real HTTP requests, signed as Slack signs them, to Bolt's receiver;
 * Slack's Web API and the response_url pointed at a local recording server. Tickets come from the
 * real intake on MariaDB; notices are read from the database and posted to the channel.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MysqlChatPostLedger } from '../../adapters/chat/mysql-chat-post-ledger.ts';
import { ChatNoticeLoop } from '../../adapters/chat/chat-notice-loop.ts';
import { PacedChatNotifier } from '../../adapters/chat/paced-chat-notifier.ts';
import { createSlackBot, type SlackBot } from '../../adapters/slack/slack-bot.ts';
import { SlackChatPoster } from '../../adapters/slack/slack-chat-poster.ts';
import { startRecordingServer, type RecordedCall, type RecordingServer } from '../fakes/recording-server.ts';
import { FakeTicketCommands } from '../fixtures/slack/fake-ticket-commands.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

const SECRET = 'test-signing-secret-8f2b';
const AGENT = 'U0AGENT';
const STRANGER = 'U0STRANGER';
const CHANNEL = 'C0NOTIFY';

let db: TestDatabase;
let api: RecordingServer;
let app: TestApp;
let commands: FakeTicketCommands;
let bot: SlackBot;
let base: string;
let ticketId: number;
let ts = 1_700_000_000;

beforeAll(async () => {
  db = await createTestDatabase('slack');
  api = await startRecordingServer();
  api.route('auth.test', () => ({ body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM' } }));
  api.route('users.info', (call) => {
    const user = String((call.body as Record<string, unknown>)['user']);
    return { body: { ok: true, user: { id: user, profile: { email: user === AGENT ? 'agent@shop.example' : 'someone@else.example' } } } };
  });
  api.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000100`, channel: CHANNEL } }));
  app = await createTestApp(db, { ACK_ENABLED: 'false', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: api.url });
  commands = new FakeTicketCommands(db);
  commands.agents.add('agent@shop.example'); // an agent mapped by email: found through users.info
  bot = createSlackBot({ slack: app.config.slack, commands, logger: app.logger });
  base = `http://127.0.0.1:${await bot.start(0)}`;
  const result = await app.intake.ingest(eml({ from: 'Ada <ada@customer.example>', subject: 'Invoice is wrong' }).raw, { kind: 'test' });
  if (result.outcome !== 'created') throw new Error(`expected a ticket, got ${JSON.stringify(result)}`);
  ticketId = result.ticketId;
  await db.query("UPDATE support_ticket SET priority = 'urgent' WHERE ticket_id = ?", [ticketId]);
});

afterAll(async () => {
  await bot?.stop();
  await app?.close();
  await api?.close();
  await db?.drop();
});

beforeEach(() => {
  commands.calls.length = 0;
});

/** POSTs a body to the receiver with Slack's v0 signature (or a given bad one / timestamp). */
async function signedPost(body: string, options: { timestamp?: number; signature?: string } = {}): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
    body,
  });
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
    user_name: user === AGENT ? 'alice' : 'mallory',
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
  const full = { team: { id: 'T0TEAM' }, api_app_id: 'A0APP', token: 'legacy', response_url: `${api.url.replace(/\/$/, '')}${responsePath}`, trigger_id: '9.8.7', ...payload };
  return { body: new URLSearchParams({ payload: JSON.stringify(full) }).toString(), responsePath };
}

function buttonPress(user: string, actionId: string, value: number) {
  return interaction({
    type: 'block_actions',
    user: { id: user, name: user === AGENT ? 'alice' : 'mallory' },
    channel: { id: 'C0WORK', name: 'support' },
    container: { type: 'message', message_ts: '1.1', channel_id: 'C0WORK' },
    message: { ts: '1.1', text: 'card' },
    actions: [{ type: 'button', action_id: actionId, block_id: `ticket_actions_${value}`, value: String(value), action_ts: '1.2' }],
  });
}

function body(call: RecordedCall | undefined): Record<string, unknown> {
  return (call?.body ?? {}) as Record<string, unknown>;
}

describe('the /ticket slash command', () => {
  it('is acknowledged at once and answered at the response_url with a card coloured by priority', async () => {
    const { body: form, responsePath } = slashCommand(AGENT, `view ${ticketId}`);
    const started = Date.now();
    const res = await signedPost(form);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3000);
    const [answer] = await api.waitFor(responsePath);
    const sent = body(answer);
    expect(sent['response_type']).toBe('ephemeral');
    const attachment = (sent['attachments'] as { color: string; blocks: { type: string; elements?: { action_id: string; value: string }[] }[] }[])[0];
    expect(attachment?.color).toBe('#d32f2f'); // urgent
    const buttons = attachment?.blocks.find((b) => b.type === 'actions')?.elements ?? [];
    expect(buttons.map((b) => b.action_id)).toEqual(['ticket_close', 'ticket_assign_me', 'ticket_reply']);
    expect(buttons.every((b) => b.value === String(ticketId))).toBe(true);
    expect(commands.calls).toEqual([{ caller: { platform: 'slack', userId: AGENT, email: 'agent@shop.example', displayName: 'alice' }, text: `view ${ticketId}` }]);
  });

  it('refuses a bad signature and a stale timestamp with 401, running nothing', async () => {
    const { body: forged } = slashCommand(AGENT, `close ${ticketId}`);
    const bad = await signedPost(forged, { signature: `v0=${'0'.repeat(64)}` });
    expect(bad.status).toBe(401);
    const { body: old } = slashCommand(AGENT, `close ${ticketId}`);
    const stale = await signedPost(old, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(stale.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(commands.calls).toEqual([]);
  });

  it("tells a non-agent, privately, that they may not change tickets", async () => {
    const { body: form, responsePath } = slashCommand(STRANGER, `close ${ticketId}`);
    expect((await signedPost(form)).status).toBe(200);
    const [answer] = await api.waitFor(responsePath);
    expect(body(answer)['response_type']).toBe('ephemeral');
    expect(String(body(answer)['text'])).toMatch(/Only agents may change tickets/);
  });
});

describe('the ticket buttons', () => {
  it('Close runs the close action for the agent mapped by email, announced in the channel', async () => {
    const { body: form, responsePath } = buttonPress(AGENT, 'ticket_close', ticketId);
    expect((await signedPost(form)).status).toBe(200);
    const [answer] = await api.waitFor(responsePath);
    expect(body(answer)['response_type']).toBe('in_channel');
    expect(String(body(answer)['text'])).toContain(`Ticket #${ticketId}: close done by alice`);
    expect(commands.calls.map((c) => c.text)).toEqual([`close ${ticketId}`]);
  });

  it('Reply opens a modal; submitting shows a preview; only Send sends the reply', async () => {
    const { body: press } = buttonPress(AGENT, 'ticket_reply', ticketId);
    expect((await signedPost(press)).status).toBe(200);
    const [open] = await api.waitFor('views.open');
    expect(body(open)['trigger_id']).toBe('9.8.7');
    const view = body(open)['view'] as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('ticket_reply_compose');

    const text = 'Hello Ada,\nthe corrected invoice is attached.';
    const { body: compose } = interaction({
      type: 'view_submission',
      user: { id: AGENT, name: 'alice' },
      view: { id: 'V1', callback_id: 'ticket_reply_compose', private_metadata: view.private_metadata, state: { values: { reply_text: { reply_text_input: { type: 'plain_text_input', value: text } } } } },
    });
    const previewRes = await signedPost(compose);
    expect(previewRes.status).toBe(200);
    const preview = (await previewRes.json()) as { response_action: string; view: { callback_id: string; private_metadata: string; blocks: { text?: { text: string } }[] } };
    expect(preview.response_action).toBe('update');
    expect(preview.view.callback_id).toBe('ticket_reply_confirm');
    expect(preview.view.blocks.map((b) => b.text?.text ?? '').join('\n')).toContain('>the corrected invoice is attached.');
    expect(commands.calls).toEqual([]); // nothing sent by the preview

    const { body: confirm } = interaction({
      type: 'view_submission',
      user: { id: AGENT, name: 'alice' },
      view: { id: 'V1', callback_id: 'ticket_reply_confirm', private_metadata: preview.view.private_metadata, state: { values: {} } },
    });
    expect((await signedPost(confirm)).status).toBe(200);
    const posted = await api.waitFor('chat.postMessage');
    expect(commands.calls.map((c) => c.text)).toEqual([`reply ${ticketId} ${text}`]);
    expect(body(posted.at(-1))['channel']).toBe('C0WORK');
  });

  it('an empty reply is refused in the modal itself', async () => {
    const { body: compose } = interaction({
      type: 'view_submission',
      user: { id: AGENT, name: 'alice' },
      view: { id: 'V2', callback_id: 'ticket_reply_compose', private_metadata: JSON.stringify({ ticketId, channel: 'C0WORK' }), state: { values: { reply_text: { reply_text_input: { type: 'plain_text_input', value: '   ' } } } } },
    });
    const res = await signedPost(compose);
    expect(await res.json()).toMatchObject({ response_action: 'errors', errors: { reply_text: expect.stringContaining('Write the reply first') } });
  });
});

describe('notices in the channel', () => {
  it('coalesces a burst of new tickets into one message, threads a reply under it, and waits out a 429', async () => {
    const notifyApi = await startRecordingServer();
    let refused = 0;
    notifyApi.route('chat.postMessage', () => (refused++ === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } } : undefined));
    notifyApi.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000200`, channel: CHANNEL } }));
    try {
      const ledger = new MysqlChatPostLedger(app.database);
      const notifier = new PacedChatNotifier({ poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: notifyApi.url }), channel: CHANNEL, ledger, logger: app.logger, coalesceMs: 300, minGapMs: 200 });
      const loop = new ChatNoticeLoop({ database: app.database, notifiers: [notifier], logger: app.logger, triageGraceMs: 0 });
      await loop.start(); // from now on: the existing ticket is history, not announced
      const ids: number[] = [];
      const first = eml({ from: 'Bob <bob@customer.example>', subject: 'Brake pads' });
      for (const [i, e] of [first, eml({ from: 'Cy <cy@customer.example>', subject: 'Gearbox' }), eml({ from: 'Di <di@customer.example>', subject: 'Refund' })].entries()) {
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
      const [anchor] = await db.query<{ message_ref: string }>("SELECT message_ref FROM support_chat_post WHERE platform = 'slack' AND channel = ? AND ticket_id = ? AND kind = 'new'", [CHANNEL, ids[0]]);
      expect(anchor?.message_ref).toMatch(/^\d+\.000200$/);

      // A second pass finds nothing new: nothing is posted twice.
      await loop.runOnce();
      await loop.idle();
      expect(notifyApi.callsTo('chat.postMessage')).toHaveLength(2);

      // Bob answers the acknowledgement: his reply goes in the ticket's thread.
      const reply = await app.intake.ingest(eml({ from: 'Bob <bob@customer.example>', subject: 'Re: Brake pads', inReplyTo: `<${first.messageId}>`, body: 'I found the order number: CMD-77.' }).raw, { kind: 'test' });
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
