/** The mailbox reader's rules on in-memory ports: failures, quarantine, lease loss, UIDVALIDITY. */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import type { IntakeResult, IntakeSource } from '../../src/services/intake-result.ts';
import { MailboxReader, type MailboxIntake } from '../../src/services/read-mailbox.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { RecordingLogger, silentLogger } from '../fakes/fake-ports.ts';
import { FakeLease, InMemoryCheckpoints, InMemoryMailbox } from '../fakes/in-memory-mailbox.ts';

/** An intake that stores by Message-ID in the checkpoints' set, and fails as told. */
class ScriptedIntake implements MailboxIntake {
  readonly taken: string[] = [];
  readonly #checkpoints: InMemoryCheckpoints;
  failWith: ((id: string) => Error | null) | null = null;

  constructor(checkpoints: InMemoryCheckpoints) {
    this.#checkpoints = checkpoints;
  }

  async ingest(raw: Uint8Array, _source: IntakeSource): Promise<IntakeResult> {
    const id = /Message-ID: <([^>]*)>/.exec(Buffer.from(raw).toString())?.[1] ?? 'none';
    const failure = this.failWith?.(id);
    if (failure) throw failure;
    this.taken.push(id);
    this.#checkpoints.stored.add(id);
    return { outcome: 'duplicate', messageId: id, ticketId: 1 };
  }

  async rejectOversized(): Promise<IntakeResult> {
    return { outcome: 'rejected', messageId: null, reason: 'too big', keptAt: null };
  }
}

const readers: MailboxReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) await r.stop();
});

function setup(logger: Logger = silentLogger) {
  const mailbox = new InMemoryMailbox();
  const checkpoints = new InMemoryCheckpoints();
  const lease = new FakeLease();
  const intake = new ScriptedIntake(checkpoints);
  const reader = new MailboxReader({
    name: 'support',
    connector: mailbox,
    checkpoints,
    lease,
    intake,
    logger,
    batchSize: 3,
    concurrency: 2,
    messageMaxBytes: 1_000,
    pollMs: 10_000,
    leaseRenewMs: 20,
    backoff: { baseMs: 5, maxMs: 20 },
  });
  readers.push(reader);
  return { mailbox, checkpoints, lease, intake, reader };
}

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('MailboxReader', () => {
  it('quarantines a message whose intake keeps failing for good, after three tries, and takes the next one', async () => {
    const { mailbox, checkpoints, intake, reader } = setup();
    intake.failWith = (id) => (id === 'poison@x' ? new Error('parser crashed') : null);
    mailbox.deliver('first@x');
    const poison = mailbox.deliver('poison@x');
    const last = mailbox.deliver('last@x');
    reader.start();
    await until(() => reader.status().quarantined === 1 && checkpoints.saved.get('support')?.lastUid === last);
    expect(mailbox.in('Quarantine').map((m) => m.uid)).toEqual([poison]);
    expect(intake.taken).toEqual(['first@x', 'last@x']);
    expect(mailbox.in('INBOX').every((m) => m.seen)).toBe(true);
  });

  it('leaves a message untouched and the checkpoint behind it while the failure is temporary', async () => {
    const { mailbox, checkpoints, intake, reader } = setup();
    let down = true;
    intake.failWith = () =>
      down ? new AppError('db.unavailable', 'The database cannot be reached', { retryable: true }) : null;
    const uid = mailbox.deliver('waiting@x');
    reader.start();
    await until(() => reader.status().state === 'waiting_retry');
    expect(reader.describe()).toMatch(/waiting retry: The database cannot be reached \(next try /);
    expect(mailbox.messages[0]?.seen).toBe(false);
    expect(checkpoints.saved.get('support')?.lastUid ?? 0).toBe(0);
    down = false;
    await until(() => checkpoints.saved.get('support')?.lastUid === uid && reader.status().state === 'idle');
    expect(intake.taken).toEqual(['waiting@x']);
  });

  it('says once that Redis cannot be reached, not at every try, shows it in its status, and says when it is back', async () => {
    const log = new RecordingLogger();
    const { mailbox, intake, lease, reader } = setup(log);
    lease.unreachable = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    mailbox.deliver('down.1@customer.example');
    reader.start();
    await until(() => reader.status().state === 'waiting_lease');
    await new Promise((r) => setTimeout(r, 200)); // about ten tries at leaseRenewMs 20
    expect(reader.status().detail).toBe('Redis (REDIS_URL) cannot be reached: connect ECONNREFUSED 127.0.0.1:6379');
    const warnings = log.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('the lease store (Redis, REDIS_URL) cannot be reached');
    expect(warnings[0]!.fields).not.toHaveProperty('err'); // a reason, not a stack trace
    lease.unreachable = null;
    await until(() => intake.taken.includes('down.1@customer.example'));
    expect(log.lines.some((l) => l.message === 'the lease store (Redis) is back')).toBe(true);
  });

  it('stops reading as soon as its lease is taken away, and reads again once it gets it back', async () => {
    const { mailbox, intake, lease, reader } = setup();
    reader.start();
    await until(() => reader.status().state === 'idle');
    lease.takeAway();
    await until(() => reader.status().state === 'waiting_lease');
    mailbox.deliver('meanwhile@x');
    await new Promise((r) => setTimeout(r, 100));
    expect(intake.taken).toEqual([]);
    lease.giveBack();
    await until(() => intake.taken.length === 1);
    expect(lease.acquisitions).toBe(2);
  });

  it('skips what is already stored without downloading it, and re-scans from UID 1 when UIDVALIDITY changes', async () => {
    const { mailbox, checkpoints, intake, reader } = setup();
    checkpoints.stored.add('known@x');
    checkpoints.saved.set('support', { account: mailbox.account, uidValidity: 999, lastUid: 50 });
    mailbox.deliver('known@x');
    mailbox.deliver('new@x');
    reader.start();
    await until(() => checkpoints.saved.get('support')?.lastUid === 2);
    expect(checkpoints.saved.get('support')?.uidValidity).toBe(1000);
    expect(intake.taken).toEqual(['new@x']);
    expect(reader.status().skipped).toBe(1);
  });
});

describe('MailboxReader while the database is down (fault-injection findings)', () => {
  function faulty(backoff: { baseMs: number; maxMs: number }) {
    const mailbox = new InMemoryMailbox();
    const checkpoints = new InMemoryCheckpoints();
    const lease = new FakeLease();
    let opens = 0;
    const open = mailbox.open.bind(mailbox);
    mailbox.open = async () => {
      opens++;
      return open();
    };
    let renewals = 0;
    const renew = lease.renew.bind(lease);
    lease.renew = async () => {
      renewals++;
      return renew();
    };
    let down = true;
    const get = checkpoints.get.bind(checkpoints);
    // The IMAP login succeeds; the database, read right after it, does not answer.
    checkpoints.get = async (name: string) => {
      if (down) throw new AppError('db.unavailable', 'The database cannot be reached', { retryable: true });
      return get(name);
    };
    const reader = new MailboxReader({
      name: 'support',
      connector: mailbox,
      checkpoints,
      lease,
      intake: new ScriptedIntake(checkpoints),
      logger: silentLogger,
      batchSize: 3,
      concurrency: 2,
      messageMaxBytes: 1_000,
      pollMs: 10_000,
      leaseRenewMs: 20,
      backoff,
      random: () => 0.5,
    });
    readers.push(reader);
    return { mailbox, lease, reader, opens: () => opens, renewals: () => renewals, recover: () => (down = false) };
  }

  it('backs off exponentially even though each IMAP login succeeds, and reads again once the database is back', async () => {
    const { reader, opens, recover } = faulty({ baseMs: 20, maxMs: 10_000 });
    reader.start();
    await new Promise((r) => setTimeout(r, 700));
    // 15, 30, 60, 120, 240 ms …: about six tries in 700 ms (a reset at every login made it ~45).
    expect(opens()).toBeLessThanOrEqual(8);
    expect(opens()).toBeGreaterThanOrEqual(3);
    recover();
    await until(() => reader.status().state === 'idle');
    expect(reader.status().retryAt).toBeNull();
  });

  it('keeps renewing its lease while it waits to try again, and stops waiting when the lease is lost', async () => {
    const { reader, lease, renewals } = faulty({ baseMs: 800, maxMs: 800 });
    reader.start();
    await until(() => reader.status().state === 'waiting_retry');
    const before = renewals();
    await new Promise((r) => setTimeout(r, 200)); // ten renewal periods inside a 600 ms wait
    expect(renewals() - before).toBeGreaterThanOrEqual(4);
    lease.takeAway();
    await until(() => reader.status().state === 'waiting_lease', 300);
  });
});
