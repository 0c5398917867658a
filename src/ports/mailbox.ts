/**
 * What the mailbox reader needs from an IMAP mailbox, its checkpoint and its lease. The imapflow
 * adapter, the MySQL checkpoint store and the Redis lease implement these; fakes make them cheap.
 */

/** A message as listed before its body is downloaded. */
export interface MailboxMessage {
  readonly uid: number;
  /** Normalised (no angle brackets), or null when the header is missing. */
  readonly messageId: string | null;
  /** RFC 822 size in bytes, as the server reports it. */
  readonly size: number;
}

/** A connected session with the mailbox's folder open. */
export interface MailboxSession {
  readonly uidValidity: number;
  /** False when the server lacks IDLE: the reader polls. */
  readonly canIdle: boolean;
  /** UIDs greater than `afterUid`, ascending. */
  listUidsAfter(afterUid: number): Promise<number[]>;
  /** Envelope data only (no bodies) for these UIDs, ascending; expunged UIDs are simply absent. */
  describe(uids: readonly number[]): Promise<MailboxMessage[]>;
  /** Whole RFC 822 sources for these UIDs, streamed in UID order; a missing UID is skipped. */
  download(uids: readonly number[]): AsyncIterable<{ readonly uid: number; readonly source: Uint8Array }>;
  /** Done with these (rows committed): \Seen, moved to the processed folder, or left as is. */
  markDone(uids: readonly number[]): Promise<void>;
  /** Moves them to the quarantine folder (created when missing). */
  quarantine(uids: readonly number[]): Promise<void>;
  /**
   * Resolves when the mailbox may have changed (IDLE reported new mail, or the poll interval
   * passed), after at most `maxWaitMs`, or as soon as `signal` aborts. Rejects when the
   * connection is lost.
   */
  waitForChange(maxWaitMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a session. Throws AppError 'imap.auth_failed' (the credentials were refused) or
 * 'imap.tls_unavailable' (no TLS where it is required) — not retryable until someone fixes the
 * config — or 'imap.unreachable' (retryable), each naming the mailbox.
 */
export interface MailboxConnector {
  /** user@host:port/folder: a checkpoint saved for another account or folder is not this one's. */
  readonly account: string;
  open(): Promise<MailboxSession>;
}

export interface MailboxCheckpoint {
  readonly account: string;
  readonly uidValidity: number;
  readonly lastUid: number;
}

export interface MailboxCheckpointStore {
  get(mailbox: string): Promise<MailboxCheckpoint | null>;
  /** Moves the checkpoint; never backwards within one account and UIDVALIDITY. */
  save(mailbox: string, checkpoint: MailboxCheckpoint): Promise<void>;
  /** Which of these Message-IDs are already stored (their emails need no download). */
  knownMessageIds(messageIds: readonly string[]): Promise<ReadonlySet<string>>;
}

/** One reader per mailbox across processes: held while renewed, taken over when its holder dies. */
export interface MailboxLease {
  /** True when this process holds (or now took) the lease. */
  acquire(): Promise<boolean>;
  /** False when the lease was lost (expired and taken by another): stop reading at once. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}
