/**
 * TriageStore in memory, for the triage service's unit tests: the semantics of the port's contract
 * (a ticket already triaged is not saved again, an agent's correction keeps its labels, an escalation
 * is claimed once), on plain records.
 */
import type { SaveResult, StoredDecision, TicketForTriage, TriageStore } from '../../src/ports/triage-store.ts';

export class InMemoryTriageStore implements TriageStore {
  readonly tickets = new Map<number, TicketForTriage & { readonly createdAt: Date }>();
  readonly decisions = new Map<number, StoredDecision>();
  loads = 0;

  add(ticket: Partial<TicketForTriage> & { readonly ticketId: number; readonly createdAt?: Date }): void {
    this.tickets.set(ticket.ticketId, {
      subject: 'Where is my order?',
      text: 'Hello, my order has not arrived yet, can you send the tracking number?',
      customerEmail: 'jane@customer.example',
      mailbox: null,
      orderNumber: null,
      triaged: false,
      corrected: false,
      category: 'general',
      priority: 'normal',
      sentiment: null,
      escalated: false,
      reasons: null,
      createdAt: new Date(0),
      ...ticket,
    });
  }

  async loadTicket(ticketId: number): Promise<TicketForTriage | null> {
    await Promise.resolve();
    this.loads++;
    return this.tickets.get(ticketId) ?? null;
  }

  async saveDecision(ticketId: number, decision: StoredDecision): Promise<SaveResult> {
    await Promise.resolve();
    const ticket = this.tickets.get(ticketId);
    if (!ticket) return { result: 'not_found', escalationClaimed: false };
    if (ticket.triaged) return { result: 'already_triaged', escalationClaimed: false };
    const kept = ticket.corrected
      ? { category: ticket.category, priority: ticket.priority }
      : { category: decision.category, priority: decision.priority };
    const claimed = decision.escalate && !ticket.escalated;
    this.tickets.set(ticketId, {
      ...ticket,
      ...kept,
      triaged: true,
      sentiment: decision.sentiment,
      reasons: decision.reasons,
      escalated: ticket.escalated || claimed,
    });
    this.decisions.set(ticketId, decision);
    return { result: 'saved', escalationClaimed: claimed };
  }

  async claimEscalation(ticketId: number): Promise<boolean> {
    await Promise.resolve();
    const ticket = this.tickets.get(ticketId);
    if (!ticket || ticket.escalated) return false;
    this.tickets.set(ticketId, { ...ticket, escalated: true });
    return true;
  }

  async untriagedTicketIds(createdBefore: Date, limit: number): Promise<number[]> {
    await Promise.resolve();
    return [...this.tickets.values()]
      .filter((t) => !t.triaged && t.createdAt < createdBefore)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((t) => t.ticketId);
  }
}
