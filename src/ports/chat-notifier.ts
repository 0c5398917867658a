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

/**
 * What became of one notice in one channel or DM: posted by this call, posted before (or being posted
 * by another process), or refused by the platform (`cause`: platform, channel and reason in our words,
 * never a token), its claim freed so that a later call posts it.
 */
export type NoticeDelivery =
  { readonly state: 'posted' | 'already' } | { readonly state: 'refused'; readonly cause: string };

export interface ChatNotifier {
  notify(notice: TicketNotice): Promise<void>;
  /**
   * As `notify`, once posted or given up, saying which (the SLA checker retries a refused alert later).
   * Absent: a notifier that cannot be refused (the console's log).
   */
  deliver?(notice: TicketNotice): Promise<NoticeDelivery>;
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
  /** As `notifyUser`, saying whether it was posted, posted before, or refused (and why). */
  deliverToUser?(userId: string, notice: TicketNotice): Promise<NoticeDelivery>;
}
