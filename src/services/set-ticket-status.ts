/**
 * Closing and reopening a ticket: one rule for agents' `/ticket close|reopen` (run-command.ts) and the
 * old web module's API (PUT /api/support/contact/ticket/N/status). Under the ticket's row lock, a ticket
 * already in that status is left as it is (nothing written, no event); otherwise its status changes on
 * our row and the shop's, and the audit trail gets a 'closed' or 'reopened' event by `actor`.
 */
import type { TicketStatus } from '../domain/ticket.ts';
import type { TicketStatusStore } from '../ports/support-api-store.ts';
import type { TicketRecord, TicketStore, TicketTransaction } from '../ports/ticket-store.ts';

/**
 * The rule, inside a transaction the caller holds with the ticket locked. True when the status changed.
 * `details` go into the audit event as they are (each caller says what it knows: the agent, a reason).
 */
export async function applyStatus(
  tx: Pick<TicketTransaction, 'setStatus' | 'recordEvent'>,
  ticket: Pick<TicketRecord, 'ticketId' | 'status'>,
  change: {
    readonly status: TicketStatus;
    readonly actor: string;
    readonly details: Record<string, unknown>;
    readonly at: Date;
  },
): Promise<boolean> {
  if (ticket.status === change.status) return false;
  await tx.setStatus(ticket.ticketId, change.status, change.at);
  await tx.recordEvent(
    ticket.ticketId,
    change.status === 'closed' ? 'closed' : 'reopened',
    change.actor,
    change.details,
    change.at,
  );
  return true;
}

/** The rule in a transaction of its own, for callers outside chat (the web module's API). */
export class TicketStatusService implements TicketStatusStore {
  readonly #store: Pick<TicketStore, 'transaction'>;

  constructor(deps: { store: Pick<TicketStore, 'transaction'> }) {
    this.#store = deps.store;
  }

  /** The status before, or null when the number is not a support ticket (nothing is written then). */
  setStatus(
    ticketId: number,
    status: TicketStatus,
    actor: string,
    at: Date,
  ): Promise<{ previous: TicketStatus } | null> {
    return this.#store.transaction(async (tx) => {
      // lockTicket adopts a ticket the old site created, and takes in a status it changed there.
      const lookup = await tx.lockTicket(ticketId);
      if (lookup.found !== 'ticket') return null;
      const previous = lookup.ticket.status;
      await applyStatus(tx, lookup.ticket, { status, actor, details: { from: previous, to: status }, at });
      return { previous };
    });
  }
}
