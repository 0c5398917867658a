/**
 * Tells people in chat about a ticket: a new ticket, an escalation (urgent or very negative), a
 * customer's reply, an SLA alert or an automatic assignment (replies and assignments threaded under the
 * ticket's first post where the platform allows it).
 * Implementations never throw for a platform being down: they log, and a later notice still goes out.
 */
export type TicketNoticeKind = 'new' | 'escalation' | 'reply' | 'sla' | 'assignment';

export interface TicketNotice {
  readonly kind: TicketNoticeKind;
  readonly ticketId: number;
  readonly subject: string;
  readonly customer: string;
  readonly priority: string;
  readonly category: string;
  /** One line each: why triage decided what it did, or the first lines of the reply. */
  readonly lines: readonly string[];
  /**
   * Post this notice at most once per ticket and key in a channel, whoever races (an SLA alert:
   * "sla:fr:0:b"); at most 16 characters. Absent: new tickets and escalations once per ticket, replies each time.
   */
  readonly onceKey?: string;
}

export interface ChatNotifier {
  notify(notice: TicketNotice): Promise<void>;
}
