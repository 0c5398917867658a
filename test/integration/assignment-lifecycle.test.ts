/**
 * What happens to an assigned ticket later (issue 20, 2.4 criteria 5–7 and "bad input"), end to end on
 * MariaDB and Redis: a reopen (the customer's reply, `/ticket reopen`) goes back to the agent who had it
 * only when they can take it; a manual assignment past an agent's capacity is asked first and confirmed
 * (console, Slack's button, Discord's button), with who confirmed in the audit trail; a removed agent's
 * tickets are returned to the queue and listed in the digest; `reassign_on_at_risk` moves a ticket once
 * when its first response is at risk; Discord's `/ticket away` and `back` through discord.js. Slack's and
 * Discord's APIs are the local recording server: the assertions are the messages posted there.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackBot } from '../../adapters/slack/slack-bot.ts';
import { DiscordBot } from '../../adapters/discord/discord-bot.ts';
import type { Caller } from '../../src/domain/command.ts';
import { dayInZone } from '../../src/domain/digest.ts';
import { createDigestService } from '../../src/roles/digest-service.ts';
import { createSlaService } from '../../src/roles/sla-setup.ts';
import { DISCORD_IDS, discordMessage, ticketCommand, interactionEnvelope } from '../fakes/discord-payloads.ts';
import { signedSlackPost } from '../fakes/slack-requests.ts';
import { startRecordingServer, type RecordedCall, type RecordingServer } from '../fakes/recording-server.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';

const CHANNEL = 'C0DESK';
const SECRET = 'assignment-lifecycle-signing-secret';
const APP_ID = DISCORD_IDS.app;
const SLACK = { ana: 'U0ANA', bob: 'U0BOB', zoe: 'U0ZOE' } as const;
const DORA = '1200000000000000021';
const ZOE_DISCORD = '1200000000000000022';
const MIN = 60_000;

let db: TestDatabase;
let api: RecordingServer;
let w: TestApp;
let slackBase: string;
let stopSlack: () => Promise<void>;
let discord: DiscordBot;
let ts = 1_800_000_000;
const ids = new Map<string, number>();
const as = (name: string): Caller => ({ platform: 'console', userId: name });

/** Everything posted in Slack about a ticket by the assignment (channel thread or a DM), as JSON text. */
function assignmentPosts(ticketId: number, channel = CHANNEL): string[] {
  return api
    .callsTo('chat.postMessage')
    .map((c) => c.body as Record<string, unknown>)
    .filter((b) => b['channel'] === channel && String(b['text']).startsWith(`Assignment: ticket #${ticketId} `))
    .map((b) => JSON.stringify(b));
}

async function assigneeOf(ticketId: number): Promise<string | null> {
  const [row] = await db.query<{ name: string | null }>(
    'SELECT a.name FROM support_ticket t LEFT JOIN support_agent a ON a.id = t.assignee_agent_id WHERE t.ticket_id = ?',
    [ticketId],
  );
  return row?.name ?? null;
}

async function events(ticketId: number, type: string): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ actor: string; details: unknown }>(
    'SELECT actor, details FROM support_event WHERE ticket_id = ? AND type = ? ORDER BY id',
    [ticketId, type],
  );
  return rows.map((r) => ({
    actor: r.actor,
    ...((typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>),
  }));
}

async function run(name: string, line: string) {
  return w.commands.run(as(name), line);
}

let customers = 0;
async function newTicket(subject: string): Promise<{ ticketId: number; messageId: string; from: string }> {
  const from = `Cy <cy${(customers += 1)}.${Date.now()}@customer.example>`;
  const created = await ingestTicket(w, { from, subject, body: 'Hello, any news?' });
  return { ...created, from };
}

/** A Slack request signed as Slack signs it (v0), posted to the bot's receiver. */
async function signedPost(body: string): Promise<void> {
  expect((await signedSlackPost(`${slackBase}/slack/events`, SECRET, body)).status).toBe(200);
}

let responses = 0;
async function slackSlash(user: string, text: string): Promise<Record<string, unknown>> {
  const responsePath = `/response/${(responses += 1)}`;
  await signedPost(
    new URLSearchParams({
      token: 'legacy',
      team_id: 'T0TEAM',
      team_domain: 'shop',
      channel_id: CHANNEL,
      channel_name: 'support',
      user_id: user,
      user_name: user,
      command: '/ticket',
      text,
      api_app_id: 'A0APP',
      response_url: `${api.url.replace(/\/$/, '')}${responsePath}`,
      trigger_id: '1.2.3',
    }).toString(),
  );
  const [answer] = await api.waitFor(responsePath);
  return answer!.body as Record<string, unknown>;
}

/** A button pressed in Slack (block_actions); the path its answer goes to. */
async function slackPressOnly(user: string, actionId: string, value: string): Promise<string> {
  const responsePath = `/response/${(responses += 1)}`;
  const payload = {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    api_app_id: 'A0APP',
    token: 'legacy',
    response_url: `${api.url.replace(/\/$/, '')}${responsePath}`,
    trigger_id: '9.8.7',
    user: { id: user, name: user },
    channel: { id: CHANNEL, name: 'support' },
    container: { type: 'message', message_ts: '1.1', channel_id: CHANNEL },
    message: { ts: '1.1', text: 'refusal' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'confirm', value, action_ts: '1.2' }],
  };
  await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  return responsePath;
}

async function slackPress(user: string, actionId: string, value: string): Promise<Record<string, unknown>> {
  const [answer] = await api.waitFor(await slackPressOnly(user, actionId, value));
  return answer!.body as Record<string, unknown>;
}

const discordWho = (id: string) => ({ id, username: id === DORA ? 'dora' : 'zoe' });
const original = (token: string) => api.callsTo(`/webhooks/${APP_ID}/${token}/messages/%40original`);
const followUps = (token: string) => api.callsTo(`/webhooks/${APP_ID}/${token}`);
const jsonOf = (call: RecordedCall | undefined) => (call?.body ?? {}) as Record<string, unknown>;

beforeAll(async () => {
  db = await createTestDatabase('assign_life');
  api = await startRecordingServer();
  api.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000100`, channel: CHANNEL } }));
  api.route('users.info', () => ({ body: { ok: true, user: { id: 'U0', profile: {} } } }));
  api.route('/messages/%40original', (call) =>
    call.method === 'DELETE'
      ? { status: 204, headers: { 'content-type': 'text/plain' } }
      : { body: discordMessage(call, { id: APP_ID, username: 'ticketrelay' }) },
  );
  api.route(`/webhooks/${APP_ID}/`, (call) => ({
    body: discordMessage(call, { id: APP_ID, username: 'ticketrelay' }),
  }));
  api.route('/messages', () => ({ body: { id: String((ts += 1)), channel_id: '123' } }));
  const dir = os.tmpdir();
  const assignment = path.join(dir, `assignment-life-${process.pid}-${Date.now()}.json`);
  const nonTechnical = ['general', 'billing', 'complaint', 'suggestion'];
  await writeFile(
    assignment,
    JSON.stringify({
      capacity: 2,
      reassign_on_at_risk: true,
      default: ['least_open'],
      agents: {
        ana: { hours: '24/7', skills: nonTechnical },
        bob: { hours: '24/7', skills: nonTechnical },
        dora: { hours: '24/7', skills: ['technical'] },
      },
    }),
  );
  const policies = path.join(dir, `assignment-life-sla-${process.pid}-${Date.now()}.json`);
  await writeFile(
    policies,
    JSON.stringify({
      policies: [
        { name: 'urgent-247', priority: ['urgent'], hours: '24/7', firstResponse: 60 },
        { name: 'business', priority: ['high', 'normal', 'low'], firstResponse: 240 },
      ],
    }),
  );
  w = await createTestApp(db, {
    ACK_ENABLED: 'false',
    // Every decision is posted: the channel's pace must not hold the test for a minute.
    CHAT_NOTICES_PER_MINUTE: '60',
    ASSIGNMENT_FILE: assignment,
    SLA_POLICIES_FILE: policies,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_NOTIFY_CHANNEL: CHANNEL,
    SLACK_API_URL: api.url,
    DISCORD_TOKEN: 'discord-test-token',
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: `${api.url}api`,
  });
  const people = [
    { name: 'ana', role: 'agent', slack: SLACK.ana },
    { name: 'bob', role: 'agent', slack: SLACK.bob },
    { name: 'zoe', role: 'manager', slack: SLACK.zoe, discord: ZOE_DISCORD },
    { name: 'dora', role: 'agent', discord: DORA },
  ] as const;
  for (const [i, p] of people.entries()) {
    const agent = await w.agents.upsert({
      name: p.name,
      role: p.role,
      staffId: 60 + i,
      identities: [
        { platform: 'console', kind: 'user', value: p.name },
        ...('slack' in p ? [{ platform: 'slack' as const, kind: 'user' as const, value: p.slack }] : []),
        ...('discord' in p ? [{ platform: 'discord' as const, kind: 'user' as const, value: p.discord }] : []),
      ],
    });
    ids.set(p.name, agent.id);
  }
  await w.assignment!.prepare();
  const bot = createSlackBot({ slack: w.config.slack, commands: w.commands, logger: w.logger });
  slackBase = `http://127.0.0.1:${await bot.start(0)}`;
  stopSlack = () => bot.stop();
  discord = new DiscordBot({ discord: w.config.discord, commands: w.commands, agents: w.agents, logger: w.logger });
});

afterAll(async () => {
  await stopSlack?.();
  await discord?.stop();
  await w?.close();
  await api?.close();
  await db?.drop();
});

beforeEach(() => {
  // Each test reads what it caused (earlier posts are not its business).
  api.calls.length = 0;
});

/** Tickets the tests share: the first is reopened, bob ends up holding several. */
let first: { ticketId: number; messageId: string; from: string };
const bobs: number[] = [];

describe('a reopened ticket', () => {
  it("goes back to the agent who had it when they can take it (the customer's reply, the worker's pass)", async () => {
    first = await newTicket('Wrong brake discs');
    expect(await w.assignment!.assign(first.ticketId)).toMatchObject({
      decision: { kind: 'assign', agentName: 'ana' },
    });
    expect((await run('ana', `close ${first.ticketId}`)).ok).toBe(true);
    // The customer answers the closed ticket: intake reopens it; the worker's pass decides.
    const reply = eml({
      from: first.from,
      subject: 'Re: Wrong brake discs',
      inReplyTo: `<${first.messageId}>`,
      body: 'Still the wrong ones, sorry.',
    });
    expect(await w.intake.ingest(reply.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', reopened: true });
    const pass = await w.assignment!.pass();
    expect(pass.reopened).toBe(1);
    expect(await assigneeOf(first.ticketId)).toBe('ana');
    const posts = assignmentPosts(first.ticketId).filter((p) => p.includes('Reopened'));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain(`Assignment: ticket #${first.ticketId} — Reopened: back to ana, who had it (1/2 open)`);
    expect(await events(first.ticketId, 'reopen_assigned')).toMatchObject([
      { actor: 'assignment', kept: true, from: ids.get('ana'), agentId: ids.get('ana') },
    ]);
    // A second pass has nothing to decide: once per reopen.
    expect((await w.assignment!.pass()).reopened).toBe(0);
    expect(assignmentPosts(first.ticketId).filter((p) => p.includes('Reopened'))).toHaveLength(1);
    const view = await run('zoe', `view ${first.ticketId}`);
    expect(view.text).toContain('Assignment: reopened: back to ana, who had it (1/2 open) (automatic, ');
  });

  it('is given through the strategy when that agent is away, and the reopen says which and why', async () => {
    expect((await run('ana', `close ${first.ticketId}`)).ok).toBe(true);
    expect((await run('ana', 'away')).ok).toBe(true);
    const reopened = await run('zoe', `reopen ${first.ticketId}`);
    expect(reopened.ok).toBe(true);
    expect(reopened.text).toContain(
      `reopened by zoe. Reopened: ana cannot take it back (away (until "/ticket back")); assigned to bob (fewest open tickets, default rule; 1/2 open; dora skipped: no general skill).`,
    );
    expect(await assigneeOf(first.ticketId)).toBe('bob');
    expect(assignmentPosts(first.ticketId)[0]).toContain(
      `Assignment: ticket #${first.ticketId} — Reopened: ana cannot take it back (away (until \\"/ticket back\\")); assigned to bob`,
    );
    expect((await events(first.ticketId, 'reopen_assigned')).at(-1)).toMatchObject({
      kept: false,
      from: ids.get('ana'),
      to: ids.get('bob'),
    });
  });

  it('waits in the queue when nobody can take it (its agent full, the other away), and goes to the first back', async () => {
    expect((await run('zoe', `close ${first.ticketId}`)).ok).toBe(true);
    for (const subject of ['Missing bolts', 'Late parcel']) {
      const { ticketId } = await newTicket(subject);
      expect((await run('zoe', `assign ${ticketId} @bob`)).ok).toBe(true);
      bobs.push(ticketId);
    }
    const reopened = await run('zoe', `reopen ${first.ticketId}`);
    expect(reopened.text).toContain(
      'Reopened: bob cannot take it back (2/2 open tickets); queued: nobody can take it now (default rule; ana skipped: away (until "/ticket back"); dora skipped: no general skill)',
    );
    expect(await assigneeOf(first.ticketId)).toBeNull();
    const [row] = await db.query<{ state: string }>('SELECT state FROM support_assignment WHERE ticket_id = ?', [
      first.ticketId,
    ]);
    expect(row?.state).toBe('queued');
    expect(assignmentPosts(first.ticketId)[0]).toContain(
      'Reopened: bob cannot take it back (2/2 open tickets); queued',
    );
    const back = await run('ana', 'back');
    expect(back.text).toBe('Welcome back, ana: tickets are assigned to you again (1 queued ticket assigned just now).');
    expect(await assigneeOf(first.ticketId)).toBe('ana');
  });
});

describe('a manual assignment past capacity', () => {
  it('is refused with the capacity and how to confirm, then goes through confirmed, recorded with who confirmed (console)', async () => {
    const { ticketId } = await newTicket('Clutch kit');
    const refused = await run('zoe', `assign ${ticketId} @bob`);
    expect(refused).toMatchObject({
      ok: false,
      ephemeral: true,
      text: `bob has 2 open tickets and a capacity of 2 (ASSIGNMENT_FILE): ticket #${ticketId} would make 3/2, so it was not assigned. To assign it anyway, confirm with "/ticket assign ${ticketId} @bob confirm".`,
      confirm: { label: 'Assign anyway (3/2)', command: `assign ${ticketId} @bob confirm` },
    });
    expect(await assigneeOf(ticketId)).toBeNull();
    expect(await events(ticketId, 'assigned')).toEqual([]);
    const confirmed = await run('zoe', `assign ${ticketId} @bob confirm`);
    expect(confirmed).toMatchObject({
      ok: true,
      text: `Ticket #${ticketId} assigned to bob by zoe, past bob's capacity (3/2 open tickets; confirmed by zoe).`,
    });
    expect(await assigneeOf(ticketId)).toBe('bob');
    expect(await events(ticketId, 'assigned')).toMatchObject([
      { actor: 'zoe (console)', to: ids.get('bob'), overCapacity: '3/2', confirmedBy: 'zoe' },
    ]);
    // "--force" is the same word; an agent taking one past their own capacity is asked too.
    const mine = await newTicket('Oil filter');
    const self = await run('ana', `assign ${mine.ticketId} me`);
    expect(self.ok).toBe(true); // ana has 1/2
    bobs.push(ticketId);
  });

  it('Slack: the refusal carries an "Assign anyway" button; pressing it assigns, as zoe\'s confirmation', async () => {
    const { ticketId } = await newTicket('Headlight bulb');
    const answer = await slackSlash(SLACK.zoe, `assign ${ticketId} @bob`);
    expect(answer['response_type']).toBe('ephemeral');
    expect(String(answer['text'])).toContain('bob has 3 open tickets and a capacity of 2 (ASSIGNMENT_FILE)');
    const blocks = answer['blocks'] as { type: string; elements?: { action_id: string; value: string }[] }[];
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    expect(button).toMatchObject({ action_id: 'ticket_confirm', value: `assign ${ticketId} @bob confirm` });
    expect(await assigneeOf(ticketId)).toBeNull();
    const pressed = await slackPress(SLACK.zoe, button!.action_id, button!.value);
    expect(pressed['response_type']).toBe('in_channel');
    expect(String(pressed['text'])).toBe(
      `Ticket #${ticketId} assigned to bob by zoe, past bob's capacity (4/2 open tickets; confirmed by zoe).`,
    );
    expect(await events(ticketId, 'assigned')).toMatchObject([
      { actor: 'zoe (slack)', overCapacity: '4/2', confirmedBy: 'zoe' },
    ]);
    // A button whose line is not a confirmed assignment runs nothing.
    const other = await newTicket('Wiper blades');
    const never = await slackPressOnly(SLACK.zoe, 'ticket_confirm', `close ${other.ticketId}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(api.callsTo(never)).toEqual([]);
    const [still] = await db.query<{ status: string }>('SELECT status FROM support_ticket WHERE ticket_id = ?', [
      other.ticketId,
    ]);
    expect(still?.status).toBe('open');
    bobs.push(ticketId);
  });

  it('Discord: the refusal carries a button through discord.js; pressing it assigns and answers in the channel', async () => {
    const { ticketId } = await newTicket('Spark plugs');
    const payload = ticketCommand(discordWho(ZOE_DISCORD), [], 'assign', [
      { type: 4, name: 'ticket', value: ticketId },
      { type: 3, name: 'agent', value: 'bob' },
    ]);
    await discord.dispatch(payload);
    // A refusal is private: the public deferral is deleted and the answer follows, ephemeral.
    const edit = jsonOf(followUps(payload.token).at(-1));
    expect(edit['flags']).toBe(64);
    expect(String(edit['content'])).toContain('bob has 4 open tickets and a capacity of 2');
    const row = (edit['components'] as { components: { custom_id: string; label: string }[] }[])[0];
    expect(row?.components[0]).toMatchObject({
      custom_id: `ticketcmd:assign ${ticketId} @bob confirm`,
      label: 'Assign anyway (5/2)',
    });
    expect(await assigneeOf(ticketId)).toBeNull();
    const press = {
      ...interactionEnvelope(discordWho(ZOE_DISCORD), []),
      type: 3,
      data: { custom_id: row!.components[0]!.custom_id, component_type: 2 },
      message: discordMessage({ body: { content: 'refusal', flags: 64 } }, { id: APP_ID, username: 'ticketrelay' }),
    };
    await discord.dispatch(press);
    const [ack] = api.callsTo(`/interactions/${press.id}/${press.token}/callback`);
    expect(jsonOf(ack)).toMatchObject({ type: 6 }); // deferred update
    const [answer] = followUps(press.token);
    expect(String(jsonOf(answer)['content'])).toContain(
      `assigned to bob by zoe, past bob's capacity (5/2 open tickets; confirmed by zoe)`,
    );
    expect(await events(ticketId, 'assigned')).toMatchObject([
      { actor: 'zoe (discord)', overCapacity: '5/2', confirmedBy: 'zoe' },
    ]);
    bobs.push(ticketId);
  });
});

describe('reassign_on_at_risk', () => {
  it('moves a ticket once when its first response is at risk with no reply, telling both agents; never back', async () => {
    const { ticketId } = await newTicket('Radiator leak');
    expect((await run('zoe', `priority ${ticketId} urgent`)).ok).toBe(true);
    // ana has 2/2 (the reopened ticket and the oil filter): one closed, she takes it (bob is past capacity).
    expect((await run('ana', `close ${first.ticketId}`)).ok).toBe(true);
    expect(await w.assignment!.assign(ticketId)).toMatchObject({ decision: { kind: 'assign', agentName: 'ana' } });
    // bob makes room: four of his five closed, so he is the one who can take it over.
    for (const id of bobs.splice(0, 4)) expect((await run('zoe', `close ${id}`)).ok).toBe(true);
    const [row] = await db.query<{ created_at: Date }>('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [
      ticketId,
    ]);
    let now = new Date(row!.created_at.getTime() + 50 * MIN);
    const sla = await createSlaService(w, { now: () => now });
    await sla.checkOnce();
    expect(
      api.callsTo('chat.postMessage').some((c) => String(jsonOf(c)['text']).startsWith(`SLA: ticket #${ticketId} `)),
    ).toBe(true);
    expect(await w.assignment!.reassignAtRisk()).toBe(1);
    expect(await assigneeOf(ticketId)).toBe('bob');
    const line = `Reassigned from ana to bob: first response at risk with no reply from ana; fewest open tickets, default rule; 2/2 open`;
    expect(assignmentPosts(ticketId).at(-1)).toContain(line);
    // Both agents told directly.
    expect(assignmentPosts(ticketId, SLACK.ana).at(-1)).toContain(line);
    expect(assignmentPosts(ticketId, SLACK.bob).at(-1)).toContain(line);
    expect(await events(ticketId, 'at_risk_reassigned')).toMatchObject([
      { from: ids.get('ana'), to: ids.get('bob'), metric: 'first_response' },
    ]);
    // The breach, later: no second move (bob does not hand it back).
    now = new Date(row!.created_at.getTime() + 61 * MIN);
    await sla.checkOnce();
    expect(await w.assignment!.reassignAtRisk()).toBe(0);
    expect(await assigneeOf(ticketId)).toBe('bob');
    expect(await events(ticketId, 'at_risk_reassigned')).toHaveLength(1);
    bobs.push(ticketId);
  });
});

describe('a removed agent', () => {
  it('has their open tickets returned to the queue, each audited and posted, and listed in the digest (« orphelins »)', async () => {
    const held = (
      await db.query<{ ticket_id: number }>(
        "SELECT ticket_id FROM support_ticket WHERE assignee_agent_id = ? AND status = 'open' ORDER BY ticket_id",
        [ids.get('bob')],
      )
    ).map((r) => Number(r.ticket_id));
    expect(held.length).toBeGreaterThanOrEqual(2);
    await w.agents.remove('bob');
    const pass = await w.assignment!.pass();
    expect(pass.orphans).toBe(held.length);
    for (const ticketId of held) {
      expect(await events(ticketId, 'orphaned')).toMatchObject([{ from: ids.get('bob'), agent: 'bob' }]);
      expect(await assigneeOf(ticketId)).not.toBe('bob');
      expect(assignmentPosts(ticketId)[0]).toContain(
        `Assignment: ticket #${ticketId} — Returned to the queue: bob, who had it, was removed from the agents`,
      );
    }
    // The strategy gave what it could to ana (2/2 at most); the rest waits.
    const [{ n }] = (await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM support_ticket WHERE assignee_agent_id = ? AND status = 'open'",
      [ids.get('ana')],
    )) as [{ n: number }];
    expect(Number(n)).toBe(2);
    expect((await w.assignment!.pass()).orphans).toBe(0);
    // The manager's digest of the day: the text every channel's publisher posts.
    const { service } = await createDigestService(w);
    const post = await service.compose(dayInZone(new Date(), service.timeZone));
    expect(post.digest.orphans).toEqual(held);
    const raw = post.text;
    expect(raw).toContain(
      `Orphaned tickets (their agent was removed; returned to the queue): ${held.length} — ${held.map((id) => `#${id}`).join(', ')}`,
    );
  });
});

describe('Discord /ticket away and back', () => {
  it('through discord.js: the reply is posted, the queue skips dora while away and drains to her on back', async () => {
    const { ticketId } = await newTicket('Turbo whistles');
    expect((await run('zoe', `category ${ticketId} technical`)).ok).toBe(true);
    const away = ticketCommand(discordWho(DORA), [], 'away', [{ type: 3, name: 'until', value: '3d' }]);
    await discord.dispatch(away);
    expect(jsonOf(api.callsTo(`/interactions/${away.id}/${away.token}/callback`)[0])).toMatchObject({ type: 5 });
    expect(String(jsonOf(original(away.token).at(-1))['content'])).toMatch(
      /^dora is away until \w{3} \d{4}-\d\d-\d\d \d\d:\d\d: no ticket is assigned to you automatically meanwhile/,
    );
    expect(await w.assignment!.assign(ticketId)).toMatchObject({ decision: { kind: 'queue' } });
    const [queued] = await db.query<{ reason: string }>('SELECT reason FROM support_assignment WHERE ticket_id = ?', [
      ticketId,
    ]);
    expect(queued?.reason).toMatch(/dora skipped: away until /);
    expect(await assigneeOf(ticketId)).toBeNull();

    const back = ticketCommand(discordWho(DORA), [], 'back', []);
    await discord.dispatch(back);
    expect(String(jsonOf(original(back.token).at(-1))['content'])).toBe(
      'Welcome back, dora: tickets are assigned to you again (1 queued ticket assigned just now).',
    );
    expect(await assigneeOf(ticketId)).toBe('dora');
  });
});

describe('a removed agent, with no automatic assignment (no ASSIGNMENT_FILE)', () => {
  it('still has their tickets unassigned and people told they are theirs to take', async () => {
    const manual = await createTestApp(db, {
      ACK_ENABLED: 'false',
      CHAT_NOTICES_PER_MINUTE: '60',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_NOTIFY_CHANNEL: CHANNEL,
      SLACK_API_URL: api.url,
    });
    try {
      const held = await db.query<{ ticket_id: number }>(
        "SELECT ticket_id FROM support_ticket WHERE assignee_agent_id = ? AND status = 'open'",
        [ids.get('dora')],
      );
      expect(held).toHaveLength(1);
      const ticketId = Number(held[0]!.ticket_id);
      await manual.agents.remove('dora');
      expect(await manual.assignment!.pass()).toMatchObject({ orphans: 1 });
      expect(await assigneeOf(ticketId)).toBeNull();
      expect(await events(ticketId, 'orphaned')).toMatchObject([{ agent: 'dora' }]);
      const [post] = assignmentPosts(ticketId);
      expect(post).toContain('Returned to the queue: dora, who had it, was removed from the agents');
      expect(post).toContain('Left for an agent to take (no automatic assignment)');
    } finally {
      await manual.close();
    }
  });
});
