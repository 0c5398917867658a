/**
 * IntakeStore and OutboxStore in memory, for unit tests of the intake and the outbox. It keeps the
 * contract of adapters/mysql/mysql-intake-store.ts (test/contract holds both to it), in domain records:
 * the shop's row format (msg_content, msg_date) is the MySQL adapter's business, not the port's, so this
 * fake keeps what the service handed over (a ticket's text and facts, a reply's text) as it was:
 * - one number space for tickets and replies (the entries of the tickets' threads);
 * - a Message-ID stored twice (case-insensitively, like the column's collation) throws
 *   AppError 'email.duplicate';
 * - two deliveries creating the same new customer: the second throws 'db.conflict' (retryable);
 * - a transaction works on a copy of the state taken when it starts and nothing it wrote is visible
 *   to others until it commits: when the work throws, the copy is dropped and the stored state is as
 *   it was. At commit its writes are applied again on the state as it is then (another transaction
 *   may have committed meanwhile), so unique keys are checked against everything committed;
 * - writes are deferred to the commit as the MySQL adapter defers them (the port allows it for every
 *   write that returns nothing): a read inside the transaction does not see them, and a duplicate
 *   Message-ID is found at commit. Only the thread entries (createTicket, addReply: their ids are
 *   returned), a new customer, the adoption of an old-site ticket and forgetting a rejection are
 *   written at once;
 * - an error that is not an AppError becomes AppError 'db.error', as toAppError does.
 *
 * Public getters give read-only views of the committed state, for assertions.
 */
import { AppError, isAppError, describeError } from '../../src/domain/errors.ts';
import type { InboundAttachment } from '../../src/domain/inbound-email.ts';
import type { Category, Priority, TicketStatus } from '../../src/domain/ticket.ts';
import type {
  AutomaticMailCounts,
  AutomaticMailQuery,
  SentMessage,
  IntakeStore,
  IntakeTransaction,
  MessageKind,
  MessageRecord,
  NewReply,
  NewTicket,
  SpamRecord,
  IntakeTicket,
} from '../../src/ports/intake-store.ts';
import type { OutboundRow, OutboxState, OutboxStore } from '../../src/ports/outbox-store.ts';

/** A customer of the shop (the old site's customer table). */
export interface CustomerRow {
  readonly customerId: number;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly active: boolean;
}

/** An entry of a ticket's thread: the ticket itself (parentId null) or a reply on one, numbered together. */
export interface ThreadEntryRow {
  readonly entryId: number;
  readonly customerId: number;
  readonly orderNumber: string | null;
  /** The staff member of an agent's reply. */
  readonly staffId: string | null;
  readonly at: Date;
  readonly subject: string;
  /** The ticket's text, or the reply's, as the service gave it. */
  readonly text: string;
  /**
   * A ticket's priority and category as its thread shows them (what intake chose, or what the old site
   * wrote); null on a reply, and on an entry the old site wrote that is no ticket of the desk.
   */
  readonly shows: { readonly priority: Priority; readonly category: Category } | null;
  /** The ticket as intake handed it to createTicket (absent on replies and on tickets the old site created). */
  readonly opened?: NewTicket;
  readonly parentId: number | null;
  open: boolean;
  closed: boolean;
}

/** support_ticket */
export interface TicketRow {
  readonly ticketId: number;
  readonly customerId: number;
  readonly customerEmail: string;
  readonly subject: string;
  status: TicketStatus;
  readonly priority: Priority;
  readonly category: Category;
  readonly language: string | null;
  readonly source: 'email' | 'web' | 'legacy';
  readonly mailbox: string | null;
  readonly orderNumber: string | null;
  readonly triaged: boolean;
  messageCount: number;
  readonly createdAt: Date;
  updatedAt: Date;
  lastMessageAt: Date;
  closedAt: Date | null;
}

/** support_message: every email in or out, with the outbox columns. */
export interface MessageRow extends Omit<MessageRecord, 'delivery'> {
  readonly rowId: number;
  delivery: 'pending' | 'suppressed' | 'sent' | 'failed' | null;
  deliveryAttempts: number;
  deliveryError: string | null;
  deliveryNextAt: Date | null;
  deliveryClaimedUntil: Date | null;
  bounceCount: number;
}

export interface ParticipantRow {
  readonly ticketId: number;
  readonly address: string;
}

export interface AttachmentRow extends InboundAttachment {
  readonly messageRowId: number;
  readonly messageId: string;
  readonly ticketId: number | null;
}

export interface EventRow {
  readonly ticketId: number | null;
  readonly type: string;
  readonly actor: string;
  readonly details: Record<string, unknown>;
  readonly at: Date;
}

export interface AddressFlagRow {
  readonly address: string;
  readonly reason: string;
  readonly ticketId: number | null;
  readonly flaggedAt: Date;
}

interface State {
  customers: CustomerRow[];
  /** support_customer: its primary key (the address) is what makes racing creations conflict. */
  customerKeys: string[];
  entries: ThreadEntryRow[];
  tickets: TicketRow[];
  messages: MessageRow[];
  participants: ParticipantRow[];
  attachments: AttachmentRow[];
  events: EventRow[];
  flags: AddressFlagRow[];
  /** support_auto_mail */
  autoMail: { mailbox: string; ticketId: number; at: Date; queuedBy: string }[];
  /** support_mail_breaker */
  breaker: { trippedAt: Date | null; reason: string | null; resetAt: Date | null };
  /** support_spam */
  spam: SpamRecord[];
}

/** One write of a transaction, replayed on the stored state at commit. */
type Write = (state: State) => void;

/** A transaction's writes: those done at once (already in its copy), then those sent with the COMMIT. */
interface Writes {
  readonly immediate: Write[];
  readonly deferred: Write[];
}

const OUTBOX_CLAIM_MS = 60_000;

export interface InMemoryIntakeStoreOptions {
  /** Time used for outbox claims and retry back-off (the rows' own dates come from the service). */
  readonly clock?: () => Date;
}

export class InMemoryIntakeStore implements IntakeStore, OutboxStore {
  #state: State = emptyState();
  readonly #clock: () => Date;
  // Auto-increments are not rolled back, as in MySQL.
  #nextCustomerId = 1;
  #nextEntryId = 1;
  #nextRowId = 1;
  #failTransactions: { remaining: number; when: 'begin' | 'commit' } = { remaining: 0, when: 'commit' };
  #conflictsOnCustomer = 0;

  /** Counters, to check retries and rollbacks. */
  readonly stats = { transactions: 0, committed: 0, rolledBack: 0 };

  constructor(options: InMemoryIntakeStoreOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  // ---- read-only views of what is committed -------------------------------------------------

  get customers(): readonly Readonly<CustomerRow>[] {
    return this.#state.customers;
  }
  /** Tickets and replies, in the order they were numbered. */
  get entries(): readonly Readonly<ThreadEntryRow>[] {
    return this.#state.entries;
  }
  get tickets(): readonly Readonly<TicketRow>[] {
    return this.#state.tickets;
  }
  get messages(): readonly Readonly<MessageRow>[] {
    return this.#state.messages;
  }
  get participants(): readonly Readonly<ParticipantRow>[] {
    return this.#state.participants;
  }
  get attachments(): readonly Readonly<AttachmentRow>[] {
    return this.#state.attachments;
  }
  get events(): readonly Readonly<EventRow>[] {
    return this.#state.events;
  }
  get flaggedAddresses(): readonly Readonly<AddressFlagRow>[] {
    return this.#state.flags;
  }
  get heldSpam(): readonly Readonly<SpamRecord>[] {
    return this.#state.spam;
  }
  get breaker(): Readonly<State['breaker']> {
    return this.#state.breaker;
  }
  /** Outbound rows (acknowledgements, agents' replies) with their delivery state. */
  get outbound(): readonly Readonly<MessageRow>[] {
    return this.#state.messages.filter((m) => m.direction === 'outbound');
  }

  ticket(ticketId: number): Readonly<TicketRow> | undefined {
    return this.#state.tickets.find((t) => t.ticketId === ticketId);
  }
  message(messageId: string): Readonly<MessageRow> | undefined {
    return this.#state.messages.find((m) => sameId(m.messageId, messageId));
  }
  /** The replies of one ticket, oldest first. */
  repliesOf(ticketId: number): readonly Readonly<ThreadEntryRow>[] {
    return this.#state.entries.filter((r) => r.parentId === ticketId);
  }
  participantsOf(ticketId: number): string[] {
    return this.#state.participants.filter((p) => p.ticketId === ticketId).map((p) => p.address);
  }
  /** How many rows there are of each kind: compare before and after to see that nothing was written. */
  counts(): Record<Exclude<keyof State, 'autoMail' | 'breaker' | 'spam'>, number> {
    const s = this.#state;
    return {
      customers: s.customers.length,
      customerKeys: s.customerKeys.length,
      entries: s.entries.length,
      tickets: s.tickets.length,
      messages: s.messages.length,
      participants: s.participants.length,
      attachments: s.attachments.length,
      events: s.events.length,
      flags: s.flags.length,
    };
  }

  // ---- failures on demand ----------------------------------------------------------------------

  /**
   * The next `count` transactions throw AppError 'db.unavailable' (retryable): at 'begin' before the
   * work runs, or at 'commit' after it ran (its writes are then dropped).
   */
  failNextTransactions(count: number, when: 'begin' | 'commit' = 'commit'): void {
    this.#failTransactions = { remaining: count, when };
  }

  /** The next `count` calls of findOrCreateCustomer throw AppError 'db.conflict' (retryable). */
  conflictOnFindOrCreateCustomer(count = 1): void {
    this.#conflictsOnCustomer = count;
  }

  // ---- seeding (outside any transaction) ---------------------------------------------------------

  /** A customer the shop already has (in the shop's customer table only, as the old site creates them). */
  seedCustomer(email: string, name: { first?: string | null; last?: string | null; active?: boolean } = {}): number {
    const customerId = this.#nextCustomerId++;
    this.#state.customers.push({
      customerId,
      email,
      firstName: name.first ?? null,
      lastName: name.last ?? null,
      active: name.active ?? true,
    });
    return customerId;
  }

  /** A ticket the old site created: in its thread (normal, general), no ticket record of ours yet. */
  seedLegacyTicket(input: {
    customerEmail: string;
    subject: string;
    text: string;
    closed?: boolean;
    at?: Date;
  }): number {
    const existing = this.#state.customers.find((c) => c.email.toLowerCase() === input.customerEmail.toLowerCase());
    const customerId = existing?.customerId ?? this.seedCustomer(input.customerEmail);
    const entryId = this.#nextEntryId++;
    this.#state.entries.push({
      entryId,
      customerId,
      orderNumber: null,
      staffId: null,
      at: input.at ?? this.#clock(),
      subject: input.subject,
      text: input.text,
      shows: { priority: 'normal', category: 'general' },
      parentId: null,
      open: !input.closed,
      closed: input.closed ?? false,
    });
    return entryId;
  }

  /** An agent closed the ticket. */
  closeTicket(ticketId: number, at: Date = this.#clock()): void {
    const ticket = this.#state.tickets.find((t) => t.ticketId === ticketId);
    if (!ticket) throw new Error(`closeTicket: no ticket #${ticketId}`);
    ticket.status = 'closed';
    ticket.closedAt = at;
    ticket.updatedAt = at;
    const row = this.#state.entries.find((r) => r.entryId === ticketId);
    if (row) {
      row.open = false;
      row.closed = true;
    }
  }

  /** An address that bounced before. */
  seedFlaggedAddress(address: string, reason = 'bounced: seeded by the test', at: Date = this.#clock()): void {
    upsertFlag(this.#state, { address, reason, ticketId: null, flaggedAt: at });
  }

  // ---- IntakeStore ------------------------------------------------------------------------------

  async findMessage(messageId: string): Promise<{ readonly ticketId: number | null; readonly outcome: string } | null> {
    await Promise.resolve();
    const row = this.#state.messages.find((m) => sameId(m.messageId, messageId));
    return row ? { ticketId: row.ticketId, outcome: row.outcome } : null;
  }

  async transaction<T>(work: (tx: IntakeTransaction) => Promise<T>): Promise<T> {
    this.stats.transactions++;
    const failure = this.#takeTransactionFailure();
    if (failure === 'begin') {
      this.stats.rolledBack++;
      throw unavailable();
    }
    const copy = structuredClone(this.#state);
    const writes: Writes = { immediate: [], deferred: [] };
    const tx = new InMemoryIntakeTransaction(copy, writes, {
      customerId: () => this.#nextCustomerId++,
      entryId: () => this.#nextEntryId++,
      rowId: () => this.#nextRowId++,
      conflictOnCustomer: () => {
        if (this.#conflictsOnCustomer <= 0) return false;
        this.#conflictsOnCustomer--;
        return true;
      },
    });
    try {
      const result = await work(tx);
      if (failure === 'commit') throw unavailable();
      // Commit: the immediate writes again on the state as it is now (any unique key broken meanwhile
      // throws), then the deferred ones, in the order they were made.
      const next = structuredClone(this.#state);
      for (const write of [...writes.immediate, ...writes.deferred]) write(next);
      this.#state = next;
      this.stats.committed++;
      return result;
    } catch (error) {
      this.stats.rolledBack++;
      throw isAppError(error)
        ? error
        : new AppError('db.error', `The database failed while storing an email: ${describeError(error)}`, {
            cause: error,
          });
    } finally {
      tx.finish();
    }
  }

  async pendingOutbound(
    limit: number,
    maxAttempts: number,
    options: { readonly ignoreBackoff?: boolean; readonly afterId?: number; readonly withoutAutomatic?: boolean } = {},
  ): Promise<OutboundRow[]> {
    await Promise.resolve();
    const now = this.#clock();
    const rows = this.#state.messages
      .filter(
        (m) =>
          m.delivery === 'pending' &&
          m.rowId > (options.afterId ?? 0) &&
          !(options.withoutAutomatic === true && m.kind === 'ack') &&
          m.deliveryAttempts < maxAttempts &&
          (m.deliveryClaimedUntil === null || m.deliveryClaimedUntil <= now) &&
          (options.ignoreBackoff === true || m.deliveryNextAt === null || m.deliveryNextAt <= now),
      )
      .sort((a, b) => a.rowId - b.rowId)
      .slice(0, limit);
    for (const row of rows) {
      row.deliveryClaimedUntil = new Date(now.getTime() + OUTBOX_CLAIM_MS);
      this.#claimedBy.set(row.rowId, this.claimOwner);
    }
    return rows.map((r) => ({
      rowId: r.rowId,
      messageId: r.messageId,
      ticketId: r.ticketId,
      cc: [],
      kind: r.kind,
      to: r.peerAddress ?? '',
      subject: r.subject,
      text: r.bodyText ?? '',
      inReplyTo: [...r.inReplyTo],
      references: [...r.references],
      attempts: r.deliveryAttempts,
    }));
  }

  async outboxState(failedDays: number): Promise<OutboxState> {
    await Promise.resolve();
    const since = this.#clock().getTime() - failedDays * 86_400_000;
    const byNewest = [...this.#state.messages].sort((a, b) => b.at.getTime() - a.at.getTime() || b.rowId - a.rowId);
    const pending = byNewest.filter((m) => m.delivery === 'pending');
    const failed = byNewest.filter((m) => m.delivery === 'failed' && m.at.getTime() >= since);
    return {
      pending: pending.length,
      oldestPendingAt: pending.at(-1)?.at ?? null,
      lastError: pending.find((m) => m.deliveryError)?.deliveryError ?? null,
      failed: failed.length,
      lastFailure: failed.find((m) => m.deliveryError)?.deliveryError ?? null,
      examples: [...[...pending].reverse().slice(0, 5), ...failed.slice(0, 5)].map((m) => ({
        delivery: m.delivery === 'failed' ? ('failed' as const) : ('pending' as const),
        ticketId: m.ticketId,
        kind: m.kind,
        to: m.peerAddress ?? '',
      })),
    };
  }

  async markOutbound(
    rowIds: readonly number[],
    result: { readonly delivery: 'sent' | 'failed' | 'pending'; readonly error: string | null },
  ): Promise<void> {
    await Promise.resolve();
    for (const rowId of rowIds) this.#markOne(rowId, result);
  }

  #markOne(
    rowId: number,
    result: { readonly delivery: 'sent' | 'failed' | 'pending'; readonly error: string | null },
  ): void {
    const row = this.#state.messages.find((m) => m.rowId === rowId);
    if (!row) return; // an UPDATE of no row
    const backoffSeconds = Math.min(3600, 30 * 2 ** row.deliveryAttempts);
    row.delivery = result.delivery;
    row.deliveryError = result.error;
    row.deliveryAttempts += 1;
    row.deliveryNextAt =
      result.delivery === 'pending' ? new Date(this.#clock().getTime() + backoffSeconds * 1000) : null;
    row.deliveryClaimedUntil = null;
  }

  /** In whose name this store claims emails (a process; the same after a restart). */
  claimOwner = 'this-process';
  readonly #claimedBy = new Map<number, string>();

  async renewOutboundClaims(rowIds: readonly number[]): Promise<void> {
    await Promise.resolve();
    for (const m of this.#state.messages) {
      if (rowIds.includes(m.rowId) && m.delivery === 'pending' && this.#claimedBy.get(m.rowId) === this.claimOwner) {
        m.deliveryClaimedUntil = new Date(this.#clock().getTime() + OUTBOX_CLAIM_MS);
      }
    }
  }

  /** Other processes' names that still run; any other name's claims are from a process that stopped. */
  readonly runningOwners = new Set<string>();

  async releaseOutboundClaims(): Promise<number> {
    await Promise.resolve();
    let released = 0;
    for (const m of this.#state.messages) {
      const owner = this.#claimedBy.get(m.rowId);
      if (m.delivery !== 'pending' || owner === undefined || owner === this.claimOwner || this.runningOwners.has(owner))
        continue;
      if (m.deliveryClaimedUntil === null || m.deliveryClaimedUntil <= this.#clock()) continue;
      m.deliveryClaimedUntil = null;
      this.#claimedBy.delete(m.rowId);
      released++;
    }
    return released;
  }

  async retryFailedOutbound(since: Date): Promise<number> {
    await Promise.resolve();
    const failed = this.#state.messages.filter((m) => m.delivery === 'failed' && m.at >= since);
    for (const m of failed)
      Object.assign(m, { delivery: 'pending', deliveryAttempts: 0, deliveryNextAt: null, deliveryClaimedUntil: null });
    return failed.length;
  }

  #takeTransactionFailure(): 'begin' | 'commit' | null {
    if (this.#failTransactions.remaining <= 0) return null;
    this.#failTransactions.remaining--;
    return this.#failTransactions.when;
  }
}

interface Sequences {
  customerId(): number;
  entryId(): number;
  rowId(): number;
  conflictOnCustomer(): boolean;
}

class InMemoryIntakeTransaction implements IntakeTransaction {
  readonly #state: State;
  readonly #writes: Writes;
  readonly #seq: Sequences;
  #finished = false;

  constructor(state: State, writes: Writes, seq: Sequences) {
    this.#state = state;
    this.#writes = writes;
    this.#seq = seq;
  }

  finish(): void {
    this.#finished = true;
  }

  async ticketForMessageIds(
    ids: readonly string[],
  ): Promise<{ readonly ticket: IntakeTicket; readonly matchedId: string } | null> {
    await this.#ready();
    for (const id of ids) {
      const row = this.#state.messages.find((m) => m.ticketId !== null && sameId(m.messageId, id));
      if (row?.ticketId) {
        const ticket = await this.ticketById(row.ticketId);
        if (ticket) return { ticket, matchedId: id };
      }
    }
    return null;
  }

  async ticketById(ticketId: number): Promise<IntakeTicket | null> {
    await this.#ready();
    const row = this.#state.tickets.find((t) => t.ticketId === ticketId);
    if (row) return summaryOf(row);
    return this.#adoptLegacyTicket(ticketId);
  }

  /** A ticket the old site created has no record of ours: make one from its thread's first entry. */
  #adoptLegacyTicket(ticketId: number): IntakeTicket | null {
    const msg = this.#state.entries.find((r) => r.entryId === ticketId);
    if (!msg || msg.parentId !== null || !msg.shows) return null;
    const customer = this.#state.customers.find((c) => c.customerId === msg.customerId);
    if (!customer) return null;
    const created = msg.at;
    const status: TicketStatus = msg.closed ? 'closed' : 'open';
    const { priority, category } = msg.shows;
    const row: TicketRow = {
      ticketId,
      customerId: msg.customerId,
      customerEmail: customer.email.toLowerCase(),
      subject: msg.subject.slice(0, 500),
      status,
      priority,
      category,
      language: null,
      source: 'legacy',
      mailbox: null,
      orderNumber: msg.orderNumber,
      triaged: true,
      messageCount: 1,
      createdAt: created,
      updatedAt: created,
      lastMessageAt: created,
      // When the old site closed it is not known: no closing time, as adapters/mysql/legacy-sync.ts writes.
      closedAt: null,
    };
    this.#write((s) => {
      if (!s.tickets.some((t) => t.ticketId === ticketId)) s.tickets.push(structuredClone(row)); // INSERT IGNORE
    });
    return summaryOf(row);
  }

  async isParticipant(ticketId: number, address: string): Promise<boolean> {
    await this.#ready();
    return this.#state.participants.some((p) => p.ticketId === ticketId && sameId(p.address, address));
  }

  async participantCount(ticketId: number): Promise<number> {
    await this.#ready();
    return this.#state.participants.filter((p) => p.ticketId === ticketId).length;
  }

  async findOrCreateCustomer(
    address: string,
    name: { readonly first: string | null; readonly last: string | null },
    _phone?: string | null,
  ): Promise<{ readonly customerId: number; readonly created: boolean }> {
    await this.#ready();
    if (this.#seq.conflictOnCustomer()) {
      throw new AppError('db.conflict', 'A concurrent change conflicted while storing an email; try again.', {
        retryable: true,
      });
    }
    // Case-insensitive; duplicates exist: the active one with the lowest id wins.
    const found = this.#state.customers
      .filter((c) => sameId(c.email, address))
      .sort((a, b) => Number(b.active) - Number(a.active) || a.customerId - b.customerId)[0];
    if (found) return { customerId: found.customerId, created: false };
    const customerId = this.#seq.customerId();
    this.#write((s) => {
      // support_customer's primary key: a second delivery creating this customer fails, retried it finds it.
      if (s.customerKeys.some((k) => sameId(k, address))) {
        throw new AppError('db.conflict', 'A concurrent change conflicted while storing an email; try again.', {
          retryable: true,
        });
      }
      s.customers.push({ customerId, email: address, firstName: name.first, lastName: name.last, active: true });
      s.customerKeys.push(address);
    });
    return { customerId, created: true };
  }

  async customerWithAddress(customerId: number, address: string): Promise<number | null> {
    await this.#ready();
    const found = this.#state.customers.find((c) => c.customerId === customerId);
    return found && sameId(found.email.trim(), address.trim()) ? customerId : null;
  }

  async createTicket(ticket: NewTicket): Promise<number> {
    await this.#ready();
    const ticketId = this.#seq.entryId();
    // The thread entry at once (its number is the ticket's), the ticket record with the COMMIT.
    const opened = structuredClone(ticket);
    this.#write((s) => {
      s.entries.push({
        entryId: ticketId,
        customerId: ticket.customerId,
        orderNumber: ticket.orderNumber,
        staffId: null,
        at: ticket.at,
        subject: ticket.subject,
        text: ticket.text,
        shows: { priority: ticket.priority, category: ticket.category },
        opened,
        parentId: null,
        open: true,
        closed: false,
      });
    });
    this.#defer((s) => {
      if (s.tickets.some((t) => t.ticketId === ticketId)) {
        throw new AppError(
          'db.conflict',
          `A concurrent change conflicted while storing an email (support_ticket ${ticketId} exists); try again.`,
          { retryable: true },
        );
      }
      s.tickets.push({
        ticketId,
        customerId: ticket.customerId,
        customerEmail: ticket.customerEmail,
        subject: ticket.subject.slice(0, 500),
        status: 'open',
        priority: ticket.priority,
        category: ticket.category,
        language: ticket.language,
        source: ticket.source,
        mailbox: ticket.mailbox,
        orderNumber: ticket.orderNumber,
        triaged: false,
        messageCount: 1,
        createdAt: ticket.at,
        updatedAt: ticket.at,
        lastMessageAt: ticket.at,
        closedAt: null,
      });
    });
    return ticketId;
  }

  async addReply(reply: NewReply): Promise<number> {
    await this.#ready();
    const entryId = this.#seq.entryId();
    this.#write((s) => {
      s.entries.push({
        entryId,
        customerId: reply.customerId,
        orderNumber: null,
        staffId: reply.staffId,
        at: reply.at,
        subject: reply.subject,
        text: reply.content,
        shows: null,
        parentId: reply.ticketId,
        open: false,
        closed: false,
      });
    });
    this.#defer((s) => {
      const ticket = s.tickets.find((t) => t.ticketId === reply.ticketId);
      if (ticket) {
        ticket.messageCount += 1;
        ticket.lastMessageAt = reply.at;
        ticket.updatedAt = reply.at;
      }
    });
    return entryId;
  }

  async reopenTicket(ticketId: number, at: Date): Promise<void> {
    await this.#ready();
    this.#defer((s) => {
      const row = s.entries.find((r) => r.entryId === ticketId);
      if (row) {
        row.open = true;
        row.closed = false;
      }
      const ticket = s.tickets.find((t) => t.ticketId === ticketId);
      if (ticket) {
        ticket.status = 'open';
        ticket.closedAt = null;
        ticket.updatedAt = at;
      }
    });
  }

  async recordMessage(message: MessageRecord): Promise<void> {
    await this.#ready();
    const record = structuredClone(message);
    this.#defer((s) => {
      const messageId = record.messageId.slice(0, 255);
      if (s.messages.some((m) => sameId(m.messageId, messageId))) {
        throw new AppError('email.duplicate', 'This email was already taken.');
      }
      s.messages.push({
        ...record,
        messageId,
        subject: record.subject.slice(0, 500),
        source: record.source.slice(0, 64),
        rowId: this.#seq.rowId(),
        delivery: record.delivery,
        deliveryAttempts: 0,
        deliveryError: null,
        deliveryNextAt: null,
        deliveryClaimedUntil: null,
        bounceCount: 0,
      });
    });
  }

  async forgetRejection(messageId: string): Promise<void> {
    await this.#ready();
    const id = messageId.slice(0, 255);
    // At once, as the MySQL adapter runs its DELETE: the recordMessage that follows meets no duplicate.
    this.#write((s) => {
      s.messages = s.messages.filter((m) => !(m.kind === 'rejected' && sameId(m.messageId, id)));
    });
  }

  async addParticipants(ticketId: number, addresses: readonly string[]): Promise<void> {
    await this.#ready();
    if (addresses.length === 0) return;
    const all = [...addresses];
    this.#defer((s) => {
      for (const address of all) {
        // INSERT IGNORE on (ticket_id, address)
        if (!s.participants.some((p) => p.ticketId === ticketId && sameId(p.address, address)))
          s.participants.push({ ticketId, address });
      }
    });
  }

  async addAttachments(
    messageId: string,
    ticketId: number | null,
    attachments: readonly InboundAttachment[],
  ): Promise<void> {
    await this.#ready();
    const parts = structuredClone([...attachments]);
    this.#defer((s) => {
      // The message row is written with the COMMIT too: found there by its Message-ID.
      const message = s.messages.find((m) => sameId(m.messageId, messageId.slice(0, 255)));
      if (!message) {
        throw new AppError(
          'db.error',
          `The database failed while storing an email: no message row ${messageId} for its attachments (message_row_id cannot be null)`,
        );
      }
      for (const a of parts)
        s.attachments.push({
          ...a,
          filename: a.filename.slice(0, 255),
          messageRowId: message.rowId,
          messageId: message.messageId,
          ticketId,
        });
    });
  }

  async recordEvent(
    ticketId: number | null,
    type: string,
    actor: string,
    details: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    await this.#ready();
    const event: EventRow = { ticketId, type, actor: actor.slice(0, 128), details: structuredClone(details), at };
    this.#defer((s) => {
      s.events.push(event);
    });
  }

  async flagAddress(address: string, reason: string, ticketId: number | null, at: Date): Promise<void> {
    await this.#ready();
    this.#defer((s) => upsertFlag(s, { address, reason, ticketId, flaggedAt: at }));
  }

  async isAddressFlagged(address: string): Promise<boolean> {
    await this.#ready();
    return this.#state.flags.some((f) => sameId(f.address, address));
  }

  async automaticMailSince(query: AutomaticMailQuery): Promise<AutomaticMailCounts> {
    await this.#ready();
    const { mailbox, ticketId, since, exceptQueuedBy } = query;
    const { autoMail, breaker } = this.#state;
    const others = autoMail.filter((a) => a.queuedBy !== exceptQueuedBy);
    const totalSince = breaker.resetAt && breaker.resetAt > since ? breaker.resetAt : since;
    return {
      mailbox: others.filter((a) => a.mailbox === mailbox && a.at >= since).length,
      ticket: autoMail.filter((a) => a.ticketId === ticketId && a.at >= since).length,
      total: others.filter((a) => a.at >= totalSince).length,
      breakerTrippedAt: breaker.trippedAt,
      breakerResetAt: breaker.resetAt ?? null,
    };
  }

  async recordAutomaticMail(mailbox: string, ticketId: number, at: Date, queuedBy: string): Promise<void> {
    await this.#ready();
    this.#defer((s) => void s.autoMail.push({ mailbox, ticketId, at, queuedBy }));
  }

  async tripBreaker(reason: string, at: Date): Promise<void> {
    await this.#ready();
    this.#defer((s) => {
      if (s.breaker.trippedAt === null) s.breaker = { ...s.breaker, trippedAt: at, reason };
    });
  }

  async holdSpam(spam: SpamRecord): Promise<void> {
    await this.#ready();
    const record = structuredClone(spam);
    this.#defer((s) => {
      if (s.spam.some((m) => sameId(m.messageId, record.messageId)))
        throw new AppError('email.duplicate', 'This email was already taken.');
      s.spam.push(record);
    });
  }

  async sentMessages(ids: readonly string[]): Promise<readonly SentMessage[]> {
    await this.#ready();
    return this.#state.messages
      .filter((m) => m.direction === 'outbound' && ids.some((id) => sameId(m.messageId, id)))
      .map((m) => ({
        rowId: m.rowId,
        messageId: m.messageId,
        ticketId: m.ticketId,
        kind: m.kind,
        to: (m.peerAddress ?? '').toLowerCase(),
        cc: [],
      }));
  }

  async retryBounced(rowId: number, notBefore: Date, maxBounces: number): Promise<boolean> {
    await this.#ready();
    const row = this.#state.messages.find((m) => m.rowId === rowId);
    if (!row || row.bounceCount >= maxBounces || row.delivery === 'suppressed' || row.delivery === null) return false;
    this.#defer((st) => {
      const target = st.messages.find((m) => m.rowId === rowId);
      if (target)
        Object.assign(target, {
          delivery: 'pending',
          deliveryNextAt: notBefore,
          deliveryClaimedUntil: null,
          bounceCount: target.bounceCount + 1,
        });
    });
    return true;
  }

  async countOutboundSince(address: string, kind: MessageKind, since: Date): Promise<number> {
    await this.#ready();
    return this.#state.messages.filter(
      (m) =>
        m.peerAddress !== null &&
        sameId(m.peerAddress, address) &&
        m.kind === kind &&
        m.at >= since &&
        (m.delivery === 'pending' || m.delivery === 'sent'),
    ).length;
  }

  /** Every call is asynchronous, like a query; a transaction used after it ended is a bug in the caller. */
  async #ready(): Promise<void> {
    if (this.#finished) throw new Error('IntakeTransaction used after its transaction ended');
    await Promise.resolve();
  }

  /** A write done at once: the rest of the transaction sees it. */
  #write(write: Write): void {
    write(this.#state);
    this.#writes.immediate.push(write);
  }

  /** A write sent with the COMMIT: nothing in the transaction sees it. */
  #defer(write: Write): void {
    this.#writes.deferred.push(write);
  }
}

function emptyState(): State {
  return {
    customers: [],
    customerKeys: [],
    entries: [],
    tickets: [],
    messages: [],
    participants: [],
    attachments: [],
    events: [],
    flags: [],
    autoMail: [],
    breaker: { trippedAt: null, reason: null, resetAt: null },
    spam: [],
  };
}

function summaryOf(row: TicketRow): IntakeTicket {
  return {
    ticketId: row.ticketId,
    customerId: row.customerId,
    customerEmail: row.customerEmail,
    subject: row.subject,
    status: row.status,
    language: row.language,
  };
}

/** The columns compare case-insensitively (utf8mb4_unicode_ci). */
function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** INSERT … ON DUPLICATE KEY UPDATE reason, flagged_at */
function upsertFlag(state: State, flag: AddressFlagRow): void {
  const at = state.flags.findIndex((f) => sameId(f.address, flag.address));
  if (at === -1) state.flags.push(flag);
  else state.flags[at] = { ...state.flags[at]!, reason: flag.reason, flaggedAt: flag.flaggedAt };
}

function unavailable(): AppError {
  return new AppError('db.unavailable', 'The database cannot be reached (connection lost) while storing an email.', {
    retryable: true,
  });
}
