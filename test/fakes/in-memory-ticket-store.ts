/**
 * TicketStore in memory, for unit tests of the command service (src/services/run-command.ts). It keeps
 * the port's contract in domain records: tickets with their thread, events, queued replies and bounce
 * flags. A transaction works on a copy and is kept only when its work returns (all or nothing), as the
 * MySQL adapter's transaction is; the shop's row format is not modelled (it is the adapter's business).
 */
import type { ListRequest, TicketSummary } from '../../src/domain/command.ts';
import type { Category, Priority, TicketStatus } from '../../src/domain/ticket.ts';
import type {
  OutboundReply,
  StoredThreadEntry,
  TicketCounts,
  TicketDetail,
  TicketLookup,
  TicketRecord,
  TicketStore,
  TicketTransaction,
} from '../../src/ports/ticket-store.ts';

export interface StoredTicket {
  readonly ticketId: number;
  readonly customerId: number;
  readonly customerEmail: string;
  readonly subject: string;
  status: TicketStatus;
  priority: Priority;
  category: Category;
  assigneeAgentId: number | null;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  triaged: boolean;
  corrected: boolean;
  readonly createdAt: Date;
  /** The customer's emails, oldest first (what a reply threads on and quotes). */
  readonly emails: { messageId: string; address: string; name: string | null; text: string; at: Date }[];
  /** Agents' replies on the thread, oldest first. */
  readonly replies: { entryId: number; staffId: string; text: string; at: Date }[];
}

export interface StoredEvent {
  readonly ticketId: number;
  readonly type: string;
  readonly actor: string;
  readonly details: Record<string, unknown>;
  readonly at: Date;
}

interface State {
  tickets: StoredTicket[];
  events: StoredEvent[];
  queued: OutboundReply[];
  flags: { address: string; reason: string; wroteSince: boolean }[];
  corrections: { ticketId: number; field: string; from: string; to: string; agentId: number }[];
}

export class InMemoryTicketStore implements TicketStore {
  #state: State = { tickets: [], events: [], queued: [], flags: [], corrections: [] };
  #nextEntryId = 1;

  // ---- seeding and read-only views, for tests ------------------------------------------------

  /** A ticket intake opened: its number, from the customer's first email. */
  seedTicket(input: {
    customerEmail: string;
    subject: string;
    text: string;
    at: Date;
    customerName?: string | null;
    priority?: Priority;
    category?: Category;
    status?: TicketStatus;
    triaged?: boolean;
  }): number {
    const ticketId = this.#nextEntryId++;
    this.#state.tickets.push({
      ticketId,
      customerId: 1000 + ticketId,
      customerEmail: input.customerEmail,
      subject: input.subject,
      status: input.status ?? 'open',
      priority: input.priority ?? 'normal',
      category: input.category ?? 'general',
      assigneeAgentId: null,
      firstResponseAt: null,
      closedAt: input.status === 'closed' ? input.at : null,
      triaged: input.triaged ?? true,
      corrected: false,
      createdAt: input.at,
      emails: [
        {
          messageId: `ticket.${ticketId}@mail.customer.example`,
          address: input.customerEmail,
          name: input.customerName ?? null,
          text: input.text,
          at: input.at,
        },
      ],
      replies: [],
    });
    return ticketId;
  }

  /** An address whose mail bounced (`wroteSince`: a person wrote from it since). */
  seedFlag(address: string, reason: string, wroteSince = false): void {
    this.#state.flags.push({ address, reason, wroteSince });
  }

  ticket(ticketId: number): Readonly<StoredTicket> | undefined {
    return this.#state.tickets.find((t) => t.ticketId === ticketId);
  }
  get events(): readonly StoredEvent[] {
    return this.#state.events;
  }
  /** Replies queued for the outbox, in the order they were queued. */
  get queued(): readonly OutboundReply[] {
    return this.#state.queued;
  }
  get corrections(): readonly State['corrections'][number][] {
    return this.#state.corrections;
  }

  // ---- TicketStore ----------------------------------------------------------------------------

  async list(
    request: ListRequest,
    pageSize: number,
  ): Promise<{ readonly items: readonly TicketSummary[]; readonly hasMore: boolean }> {
    await Promise.resolve();
    const words = request.words.map((w) => w.toLowerCase());
    const matching = this.#state.tickets
      .filter((t) => request.status === 'all' || request.status === 'waiting' || t.status === request.status)
      .filter((t) => request.status !== 'waiting' || (t.status === 'open' && waitingSince(t) !== null))
      .filter((t) => request.priority === null || t.priority === request.priority)
      .filter((t) => request.category === null || t.category === request.category)
      .filter((t) => words.every((w) => `${t.subject} ${t.customerEmail}`.toLowerCase().includes(w)))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.ticketId - a.ticketId);
    const start = (request.page - 1) * pageSize;
    return {
      items: matching.slice(start, start + pageSize).map(summaryOf),
      hasMore: matching.length > start + pageSize,
    };
  }

  async suggest(prefix: string, limit: number): Promise<readonly TicketSummary[]> {
    await Promise.resolve();
    const p = prefix.toLowerCase();
    return this.#state.tickets
      .filter((t) => t.status === 'open' && (String(t.ticketId).startsWith(p) || t.subject.toLowerCase().includes(p)))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit)
      .map(summaryOf);
  }

  async detail(ticketId: number, threadLimit: number): Promise<TicketLookup<TicketDetail>> {
    await Promise.resolve();
    const t = this.#state.tickets.find((x) => x.ticketId === ticketId);
    if (!t) return { found: 'none' };
    const thread: StoredThreadEntry[] = [
      ...t.emails.map((e) => ({ from: e.address, at: e.at, text: e.text, staffId: null, internal: false })),
      ...t.replies.map((r) => ({
        from: `staff ${r.staffId}`,
        at: r.at,
        text: r.text,
        staffId: r.staffId,
        internal: false,
      })),
      ...this.#state.events
        .filter((e) => e.ticketId === ticketId && e.type === 'note')
        .map((e) => ({ from: e.actor, at: e.at, text: String(e.details['text']), staffId: null, internal: true })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    return {
      found: 'ticket',
      ticket: {
        summary: summaryOf(t),
        customerEmail: t.customerEmail,
        triage: {
          reasons: null,
          categoryConfidence: null,
          priorityConfidence: null,
          sentiment: null,
          language: null,
          triaged: t.triaged,
          corrected: t.corrected,
        },
        thread: thread.slice(-threadLimit),
      },
    };
  }

  async counts(since: Date): Promise<TicketCounts> {
    await Promise.resolve();
    const open = this.#state.tickets.filter((t) => t.status === 'open');
    const tally = (key: 'priority' | 'category') =>
      open.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t[key]]: (acc[t[key]] ?? 0) + 1 }), {});
    return {
      total: this.#state.tickets.length,
      open: open.length,
      closed: this.#state.tickets.length - open.length,
      createdSince: this.#state.tickets.filter((t) => t.createdAt >= since).length,
      openByPriority: tally('priority'),
      openByCategory: tally('category'),
      untriaged: this.#state.tickets.filter((t) => !t.triaged).length,
    };
  }

  async transaction<T>(work: (tx: TicketTransaction) => Promise<T>): Promise<T> {
    const copy = structuredClone(this.#state);
    const tx = new InMemoryTicketTransaction(copy, () => this.#nextEntryId++);
    const result = await work(tx);
    this.#state = copy;
    return result;
  }
}

class InMemoryTicketTransaction implements TicketTransaction {
  readonly #s: State;
  readonly #entryId: () => number;

  constructor(state: State, entryId: () => number) {
    this.#s = state;
    this.#entryId = entryId;
  }

  #ticket(ticketId: number): StoredTicket {
    const t = this.#s.tickets.find((x) => x.ticketId === ticketId);
    if (!t) throw new Error(`InMemoryTicketStore: no ticket #${ticketId} in this transaction`);
    return t;
  }

  async lockTicket(ticketId: number): Promise<TicketLookup<TicketRecord>> {
    await Promise.resolve();
    const t = this.#s.tickets.find((x) => x.ticketId === ticketId);
    if (t) return { found: 'ticket', ticket: recordOf(t) };
    const parent = this.#s.tickets.find((x) => x.replies.some((r) => r.entryId === ticketId));
    return parent ? { found: 'reply', parentId: parent.ticketId } : { found: 'none' };
  }

  async setStatus(ticketId: number, status: TicketStatus, at: Date): Promise<void> {
    await Promise.resolve();
    const t = this.#ticket(ticketId);
    t.status = status;
    t.closedAt = status === 'closed' ? at : null;
  }

  async setAssignee(ticketId: number, agentId: number | null): Promise<void> {
    await Promise.resolve();
    this.#ticket(ticketId).assigneeAgentId = agentId;
  }

  async correct(
    ticketId: number,
    field: 'priority' | 'category',
    from: string,
    to: string,
    agentId: number,
  ): Promise<void> {
    await Promise.resolve();
    const t = this.#ticket(ticketId);
    if (field === 'priority') t.priority = to as Priority;
    else t.category = to as Category;
    t.corrected = true;
    this.#s.corrections.push({ ticketId, field, from, to, agentId });
  }

  async addStaffReply(reply: Parameters<TicketTransaction['addStaffReply']>[0]): Promise<number> {
    await Promise.resolve();
    const t = this.#ticket(reply.ticketId);
    const entryId = this.#entryId();
    t.replies.push({ entryId, staffId: reply.staffId, text: reply.content, at: reply.at });
    t.firstResponseAt ??= reply.at;
    return entryId;
  }

  async lastCustomerEmail(ticketId: number) {
    await Promise.resolve();
    const t = this.#ticket(ticketId);
    const last = t.emails.at(-1);
    if (!last) return null;
    return {
      messageId: last.messageId,
      references: t.emails.slice(0, -1).map((e) => e.messageId),
      rootMessageId: t.emails[0]!.messageId,
      address: last.address,
      name: last.name,
      text: last.text,
      at: last.at,
    };
  }

  async threadAddresses(ticketId: number): Promise<string[]> {
    await Promise.resolve();
    const t = this.#ticket(ticketId);
    return [...new Set([t.customerEmail, ...t.emails.map((e) => e.address)])];
  }

  async queueReply(reply: OutboundReply): Promise<void> {
    await Promise.resolve();
    this.#s.queued.push(structuredClone(reply));
  }

  async isAddressFlagged(address: string): Promise<{ readonly reason: string; readonly wroteSince: boolean } | null> {
    await Promise.resolve();
    const flag = this.#s.flags.find((f) => f.address.toLowerCase() === address.toLowerCase());
    return flag ? { reason: flag.reason, wroteSince: flag.wroteSince } : null;
  }

  async recordEvent(
    ticketId: number,
    type: string,
    actor: string,
    details: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    await Promise.resolve();
    this.#s.events.push({ ticketId, type, actor, details: structuredClone(details), at });
  }
}

function waitingSince(t: StoredTicket): Date | null {
  const lastEmail = t.emails.at(-1)?.at ?? null;
  const lastReply = t.replies.at(-1)?.at ?? null;
  return lastEmail && (!lastReply || lastEmail > lastReply) ? lastEmail : null;
}

function summaryOf(t: StoredTicket): TicketSummary {
  return {
    ticketId: t.ticketId,
    subject: t.subject,
    customer: t.customerEmail,
    status: t.status,
    priority: t.priority,
    category: t.category,
    createdAt: t.createdAt,
    assignee: t.assigneeAgentId === null ? null : `agent ${t.assigneeAgentId}`,
    triaged: t.triaged,
    waitingSince: t.status === 'open' ? waitingSince(t) : null,
  };
}

function recordOf(t: StoredTicket): TicketRecord {
  return {
    ticketId: t.ticketId,
    customerId: t.customerId,
    customerEmail: t.customerEmail,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    category: t.category,
    assigneeAgentId: t.assigneeAgentId,
    firstResponseAt: t.firstResponseAt,
  };
}
