/**
 * A flood of tickets must not flood the channel, nor hold up a shutdown (security review, finding 25):
 * notices are capped per channel and minute with a summary line, and stop() posts only until its
 * deadline, leaving the rest claimable by the next start. Slack's Web API is the recording server; the
 * post ledger is the real support_chat_post table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlChatPostLedger } from '../../adapters/mysql/mysql-chat-post-ledger.ts';
import { PacedChatNotifier } from '../../src/services/paced-chat-notifier.ts';
import { SlackChatPoster } from '../../adapters/slack/slack-chat-poster.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { RecordingServer } from '../fakes/recording-server.ts';
import { startTestApp, type TestApp, type TestDatabase, type TestSetup } from './harness.ts';

let setup: TestSetup;
let db: TestDatabase;
let app: TestApp;
let api: RecordingServer;
let ts = 1_700_000_000;

beforeAll(async () => {
  setup = await startTestApp('noticecap', {
    routes: (api) => api.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000100` } })),
    env: { ACK_ENABLED: 'false' },
  });
  ({ db, app, api } = setup);
});

afterAll(async () => {
  await setup?.close();
});

const notice = (ticketId: number, kind: TicketNotice['kind'] = 'new'): TicketNotice => ({
  kind,
  ticketId,
  subject: `Flood ${ticketId}`,
  customer: `f${ticketId}@flood.example`,
  priority: 'normal',
  category: 'general',
  lines: [],
});

async function postedRows(channel: string): Promise<{ ticket_id: number; message_ref: string }[]> {
  return db.query(
    'SELECT ticket_id, message_ref FROM support_chat_post WHERE platform = ? AND channel = ? ORDER BY ticket_id',
    ['slack', channel],
  );
}

describe('chat notices under a flood', () => {
  it('post at most the cap per minute, the last one summing up the new tickets still waiting; every ticket is accounted for', async () => {
    const channel = 'C0FLOOD';
    const notifier = new PacedChatNotifier({
      poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: api.url }),
      channel,
      ledger: new MysqlChatPostLedger(db.database),
      logger: app.logger,
      coalesceMs: 50,
      minGapMs: 50,
      maxPerMessage: 2,
      maxPerMinute: 3,
    });
    const posted = [];
    for (let i = 0; i < 20; i++) posted.push(await notifier.enqueueOnce(notice(1000 + i), 'new'));
    await notifier.idle();
    expect(await Promise.all(posted.map((p) => p.posted))).toEqual(Array.from({ length: 20 }, () => true));
    const calls = api
      .callsTo('chat.postMessage')
      .filter((c) => (c.body as Record<string, unknown>)['channel'] === channel);
    expect(calls).toHaveLength(3);
    const texts = calls.map((c) => String((c.body as Record<string, unknown>)['text']));
    // Two messages list one or two tickets each (as they gathered); the third, the minute's last, sums up the rest.
    const listed = texts.slice(0, 2).map((t) => (t.match(/#\d+/g) ?? []).length);
    expect(listed.every((n) => n >= 1 && n <= 2)).toBe(true);
    expect(texts[2]).toBe(`${20 - listed[0]! - listed[1]!} more new tickets: /ticket list open`);
    const rows = await postedRows(channel);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.message_ref !== '')).toBe(true);
  });

  it('stop() posts until its deadline, then frees what waits for the next start', async () => {
    const channel = 'C0STOP';
    const notifier = new PacedChatNotifier({
      poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: api.url }),
      channel,
      ledger: new MysqlChatPostLedger(db.database),
      logger: app.logger,
      coalesceMs: 0,
      minGapMs: 50,
      maxPerMinute: 2,
    });
    // Escalations go one per message: two fit the minute, the other eight would wait a minute.
    const queued = [];
    for (let i = 0; i < 10; i++) queued.push(await notifier.enqueueOnce(notice(2000 + i, 'escalation'), 'escalation'));
    await new Promise((r) => setTimeout(r, 400));
    const started = Date.now();
    await notifier.stop(500);
    expect(Date.now() - started).toBeLessThan(3_000);
    const outcomes = await Promise.all(queued.map((q) => q.posted));
    expect(outcomes.filter(Boolean)).toHaveLength(2);
    const calls = api
      .callsTo('chat.postMessage')
      .filter((c) => (c.body as Record<string, unknown>)['channel'] === channel);
    expect(calls).toHaveLength(2);
    // Only the two posted are in the ledger: the next start claims and posts the other eight.
    expect((await postedRows(channel)).map((r) => r.ticket_id)).toEqual([2000, 2001]);
  });
});
