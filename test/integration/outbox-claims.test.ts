/**
 * An acknowledgement claimed by a process that died is sent as soon as a process starts again on that
 * host, not after the claim runs out (the fault-injection run: SIGKILL left acks unsent 5 minutes).
 * A claim of a process that still runs is left alone.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eml } from './eml.ts';
import {
  closedPort,
  createTestApp,
  createTestDatabase,
  startSmtpListener,
  type SmtpListener,
  type TestDatabase,
} from './harness.ts';

let db: TestDatabase;
let smtp: SmtpListener;

beforeAll(async () => {
  db = await createTestDatabase('outboxclaims');
  smtp = await startSmtpListener();
});

afterAll(async () => {
  await smtp?.close();
  await db?.drop();
});

/** A pid that ran on this host and no longer does. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

/** An acknowledgement waiting in the outbox, claimed in `owner`'s name for 5 more minutes. */
async function claimedAck(address: string, owner: string): Promise<void> {
  // Written while the mail server was away: the ack waits in the outbox.
  const away = await createTestApp(db, {
    SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`,
    SMTP_ALLOW_PLAIN: 'true',
  });
  try {
    expect(
      await away.intake.ingest(eml({ from: address, subject: 'Commande 77' }).raw, { kind: 'test' }),
    ).toMatchObject({ outcome: 'created' });
    await away.outbox.idle();
  } finally {
    await away.close();
  }
  await db.query(
    "UPDATE support_message SET delivery_next_at = NULL, delivery_claimed_by = ?, delivery_claimed_until = NOW(3) + INTERVAL 5 MINUTE WHERE kind = 'ack' AND peer_address = ?",
    [owner, address],
  );
}

describe('outbox claims', () => {
  it('a process starting again sends at once what a killed process on this host had claimed', async () => {
    await claimedAck('killed@customer.example', `${os.hostname()}:${await deadPid()}:abc123`);
    const app = await createTestApp(db, { SMTP_URL: smtp.url, SMTP_ALLOW_PLAIN: 'true' });
    try {
      await app.outbox.deliverPending();
      expect(smtp.received.some((m) => m.envelopeTo.includes('killed@customer.example'))).toBe(true);
      const [row] = await db.query<{ delivery: string }>(
        "SELECT delivery FROM support_message WHERE kind = 'ack' AND peer_address = 'killed@customer.example'",
      );
      expect(row?.delivery).toBe('sent');
    } finally {
      await app.close();
    }
  });

  it('leaves alone what a process that still runs has claimed', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await claimedAck('busy@customer.example', `${os.hostname()}:${sleeper.pid!}:def456`);
      const app = await createTestApp(db, { SMTP_URL: smtp.url, SMTP_ALLOW_PLAIN: 'true' });
      try {
        await app.outbox.deliverPending();
        expect(smtp.received.some((m) => m.envelopeTo.includes('busy@customer.example'))).toBe(false);
        const [row] = await db.query<{ delivery: string; claimed: number }>(
          "SELECT delivery, delivery_claimed_until > NOW(3) AS claimed FROM support_message WHERE kind = 'ack' AND peer_address = 'busy@customer.example'",
        );
        expect(row).toEqual({ delivery: 'pending', claimed: 1 });
      } finally {
        await app.close();
      }
    } finally {
      sleeper.kill();
    }
  });
});
