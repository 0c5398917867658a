/**
 * The live mailbox against the real Dovecot, MariaDB and Redis: push while idling, backlog
 * catch-up, restart in the middle of a batch, UIDVALIDITY reset, quarantine, temporary failure,
 * lease handover, wrong password.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIntakeRole } from '../../src/roles/intake.ts';
import { ImapflowMailboxConnector } from '../../adapters/imap/imapflow-mailbox.ts';
import { MysqlMailboxCheckpoints } from '../../adapters/mysql/mysql-mailbox-checkpoints.ts';
import { RedisMailboxLease } from '../../adapters/queue/redis-mailbox-lease.ts';
import { AppError } from '../../src/domain/errors.ts';
import { MailboxReader, type MailboxIntake } from '../../src/services/read-mailbox.ts';
import type { RunningRole } from '../../src/roles/role.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';
import { imapUser, waitUntil, type ImapUser } from './imap-harness.ts';
import { Redis } from 'ioredis';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';

type IntakeRole = RunningRole & { readers: MailboxReader[] };

let db: TestDatabase;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase('imap');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await db.drop();
});

async function appFor(box: ImapUser, env: Record<string, string> = {}): Promise<TestApp> {
  const app = await createTestApp(db, {
    IMAP_URL: box.url(),
    IMAP_ALLOW_PLAIN: 'true',
    IMAP_LEASE_SECONDS: '3',
    ACK_ENABLED: 'false',
    ...env,
  });
  cleanups.push(() => app.close());
  return app;
}

async function startRole(app: TestApp): Promise<IntakeRole> {
  const role = (await startIntakeRole(app)) as IntakeRole;
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await role.stop();
  });
  const stop = role.stop.bind(role);
  return Object.assign(role, {
    stop: async () => {
      stopped = true;
      await stop();
    },
  });
}

const reader = (role: IntakeRole) => role.readers[0] as MailboxReader;

async function inbound(
  ids: readonly (string | null)[],
): Promise<{ message_id: string; kind: string; ticket_id: number | null }[]> {
  const wanted = ids.filter((id): id is string => id !== null);
  if (wanted.length === 0) return [];
  return db.query(
    `SELECT message_id, kind, ticket_id FROM support_message WHERE direction = 'inbound' AND message_id IN (?)`,
    [wanted],
  );
}

async function checkpoint(mailbox = 'support'): Promise<{ uid_validity: number; last_uid: number } | undefined> {
  const rows = await db.query<{ uid_validity: number; last_uid: number }>(
    'SELECT uid_validity, last_uid FROM support_mailbox_state WHERE mailbox = ?',
    [mailbox],
  );
  return rows[0];
}

describe('a live mailbox', () => {
  it('takes an email appended while idling, within a second or two, and flags it \\Seen', async () => {
    await db.query('DELETE FROM support_mailbox_state');
    const box = imapUser('push');
    const app = await appFor(box);
    const role = await startRole(app);
    await waitUntil('the reader to idle', () => reader(role).status().state === 'idle');
    const mail = eml({
      subject: 'Plaquettes de frein pour Clio IV',
      from: 'Jeanne Pushed <jeanne.push@customer.example>',
    });
    const started = Date.now();
    const [uid] = await box.append([mail.raw]);
    const rows = await waitUntil(
      'the ticket row',
      async () => ((await inbound([mail.messageId])).length === 1 ? inbound([mail.messageId]) : null),
      5_000,
      20,
    );
    const elapsed = Date.now() - started;
    expect(rows[0]?.kind).toBe('ticket');
    expect(elapsed).toBeLessThan(3_000);
    const legacy = await db.query<{ msg_subject: string }>('SELECT msg_subject FROM ___xtr_msg WHERE msg_id = ?', [
      rows[0]?.ticket_id,
    ]);
    expect(legacy[0]?.msg_subject).toBe('Plaquettes de frein pour Clio IV');
    await waitUntil('the \\Seen flag', async () => (await box.list()).find((m) => m.uid === uid)?.seen);
    await waitUntil('the checkpoint', async () => (await checkpoint())?.last_uid === uid);
    expect(reader(role).describe()).toMatch(/mailbox support: idle/);
  });

  it('catches up a backlog in batches, threads a reply in it, and skips what is already stored without downloading it', async () => {
    await db.query('DELETE FROM support_mailbox_state');
    const box = imapUser('backlog');
    const first = eml({ subject: 'Batterie Varta 70Ah', from: 'Paul Backlog <paul.backlog@customer.example>' });
    const mails = [
      first,
      ...Array.from({ length: 38 }, (_, i) =>
        eml({ subject: `Backlog question ${i}`, from: `Client ${i} <client${i}.backlog@customer.example>` }),
      ),
    ];
    const reply = eml({
      subject: 'Re: Batterie Varta 70Ah',
      from: 'Paul Backlog <paul.backlog@customer.example>',
      inReplyTo: `<${first.messageId}>`,
      references: `<${first.messageId}>`,
    });
    const already = eml({ subject: 'Imported before from a file', from: 'Ana Before <ana.before@customer.example>' });
    const app = await appFor(box, { IMAP_BATCH_SIZE: '10' });
    await app.intake.ingest(already.raw, { kind: 'file', name: 'before.eml' });
    const uids = await box.append([...mails.map((m) => m.raw), reply.raw, already.raw]);
    const role = await startRole(app);
    const ids = [...mails, reply, already].map((m) => m.messageId);
    await waitUntil(
      '41 stored emails',
      async () => (await inbound(ids)).length === 41 && (await checkpoint())?.last_uid === uids.at(-1),
    );
    const rows = await inbound(ids);
    expect(rows.filter((r) => r.kind === 'ticket')).toHaveLength(40);
    const replyRow = rows.find((r) => r.message_id === reply.messageId);
    const firstRow = rows.find((r) => r.message_id === first.messageId);
    expect(replyRow?.kind).toBe('reply');
    expect(replyRow?.ticket_id).toBe(firstRow?.ticket_id);
    const status = reader(role).status();
    expect(status.taken).toBe(40);
    expect(status.skipped).toBe(1);
    expect((await box.list()).every((m) => m.seen)).toBe(true);
  });

  it('picks up where it stopped when restarted in the middle of a batch: every email once', async () => {
    await db.query('DELETE FROM support_mailbox_state');
    const box = imapUser('restart');
    const mails = Array.from({ length: 60 }, (_, i) =>
      eml({ subject: `Restart ${i}`, from: `Restart ${i} <restart${i}@customer.example>` }),
    );
    await box.append(mails.map((m) => m.raw));
    const app = await appFor(box, { IMAP_BATCH_SIZE: '7', INGEST_CONCURRENCY: '2' });
    const role = await startRole(app);
    await waitUntil(
      'part of the backlog',
      async () => (await inbound(mails.map((m) => m.messageId))).length >= 10,
      15_000,
      5,
    );
    await role.stop();
    const part = (await inbound(mails.map((m) => m.messageId))).length;
    expect(part).toBeLessThan(60);
    // What was committed is checkpointed (or at worst listed again and skipped): never taken twice.
    const role2 = await startRole(app);
    await waitUntil('the whole backlog', async () => (await inbound(mails.map((m) => m.messageId))).length === 60);
    await waitUntil('the checkpoint at the end', async () => reader(role2).status().state === 'idle');
    const tickets = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ___xtr_msg WHERE msg_subject LIKE 'Restart %'`,
    );
    expect(Number(tickets[0]?.n)).toBe(60);
  });

  it('re-scans the whole folder when UIDVALIDITY changes, taking only what is new', async () => {
    await db.query('DELETE FROM support_mailbox_state');
    const box = imapUser('uidvalidity');
    const old = Array.from({ length: 6 }, (_, i) =>
      eml({ subject: `Validity old ${i}`, from: `Old ${i} <old${i}.validity@customer.example>` }),
    );
    await box.append(
      old.map((m) => m.raw),
      'Support',
    );
    const app = await appFor(box, { IMAP_URL: box.url('Support') });
    let role = await startRole(app);
    await waitUntil('the first six', async () => (await inbound(old.map((m) => m.messageId))).length === 6);
    await waitUntil('idle', () => reader(role).status().state === 'idle');
    await role.stop();
    const before = await checkpoint();
    // The folder is deleted and made again: the server gives it a new UIDVALIDITY and restarts UIDs at 1.
    const c = await box.client();
    await c.mailboxDelete('Support');
    await new Promise((r) => setTimeout(r, 1100));
    await c.mailboxCreate('Support');
    await c.logout();
    const fresh = Array.from({ length: 1 }, (_, i) =>
      eml({ subject: `Validity new ${i}`, from: `New ${i} <new${i}.validity@customer.example>` }),
    );
    // Fewer messages than before: the checkpoint must go back to the new folder's UIDs.
    await box.append([...old.slice(0, 2).map((m) => m.raw), ...fresh.map((m) => m.raw)], 'Support');
    role = await startRole(app);
    await waitUntil('the new one', async () => (await inbound(fresh.map((m) => m.messageId))).length === 1);
    await waitUntil('idle', () => reader(role).status().state === 'idle');
    const after = await checkpoint();
    expect(after?.uid_validity).not.toBe(before?.uid_validity);
    expect(after?.last_uid).toBe(3);
    expect(reader(role).status().skipped).toBe(2);
    const rows = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ___xtr_msg WHERE msg_subject LIKE 'Validity %'`,
    );
    expect(Number(rows[0]?.n)).toBe(7);
  });

  it('moves an email it can never take to the quarantine folder, records it, and goes on', async () => {
    await db.query('DELETE FROM support_mailbox_state');
    const box = imapUser('quarantine');
    const noSender = eml({ from: null, subject: 'Nobody sent this' });
    const huge = eml({
      subject: 'A 300 KB email over the limit',
      from: 'Big <big.quarantine@customer.example>',
      body: 'x'.repeat(300 * 1024),
    });
    const fine = eml({ subject: 'A fine email after them', from: 'Fine <fine.quarantine@customer.example>' });
    await box.append([noSender.raw, huge.raw, fine.raw]);
    const app = await appFor(box, { MESSAGE_MAX_BYTES: '200KB' });
    const role = await startRole(app);
    await waitUntil('the fine email', async () => (await inbound([fine.messageId])).length === 1);
    await waitUntil('idle', () => reader(role).status().state === 'idle');
    const quarantined = await box.list('Quarantine');
    expect(quarantined).toHaveLength(2);
    expect(quarantined.map((m) => m.messageId).sort()).toEqual([noSender.messageId, huge.messageId].sort());
    expect((await box.list()).map((m) => m.messageId)).toEqual([fine.messageId]);
    const rejected = await db.query<{ kind: string; automated_reason: string }>(
      `SELECT kind, automated_reason FROM support_message WHERE kind = 'rejected' AND source = 'imap' ORDER BY id`,
    );
    expect(rejected.map((r) => r.automated_reason).join('\n')).toMatch(/no sender address/);
    expect(rejected.map((r) => r.automated_reason).join('\n')).toMatch(/larger than the 0 MB limit|larger than/);
    expect(reader(role).status().quarantined).toBe(2);
    expect((await checkpoint())?.last_uid).toBe(3);
  });

  it('leaves an email untouched while the database is down, says why, and takes it once it is back', async () => {
    await db.query('DELETE FROM support_mailbox_state');
    const box = imapUser('tempfail');
    const mail = eml({ subject: 'Tried again later', from: 'Patient <patient.tempfail@customer.example>' });
    const app = await appFor(box);
    let failing = 2;
    const intake: MailboxIntake = {
      ingest: async (raw, source) => {
        if (failing-- > 0)
          throw new AppError(
            'db.unavailable',
            'The database cannot be reached (connect ECONNREFUSED 127.0.0.1:33306)',
            { retryable: true },
          );
        return app.intake.ingest(raw, source);
      },
      rejectOversized: (size, limit, source) => app.intake.rejectOversized(size, limit, source),
    };
    const mailbox = app.config.imap.mailboxes[0];
    if (!mailbox) throw new Error('no mailbox configured');
    const redis = new Redis(LOCAL_ENDPOINTS.redisUrl);
    const r = new MailboxReader({
      name: 'support',
      connector: new ImapflowMailboxConnector(mailbox, { logger: app.logger }),
      checkpoints: new MysqlMailboxCheckpoints(db.database),
      lease: new RedisMailboxLease({ redis, prefix: app.queuePrefix, mailbox: 'support', ttlMs: 3000 }),
      intake,
      logger: app.logger,
      batchSize: 10,
      concurrency: 2,
      messageMaxBytes: 1e7,
      pollMs: 60_000,
      leaseRenewMs: 1000,
      backoff: { baseMs: 400, maxMs: 1000 },
    });
    cleanups.push(async () => {
      await r.stop();
      redis.disconnect();
    });
    const [uid] = await box.append([mail.raw]);
    r.start();
    const waiting = await waitUntil(
      'the reader to wait',
      () => (r.status().state === 'waiting_retry' ? r.describe() : null),
      10_000,
      5,
    );
    expect(waiting).toMatch(/mailbox support: waiting retry: The database cannot be reached/);
    expect((await box.list()).find((m) => m.uid === uid)?.seen).toBe(false);
    expect(await inbound([mail.messageId])).toHaveLength(0);
    await waitUntil('the ticket', async () => (await inbound([mail.messageId])).length === 1, 10_000);
    await waitUntil('the \\Seen flag', async () => (await box.list()).find((m) => m.uid === uid)?.seen);
  });

  it('reports a wrong password by mailbox, without the password, while the other mailboxes go on', async () => {
    const good = imapUser('good');
    const bad = imapUser('bad');
    const app = await appFor(good, {
      IMAP_URL: '',
      IMAP_MAILBOXES: 'billing,shop',
      IMAP_BILLING_URL: bad.url('INBOX', 'not-the-Password-42'),
      IMAP_BILLING_ALLOW_PLAIN: 'true',
      IMAP_SHOP_URL: good.url(),
      IMAP_SHOP_ALLOW_PLAIN: 'true',
      IMAP_SHOP_CATEGORY: 'billing',
    });
    const role = await startRole(app);
    const [billing, shop] = role.readers;
    const line = await waitUntil(
      'the auth failure',
      () => (billing?.status().state === 'refused' ? billing.describe() : null),
      15_000,
    );
    expect(line).toMatch(
      /mailbox billing: refused: mailbox "billing" \(tr-bad-[0-9a-f]+ at 127\.0\.0\.1:31143\): the server refused the user name or password/,
    );
    // The variable to fix, by name: this mailbox's, not the other one's.
    expect(line).toContain('Check the user name and password in IMAP_BILLING_URL');
    expect(line).not.toContain('not-the-Password-42');
    const mail = eml({ subject: 'Facture en double', from: 'Luc Goodbox <luc.goodbox@customer.example>' });
    await waitUntil('the shop mailbox to idle', () => shop?.status().state === 'idle');
    await good.append([mail.raw]);
    const rows = await waitUntil('the ticket from the good mailbox', async () =>
      (await inbound([mail.messageId])).length ? inbound([mail.messageId]) : null,
    );
    const ticket = await db.query<{ mailbox: string }>('SELECT mailbox FROM support_ticket WHERE ticket_id = ?', [
      rows[0]?.ticket_id,
    ]);
    expect(ticket[0]?.mailbox).toBe('shop');
    await waitUntil('the shop mailbox back to idle', () => /mailbox shop: idle/.test(role.describe().join('\n')));
  });

  it('refuses to send a password in clear text to a server without TLS unless plain text is allowed', async () => {
    const box = imapUser('tls');
    const app = await appFor(box, { IMAP_ALLOW_PLAIN: 'false' });
    const role = await startRole(app);
    const line = await waitUntil(
      'the refusal',
      () => (reader(role).status().state === 'refused' ? reader(role).describe() : null),
      15_000,
    );
    expect(line).toMatch(
      /the server offers no STARTTLS, and the password is not sent in clear text\. Use imaps:\/\/ in IMAP_URL, or on a trusted network only set IMAP_ALLOW_PLAIN=true\./,
    );
  });
});
