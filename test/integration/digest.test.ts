/**
 * The daily digest on a fixed dataset in real MariaDB: its figures (medians, p95, day-over-day and
 * week-over-week), day boundaries across daylight-saving changes, the chart, and one post per channel
 * per day when several posters race — observed on a recording stand-in for Slack's and Discord's APIs.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_COLOURS, PngDigestChart } from '../../adapters/chart/png-digest-chart.ts';
import { DiscordDigestPublisher } from '../../adapters/discord/discord-digest-publisher.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { MysqlReportStore } from '../../adapters/mysql/mysql-report-store.ts';
import { SlackDigestPublisher } from '../../adapters/slack/slack-digest-publisher.ts';
import { DigestService } from '../../src/services/build-digest.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

const logger = createLogger({ level: 'silent' });
const ZONE = 'Europe/Paris';
let db: TestDatabase;
let slack: RecordingServer;
let nextId = 1;

async function ticket(t: {
  created: string;
  firstResponse?: string;
  closed?: string;
  priority?: string;
  category?: string;
  subject?: string;
}): Promise<number> {
  const id = nextId++;
  await db.query(
    `INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, created_at, updated_at, last_message_at, first_response_at, closed_at)
     VALUES (?, 1, 'c@example.com', ?, ?, ?, ?, 'email', ?, ?, ?, ?, ?)`,
    [
      id,
      t.subject ?? `ticket ${id}`,
      t.closed ? 'closed' : 'open',
      t.priority ?? 'normal',
      t.category ?? 'general',
      new Date(t.created),
      new Date(t.created),
      new Date(t.created),
      t.firstResponse ? new Date(t.firstResponse) : null,
      t.closed ? new Date(t.closed) : null,
    ],
  );
  return id;
}

async function automated(at: string, kind: string): Promise<void> {
  await db.query(
    "INSERT INTO support_message (message_id, direction, kind, outcome, automated_kind, created_at) VALUES (?, 'inbound', 'automated', 'automated_skipped', ?, ?)",
    [`auto-${Math.random()}@x`, kind, new Date(at)],
  );
}

function service(store = new MysqlReportStore(db.database), apiUrl = `${slack.url}api/`): DigestService {
  return new DigestService({
    store,
    ledger: store,
    chart: new PngDigestChart(),
    publishers: {
      slack: new SlackDigestPublisher({ token: 'xoxb-test', apiUrl, logger }),
      discord: new DiscordDigestPublisher({ token: 'discord-test', apiUrl: `${slack.url}api` }),
    },
    timeZone: ZONE,
    logger,
  });
}

let ids: Record<string, number> = {};

beforeAll(async () => {
  db = await createTestDatabase('digest');
  slack = await startRecordingServer();
  let ts = 1000;
  slack.route('/api/chat.postMessage', () => ({ body: { ok: true, channel: 'C1', ts: `${ts++}.000100` } }));
  slack.route('/api/files.getUploadURLExternal', () => ({
    body: { ok: true, upload_url: `${slack.url}upload/F1`, file_id: 'F1' },
  }));
  slack.route('/api/files.completeUploadExternal', () => ({ body: { ok: true, files: [{ id: 'F1' }] } }));
  slack.route('/messages', () => ({ body: { id: '990000000000000001', channel_id: '123' } }));
  // The day under test: Tuesday 2026-03-10 in Paris (UTC+1), 2026-03-09T23:00Z → 2026-03-10T23:00Z.
  ids = {
    t1: await ticket({
      created: '2026-03-10T08:00:00Z',
      firstResponse: '2026-03-10T08:30:00Z',
      closed: '2026-03-10T11:00:00Z',
      priority: 'high',
      category: 'billing',
    }),
    t2: await ticket({
      created: '2026-03-10T09:00:00Z',
      firstResponse: '2026-03-10T10:00:00Z',
      priority: 'urgent',
      category: 'technical',
      subject: 'Site down',
    }),
    t3: await ticket({ created: '2026-03-10T22:30:00Z' }), // 23:30 in Paris: still the 10th
    t4: await ticket({ created: '2026-03-10T23:30:00Z' }), // 00:30 on the 11th in Paris
    t5: await ticket({
      created: '2026-03-09T10:00:00Z',
      firstResponse: '2026-03-10T10:00:00Z',
      closed: '2026-03-10T12:00:00Z',
      category: 'complaint',
    }),
    t6: await ticket({ created: '2026-03-03T10:00:00Z', priority: 'low', category: 'suggestion' }),
    t7: await ticket({ created: '2026-03-03T11:00:00Z', closed: '2026-03-03T15:00:00Z' }),
    t8: await ticket({ created: '2026-02-01T10:00:00Z', priority: 'urgent', subject: 'Old urgent one' }),
    // Daylight-saving days: 2026-03-29 (23 h) and 2026-10-25 (25 h) in Paris.
    springEarly: await ticket({ created: '2026-03-28T23:30:00Z' }), // 00:30 CET on the 29th
    springLate: await ticket({ created: '2026-03-29T21:30:00Z' }), // 23:30 CEST on the 29th
    springBefore: await ticket({ created: '2026-03-28T22:30:00Z' }), // 23:30 CET on the 28th
    springAfter: await ticket({ created: '2026-03-29T22:30:00Z' }), // 00:30 CEST on the 30th
    autumnEarly: await ticket({ created: '2026-10-24T22:30:00Z' }), // 00:30 CEST on the 25th
    autumnLate: await ticket({ created: '2026-10-25T22:30:00Z' }), // 23:30 CET on the 25th
    autumnAfter: await ticket({ created: '2026-10-25T23:30:00Z' }), // 00:30 CET on the 26th
  };
  await automated('2026-03-10T07:00:00Z', 'bounce');
  await automated('2026-03-10T15:00:00Z', 'auto_reply');
  await automated('2026-03-10T16:00:00Z', 'auto_reply');
  await automated('2026-03-09T15:00:00Z', 'list');
  // An email that could not be read that day (and one the day before): no ticket, but the manager hears of it.
  for (const at of ['2026-03-10T11:00:00Z', '2026-03-09T11:00:00Z']) {
    await db.query(
      "INSERT INTO support_message (message_id, direction, kind, outcome, created_at) VALUES (?, 'inbound', 'rejected', 'rejected', ?)",
      [`rejected-${Math.random()}@x`, new Date(at)],
    );
  }
  // Rows of the shop's other features in ___xtr_msg are never tickets.
  await db.query(
    "INSERT INTO ___xtr_msg (msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES ('1', '2026-3-10 10:00:00', 'Review', '{\"type\":\"review\",\"stars\":5}', '1', '0')",
  );
});

afterAll(async () => {
  await slack?.close();
  await db?.drop();
});

describe('the digest of a fixed day', () => {
  it('counts new, closed and backlog with their day-over-day and week-over-week changes', async () => {
    const d = await service().build('2026-03-10');
    expect(d.created).toEqual({ value: 3, previousDay: 1, sameDayLastWeek: 2 });
    expect(d.closed).toEqual({ value: 2, previousDay: 0, sameDayLastWeek: 1 });
    // End of the 10th: t2, t3, t6, t8. End of the 9th: t5, t6, t8. End of the 3rd: t6, t8.
    expect(d.backlog).toEqual({ value: 4, previousDay: 3, sameDayLastWeek: 2 });
    expect(d.createdByCategory).toEqual({ general: 1, technical: 1, billing: 1, complaint: 0, suggestion: 0 });
    expect(d.createdByPriority).toEqual({ urgent: 1, high: 1, normal: 1, low: 0 });
    expect(d.backlogByPriority).toEqual({ urgent: 2, high: 0, normal: 1, low: 1 });
  });

  it('measures first-response and resolution times (median, p95)', async () => {
    const d = await service().build('2026-03-10');
    // First responses that day: 30 min, 1 h, 24 h. Resolutions: 3 h, 26 h.
    expect(d.firstResponse).toEqual({ count: 3, median: 3600, p95: 86_400 });
    expect(d.resolution).toEqual({ count: 2, median: 52_200, p95: 93_600 });
  });

  it('lists the oldest open and the urgent tickets, and counts the automated mail filtered', async () => {
    const d = await service().build('2026-03-10');
    expect(d.oldestOpen.map((t) => t.ticketId)).toEqual([ids['t8'], ids['t6'], ids['t2'], ids['t3']]);
    expect(d.urgentOpen.count).toBe(2);
    expect(d.urgentOpen.tickets.map((t) => t.subject)).toEqual(['Old urgent one', 'Site down']);
    expect(d.automated).toEqual({ total: 3, byKind: { bounce: 1, auto_reply: 2 } });
    expect(d.rejected).toBe(1);
    expect(d.history).toHaveLength(14);
    expect(d.history.at(-1)).toEqual({ day: '2026-03-10', created: 3, closed: 2 });
    expect(d.history.at(-2)).toEqual({ day: '2026-03-09', created: 1, closed: 0 });
  });

  it('puts tickets at 00:30 and 23:30 local time on the right day across daylight-saving changes', async () => {
    const s = service();
    const spring = await s.build('2026-03-29');
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    expect(spring.created.value).toBe(2);
    expect(spring.created.previousDay).toBe(1); // 23:30 on the 28th
    expect((await s.build('2026-03-30')).created.value).toBe(1);
    const autumn = await s.build('2026-10-25');
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
    expect(autumn.created.value).toBe(2);
    expect((await s.build('2026-10-26')).created.value).toBe(1);
  });

  it('draws new vs closed as a valid PNG with both series', async () => {
    const post = await service().compose('2026-03-10');
    const png = PNG.sync.read(Buffer.from(post.png));
    expect([png.width, png.height]).toEqual([720, 320]);
    const seen = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) seen.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    expect(seen.has(CHART_COLOURS.created.join(','))).toBe(true);
    expect(seen.has(CHART_COLOURS.closed.join(','))).toBe(true);
    expect(post.text).toContain('New tickets: *3*');
    expect(post.text).toContain('First response (3 tickets): median 1 h, p95 24 h');
  });
});

describe('posting', () => {
  it('posts once per channel per day when several schedulers race', async () => {
    const before = slack.callsTo('/api/chat.postMessage').length;
    // Five processes, each with its own pool-backed store, all at once.
    const racers = Array.from({ length: 5 }, () => service(new MysqlReportStore(db.database)));
    const results = await Promise.all(racers.map((s) => s.post('2026-03-10', ['slack:C1'])));
    const outcomes = results.flat().map((o) => o.outcome);
    expect(outcomes.filter((o) => o === 'posted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'busy' || o === 'already_posted')).toHaveLength(4);
    const posts = slack.callsTo('/api/chat.postMessage').slice(before);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.body)).toContain('Support digest — 2026-03-10');
    await slack.waitFor('/api/files.completeUploadExternal');
    const rows = await db.query<{ status: string; message_ref: string }>(
      "SELECT status, message_ref FROM support_digest_post WHERE channel = 'slack:C1' AND day = '2026-03-10'",
    );
    expect(rows).toEqual([
      { status: 'posted', message_ref: expect.stringMatching(/^C1\/\d+\.000100$/) as unknown as string },
    ]);
    // A later run (a restart, a second cron fire) posts nothing.
    const again = await service().post('2026-03-10', ['slack:C1']);
    expect(again[0]?.outcome).toBe('already_posted');
    expect(slack.callsTo('/api/chat.postMessage').length).toBe(before + 1);
  });

  it('posts to Discord with an embed and the chart attached', async () => {
    const [outcome] = await service().post('2026-03-10', ['discord:123']);
    expect(outcome).toEqual({ channel: 'discord:123', outcome: 'posted', messageRef: '123/990000000000000001' });
    const [call] = slack.callsTo('/api/v10/channels/123/messages');
    expect(call?.method).toBe('POST');
    const raw = call?.raw.toString('latin1') ?? '';
    expect(raw).toContain(
      '"title":"Support digest — 2026-03-10 (Europe/Paris)"'.replace('—', Buffer.from('—').toString('latin1')),
    );
    expect(raw).toContain('attachment://digest-2026-03-10.png');
    expect(raw).toContain('\x89PNG');
  });

  it('takes over a claim abandoned before sending, and never re-posts one abandoned while sending', async () => {
    const old = new Date(Date.now() - 60 * 60_000);
    await db.query(
      "INSERT INTO support_digest_post (channel, day, status, claimed_at, message_ref) VALUES ('slack:C2', '2026-03-10', 'claimed', ?, 'claim:dead'), ('slack:C3', '2026-03-10', 'claimed', ?, 'sending:dead'), ('slack:C4', '2026-03-10', 'claimed', ?, 'claim:alive')",
      [old, old, new Date()],
    );
    const before = slack.callsTo('/api/chat.postMessage').length;
    const outcomes = await service().post('2026-03-10', ['slack:C2', 'slack:C3', 'slack:C4']);
    expect(outcomes.map((o) => o.outcome)).toEqual(['posted', 'uncertain', 'busy']);
    expect(slack.callsTo('/api/chat.postMessage').length).toBe(before + 1);
    // The operator checked the channel and the digest is missing: forget, and it goes out.
    expect(await service().forget('slack:C3', '2026-03-10')).toBe(true);
    expect((await service().post('2026-03-10', ['slack:C3']))[0]?.outcome).toBe('posted');
  });

  it('frees the claim when the platform refuses, so a later attempt posts', async () => {
    const refusing = await startRecordingServer();
    refusing.route('/api/chat.postMessage', () => ({ body: { ok: false, error: 'not_in_channel' } }));
    try {
      const [failed] = await service(new MysqlReportStore(db.database), `${refusing.url}api/`).post('2026-03-10', [
        'slack:C5',
      ]);
      expect(failed).toMatchObject({ outcome: 'failed', retryable: false });
      expect(failed && 'detail' in failed ? failed.detail : '').toContain('Invite the app');
      expect(await db.query("SELECT * FROM support_digest_post WHERE channel = 'slack:C5'")).toHaveLength(0);
      expect((await service().post('2026-03-10', ['slack:C5']))[0]?.outcome).toBe('posted');
    } finally {
      await refusing.close();
    }
  });
});
