/**
 * SLA clocks end to end on MariaDB: tickets from the real intake, two SLA checkers (two workers, each
 * with its own app, pool and Slack notifier) racing on the same tickets, one of them restarted in
 * between; Slack's Web API is the local recording server. An at-risk and a breach alert are each
 * posted exactly once; a business-hours alert waits for opening hours; a reply the mail server took
 * stops the clock; the console's /ticket view and list due say what is due. The assignee gets each alert
 * in a direct message too (Slack and Discord), once; an alert claimed by a worker that died before
 * posting is posted by another after the claim's lease, or at once by a worker started on that host.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlChatPostLedger } from '../../adapters/mysql/mysql-chat-post-ledger.ts';
import { MysqlSlaStore } from '../../adapters/mysql/mysql-sla-store.ts';
import type { ChatPoster } from '../../src/ports/chat-poster.ts';
import { createSlaService } from '../../src/roles/sla-setup.ts';
import { PacedChatNotifier } from '../../src/services/paced-chat-notifier.ts';
import { SlaService as SlaChecker, DEFAULT_ALERT_LEASE_MS } from '../../src/services/check-sla.ts';
import { instantOf } from '../../src/domain/business-calendar.ts';
import type { SlaService } from '../../src/services/check-sla.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import {
  chatEnv,
  createTestApp,
  createTestDatabase,
  ingestTicket,
  startSmtpListener,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
} from './harness.ts';

const CHANNEL = 'C0SLA';
const DISCORD_CHANNEL = '900000000000000001';
const DISCORD_DM = '900000000000000077';
let db: TestDatabase;
let api: RecordingServer;
let smtp: SmtpListener;
let env: Record<string, string>;
const apps: TestApp[] = [];
let ts = 1_800_000_000;
/** The checkers' shared clock (the tests move it). */
let now = new Date();
const clock = () => now;
const MIN = 60_000;

async function worker(): Promise<{ app: TestApp; sla: SlaService }> {
  const app = await createTestApp(db, env);
  apps.push(app);
  return { app, sla: await createSlaService(app, { now: clock }) };
}

/** The SLA messages posted to Slack for a ticket, in the notify channel (or in `channel`: a user id is a DM). */
function slaPosts(ticketId: number, channel = CHANNEL): string[] {
  return api
    .callsTo('chat.postMessage')
    .filter((c) => (c.body as Record<string, unknown>)['channel'] === channel)
    .map((c) => String((c.body as Record<string, unknown>)['text']))
    .filter((t) => t.startsWith(`SLA: ticket #${ticketId} `));
}

/** The SLA messages posted to a Discord channel (the notify channel, or the DM channel) for a ticket. */
function discordSlaPosts(ticketId: number, channel: string): string[] {
  return api
    .callsTo(`/channels/${channel}/messages`)
    .map((c) => JSON.stringify(c.body))
    .filter((t) => t.includes(`#${ticketId}`) && /at risk|overdue/.test(t));
}

beforeAll(async () => {
  db = await createTestDatabase('sla');
  api = await startRecordingServer();
  smtp = await startSmtpListener();
  api.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000100`, channel: CHANNEL } }));
  api.route('/users/@me/channels', () => ({ body: { id: DISCORD_DM, type: 1 } }));
  api.route('/messages', () => ({ body: { id: String((ts += 1)), channel_id: DISCORD_CHANNEL } }));
  const policies = path.join(os.tmpdir(), `sla-policies-${process.pid}-${Date.now()}.json`);
  await writeFile(
    policies,
    JSON.stringify({
      policies: [
        { name: 'urgent-247', priority: ['urgent'], hours: '24/7', firstResponse: 60, resolution: 600 },
        { name: 'business', priority: ['high', 'normal', 'low'], firstResponse: 60 },
      ],
    }),
  );
  env = {
    ACK_ENABLED: 'false',
    SMTP_URL: smtp.url,
    SMTP_ALLOW_PLAIN: 'true',
    SLA_POLICIES_FILE: policies,
    ...chatEnv(api, { slack: CHANNEL, discord: DISCORD_CHANNEL, discordAppId: '800000000000000001' }),
  };
});

afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  await api?.close();
  await smtp?.close();
  await db?.drop();
});

describe('SLA alerts', () => {
  it('posts an at-risk and a breach alert exactly once each, with two workers racing and a restart between', async () => {
    const a = await worker();
    const b = await worker();
    await a.app.agents.upsert({
      name: 'zoe',
      role: 'manager',
      staffId: 31,
      identities: [{ platform: 'console', kind: 'user', value: 'zoe' }],
    });
    const { ticketId } = await ingestTicket(a.app, {
      from: 'Ada <ada@customer.example>',
      subject: 'Brake pads missing',
      body: 'Two pads instead of four.',
    });
    const set = await a.app.commands.run({ platform: 'console', userId: 'zoe' }, `priority ${ticketId} urgent`);
    expect(set.ok).toBe(true);
    const row = await db.query('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [ticketId]);
    const created = row[0]!['created_at'] as Date;

    // 50 minutes in (24/7 policy, target 60): at risk (48). Both workers check at once, twice.
    now = new Date(created.getTime() + 50 * MIN);
    await Promise.all([a.sla.checkOnce(), b.sla.checkOnce()]);
    await Promise.all([a.sla.checkOnce(), b.sla.checkOnce()]);
    expect(slaPosts(ticketId)).toHaveLength(1);
    expect(slaPosts(ticketId)[0]).toMatch(/First response at risk: due .* \(in 10 min\)/);

    // Worker A restarts (a new process: new app, new pool, new notifier).
    await a.app.close();
    const a2 = await worker();
    now = new Date(created.getTime() + 61 * MIN);
    await Promise.all([a2.sla.checkOnce(), b.sla.checkOnce()]);
    await Promise.all([b.sla.checkOnce(), a2.sla.checkOnce()]);
    const posts = slaPosts(ticketId);
    expect(posts).toHaveLength(2);
    expect(posts[1]).toMatch(/First response overdue: the deadline was/);

    // The unique key and the audit trail: one row and one event per alert.
    const alerts = await db.query(
      'SELECT metric, cycle, kind, posted FROM support_sla_alert WHERE ticket_id = ? ORDER BY kind',
      [ticketId],
    );
    expect(alerts.map((r) => `${r['metric']}/${r['cycle']}/${r['kind']}/${r['posted']}`)).toEqual([
      'first_response/0/at_risk/1',
      'first_response/0/breach/1',
    ]);
    const events = await db.query(
      "SELECT type FROM support_event WHERE ticket_id = ? AND type LIKE 'sla%' ORDER BY id",
      [ticketId],
    );
    expect(events.map((r) => r['type'])).toEqual(['sla_at_risk', 'sla_breached']);

    // The console (on the real clock: the ticket is a minute old) shows what is due, the policy and why; list due has it.
    const view = await a2.app.commands.run({ platform: 'console', userId: 'zoe' }, `view ${ticketId}`);
    expect(view.text).toContain('SLA policy "urgent-247" (24/7): first of 2 to match priority urgent');
    expect(view.text).toMatch(/First response: due \w{3} \d\d:\d\d \(in (?:5\d min|1 h); target 1 h\)/);
    const due = await a2.app.commands.run({ platform: 'console', userId: 'zoe' }, 'list due');
    expect(due.text).toContain(`#${ticketId} First response: due`);
    const detail = await a2.app.commands.run({ platform: 'console', userId: 'zoe' }, `sla ${ticketId}`);
    expect(detail.text).toMatch(
      /First response: \d+ min used, .* left, counted on:\n {2}\w{3} \d\d\/\d\d \d\d:\d\d–\d\d:\d\d/,
    );
    const unknown = await a2.app.commands.run({ platform: 'console', userId: 'zoe' }, 'sla 999999');
    expect(unknown).toMatchObject({
      ok: false,
      text: 'There is no ticket #999999; check the number with "/ticket list" or "/ticket list all".',
    });
  });

  it('never posts a business-hours alert at night: it waits for the next opening, then goes out once', async () => {
    const w = await worker();
    const { ticketId } = await ingestTicket(w.app, {
      from: 'Bea <bea@customer.example>',
      subject: 'Invoice copy',
      body: 'Could you send the invoice again?',
    });
    const row = await db.query('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [ticketId]);
    const created = row[0]!['created_at'] as Date;
    // Business policy (Mon–Fri 09:00–18:00 Paris), target 60 min: due within the next business hours.
    const due = w.sla.calendar.addBusinessMinutes(created, 60).due;
    // 23:00 on the day the deadline falls: past it, but the shop is closed.
    const day = due.toISOString().slice(0, 10);
    now = instantOf(day, 23 * 60, 'Europe/Paris');
    const night = await w.sla.checkOnce();
    expect(night.deferred).toBeGreaterThan(0);
    expect(slaPosts(ticketId)).toEqual([]);
    // The next opening: posted (a breach), once.
    now = new Date(w.sla.calendar.nextOpening(now).getTime() + 60_000);
    await w.sla.checkOnce();
    await w.sla.checkOnce();
    expect(slaPosts(ticketId)).toHaveLength(1);
    expect(slaPosts(ticketId)[0]).toMatch(/First response overdue/);
  });

  it('a calendar change moves running deadlines, and the audit trail says so', async () => {
    const w = await worker();
    const { ticketId } = await ingestTicket(w.app, {
      from: 'Dan <dan@customer.example>',
      subject: 'Headlight',
      body: 'Which bulb fits?',
    });
    // Created on a Saturday at noon, when the shop (Mon–Fri 09:00–18:00) is closed and the new calendar below is
    // open: the deadline moves whatever the hour the test runs at (in business hours both calendars gave the same).
    const created = instantOf('2026-11-28', 12 * 60, 'Europe/Paris');
    await db.query('UPDATE support_ticket SET created_at = ? WHERE ticket_id = ?', [created, ticketId]);
    now = new Date(created.getTime() + MIN);
    await w.sla.checkOnce();
    const calendar = path.join(os.tmpdir(), `sla-calendar-${process.pid}-${Date.now()}.json`);
    const slots = ['07:00-20:00'];
    await writeFile(
      calendar,
      JSON.stringify({
        timeZone: 'Europe/Paris',
        week: { mon: slots, tue: slots, wed: slots, thu: slots, fri: slots, sat: slots, sun: slots },
      }),
    );
    const app = await createTestApp(db, { ...env, BUSINESS_CALENDAR_FILE: calendar });
    apps.push(app);
    const moved = await createSlaService(app, { now: clock });
    expect(await moved.markOpenForCheck()).toBeGreaterThan(0);
    await moved.checkOnce();
    const events = await db.query(
      "SELECT details FROM support_event WHERE ticket_id = ? AND type = 'sla_deadline_moved'",
      [ticketId],
    );
    expect(events).toHaveLength(1);
    const details = (
      typeof events[0]!['details'] === 'string' ? JSON.parse(events[0]!['details']) : events[0]!['details']
    ) as Record<string, unknown>;
    expect(details).toMatchObject({ metric: 'first_response', why: 'calendar changed' });
    expect(new Date(String(details['to'])).getTime()).toBeLessThan(new Date(String(details['from'])).getTime());
  });

  it('a reply the mail server accepted stops the clock: no alert', async () => {
    const w = await worker();
    await w.app.agents.upsert({
      name: 'yann',
      role: 'agent',
      staffId: 32,
      identities: [{ platform: 'console', kind: 'user', value: 'yann' }],
    });
    const { ticketId } = await ingestTicket(w.app, {
      from: 'Cy <cy@customer.example>',
      subject: 'Wrong colour',
      body: 'The mirror cover is red, I ordered black.',
    });
    await w.app.commands.run({ platform: 'console', userId: 'yann' }, `priority ${ticketId} urgent`);
    const reply = await w.app.commands.run(
      { platform: 'console', userId: 'yann' },
      `reply ${ticketId} We are sending the black one today.`,
    );
    expect(reply.text).toMatch(/^Reply sent/);
    await smtp.waitFor(1);
    const row = await db.query('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [ticketId]);
    now = new Date((row[0]!['created_at'] as Date).getTime() + 90 * MIN);
    await w.sla.checkOnce();
    expect(slaPosts(ticketId)).toEqual([]);
    const view = await w.app.commands.run({ platform: 'console', userId: 'yann' }, `view ${ticketId}`);
    expect(view.text).toMatch(/First response: met .* within 1 h/);
  });

  it('DMs the assignee each alert once (Slack and Discord), besides the channel posts, with two workers racing', async () => {
    const a = await worker();
    const b = await worker();
    await a.app.agents.upsert({
      name: 'xavier',
      role: 'agent',
      staffId: 33,
      identities: [
        { platform: 'console', kind: 'user', value: 'xavier' },
        { platform: 'slack', kind: 'user', value: 'U0XAVIER' },
        { platform: 'discord', kind: 'user', value: '700000000000000042' },
      ],
    });
    const { ticketId } = await ingestTicket(a.app, {
      from: 'Eva <eva@customer.example>',
      subject: 'Clutch kit',
      body: 'The clutch kit has no bearing.',
    });
    const xavier = { platform: 'console' as const, userId: 'xavier' };
    expect((await a.app.commands.run(xavier, `priority ${ticketId} urgent`)).ok).toBe(true);
    expect((await a.app.commands.run(xavier, `assign ${ticketId} me`)).ok).toBe(true);
    const row = await db.query('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [ticketId]);
    const created = row[0]!['created_at'] as Date;

    now = new Date(created.getTime() + 50 * MIN);
    await Promise.all([a.sla.checkOnce(), b.sla.checkOnce()]);
    await Promise.all([b.sla.checkOnce(), a.sla.checkOnce()]);
    now = new Date(created.getTime() + 61 * MIN);
    await Promise.all([a.sla.checkOnce(), b.sla.checkOnce()]);
    await Promise.all([b.sla.checkOnce(), a.sla.checkOnce()]);

    // Slack: the channel and the DM (chat.postMessage to the user id) each got the at-risk and the breach, once.
    expect(slaPosts(ticketId)).toHaveLength(2);
    const dms = slaPosts(ticketId, 'U0XAVIER');
    expect(dms).toHaveLength(2);
    expect(dms[0]).toMatch(/First response at risk/);
    expect(dms[1]).toMatch(/First response overdue/);
    const dmCall = api
      .callsTo('chat.postMessage')
      .find((c) => (c.body as Record<string, unknown>)['channel'] === 'U0XAVIER');
    expect(JSON.stringify(dmCall?.body)).toContain('Assigned to xavier');
    // Discord: the DM channel opened for the user, and the two alerts in it, once each; the channel too.
    const opened = api
      .callsTo('/channels')
      .filter((c) => c.path.endsWith('/@me/channels') || c.path.endsWith('/%40me/channels'));
    expect(opened.map((c) => (c.body as Record<string, unknown>)['recipient_id'])).toContain('700000000000000042');
    expect(discordSlaPosts(ticketId, DISCORD_DM)).toHaveLength(2);
    expect(discordSlaPosts(ticketId, DISCORD_CHANNEL)).toHaveLength(2);
    // The audit trail says the assignee was told.
    const events = await db.query(
      "SELECT details FROM support_event WHERE ticket_id = ? AND type IN ('sla_at_risk', 'sla_breached') ORDER BY id",
      [ticketId],
    );
    expect(events.map((e) => JSON.stringify(e['details']))).toEqual([
      expect.stringContaining('xavier (discord, slack)'),
      expect.stringContaining('xavier (discord, slack)'),
    ]);
  });

  it('an alert claimed by a worker that died before posting is posted once, after the lease, by another', async () => {
    const b = await worker();
    const { ticketId, created } = await urgentTicket(
      b.app,
      'Fox <fox@customer.example>',
      'Oil filter',
      'Which oil filter fits a 2014 Clio?',
    );
    now = new Date(created.getTime() + 50 * MIN);

    // Worker A, on another host: it claims the alert and the channel's post, then hangs for good in the
    // platform call (as a process killed there would): never posted, never marked done.
    const hung: ChatPoster = {
      platform: 'slack',
      post: () => new Promise<string>(() => undefined),
      postAlert: () => new Promise<string>(() => undefined),
      postLine: () => new Promise<string>(() => undefined),
      postDirect: () => new Promise<string>(() => undefined),
    };
    const crashed = new SlaChecker({
      store: new MysqlSlaStore(db.database, { owner: 'other-host:4242:gone' }),
      calendar: b.sla.calendar,
      settings: b.sla.settings,
      notifiers: [
        new PacedChatNotifier({
          poster: hung,
          channel: CHANNEL,
          ledger: new MysqlChatPostLedger(db.database),
          logger: b.app.logger,
        }),
      ],
      logger: b.app.logger,
      now: clock,
    });
    void crashed.checkOnce();
    await waitForRows(
      "SELECT 1 FROM support_chat_post WHERE ticket_id = ? AND kind LIKE 'sla:%' AND message_ref = ''",
      [ticketId],
    );
    const claims = await db.query('SELECT claimed_by FROM support_sla_alert WHERE ticket_id = ?', [ticketId]);
    expect(claims.map((c) => c['claimed_by'])).toEqual(['other-host:4242:gone']);

    // Within the lease: the live worker leaves it (A may still be posting) and looks again when it ends.
    await b.sla.checkOnce();
    expect(slaPosts(ticketId)).toEqual([]);
    const sla = await db.query('SELECT next_check_at FROM support_sla WHERE ticket_id = ?', [ticketId]);
    expect((sla[0]!['next_check_at'] as Date).getTime()).toBeLessThanOrEqual(now.getTime() + DEFAULT_ALERT_LEASE_MS);

    // The lease ran out (still at risk: 56 minutes of 60): B takes the claim over and posts it, once.
    now = new Date(now.getTime() + DEFAULT_ALERT_LEASE_MS + 1_000);
    await Promise.all([b.sla.checkOnce(), b.sla.checkOnce()]);
    const b2 = await worker();
    await b2.sla.checkOnce();
    expect(slaPosts(ticketId)).toHaveLength(1);
    expect(slaPosts(ticketId)[0]).toMatch(/First response at risk/);
    const done = await db.query('SELECT claimed_by, claimed_until FROM support_sla_alert WHERE ticket_id = ?', [
      ticketId,
    ]);
    expect(done).toEqual([{ claimed_by: null, claimed_until: null }]);
    const events = await db.query("SELECT type FROM support_event WHERE ticket_id = ? AND type LIKE 'sla%'", [
      ticketId,
    ]);
    expect(events).toHaveLength(1);
  });

  it("a worker started again on the dead worker's host posts its abandoned alert at once, once", async () => {
    const b = await worker();
    const { ticketId, created } = await urgentTicket(
      b.app,
      'Gil <gil@customer.example>',
      'Wiper blades',
      'Are the wiper blades sold in pairs?',
    );
    now = new Date(created.getTime() + 50 * MIN);
    // A process of this host that has exited: its pid runs no more.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const owner = `${os.hostname().slice(0, 80)}:${dead}:x1`;
    const killed = new SlaChecker({
      store: new MysqlSlaStore(db.database, { owner }),
      calendar: b.sla.calendar,
      settings: b.sla.settings,
      notifiers: [{ notify: () => new Promise<void>(() => undefined) }],
      logger: b.app.logger,
      now: clock,
    });
    void killed.checkOnce();
    await waitForRows('SELECT 1 FROM support_sla_alert WHERE ticket_id = ? AND claimed_by = ?', [ticketId, owner]);
    await b.sla.checkOnce();
    expect(slaPosts(ticketId)).toEqual([]);

    // The restart: the new worker frees the dead process's claim, and its first pass posts the alert, within the lease.
    const restarted = await worker();
    expect(await restarted.sla.releaseAbandonedAlerts()).toBe(1);
    await restarted.sla.markOpenForCheck();
    await Promise.all([restarted.sla.checkOnce(), b.sla.checkOnce()]);
    await restarted.sla.checkOnce();
    expect(slaPosts(ticketId)).toHaveLength(1);
    expect(await restarted.sla.releaseAbandonedAlerts()).toBe(0);
  });
});

/** A ticket made urgent (24/7 policy, first response in 60 min) by agent wes; when it was created. */
async function urgentTicket(
  app: TestApp,
  from: string,
  subject: string,
  body: string,
): Promise<{ ticketId: number; created: Date }> {
  const { ticketId } = await ingestTicket(app, { from, subject, body });
  await app.agents.upsert({
    name: 'wes',
    role: 'agent',
    staffId: 34,
    identities: [{ platform: 'console', kind: 'user', value: 'wes' }],
  });
  expect((await app.commands.run({ platform: 'console', userId: 'wes' }, `priority ${ticketId} urgent`)).ok).toBe(true);
  const row = await db.query('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [ticketId]);
  return { ticketId, created: row[0]!['created_at'] as Date };
}

async function waitForRows(sql: string, params: unknown[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await db.query(sql, params)).length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no row for: ${sql}`);
}
