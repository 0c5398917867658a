/**
 * In-memory fakes of the mailbox ports: a folder of messages with UIDs and flags, a checkpoint
 * store, and a lease that a test can take away. They follow the ports' contracts, not imapflow's.
 */
import type {
  MailboxCheckpoint,
  MailboxCheckpointStore,
  MailboxConnector,
  MailboxLease,
  MailboxMessage,
  MailboxSession,
} from '../../src/ports/mailbox.ts';

export interface StoredMessage {
  readonly uid: number;
  readonly messageId: string | null;
  readonly source: Uint8Array;
  folder: string;
  seen: boolean;
}

export class InMemoryMailbox implements MailboxConnector {
  readonly account = 'fake@mailbox/INBOX';
  readonly messages: StoredMessage[] = [];
  uidValidity = 1000;
  #nextUid = 1;
  #wake: (() => void) | null = null;

  deliver(messageId: string | null, body = 'hello'): number {
    const uid = this.#nextUid++;
    this.messages.push({
      uid,
      messageId,
      source: Buffer.from(`Message-ID: <${messageId}>\r\n\r\n${body}`),
      folder: 'INBOX',
      seen: false,
    });
    this.#wake?.();
    return uid;
  }

  in(folder: string): StoredMessage[] {
    return this.messages.filter((m) => m.folder === folder);
  }

  async open(): Promise<MailboxSession> {
    const inbox = () => this.in('INBOX');
    const setWake = (wake: (() => void) | null) => (this.#wake = wake);
    const uidValidity = this.uidValidity;
    return {
      uidValidity,
      canIdle: true,
      listUidsAfter: async (after) =>
        inbox()
          .filter((m) => m.uid > after)
          .map((m) => m.uid),
      describe: async (uids): Promise<MailboxMessage[]> =>
        inbox()
          .filter((m) => uids.includes(m.uid))
          .map((m) => ({ uid: m.uid, messageId: m.messageId, size: m.source.byteLength })),
      download: async function* (uids) {
        for (const m of inbox().filter((x) => uids.includes(x.uid))) yield { uid: m.uid, source: m.source };
      },
      markDone: async (uids) => {
        for (const m of inbox()) if (uids.includes(m.uid)) m.seen = true;
      },
      quarantine: async (uids) => {
        for (const m of inbox()) if (uids.includes(m.uid)) m.folder = 'Quarantine';
      },
      waitForChange: (maxWaitMs, signal) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            setWake(null);
            resolve();
          };
          const timer = setTimeout(done, maxWaitMs);
          signal.addEventListener('abort', done, { once: true });
          setWake(done);
        }),
      close: async () => undefined,
    };
  }
}

export class InMemoryCheckpoints implements MailboxCheckpointStore {
  readonly saved = new Map<string, MailboxCheckpoint>();
  readonly stored = new Set<string>();

  async get(mailbox: string) {
    return this.saved.get(mailbox) ?? null;
  }

  async save(mailbox: string, checkpoint: MailboxCheckpoint) {
    const old = this.saved.get(mailbox);
    const same = old && old.account === checkpoint.account && old.uidValidity === checkpoint.uidValidity;
    this.saved.set(mailbox, same ? { ...checkpoint, lastUid: Math.max(old.lastUid, checkpoint.lastUid) } : checkpoint);
  }

  async knownMessageIds(ids: readonly string[]) {
    return new Set(ids.filter((id) => this.stored.has(id)));
  }
}

/** A lease held until `takeAway()`: then renewals fail, as when another process took it over. */
export class FakeLease implements MailboxLease {
  held = false;
  #taken = false;
  acquisitions = 0;

  /** Set: the lease store (Redis) cannot be reached, every call fails with it. */
  unreachable: Error | null = null;

  async acquire() {
    if (this.unreachable) throw this.unreachable;
    if (this.#taken) return false;
    if (!this.held) this.acquisitions++;
    this.held = true;
    return true;
  }

  async renew() {
    if (this.unreachable) throw this.unreachable;
    return this.held && !this.#taken;
  }

  async release() {
    this.held = false;
  }

  takeAway(): void {
    this.#taken = true;
    this.held = false;
  }

  giveBack(): void {
    this.#taken = false;
  }
}
