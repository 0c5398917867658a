/**
 * The hourly caps of acknowledgements count exactly what was queued: not one fewer because a rolled-back
 * transaction consumed ids of support_auto_mail (a burst once stopped at 99 of 100), and across two intakes
 * on one database (the web form and the mailbox in two processes), each counting the other's rows.
 * Real MariaDB; the acknowledgements as the outbox holds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { eml } from './eml.ts';
import { startTestApp, type TestApp, type TestDatabase, type TestSetup } from './harness.ts';

const TOTAL_CAP = 10;
const PER_MAILBOX = 3;

let setup: TestSetup;
let db: TestDatabase;
let web: TestApp;
let mail: TestApp;

beforeAll(async () => {
  // Two intakes on one database, as the web form's and the mailbox's processes are.
  setup = await startTestApp('ack_caps_exact', {
    smtp: true,
    env: { ACK_MAX_PER_HOUR: String(PER_MAILBOX), ACK_MAX_TOTAL_PER_HOUR: String(TOTAL_CAP) },
  });
  ({ db, app: web } = setup);
  mail = await setup.anotherApp();
}, 60_000);

afterAll(async () => {
  await setup?.close();
});

const queuedAcks = async () =>
  (
    await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM support_message WHERE kind = 'ack' AND delivery IN ('pending', 'sent')",
    )
  )[0]!.n;

/** An insert into support_auto_mail rolled back: its ids are gone, as when a commit group fails. */
async function loseIds(n: number): Promise<void> {
  const conn = await mysql.createConnection(db.url);
  try {
    await conn.query('START TRANSACTION');
    for (let i = 0; i < n; i++)
      await conn.query(
        "INSERT INTO support_auto_mail (mailbox, ticket_id, created_at) VALUES ('lost@example.com', NULL, NOW(3))",
      );
    await conn.query('ROLLBACK');
  } finally {
    await conn.end();
  }
}

describe('the caps of acknowledgements', () => {
  it('count the acknowledgements queued, not the ids lost to rolled-back inserts, across two intakes', async () => {
    const ack = async (intake: TestApp['intake'], from: string) => {
      const result = await intake.ingest(eml({ from }).raw, { kind: 'test' });
      return result.outcome === 'created' ? result.acknowledgement : result.outcome;
    };
    // One inbox, written to through both intakes (+tags are one inbox): three acknowledgements in all, not three each.
    const victim: string[] = [];
    for (let i = 0; i < 4; i++)
      victim.push(await ack(i % 2 ? mail.intake : web.intake, `victim+${i}@third-party.example`));
    expect(victim.slice(0, 3)).toEqual(['queued', 'queued', 'queued']);
    expect(victim[3]).toContain(`already ${PER_MAILBOX} acknowledgements to this address`);

    // Seven more customers, each after an insert was rolled back (five ids lost each time): all acknowledged.
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++) {
      await loseIds(5);
      outcomes.push(await ack(i % 2 ? mail.intake : web.intake, `customer${i}@shop-client.example`));
    }
    expect(outcomes).toEqual(Array(7).fill('queued'));
    expect(await queuedAcks()).toBe(TOTAL_CAP);

    // The eleventh, through either intake, is over the total: it trips the breaker and is not sent.
    expect(await ack(mail.intake, 'late@shop-client.example')).toContain('the cap of 10 automatic emails an hour');
    expect(await queuedAcks()).toBe(TOTAL_CAP);
    const [breaker] = await db.query<{ tripped_at: Date | null }>(
      "SELECT tripped_at FROM support_mail_breaker WHERE name = 'automatic_mail'",
    );
    expect(breaker!.tripped_at).toBeInstanceOf(Date);
  });
});
