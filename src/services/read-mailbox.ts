/**
 * Reads one mailbox into the intake service: catches up the backlog from its checkpoint, then
 * waits for new mail (IDLE, or polling), for as long as it holds the mailbox's lease.
 *
 * The invariants: a message is marked done on the server, and the checkpoint moved past it, only
 * after intake resolved (its rows are committed). A crash anywhere therefore loses nothing; what
 * was committed but not yet checkpointed is listed again and skipped by its Message-ID without
 * downloading the body (or by the intake's content hash when it has none). A message the intake
 * rejects for good goes to the quarantine folder; a temporary failure (the database is down)
 * leaves the message untouched and retries with backoff.
 */
import { AppError, describeError, isAppError } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';
import type {
  MailboxCheckpointStore,
  MailboxConnector,
  MailboxLease,
  MailboxMessage,
  MailboxSession,
} from '../ports/mailbox.ts';
import type { IntakeResult, IntakeSource } from './intake-result.ts';
import { sleep } from '../domain/timing.ts';

/** The part of the intake service a mailbox reader uses. */
export interface MailboxIntake {
  ingest(raw: Uint8Array, source: IntakeSource): Promise<IntakeResult>;
  rejectOversized(size: number, limit: number, source: IntakeSource): Promise<IntakeResult>;
}

export type MailboxReaderState =
  'starting' | 'waiting_lease' | 'connecting' | 'catching_up' | 'idle' | 'waiting_retry' | 'refused' | 'stopped';

export interface MailboxReaderStatus {
  readonly mailbox: string;
  readonly state: MailboxReaderState;
  /** Why it waits, when it does: safe to show (never a password). */
  readonly detail: string | null;
  readonly lastUid: number | null;
  readonly uidValidity: number | null;
  /** Messages taken since start: ingested, skipped as already stored, quarantined. */
  readonly taken: number;
  readonly skipped: number;
  readonly quarantined: number;
  readonly retryAt: Date | null;
}

export interface MailboxReaderOptions {
  readonly name: string;
  readonly connector: MailboxConnector;
  readonly checkpoints: MailboxCheckpointStore;
  readonly lease: MailboxLease;
  readonly intake: MailboxIntake;
  readonly logger: Logger;
  /** Messages listed (envelopes) per step of a catch-up. */
  readonly batchSize: number;
  /** Messages ingested at once. */
  readonly concurrency: number;
  readonly messageMaxBytes: number;
  /** Longest wait between two checks when the server cannot IDLE (and the IDLE refresh otherwise). */
  readonly pollMs: number;
  readonly leaseRenewMs: number;
  /** Backoff after a failure: base × 2^n with jitter, capped. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** How long to wait before trying again when the server refused us (credentials, TLS). */
  readonly authRetryMs?: number;
  readonly random?: () => number;
}

/** Bytes of message sources held in memory at once during a catch-up (one larger message is fetched alone). */
const CHUNK_BYTES = 24 * 1024 * 1024;
const CHUNK_MESSAGES = 64;
/** A message whose intake throws a non-retryable error this many times is quarantined. */
const MAX_FAILURES = 3;
/** While the lease store is unreachable, the log says so once a minute, not at every try. */
const LEASE_DOWN_REPORT_MS = 60_000;

export class MailboxReader {
  readonly #o: MailboxReaderOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #failures = new Map<number, number>();
  #loop: Promise<void> | null = null;
  #status: { -readonly [K in keyof MailboxReaderStatus]: MailboxReaderStatus[K] };
  /** Failed tries in a row since the mailbox was last caught up: the exponent of the backoff. */
  #attempt = 0;

  constructor(options: MailboxReaderOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'mailbox', mailbox: options.name });
    this.#status = {
      mailbox: options.name,
      state: 'starting',
      detail: null,
      lastUid: null,
      uidValidity: null,
      taken: 0,
      skipped: 0,
      quarantined: 0,
      retryAt: null,
    };
  }

  start(): void {
    this.#loop ??= this.#run().catch((error: unknown) =>
      this.#log.error({ err: error }, 'mailbox reader stopped on an unexpected error'),
    );
  }

  /** Stops waiting for mail, lets messages in flight commit, checkpoints them, releases the lease. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#set('stopped', null);
  }

  status(): MailboxReaderStatus {
    return { ...this.#status };
  }

  /** One line for `ticketrelay status`. */
  describe(): string {
    const s = this.#status;
    const where = s.lastUid === null ? '' : ` — last UID ${s.lastUid}`;
    const counts = ` — ${s.taken} taken, ${s.skipped} already stored, ${s.quarantined} quarantined`;
    const why = s.detail ? `: ${s.detail}` : '';
    const retry = s.retryAt ? ` (next try ${s.retryAt.toISOString()})` : '';
    return `mailbox ${s.mailbox}: ${s.state.replace('_', ' ')}${why}${retry}${where}${counts}`;
  }

  #set(state: MailboxReaderState, detail: string | null, retryAt: Date | null = null): void {
    if (state === 'idle') this.#attempt = 0;
    this.#status.state = state;
    this.#status.detail = detail;
    this.#status.retryAt = retryAt;
  }

  async #run(): Promise<void> {
    const stopSignal = this.#stop.signal;
    let holding = false;
    let leaseDownSince: number | null = null;
    let leaseReportedAt = 0;
    while (!stopSignal.aborted) {
      if (!holding) {
        let unreachable: string | null = null;
        holding = await this.#o.lease.acquire().catch((error: unknown) => {
          unreachable = describeError(error);
          return false;
        });
        if (unreachable !== null) {
          // Said once when it starts, then once a minute while it lasts: not a stack trace every few seconds.
          const now = Date.now();
          if (leaseDownSince === null || now - leaseReportedAt >= LEASE_DOWN_REPORT_MS) {
            this.#log.warn(
              {
                reason: unreachable,
                downForS: leaseDownSince === null ? 0 : Math.round((now - leaseDownSince) / 1000),
              },
              'the lease store (Redis, REDIS_URL) cannot be reached: this mailbox waits until it is back',
            );
            leaseReportedAt = now;
          }
          leaseDownSince ??= now;
          this.#set('waiting_lease', `Redis (REDIS_URL) cannot be reached: ${unreachable}`);
        } else if (!holding) {
          this.#set('waiting_lease', 'another process reads this mailbox');
        }
        if (!holding) {
          await sleep(this.#o.leaseRenewMs, stopSignal);
          continue;
        }
        if (leaseDownSince !== null)
          this.#log.info(
            { downForS: Math.round((Date.now() - leaseDownSince) / 1000) },
            'the lease store (Redis) is back',
          );
        leaseDownSince = null;
        this.#log.info({}, 'lease acquired: reading the mailbox');
      }
      const session = new AbortController();
      const onStop = () => session.abort();
      stopSignal.addEventListener('abort', onStop);
      let lost = false;
      let renewFailed = false;
      const renew = setInterval(() => {
        void this.#o.lease.renew().then(
          (ok) => {
            if (!ok && !lost) {
              lost = true;
              this.#log.warn(
                {},
                'lease lost (another process took the mailbox, or Redis restarted without it): stopping here until it is taken again',
              );
              session.abort();
            }
          },
          (error: unknown) => {
            // Once per outage: the acquire loop reports it from here on.
            if (!renewFailed)
              this.#log.warn({ reason: describeError(error) }, 'lease renewal failed (Redis, REDIS_URL); trying again');
            renewFailed = true;
          },
        );
      }, this.#o.leaseRenewMs);
      let delay = 0;
      try {
        this.#set('connecting', null);
        const mailbox = await this.#o.connector.open();
        try {
          // The backoff starts again once the mailbox is caught up (see #set), not when the IMAP login
          // succeeds: with the database down, every login succeeds and every sync fails.
          await this.#sync(mailbox, session.signal);
        } finally {
          await mailbox.close().catch(() => undefined);
        }
      } catch (error) {
        if (session.signal.aborted) {
          // Stopping, or the lease was lost: what is in flight has finished (see #catchUp).
        } else if (isAppError(error) && error.code.startsWith('imap.') && !error.retryable) {
          // Refused credentials or a server without the TLS we require: waits for someone to fix the config.
          delay = this.#o.authRetryMs ?? 5 * 60_000;
          this.#set('refused', error.message, new Date(Date.now() + delay));
          this.#log.error({ code: error.code }, error.message);
        } else {
          delay = this.#backoff(this.#attempt++);
          const why = describeError(error);
          this.#set('waiting_retry', why, new Date(Date.now() + delay));
          this.#log.warn(
            { code: isAppError(error) ? error.code : undefined, retryInMs: delay },
            `mailbox waits: ${why}`,
          );
        }
      }
      try {
        // The lease is renewed while waiting to try again, as while reading: a wait longer than the
        // lease would otherwise let a second process take the mailbox while this one still reads it.
        if (!lost && delay > 0) await sleep(delay, session.signal);
      } finally {
        clearInterval(renew);
        stopSignal.removeEventListener('abort', onStop);
      }
      if (lost) {
        holding = false;
        continue;
      }
    }
    if (holding) await this.#o.lease.release().catch(() => undefined);
  }

  #backoff(attempt: number): number {
    const { baseMs, maxMs } = this.#o.backoff ?? { baseMs: 1_000, maxMs: 60_000 };
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
    // "Equal jitter": never less than half the step, so a failing server is not hammered.
    return Math.round(ceiling / 2 + (this.#o.random ?? Math.random)() * (ceiling / 2));
  }

  async #sync(mailbox: MailboxSession, signal: AbortSignal): Promise<void> {
    const saved = await this.#o.checkpoints.get(this.#o.name);
    const account = this.#o.connector.account;
    let lastUid = 0;
    if (saved && saved.uidValidity === mailbox.uidValidity && saved.account === account) {
      lastUid = saved.lastUid;
    } else {
      if (saved && saved.account !== account) {
        this.#log.warn(
          { was: saved.account, now: account },
          'the mailbox now points at another account or folder: scanning it from the start (already stored emails are skipped)',
        );
      } else if (saved) {
        this.#log.warn(
          { was: saved.uidValidity, now: mailbox.uidValidity },
          'UIDVALIDITY changed: re-scanning the whole folder (already stored emails are skipped)',
        );
      }
      await this.#o.checkpoints.save(this.#o.name, { account, uidValidity: mailbox.uidValidity, lastUid: 0 });
    }
    this.#status.uidValidity = mailbox.uidValidity;
    this.#status.lastUid = lastUid;
    while (!signal.aborted) {
      this.#set('catching_up', null);
      lastUid = await this.#catchUp(mailbox, lastUid, signal);
      if (signal.aborted) break;
      this.#set(
        'idle',
        mailbox.canIdle
          ? 'waiting for new mail (IDLE)'
          : `polling every ${Math.round(this.#o.pollMs / 1000)} s (the server has no IDLE)`,
      );
      await mailbox.waitForChange(this.#o.pollMs, signal);
    }
  }

  /** Takes every message after `lastUid`, batch by batch; returns the new checkpoint. */
  async #catchUp(mailbox: MailboxSession, fromUid: number, signal: AbortSignal): Promise<number> {
    let lastUid = fromUid;
    const uids = await mailbox.listUidsAfter(lastUid);
    for (let i = 0; i < uids.length && !signal.aborted; i += this.#o.batchSize) {
      const batch = uids.slice(i, i + this.#o.batchSize);
      lastUid = await this.#takeBatch(mailbox, batch, lastUid, signal);
    }
    return lastUid;
  }

  async #takeBatch(
    mailbox: MailboxSession,
    batch: readonly number[],
    lastUid: number,
    signal: AbortSignal,
  ): Promise<number> {
    const listed = await mailbox.describe(batch);
    const ids = listed.flatMap((m) => (m.messageId ? [m.messageId] : []));
    const known = ids.length > 0 ? await this.#o.checkpoints.knownMessageIds(ids) : new Set<string>();
    // UIDs the server no longer lists (expunged meanwhile) are done by definition.
    const present = new Set(listed.map((m) => m.uid));
    const finished = new Set<number>(batch.filter((uid) => !present.has(uid)));
    const done: number[] = [];
    const quarantine: number[] = [];
    const toFetch: MailboxMessage[] = [];
    for (const message of listed) {
      if (message.messageId && known.has(message.messageId)) {
        done.push(message.uid);
        finished.add(message.uid);
        this.#status.skipped++;
      } else if (message.size > this.#o.messageMaxBytes) {
        await this.#o.intake.rejectOversized(message.size, this.#o.messageMaxBytes, this.#source(message.uid));
        quarantine.push(message.uid);
        finished.add(message.uid);
      } else {
        toFetch.push(message);
      }
    }

    let failure: unknown = null;
    for (const chunk of chunks(toFetch)) {
      if (signal.aborted || failure) break;
      failure = await this.#ingestChunk(mailbox, chunk, { done, quarantine, finished });
    }

    // Mark on the server only what is committed, then move the checkpoint over the done prefix.
    if (done.length > 0) await mailbox.markDone(done);
    if (quarantine.length > 0) {
      await mailbox.quarantine(quarantine);
      this.#status.quarantined += quarantine.length;
      this.#log.warn({ uids: quarantine }, `moved ${quarantine.length} message(s) to the quarantine folder`);
    }
    let next = lastUid;
    for (const uid of batch) {
      if (!finished.has(uid)) break;
      next = uid;
    }
    if (next !== lastUid) {
      await this.#o.checkpoints.save(this.#o.name, {
        account: this.#o.connector.account,
        uidValidity: this.#status.uidValidity ?? 0,
        lastUid: next,
      });
      this.#status.lastUid = next;
    }
    if (failure) throw failure;
    return next;
  }

  /**
   * Downloads a chunk and ingests it, `concurrency` at a time. Returns the first failure that must
   * stop this pass (a retryable one, or a message that keeps failing), after every ingest in flight
   * settled; the messages that succeeded are recorded in `into`.
   */
  async #ingestChunk(
    mailbox: MailboxSession,
    chunk: readonly MailboxMessage[],
    into: { done: number[]; quarantine: number[]; finished: Set<number> },
  ): Promise<unknown> {
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    const take = async (uid: number, source: Uint8Array): Promise<void> => {
      try {
        const result = await this.#o.intake.ingest(source, this.#source(uid));
        this.#failures.delete(uid);
        if (result.outcome === 'rejected') into.quarantine.push(uid);
        else {
          into.done.push(uid);
          this.#status.taken++;
        }
        into.finished.add(uid);
      } catch (error) {
        if (isAppError(error) && error.retryable) {
          failure ??= error;
          return;
        }
        const count = (this.#failures.get(uid) ?? 0) + 1;
        this.#failures.set(uid, count);
        this.#log.error({ err: error, uid, attempt: count }, 'intake failed on this message');
        if (count >= MAX_FAILURES) {
          this.#failures.delete(uid);
          into.quarantine.push(uid);
          into.finished.add(uid);
        } else {
          failure ??= new AppError(
            'imap.message_failed',
            `message UID ${uid} could not be taken (${describeError(error)}); it will be tried ${MAX_FAILURES - count} more time(s), then quarantined`,
            { cause: error, retryable: true },
          );
        }
      }
    };
    try {
      for await (const { uid, source } of mailbox.download(chunk.map((m) => m.uid))) {
        if (failure) break;
        const work = take(uid, source).finally(() => inFlight.delete(work));
        inFlight.add(work);
        if (inFlight.size >= this.#o.concurrency) await Promise.race(inFlight);
      }
    } catch (error) {
      failure ??= error;
    }
    await Promise.all(inFlight);
    return failure;
  }

  #source(uid: number): IntakeSource {
    return { kind: 'imap', name: `${this.#o.name}:${uid}`, mailbox: this.#o.name };
  }
}

function* chunks(messages: readonly MailboxMessage[]): Generator<MailboxMessage[]> {
  let chunk: MailboxMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (chunk.length > 0 && (chunk.length >= CHUNK_MESSAGES || bytes + message.size > CHUNK_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += message.size;
  }
  if (chunk.length > 0) yield chunk;
}
