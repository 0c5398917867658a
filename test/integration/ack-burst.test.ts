/**
 * A burst of 1,000 new tickets (a form flood, a spam run with forged senders): acknowledgements stop
 * at the caps — per normalised mailbox (victim+N@ is one inbox, j.a.ne@gmail.com too) and in total per
 * hour — and the total trips the breaker that stops all automatic mail, alerts the notify channel
 * once with what to do, and lets mail go again only after `ticketrelay breaker reset`. Real MariaDB,
 * a real SMTP listener counting what arrives, Slack's Web API on the local recording server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackChatPoster } from '../../adapters/slack/slack-chat-poster.ts';
import type { RecordingServer } from '../fakes/recording-server.ts';
import { eml } from './eml.ts';
import {
  commandEnv,
  noticeLoop,
  runTicketrelay,
  startTestApp,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

const CHANNEL = 'C0ALERTS';
const TOTAL_CAP = 100;
const PER_MAILBOX = 5;

let setup: TestSetup;
let db: TestDatabase;
let smtp: SmtpListener;
let slack: RecordingServer;
let app: TestApp;

beforeAll(async () => {
  let ts = 1;
  setup = await startTestApp('ack_burst', {
    smtp: true,
    api: true,
    routes: (api) =>
      api.route('chat.postMessage', () => ({ body: { ok: true, ts: `${(ts += 1)}.000100`, channel: CHANNEL } })),
    env: { ACK_MAX_PER_HOUR: String(PER_MAILBOX), ACK_MAX_TOTAL_PER_HOUR: String(TOTAL_CAP) },
  });
  ({ db, smtp, api: slack, app } = setup);
}, 60_000);

afterAll(async () => {
  await setup?.close();
});

/** The burst's senders: a third to one victim's +tags, a third to one Gmail inbox spelt many ways, the rest all different. */
function sender(i: number): string {
  if (i % 10 < 3) return i % 2 ? `Victim+${i}@Third-Party.example` : `victim+${i}@third-party.example`;
  if (i % 10 < 6) return i % 2 ? `j.ane.doe+${i}@gmail.com` : `janedoe+${i}@googlemail.com`;
  return `customer${i}@flood.example`;
}

async function pool<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const sentTo = (match: (address: string) => boolean) => smtp.received.filter((m) => m.envelopeTo.some(match)).length;

describe('a burst of 1,000 new tickets', () => {
  it('sends at most the caps, trips the breaker, alerts the channel once, and sends again only after a reset', async () => {
    const outcomes = new Map<string, number>();
    await pool([...Array(1000).keys()], 16, async (i) => {
      const result = await app.intake.ingest(
        eml({ from: sender(i), subject: `Order ${i} never arrived, see http://spam.example/${i}` }).raw,
        { kind: 'test' },
      );
      const key =
        result.outcome === 'created'
          ? result.acknowledgement === 'queued'
            ? 'queued'
            : result.acknowledgement.replace(/ \(.*| since .*|: .*/g, '')
          : result.outcome;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    });
    await app.outbox.deliverPending();
    await app.outbox.idle();

    // Every email is a ticket; exactly the total cap of acknowledgements was queued, the rest held back.
    expect((await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket'))[0]!.n).toBe(1000);
    expect(outcomes.get('queued')).toBe(TOTAL_CAP);
    const acks = await db.query<{ peer_address: string; delivery: string }>(
      "SELECT peer_address, delivery FROM support_message WHERE kind = 'ack' AND delivery IN ('pending', 'sent')",
    );
    expect(acks).toHaveLength(TOTAL_CAP);
    // One inbox each, whatever the spelling: five acknowledgements, not 300.
    expect(acks.filter((a) => /@third-party\.example$/.test(a.peer_address))).toHaveLength(PER_MAILBOX);
    expect(acks.filter((a) => /@(gmail|googlemail)\.com$/.test(a.peer_address))).toHaveLength(PER_MAILBOX);
    const [breaker] = await db.query<{ tripped_at: Date | null; reason: string }>(
      "SELECT tripped_at, reason FROM support_mail_breaker WHERE name = 'automatic_mail'",
    );
    expect(breaker!.tripped_at).toBeInstanceOf(Date);
    expect(breaker!.reason).toContain(`${TOTAL_CAP} automatic emails within an hour`);

    // What reached the mail server: never more than the cap, and what waited since the trip did not go.
    const sentBeforeReset = smtp.received.length;
    expect(sentBeforeReset).toBeLessThanOrEqual(TOTAL_CAP);
    expect(sentBeforeReset).toBe(acks.filter((a) => a.delivery === 'sent').length);
    expect(sentTo((a) => a.endsWith('@third-party.example'))).toBeLessThanOrEqual(PER_MAILBOX);
    // No acknowledgement echoes the flood's link.
    expect(
      smtp.received.every(
        (m) => !m.parsed.subject?.includes('spam.example') && !(m.parsed.text ?? '').includes('spam.example'),
      ),
    ).toBe(true);

    // A new ticket now: no acknowledgement while the breaker is tripped, and the outbox holds back.
    const late = await app.intake.ingest(eml({ from: 'late@customer.example' }).raw, { kind: 'test' });
    expect(late).toMatchObject({
      outcome: 'created',
      acknowledgement: expect.stringContaining('all automatic mail is stopped'),
    });
    await app.outbox.deliverPending({ now: true });
    expect(smtp.received.length).toBe(sentBeforeReset);

    // The notify channel hears of it once, with the way out.
    const loop = noticeLoop(
      db,
      app,
      {
        poster: new SlackChatPoster({ token: 'xoxb-test', apiUrl: slack.url }),
        channel: CHANNEL,
        minGapMs: 0,
        coalesceMs: 0,
      },
      { breaker: { state: () => app.spam.breakerState() }, triageGraceMs: 0 },
    );
    await loop.start(); // the burst's tickets are history for this channel
    await loop.runOnce();
    await loop.runOnce();
    await loop.idle();
    const alerts = slack
      .callsTo('chat.postMessage')
      .map((c) => c.body as Record<string, unknown>)
      .filter((b) => String(b['text']).includes('Automatic mail stopped'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!['channel']).toBe(CHANNEL);
    expect(String(alerts[0]!['text'])).toContain('npx ticketrelay breaker reset');

    // The operator resets it: what waited goes (the cap, exactly), and new tickets are acknowledged again.
    const env = {
      ...commandEnv(db, app),
      SMTP_URL: smtp.url,
      SMTP_ALLOW_PLAIN: 'true',
    };
    const status = await runTicketrelay(['breaker', 'status'], env);
    expect(status).toMatchObject({ code: 1, stdout: expect.stringContaining('Automatic mail is stopped since') });
    const reset = await runTicketrelay(['breaker', 'reset'], env);
    expect(reset).toMatchObject({ code: 0, stdout: expect.stringContaining('Automatic mail goes again') });
    await smtp.waitFor(TOTAL_CAP);
    expect(smtp.received).toHaveLength(TOTAL_CAP);
    expect(sentTo((a) => a.endsWith('@third-party.example'))).toBe(PER_MAILBOX);
    const after = await app.intake.ingest(eml({ from: 'after-reset@customer.example' }).raw, { kind: 'test' });
    expect(after).toMatchObject({ outcome: 'created', acknowledgement: 'queued' });
    await smtp.waitFor(TOTAL_CAP + 1);
    expect(sentTo((a) => a === 'after-reset@customer.example')).toBe(1);
    expect(sentTo((a) => a === 'late@customer.example')).toBe(0);
  }, 240_000);
});
