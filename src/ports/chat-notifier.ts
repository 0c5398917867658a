/**
 * Tells people in chat about a ticket: a new ticket, an escalation (urgent or very negative), a
 * customer's reply, an SLA alert or an automatic assignment (replies and assignments threaded under the
 * ticket's first post where the platform allows it).
 * Implementations never throw for a platform being down: they log, and a later notice still goes out.
 */
import type { ChatPlatform } from '../domain/platform.ts';

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

/**
 * Tells one person directly (a direct message on their chat platform): an SLA alert to the ticket's
 * assignee. Once per ticket, person and notice key (`onceKey`, else the kind), whoever races.
 * Never throws for the platform being down: it logs and resolves false.
 */
export interface DirectNotifier {
  readonly platform: ChatPlatform;
  /** True when this call posted it; false when it was posted before, or the platform refused. */
  notifyUser(userId: string, notice: TicketNotice): Promise<boolean>;
}
