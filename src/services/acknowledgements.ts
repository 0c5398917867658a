/**
 * Acknowledgements of new tickets, and the rules that hold them back: no mail to our own or no-reply
 * addresses, to unauthenticated senders (ACK_UNAUTHENTICATED), to bounced addresses; at most
 * ACK_MAX_PER_HOUR to one normalised mailbox, ACK_MAX_PER_TICKET per ticket and ACK_MAX_TOTAL_PER_HOUR in
 * all, whose breaker stops all automatic mail until an operator resets it. Counted exactly: this intake's
 * own from memory (own-automatic-mail.ts), the other intakes' from the database.
 */
import { randomBytes } from 'node:crypto';
import { composeAcknowledgement } from '../domain/acknowledgement.ts';
import type { InboundEmail } from '../domain/inbound-email.ts';
import type { Language } from '../domain/language.ts';
import { newMessageId } from '../domain/message-id.ts';
import { normalisedMailbox, senderAuthenticated, trustedAuthenticationResults } from '../domain/spam.ts';
import type { IntakeTransaction } from '../ports/intake-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { IntakeSource } from './intake-result.ts';
import { OwnAutomaticMail, type OwnAttempt } from './own-automatic-mail.ts';

/** ACK_MAX_TOTAL_PER_HOUR's default. */
export const DEFAULT_ACK_MAX_TOTAL_PER_HOUR = 500;

/** What the acknowledgements' rules read of intake's settings. */
export interface AcknowledgementSettings {
  readonly messageIdDomain: string;
  readonly supportName: string;
  readonly ackEnabled: boolean;
  /** ACK_MAX_PER_HOUR: acknowledgements to one normalised mailbox per hour. */
  readonly ackMaxPerHour: number;
  /** SPAM_TRUSTED_AUTHSERV_ID: the authserv-id of our own mail server's Authentication-Results (null: none is trusted). */
  readonly trustedAuthservId?: string | null;
  /** ACK_UNAUTHENTICATED: acknowledge a sender our mail server reported nothing about ('send'), or not ('skip'). */
  readonly ackUnauthenticated?: 'send' | 'skip';
  /** ACK_MAX_PER_TICKET: automatic emails per ticket per hour. */
  readonly ackMaxPerTicket?: number;
  /** ACK_MAX_TOTAL_PER_HOUR: automatic emails in all per hour; reaching it trips the breaker that stops them all. */
  readonly ackMaxTotalPerHour?: number;
}

export class Acknowledgements {
  readonly #settings: AcknowledgementSettings;
  readonly #own: ReadonlySet<string>;
  readonly #log: Logger;
  /** The automatic emails this intake queued: the caps count these exactly, the database's rows for the others. */
  readonly #ownAutomaticMail = new OwnAutomaticMail();
  /** This intake's name on the automatic emails it records (support_auto_mail.queued_by). */
  readonly #instanceId = randomBytes(12).toString('base64url');
  #breakerLogged = false;

  constructor(settings: AcknowledgementSettings, own: ReadonlySet<string>, log: Logger) {
    this.#settings = settings;
    this.#own = own;
    this.#log = log;
  }

  /** One attempt at storing an email: what it queues counts once it commits. */
  begin(): OwnAttempt {
    return this.#ownAutomaticMail.begin();
  }

  /** The acknowledgement of a new ticket, queued in its transaction, or recorded as suppressed with why. */
  async queue(
    tx: IntakeTransaction,
    ack: {
      ticketId: number;
      to: string;
      /** Why the recipient is not known to be the sender (null: authenticated, or the policy sends anyway). */
      notAuthenticated: string | null;
      subject: string;
      language: Language;
      inReplyTo: string | null;
      references: string[];
      now: Date;
    },
    acks: OwnAttempt,
  ): Promise<'queued' | `suppressed: ${string}`> {
    const settings = this.#settings;
    let suppressed: string | null = null;
    if (!settings.ackEnabled) suppressed = 'acknowledgements are disabled';
    else if (this.#own.has(ack.to)) suppressed = 'the sender is one of our own addresses';
    else if (/^(no-?reply|do-?not-?reply|ne-?pas-?repondre)[@+.-]/i.test(ack.to))
      suppressed = 'the sender is a no-reply address';
    else if (ack.notAuthenticated) suppressed = ack.notAuthenticated;
    else if (await tx.isAddressFlagged(ack.to)) suppressed = 'the address bounced before';
    else {
      const mailbox = normalisedMailbox(ack.to);
      const since = new Date(ack.now.getTime() - 3_600_000);
      // The other intakes' automatic mail as the database shows it; this one's own, exactly, from memory.
      const counts = await tx.automaticMailSince({
        mailbox,
        ticketId: ack.ticketId,
        since,
        exceptQueuedBy: this.#instanceId,
      });
      // An operator's reset lets automatic mail go again: the total counts from then.
      const totalSince = counts.breakerResetAt && counts.breakerResetAt > since ? counts.breakerResetAt : since;
      const own = acks.counts(mailbox, since, totalSince);
      const perTicket = settings.ackMaxPerTicket ?? 1;
      const total = settings.ackMaxTotalPerHour ?? DEFAULT_ACK_MAX_TOTAL_PER_HOUR;
      if (counts.breakerTrippedAt) {
        suppressed = `all automatic mail is stopped since ${counts.breakerTrippedAt.toISOString()} (the hourly cap was hit): "npx ticketrelay breaker reset" lets it go again`;
      } else if (counts.mailbox + own.mailbox >= settings.ackMaxPerHour) {
        suppressed = `already ${settings.ackMaxPerHour} acknowledgements to this address${mailbox === ack.to.toLowerCase() ? '' : ` (as ${mailbox})`} in the last hour`;
      } else if (counts.ticket >= perTicket) {
        suppressed = `already ${perTicket} automatic email${perTicket === 1 ? '' : 's'} on this ticket in the last hour`;
      } else if (counts.total + own.total >= total) {
        suppressed = `the cap of ${total} automatic emails an hour (ACK_MAX_TOTAL_PER_HOUR) was reached: all automatic mail is stopped until "npx ticketrelay breaker reset"`;
        await tx.tripBreaker(
          `${total} automatic emails within an hour (ACK_MAX_TOTAL_PER_HOUR), the last one queued for ticket #${ack.ticketId}`,
          ack.now,
        );
        this.#breakerTripped(ack.ticketId, total);
      } else {
        this.#breakerLogged = false;
        acks.queue(mailbox, ack.now);
        await tx.recordAutomaticMail(mailbox, ack.ticketId, ack.now, this.#instanceId);
      }
    }
    const mail = composeAcknowledgement({
      ticketId: ack.ticketId,
      subject: ack.subject,
      language: ack.language,
      supportName: settings.supportName,
    });
    await tx.recordMessage({
      messageId: newMessageId(settings.messageIdDomain, ack.ticketId),
      ticketId: ack.ticketId,
      threadEntryId: null,
      direction: 'outbound',
      kind: 'ack',
      outcome: suppressed ? 'suppressed' : 'queued',
      threadSignal: null,
      automatedKind: null,
      automatedReason: suppressed,
      peerAddress: ack.to,
      subject: mail.subject,
      inReplyTo: ack.inReplyTo ? [ack.inReplyTo] : [],
      references: ack.references.slice(-20),
      language: ack.language,
      bodyText: mail.text,
      originalText: null,
      notes: [],
      source: 'intake',
      rawSize: null,
      delivery: suppressed ? 'suppressed' : 'pending',
      at: ack.now,
    });
    return suppressed ? `suppressed: ${suppressed}` : 'queued';
  }

  /**
   * Why an acknowledgement to `to` would not reach the person who wrote: our mail server's trusted
   * Authentication-Results do not vouch for that address's domain (a forged From, a Reply-To naming
   * someone else), or it reported nothing and ACK_UNAUTHENTICATED=skip. Null: send it.
   */
  authenticationProblem(email: InboundEmail, source: IntakeSource, to: string): string | null {
    const settings = this.#settings;
    const auth =
      source.kind === 'web' ? null : trustedAuthenticationResults(email.headers, settings.trustedAuthservId ?? null);
    if (auth) {
      const verdict = senderAuthenticated(auth, to);
      return verdict.authenticated ? null : `the sender is not authenticated: ${verdict.how}`;
    }
    if ((settings.ackUnauthenticated ?? 'send') === 'send') return null;
    return source.kind === 'web'
      ? "the web form cannot prove the address is the sender's (ACK_UNAUTHENTICATED=skip)"
      : 'our mail server reported no authentication for the sender (ACK_UNAUTHENTICATED=skip)';
  }

  /** Said once per process and trip, as an error: the chat alert is the bots role's (see ChatNoticeLoop). */
  #breakerTripped(ticketId: number, total: number): void {
    if (this.#breakerLogged) return;
    this.#breakerLogged = true;
    this.#log.error(
      { ticketId, cap: total },
      `automatic mail stopped: ${total} automatic emails within an hour (ACK_MAX_TOTAL_PER_HOUR). Check for a flood, then run "npx ticketrelay breaker reset"`,
    );
  }
}
