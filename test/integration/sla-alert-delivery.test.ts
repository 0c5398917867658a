/**
 * SLA alerts the platforms refuse, end to end on MariaDB with Slack's Web API and Discord's REST API on the
 * local recording server: a refused post (Slack `ok:false`, Slack 429, Discord 5xx) is tried again at a later
 * check, after a delay that doubles, and lands exactly once per channel whoever checks (two workers, a
 * restart between); after the last attempt it is given up, logged once with the cause and audited. Each
 * alert answers the ticket's own post (Slack: thread_ts; Discord: message_reference), or stands in the
 * channel when the ticket has no post there.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlChatPostLedger } from '../../adapters/mysql/mysql-chat-post-ledger.ts';
import { MysqlSlaStore } from '../../adapters/mysql/mysql-sla-store.ts';
import { SlackChatPoster } from '../../adapters/slack/slack-chat-poster.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { createSlaService } from '../../src/roles/sla-setup.ts';
import { SlaService } from '../../src/services/check-sla.ts';
import { PacedChatNotifier } from '../../src/services/paced-chat-notifier.ts';
import { startRecordingServer, type RecordedCall, type RecordingServer } from '../fakes/recording-server.ts';
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

const CHANNEL = 'C0ALERTS';
const DISCORD_CHANNEL = '910000000000000001';
const MIN = 60_000;
let db: TestDatabase;
let api: RecordingServer;
let smtp: SmtpListener;
let env: Record<string, string>;
const apps: TestApp[] = [];
let ts = 1_810_000_000;
let now = new Date();
const clock = () => now;
/** How Slack answers a ticket's next SLA posts, one entry per call (then it accepts); tickets Discord refuses. */
type SlackRefusal = 'ok_false' | '429' | '500';
const slackPlan = new Map<number, SlackRefusal[]>();
const discordRefuses = new Set<number>();

const bodyOf = (c: RecordedCall) => c.body as Record<string, unknown>;
const slaTicket = (text: string): number | null => Number(/^SLA: ticket #(\d+) /.exec(text)?.[1] ?? NaN) || null;

/** Slack's chat.postMessage calls of a ticket's SLA alerts in the channel (refused ones included). */
const slackCalls = (ticketId: number) =>
  api
    .callsTo('chat.postMessage')
    .filter((c) => bodyOf(c)['channel'] === CHANNEL && slaTicket(String(bodyOf(c)['text'])) === ticketId);
/** Discord's message calls of a ticket's SLA alerts in the channel (refused ones included). */
const discordCalls = (ticketId: number) =>
  api
    .callsTo(`/channels/${DISCORD_CHANNEL}/messages`)
    .filter((c) => JSON.stringify(c.body).includes(`#${ticketId}`) && /at risk|overdue/.test(JSON.stringify(c.body)));

/** What the recording server answered to a call (kept by the route handlers). */
const answered = new Map<RecordedCall, number>();
const accepted = (calls: RecordedCall[]) => calls.filter((c) => answered.get(c) === 200);

beforeAll(async () => {
  db = await createTestDatabase('sla_delivery');
  api = await startRecordingServer();
  smtp = await startSmtpListener();
  api.route('chat.postMessage', (call) => {
    const ticketId = slaTicket(String(bodyOf(call)['text']));
    const refusal = ticketId === null ? undefined : slackPlan.get(ticketId)?.shift();
    if (refusal === '429') {
      answered.set(call, 429);
      return { status: 429, headers: { 'retry-after': '0' }, body: { ok: false, error: 'ratelimited' } };
    }
    if (refusal === '500') {
      answered.set(call, 500);
      return { status: 500, body: { ok: false, error: 'fatal_error' } };
    }
    if (refusal === 'ok_false') {
      // Slack's platform refusal: HTTP 200 with ok:false.
      answered.set(call, -200);
      return { body: { ok: false, error: 'internal_error' } };
    }
    answered.set(call, 200);
    return { body: { ok: true, ts: `${(ts += 1)}.000200`, channel: CHANNEL } };
  });
  api.route('/messages', (call) => {
    const text = JSON.stringify(call.body);
    if (/at risk|overdue/.test(text) && [...discordRefuses].some((id) => text.includes(`#${id}`))) {
      answered.set(call, 503);
      return { status: 503, body: { message: 'Service Unavailable', code: 0 } };
    }
    answered.set(call, 200);
    return { body: { id: String((ts += 1)), channel_id: DISCORD_CHANNEL } };
  });
  const policies = path.join(os.tmpdir(), `sla-delivery-policies-${process.pid}-${Date.now()}.json`);
  // Urgent: 24/7, first response in 10 h (at risk 30 min before): retries over minutes stay within one alert.
  await writeFile(
    policies,
    JSON.stringify({ policies: [{ name: 'urgent-247', priority: ['urgent'], hours: '24/7', firstResponse: 600 }] }),
  );
  env = {
    ACK_ENABLED: 'false',
    SMTP_URL: smtp.url,
    SMTP_ALLOW_PLAIN: 'true',
    SLA_POLICIES_FILE: policies,
    ...chatEnv(api, { slack: CHANNEL, discord: DISCORD_CHANNEL, discordAppId: '810000000000000001' }),
  };
});

afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  await api?.close();
  await smtp?.close();
  await db?.drop();
});

async function worker(): Promise<{ app: TestApp; sla: SlaService }> {
  const app = await createTestApp(db, env);
  apps.push(app);
  return { app, sla: await createSlaService(app, { now: clock }) };
}

/** An urgent ticket (first response in 10 h, 24/7) and when it was created; `announced`: posted in both channels first. */
async function urgentTicket(app: TestApp, subject: string, announced: boolean) {
  const { ticketId } = await ingestTicket(app, { from: 'Noa <noa@customer.example>', subject, body: `${subject}?` });
  await app.agents.upsert({
    name: 'vic',
    role: 'agent',
    staffId: 41,
    identities: [{ platform: 'console', kind: 'user', value: 'vic' }],
  });
  expect((await app.commands.run({ platform: 'console', userId: 'vic' }, `priority ${ticketId} urgent`)).ok).toBe(true);
  const row = await db.query('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [ticketId]);
  const anchors: Record<string, string> = {};
  if (announced)
    for (const notifier of app.channelNotifiers) {
      const notice = { kind: 'new' as const, ticketId, subject, customer: 'noa@customer.example' };
      expect(await notifier.notifyOnce({ ...notice, priority: 'urgent', category: 'general', lines: [] }, 'new')).toBe(
        true,
      );
      const [ref] = await db.query<{ message_ref: string }>(
        "SELECT message_ref FROM support_chat_post WHERE platform = ? AND ticket_id = ? AND kind = 'new'",
        [notifier.platform, ticketId],
      );
      anchors[notifier.platform] = ref!.message_ref;
    }
  return { ticketId, created: row[0]!['created_at'] as Date, anchors };
}

async function alertRow(ticketId: number) {
  const rows = await db.query(
    'SELECT kind, attempts, last_error, claimed_by, claimed_until, given_up_at FROM support_sla_alert WHERE ticket_id = ?',
    [ticketId],
  );
  return rows;
}

/** A logger that keeps what it was told (the give-up must be logged once, with its cause). */
function recordingLogger(lines: { level: string; fields: Record<string, unknown>; message: string }[]): Logger {
  const at =
    (level: string) =>
    (fields: Record<string, unknown>, message: string): void =>
      void lines.push({ level, fields, message });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

describe('SLA alerts the platforms refuse', () => {
  it("Slack's ok:false is retried at a later check with backoff, posted once, in the ticket's thread (two workers, a restart)", async () => {
    const a = await worker();
    const b = await worker();
    const { ticketId, created, anchors } = await urgentTicket(a.app, 'Timing belt kit', true);
    slackPlan.set(ticketId, ['ok_false']);

    // 9 h 35 min in: at risk. Both workers check at once: Slack refuses, Discord takes it.
    now = new Date(created.getTime() + 575 * MIN);
    await Promise.all([a.sla.checkOnce(), b.sla.checkOnce()]);
    expect(slackCalls(ticketId)).toHaveLength(1);
    expect(accepted(slackCalls(ticketId))).toHaveLength(0);
    expect(accepted(discordCalls(ticketId))).toHaveLength(1);
    let [row] = await alertRow(ticketId);
    expect(row).toMatchObject({ kind: 'at_risk', attempts: 1, claimed_by: null, given_up_at: null });
    expect(String(row!['last_error'])).toContain('internal_error');
    // Waiting for the retry (1 minute): neither worker tries again before it.
    expect((row!['claimed_until'] as Date).getTime()).toBe(now.getTime() + MIN);
    now = new Date(now.getTime() + 30_000);
    await Promise.all([a.sla.checkOnce(), b.sla.checkOnce()]);
    expect(slackCalls(ticketId)).toHaveLength(1);
    // The ticket is looked at again when the retry is due.
    const [sla] = await db.query('SELECT next_check_at FROM support_sla WHERE ticket_id = ?', [ticketId]);
    expect((sla!['next_check_at'] as Date).getTime()).toBe(created.getTime() + 576 * MIN);

    // Worker A restarts: the waiting retry has no owner, so the restart does not cut the wait short.
    await a.app.close();
    const a2 = await worker();
    expect(await a2.sla.releaseAbandonedAlerts()).toBe(0);
    await a2.sla.checkOnce();
    expect(slackCalls(ticketId)).toHaveLength(1);

    // Past the delay (Slack is back), both workers check: Slack gets it once, Discord is not posted to again.
    now = new Date(created.getTime() + 576 * MIN + 1_000);
    await Promise.all([a2.sla.checkOnce(), b.sla.checkOnce()]);
    await Promise.all([b.sla.checkOnce(), a2.sla.checkOnce()]);
    const slack = accepted(slackCalls(ticketId));
    expect(slack).toHaveLength(1);
    expect(String(bodyOf(slack[0]!)['text'])).toMatch(/First response at risk: due .* \(in 2\d min\)/);
    expect(accepted(discordCalls(ticketId))).toHaveLength(1);
    // Threaded under the ticket's own post, in both places.
    expect(bodyOf(slack[0]!)['thread_ts']).toBe(anchors['slack']);
    const discord = accepted(discordCalls(ticketId))[0]!;
    expect(bodyOf(discord)['message_reference']).toMatchObject({ message_id: anchors['discord'] });
    [row] = await alertRow(ticketId);
    expect(row).toMatchObject({ attempts: 1, claimed_by: null, claimed_until: null, given_up_at: null });
    const events = await db.query("SELECT type FROM support_event WHERE ticket_id = ? AND type LIKE 'sla%'", [
      ticketId,
    ]);
    expect(events.map((e) => e['type'])).toEqual(['sla_at_risk']);
  });

  it('an alert on a ticket never posted in the channel stands in the channel (no thread, no anchor made)', async () => {
    const w = await worker();
    const { ticketId, created } = await urgentTicket(w.app, 'Spark plugs', false);
    now = new Date(created.getTime() + 575 * MIN);
    await w.sla.checkOnce();
    const slack = accepted(slackCalls(ticketId));
    expect(slack).toHaveLength(1);
    expect(bodyOf(slack[0]!)['thread_ts']).toBeUndefined();
    const discord = accepted(discordCalls(ticketId));
    expect(discord).toHaveLength(1);
    expect(bodyOf(discord[0]!)['message_reference']).toBeUndefined();
    const anchors = await db.query("SELECT 1 FROM support_chat_post WHERE ticket_id = ? AND kind = 'new'", [ticketId]);
    expect(anchors).toEqual([]);
  });

  it('Discord 5xx every time: tried 5 times with a doubling delay, then given up, logged once with the cause', async () => {
    const w = await worker();
    const { ticketId, created } = await urgentTicket(w.app, 'Brake fluid', true);
    discordRefuses.add(ticketId);
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const checker = new SlaService({
      store: new MysqlSlaStore(db.database, { owner: 'worker-5xx:1:a' }),
      calendar: w.sla.calendar,
      settings: w.sla.settings,
      notifiers: w.app.channelNotifiers,
      direct: w.app.channelNotifiers,
      logger: recordingLogger(lines),
      now: clock,
    });
    now = new Date(created.getTime() + 575 * MIN);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      await checker.checkOnce();
      const [row] = await alertRow(ticketId);
      expect(row!['attempts']).toBe(attempt);
      if (attempt < 5) {
        const retryAt = (row!['claimed_until'] as Date).getTime();
        delays.push((retryAt - now.getTime()) / MIN);
        // Just before the retry: nothing is tried.
        now = new Date(retryAt - 1_000);
        const before = discordCalls(ticketId).length;
        await checker.checkOnce();
        expect(discordCalls(ticketId)).toHaveLength(before);
        now = new Date(retryAt + 1_000);
      }
    }
    expect(delays).toEqual([1, 2, 4, 8]);
    // discord.js tries a 5xx 4 times itself (its own retries) per attempt of ours; none was accepted.
    expect(discordCalls(ticketId)).toHaveLength(20);
    expect(accepted(discordCalls(ticketId))).toHaveLength(0);
    // Slack took it the first time and was never posted to again.
    expect(accepted(slackCalls(ticketId))).toHaveLength(1);
    expect(slackCalls(ticketId)).toHaveLength(1);
    const [row] = await alertRow(ticketId);
    expect(row).toMatchObject({ attempts: 5, claimed_by: null, claimed_until: null });
    expect(row!['given_up_at']).toBeInstanceOf(Date);
    expect(String(row!['last_error'])).toMatch(/Discord refused a notice for channel 910000000000000001: .*503/);

    // Given up: later checks try nothing more (still before the breach at 10 h).
    now = new Date(now.getTime() + 5 * MIN);
    await checker.checkOnce();
    expect(discordCalls(ticketId)).toHaveLength(20);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(`SLA alert for ticket #${ticketId} given up after 5 refused attempts`);
    expect(String(errors[0]!.fields['cause'])).toContain('503');
    const events = await db.query<{ type: string; details: unknown }>(
      "SELECT type, details FROM support_event WHERE ticket_id = ? AND type LIKE 'sla%' ORDER BY id",
      [ticketId],
    );
    expect(events.map((e) => e.type)).toEqual(['sla_alert_failed']);
    expect(JSON.stringify(events[0]!.details)).toContain('503');
    // No token in the cause or the log.
    expect(JSON.stringify(lines)).not.toContain('discord-test-token');
  });

  it("Slack's 429 and 500 (past the client's own retries) are retried at later checks, posted once", async () => {
    const w = await worker();
    const { ticketId, created } = await urgentTicket(w.app, 'Wheel bearing', false);
    slackPlan.set(ticketId, ['429', '500']);
    // A Slack client that does not retry by itself, so the refusal reaches the checker at once.
    const slack = new PacedChatNotifier({
      poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: api.url, retries: 0 }),
      channel: CHANNEL,
      ledger: new MysqlChatPostLedger(db.database),
      logger: w.app.logger,
    });
    const checker = new SlaService({
      store: new MysqlSlaStore(db.database, { owner: 'worker-429:1:a' }),
      calendar: w.sla.calendar,
      settings: w.sla.settings,
      notifiers: [slack],
      logger: w.app.logger,
      now: clock,
    });
    now = new Date(created.getTime() + 575 * MIN);
    await checker.checkOnce();
    expect(slackCalls(ticketId).map((c) => answered.get(c))).toEqual([429]);
    let [row] = await alertRow(ticketId);
    expect(row).toMatchObject({ attempts: 1, given_up_at: null });
    expect(String(row!['last_error'])).toMatch(/rate limit/i);

    now = new Date(now.getTime() + MIN + 1_000);
    await checker.checkOnce();
    expect(slackCalls(ticketId).map((c) => answered.get(c))).toEqual([429, 500]);
    [row] = await alertRow(ticketId);
    expect(row).toMatchObject({ attempts: 2, given_up_at: null });
    // The second delay is twice the first.
    expect((row!['claimed_until'] as Date).getTime() - now.getTime()).toBe(2 * MIN);

    now = new Date(now.getTime() + 2 * MIN + 1_000);
    await checker.checkOnce();
    await checker.checkOnce();
    expect(slackCalls(ticketId).map((c) => answered.get(c))).toEqual([429, 500, 200]);
    [row] = await alertRow(ticketId);
    expect(row).toMatchObject({ attempts: 2, claimed_until: null, given_up_at: null });
  });
});
