/**
 * The intake use case: one raw email in, one recorded outcome out. IMAP, .eml/mbox files and the web
 * form all come through here. Order of decisions: duplicate → automated (loop guard) → sender →
 * thread (headers, then [#N] from a sender on the ticket) → new ticket. Everything for one email is
 * written in one transaction; triage and the acknowledgement happen after the commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ArrivalOrder } from '../domain/arrival-order.ts';
import { classifyAutomated, type AutomatedVerdict } from '../domain/automated-mail.ts';
import { bounceDetails, messageIdFromVerp } from '../domain/bounce.ts';
import { describeError, isAppError } from '../domain/errors.ts';
import { senderAuthentication, type SenderAuthentication } from '../domain/sender-authentication.ts';
import type { InboundEmail, MailAddress } from '../domain/inbound-email.ts';
import { detectLanguage, type Language } from '../domain/language.ts';
import { cutQuotedHistory } from '../domain/quoted-history.ts';
import { trustedAuthenticationResults, upstreamSpamVerdict, type SpamVerdict } from '../domain/spam.ts';
import {
  cleanSubject,
  findOrderNumber,
  replySubject,
  splitDisplayName,
  ticketMentionInSubject,
  ticketTagInSubject,
} from '../domain/ticket.ts';
import type { EmailParser } from '../ports/email-parser.ts';
import type { IntakeStore, IntakeTransaction, SentMessage, ThreadSignal, IntakeTicket } from '../ports/intake-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { Quarantine } from '../ports/quarantine.ts';
import type { SpamFilter } from '../ports/spam-filter.ts';
import type { TriageQueue } from '../ports/triage-queue.ts';
import type { OutboxDelivery } from './deliver-outbox.ts';
import { Acknowledgements, type AcknowledgementSettings } from './acknowledgements.ts';
import type { OwnAttempt } from './own-automatic-mail.ts';
import {
  describeResult,
  type IngestOptions,
  type IntakeListener,
  type IntakeResult,
  type IntakeSource,
} from './intake-result.ts';

export interface IntakeSettings extends AcknowledgementSettings {
  readonly ownAddresses: readonly string[];
  readonly supportAddress: string;
  readonly reopenOnReply: boolean;
  readonly defaultLanguage: Language;
  /** SPAM_TRUSTED_AUTHSERV_ID: the authserv-id of our own mail server's Authentication-Results (null: none is trusted). */
  readonly trustedAuthservId?: string | null;
  /** Outgoing mail's envelope sender is per message (support+bounce-<token>@…): a bounce to it is ours for sure. */
  readonly bounceVerp?: boolean;
}

export interface IntakeDeps {
  readonly parser: EmailParser;
  readonly store: IntakeStore;
  readonly triage: TriageQueue;
  readonly outbox: OutboxDelivery;
  readonly quarantine: Quarantine;
  /** Where the raw bytes of spam are kept for review (absent: the rejected folder's quarantine). */
  readonly spamArchive?: Quarantine;
  /** SPAM_FILTER: a local spam filter asked about each email from a person (absent: the headers alone decide). */
  readonly spamFilter?: SpamFilter | null;
  readonly logger: Logger;
  readonly settings: IntakeSettings;
  readonly clock?: () => Date;
}

/** Who wrote an email: its From address, and what our mail server said of it. */
interface Writer {
  readonly address: string;
  readonly auth: SenderAuthentication;
}

/** Addresses on a ticket's thread, its customer included (a garage, a spouse, a second address). */
const MAX_PARTICIPANTS = 6;

/** Stored text of automatic mail and rejected notes is capped: the record, not an archive. */
const AUTOMATED_TEXT_MAX = 64 * 1024;
const CONFLICT_RETRIES = 3;
/** A soft bounce sends the email back to the outbox for this much later, at most this many times. */
const SOFT_BOUNCE_RETRY_MS = 30 * 60_000;
const SOFT_BOUNCES_MAX = 3;
/** Longest an email that is read waits for an earlier one still being read (a 50 MB one takes seconds). */
const ARRIVAL_WAIT_MS = 3_000;

export class IntakeService {
  readonly #deps: IntakeDeps;
  readonly #own: Set<string>;
  readonly #log: Logger;
  /** Emails being taken now, by Message-ID: a reply or a second copy waits for the one it depends on. */
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #acknowledgements: Acknowledgements;
  readonly #arrival = new ArrivalOrder(ARRIVAL_WAIT_MS);
  readonly #listeners: IntakeListener[] = [];

  constructor(deps: IntakeDeps) {
    this.#deps = deps;
    this.#own = new Set(deps.settings.ownAddresses.map((a) => a.toLowerCase()));
    this.#log = deps.logger.child({ component: 'intake' });
    this.#acknowledgements = new Acknowledgements(deps.settings, this.#own, this.#log);
  }

  /** Adds a listener told of every email's outcome (the metrics registry's counters and timings). */
  onResult(listener: IntakeListener): void {
    this.#listeners.push(listener);
  }

  #told(result: IntakeResult, started: number): IntakeResult {
    const seconds = (performance.now() - started) / 1000;
    for (const listener of this.#listeners) listener(result, seconds);
    return result;
  }

  /**
   * Takes one raw email. Resolves with its outcome for everything a person can get wrong (a broken
   * email is 'rejected', never thrown); throws only what breaks: the database is gone (retryable).
   */
  async ingest(raw: Uint8Array, source: IntakeSource, options: IngestOptions = {}): Promise<IntakeResult> {
    const started = performance.now();
    const place = this.#arrival.take();
    let email: InboundEmail;
    try {
      email = await this.#deps.parser.parse(raw);
    } catch (error) {
      this.#arrival.leave(place);
      // The parser itself unavailable (shutting down): a temporary failure, not this email's fault.
      if (isAppError(error) && error.retryable) throw error;
      return this.#told(await this.#reject(raw, null, `unparseable: ${describeError(error)}`, source, null), started);
    }
    // Parsed in parallel, taken in the order they came: see ArrivalOrder.
    await this.#arrival.turn(place);
    try {
      // Registers the email and sends its Message-ID lookup before it returns: the next in line
      // sees it in flight, and the store takes their transactions in this order.
      return this.ingestParsed(email, source, raw, options);
    } finally {
      this.#arrival.leave(place);
    }
  }

  /** Records an email too large to read (its bytes are not kept here: the source still has them). */
  async rejectOversized(size: number, limit: number, source: IntakeSource): Promise<IntakeResult> {
    const started = performance.now();
    const reason = `message of ${formatMessageSize(size)} is larger than the ${formatMessageSize(limit)} limit (MESSAGE_MAX_BYTES)`;
    const key = `oversized:${source.kind}:${source.name ?? ''}:${size}`;
    return this.#told(
      await this.#reject(
        null,
        null,
        reason,
        source,
        `oversized:${createHash('sha256').update(key).digest('hex').slice(0, 40)}`,
      ),
      started,
    );
  }

  /** Takes an email already parsed (the web form builds one without MIME). */
  async ingestParsed(
    email: InboundEmail,
    source: IntakeSource,
    raw: Uint8Array | null = null,
    options: IngestOptions = {},
  ): Promise<IntakeResult> {
    const started = performance.now();
    const messageId = email.messageId ?? `sha256:${email.contentHash}`;
    // Emails from one address are taken one after the other, in the order they came: the first
    // creates the customer and the next find it (no conflict, no retry that would overtake the
    // others), and ACK_MAX_PER_HOUR withholds the last acknowledgements of a burst, not the first.
    const from = senderOf(email, this.#own)?.address;
    const keys = from ? [messageId, `from:${from}`] : [messageId];
    const dependsOn = [
      ...keys,
      ...email.inReplyTo,
      ...email.references,
      ...(email.deliveryReport?.originalMessageIds ?? []),
    ]
      .map((id) => this.#inflight.get(id))
      .filter((p): p is Promise<unknown> => p !== undefined);
    // Registered before it waits, so that a reply to this reply, arriving meanwhile, waits for it too.
    const work = (async () => {
      if (dependsOn.length > 0) await Promise.allSettled(dependsOn);
      return this.#take(email, messageId, source, raw, options);
    })();
    for (const key of keys) this.#inflight.set(key, work);
    try {
      return this.#told(await work, started);
    } finally {
      for (const key of keys) if (this.#inflight.get(key) === work) this.#inflight.delete(key);
    }
  }

  async #take(
    email: InboundEmail,
    messageId: string,
    source: IntakeSource,
    raw: Uint8Array | null,
    options: IngestOptions,
  ): Promise<IntakeResult> {
    const log = this.#log.child({ messageId, source: source.name ?? source.kind });
    const existing = await this.#deps.store.findMessage(messageId);
    const sender = senderOf(email, this.#own);
    // Only a missing sender rejects an email under its own Message-ID (see #reject's callers).
    const rejectedBefore = existing?.outcome === 'rejected';
    const verdict = this.#automatedVerdict(email, sender);
    if (rejectedBefore && !sender && !verdict) {
      // Not taken the first time, and still not: saying "duplicate" would tell a mail server piping it
      // in that it was delivered. Its bytes were kept then; nothing new is recorded.
      log.info({ outcome: 'rejected' }, 'email rejected before, delivered again: still rejected');
      return {
        outcome: 'rejected',
        messageId,
        reason:
          'this message was rejected before (no sender address); it is still not taken: add a From line to the file kept in the rejected folder and ingest it again',
        keptAt: null,
      };
    }
    if (existing && !rejectedBefore) {
      log.info({ ticketId: existing.ticketId, outcome: 'duplicate' }, 'email already taken: nothing changed');
      return { outcome: 'duplicate', messageId, ticketId: existing.ticketId };
    }
    // Rejected before for want of a sender, and fixed since (an operator added a From line): the
    // rejection record goes in the same transaction that takes it.
    if (rejectedBefore) log.info({ sender: sender?.address }, 'email rejected before now has a sender: taking it');

    let result: IntakeResult;
    try {
      if (verdict) {
        result = await this.#withConflictRetry(() =>
          this.#takeAutomated(email, messageId, verdict, source, rejectedBefore),
        );
      } else if (!sender) {
        return await this.#reject(
          raw,
          email,
          'no sender address (From, Reply-To and Sender are missing or unusable)',
          source,
          messageId,
        );
      } else {
        // Spam is looked for only in what would reach a person: automatic mail never opens a ticket anyway.
        const spam = options.released ? null : await this.#spamVerdict(email, raw, source, log);
        result = spam
          ? await this.#holdSpam(email, messageId, sender, spam, source, raw, rejectedBefore)
          : await this.#withConflictRetry(() => this.#takeFromPerson(email, messageId, sender, source, rejectedBefore));
      }
    } catch (error) {
      if (isAppError(error) && error.code === 'email.duplicate') {
        const row = await this.#deps.store.findMessage(messageId);
        log.info(
          { ticketId: row?.ticketId ?? null, outcome: 'duplicate' },
          'email taken meanwhile by another delivery: nothing changed',
        );
        return { outcome: 'duplicate', messageId, ticketId: row?.ticketId ?? null };
      }
      throw error;
    }

    if (result.outcome === 'created') {
      const triage = await this.#enqueueTriage(result.ticketId, log);
      result = { ...result, triage };
      // Sent after the commit, without holding up the next email; the outbox row makes it durable.
      if (result.acknowledgement === 'queued')
        this.#deps.outbox
          .deliverPending()
          .catch((error: unknown) =>
            log.warn({ err: describeError(error) }, 'outbox pass failed; the acknowledgement stays pending'),
          );
    }
    log.info({ ...summaryFields(result), notes: email.notes.length ? email.notes : undefined }, describeResult(result));
    return result;
  }

  /**
   * Spam by the verdicts our mail server wrote, then by the local filter when there is one. The web
   * form's headers are our own front end's, and it has no raw email to scan.
   */
  async #spamVerdict(
    email: InboundEmail,
    raw: Uint8Array | null,
    source: IntakeSource,
    log: Logger,
  ): Promise<SpamVerdict | null> {
    if (source.kind === 'web') return null;
    const auth = trustedAuthenticationResults(email.headers, this.#deps.settings.trustedAuthservId ?? null);
    const upstream = upstreamSpamVerdict(email.headers, auth);
    if (upstream) return upstream;
    const filter = this.#deps.spamFilter;
    if (!filter || !raw) return null;
    try {
      const verdict = await filter.check(raw);
      if (!verdict.spam) return null;
      const rules = verdict.rules.length ? ` (${verdict.rules.slice(0, 6).join(', ')})` : '';
      return {
        code: 'spam-filter',
        reason: `${filter.name} scored it ${verdict.score} of ${verdict.threshold}${rules}`,
      };
    } catch (error) {
      // Mail keeps flowing while the filter is away (as a mail server does): the headers still decide.
      log.warn({ err: describeError(error) }, 'spam filter unavailable: the email is taken without its verdict');
      return null;
    }
  }

  /** Spam: no ticket, no acknowledgement; the raw kept for an agent to review and release. */
  async #holdSpam(
    email: InboundEmail,
    messageId: string,
    sender: MailAddress,
    spam: SpamVerdict,
    source: IntakeSource,
    raw: Uint8Array | null,
    rejectedBefore: boolean,
  ): Promise<IntakeResult> {
    const archive = this.#deps.spamArchive ?? this.#deps.quarantine;
    const keptAt = raw ? await archive.keep(raw, createHash('sha256').update(raw).digest('hex')) : null;
    const now = this.#now();
    await this.#deps.store.transaction(async (tx) => {
      if (rejectedBefore) await tx.forgetRejection(messageId);
      await tx.holdSpam({
        messageId,
        sender: sender.address,
        subject: email.subject,
        code: spam.code,
        reason: spam.reason,
        rawLocation: keptAt,
        rawSize: raw?.byteLength ?? email.rawSize,
        source: source.mailbox ? `${source.kind}:${source.mailbox}` : source.kind,
        at: now,
      });
    });
    return { outcome: 'spam', messageId, code: spam.code, reason: spam.reason, keptAt };
  }

  #automatedVerdict(email: InboundEmail, sender: MailAddress | null): AutomatedVerdict | null {
    const verdict = classifyAutomated(email, this.#deps.settings.messageIdDomain);
    if (verdict) return verdict;
    const ours = [email.from?.address, sender?.address].find((a) => a !== undefined && this.#own.has(a));
    if (ours) return { kind: 'loop', code: 'loop.own_address', reason: `From our own address ${ours}` };
    return null;
  }

  async #takeFromPerson(
    email: InboundEmail,
    messageId: string,
    sender: MailAddress,
    source: IntakeSource,
    rejectedBefore: boolean,
  ): Promise<IntakeResult> {
    const now = this.#now();
    const attempt = this.#acknowledgements.begin();
    try {
      const result = await this.#deps.store.transaction(
        async (tx) => {
          // Run again after its group was rolled back: what the earlier run queued was never stored.
          attempt.restart();
          if (rejectedBefore) await tx.forgetRejection(messageId);
          // Who wrote is the From address (what the mail server checks), not a Reply-To anyone can set.
          const writer = { address: email.from?.address ?? sender.address, auth: this.#authentication(email) };
          const thread = await this.#findThread(tx, email, writer.address, now, source);
          if (thread.ticket)
            return this.#addCustomerReply(
              tx,
              email,
              messageId,
              sender,
              thread.ticket,
              thread.signal,
              source,
              now,
              writer,
            );
          return this.#createTicket(
            tx,
            email,
            messageId,
            sender,
            source,
            now,
            thread.note,
            attempt,
            writer,
            thread.linkedTicketId,
          );
        },
        // Its group rolled back: what this run queued was never stored and must not hold others back
        // (ACK_MAX_TOTAL_PER_HOUR) while the group's emails are stored again one by one.
        { onRolledBack: () => attempt.restart() },
      );
      attempt.commit();
      return result;
    } finally {
      attempt.end();
    }
  }

  /**
   * The ticket an email belongs to. By its headers or its [#N] tag only when the writer is on that ticket
   * (its customer or a participant): anyone can copy a customer's Message-ID into In-Reply-To. A stranger's
   * email opens a new ticket that names the one it points at. The web form never joins a ticket: its
   * sender's address is typed, not checked.
   */
  async #findThread(
    tx: IntakeTransaction,
    email: InboundEmail,
    writer: string,
    // What the old site changed, taken in on the way, is dated before this email's own events.
    now: Date,
    source: IntakeSource,
  ): Promise<{
    ticket: IntakeTicket | null;
    signal: ThreadSignal;
    note: string | null;
    linkedTicketId: number | null;
  }> {
    const none = { ticket: null, signal: 'none' as const, linkedTicketId: null };
    const onTicket = async (ticket: IntakeTicket) =>
      ticket.customerEmail.trim().toLowerCase() === writer || (await tx.isParticipant(ticket.ticketId, writer));
    const tag = ticketTagInSubject(email.subject);
    if (source.kind === 'web') {
      return {
        ...none,
        note: tag === null ? null : `subject tag [#${tag}] ignored: the web form never adds to an existing ticket`,
      };
    }
    const headerIds = [...email.inReplyTo, ...[...email.references].reverse()];
    let stranger: { ticketId: number; signal: string } | null = null;
    if (headerIds.length > 0) {
      const found = await tx.ticketForMessageIds(headerIds.slice(0, 50), now);
      if (found) {
        const signal = email.inReplyTo.includes(found.matchedId) ? 'in_reply_to' : 'references';
        if (await onTicket(found.ticket)) return { ticket: found.ticket, signal, note: null, linkedTicketId: null };
        stranger = { ticketId: found.ticket.ticketId, signal: signal === 'in_reply_to' ? 'In-Reply-To' : 'References' };
      }
    }
    const strangerNote = (ticketId: number, why: string) =>
      `${why} points at ticket #${ticketId}, but ${writer} is neither its customer nor on its thread: opened as a new ticket, linked to #${ticketId}`;
    if (tag === null) {
      // "Demande n° 4" typed by the customer: the same rule as the tag, and silence when it is not theirs (an order number).
      const typed = ticketMentionInSubject(email.subject);
      const mentioned = typed === null ? null : await tx.ticketById(typed, now);
      if (mentioned && (await onTicket(mentioned))) {
        return {
          ticket: mentioned,
          signal: 'subject_tag',
          note: `ticket number typed in the subject ("${email.subject.slice(0, 80)}")`,
          linkedTicketId: null,
        };
      }
      if (stranger)
        return { ...none, note: strangerNote(stranger.ticketId, stranger.signal), linkedTicketId: stranger.ticketId };
      return { ...none, note: null };
    }
    const ticket = await tx.ticketById(tag, now);
    if (ticket && (await onTicket(ticket))) return { ticket, signal: 'subject_tag', note: null, linkedTicketId: null };
    if (stranger)
      return { ...none, note: strangerNote(stranger.ticketId, stranger.signal), linkedTicketId: stranger.ticketId };
    return {
      ...none,
      note: ticket
        ? `subject tag [#${tag}] ignored: ${writer} is not on that ticket`
        : `subject tag [#${tag}] ignored: no such ticket`,
      linkedTicketId: ticket ? ticket.ticketId : null,
    };
  }

  #authentication(email: InboundEmail): SenderAuthentication {
    return senderAuthentication(
      trustedAuthenticationResults(email.headers, this.#deps.settings.trustedAuthservId ?? null),
      email.from?.address ?? null,
    );
  }

  async #createTicket(
    tx: IntakeTransaction,
    email: InboundEmail,
    messageId: string,
    sender: MailAddress,
    source: IntakeSource,
    now: Date,
    threadNote: string | null,
    acks: OwnAttempt,
    writer: Writer,
    linkedTicketId: number | null,
  ): Promise<IntakeResult> {
    const names = splitDisplayName(sender.name, sender.address);
    // The phone the customer typed on our web form (a header only our HTTP front end writes; ignored on mail).
    // Unverified: it goes on a new customer's row, never onto an existing one's, and stays on the ticket.
    const phone =
      source.kind === 'web' ? email.headers.get('x-customer-phone')?.[0]?.trim().slice(0, 32) || null : null;
    const form = source.kind === 'web' ? (source.webForm ?? null) : null;
    // A customer id the page claims is taken only when that customer has the sender's address: never trusted blindly.
    const claimed = form?.claimedCustomerId
      ? await tx.customerWithAddress(form.claimedCustomerId, sender.address)
      : null;
    const customer = claimed
      ? { customerId: claimed, created: false }
      : await tx.findOrCreateCustomer(sender.address, names, phone);
    const text = email.text.trim() || '(empty message)';
    const language = detectLanguage(`${email.subject}\n${text}`).language;
    const orderNumber = form?.orderNumber ?? findOrderNumber(`${email.subject}\n${text}`);
    const priority = form?.priority ?? 'normal';
    const category = form?.category ?? 'general';
    const subject = cleanSubject(email.subject) || (language === 'fr' ? '(sans objet)' : '(no subject)');
    const ticketId = await tx.createTicket({
      customerId: customer.customerId,
      customerEmail: sender.address,
      subject,
      text,
      messageId: email.messageId,
      attachments: email.attachments.flatMap((a) =>
        a.sha256 ? [{ name: a.filename, sha256: a.sha256, size: a.size }] : [],
      ),
      phone,
      linkedTicketId,
      priority,
      category,
      customerChoice: { priority: form?.priority ?? null, category: form?.category ?? null },
      ...(form
        ? {
            lead: { sourcePage: form.sourcePage, vehicle: vehicleText(form.vehicleInfo) },
            webForm: {
              categoryAsSent: form.categoryAsSent && form.categoryAsSent !== form.category ? form.categoryAsSent : null,
              vehicleInfo: form.vehicleInfo,
              sourcePage: form.sourcePage,
              customerIdNotTaken: form.claimedCustomerId && claimed === null ? form.claimedCustomerId : null,
            },
          }
        : {}),
      language,
      orderNumber,
      source: source.kind === 'web' ? 'web' : 'email',
      mailbox: source.mailbox ?? null,
      at: now,
    });
    const notes = threadNote ? [...email.notes, threadNote] : email.notes;
    await tx.recordMessage({
      ...this.#inboundRecord(email, messageId, source, now, notes),
      ticketId,
      threadEntryId: ticketId,
      kind: 'ticket',
      outcome: 'created',
      threadSignal: 'none',
      peerAddress: sender.address,
      peerName: sender.name.trim() || null,
      language,
    });
    await tx.addParticipants(ticketId, this.#participants(email, sender, writer, sender.address, 'new'));
    if (email.attachments.length) await tx.addAttachments(messageId, ticketId, email.attachments);
    await tx.recordEvent(
      ticketId,
      'ticket_created',
      `customer:${sender.address}`,
      {
        messageId,
        source: source.kind,
        customerCreated: customer.created,
        ...(threadNote ? { note: threadNote } : {}),
        ...(linkedTicketId !== null ? { linkedTicketId } : {}),
      },
      now,
    );
    // The ticket it pointed at says so too: its agents see that someone else wrote about it.
    if (linkedTicketId !== null) {
      await tx.recordEvent(
        linkedTicketId,
        'stranger_linked',
        `customer:${writer.address}`,
        { messageId, newTicketId: ticketId, note: threadNote },
        now,
      );
    }

    const acknowledgement = await this.#acknowledgements.queue(
      tx,
      {
        ticketId,
        to: sender.address,
        notAuthenticated: this.#acknowledgements.authenticationProblem(email, source, sender.address),
        subject,
        language: language ?? this.#deps.settings.defaultLanguage,
        // A web form sent no email of the customer's to thread on: its Message-ID is ours, made for dedupe.
        inReplyTo: source.kind === 'web' ? null : email.messageId,
        references: source.kind === 'web' ? [] : [...email.references, ...(email.messageId ? [email.messageId] : [])],
        now,
      },
      acks,
    );
    return {
      outcome: 'created',
      ticketId,
      customerId: customer.customerId,
      customerCreated: customer.created,
      messageId,
      acknowledgement,
      triage: 'deferred',
    };
  }

  async #addCustomerReply(
    tx: IntakeTransaction,
    email: InboundEmail,
    messageId: string,
    sender: MailAddress,
    ticket: IntakeTicket,
    signal: ThreadSignal,
    source: IntakeSource,
    now: Date,
    writer: Writer,
  ): Promise<IntakeResult> {
    const cut = cutQuotedHistory(email.text, { subject: email.subject });
    const threadEntryId = await tx.addReply({
      ticketId: ticket.ticketId,
      customerId: ticket.customerId,
      subject: replySubject(ticket.subject),
      content: cut.text.trim() || '(empty message)',
      staffId: null,
      at: now,
      fromCustomer: true,
    });
    const reopened = ticket.status === 'closed' && this.#deps.settings.reopenOnReply;
    if (reopened) await tx.reopenTicket(ticket.ticketId, now);
    await tx.recordMessage({
      ...this.#inboundRecord(email, messageId, source, now, email.notes),
      ticketId: ticket.ticketId,
      threadEntryId,
      kind: 'reply',
      outcome: 'reply',
      threadSignal: signal,
      peerAddress: sender.address,
      peerName: sender.name.trim() || null,
      originalText: cut.cut ? email.text : null,
    });
    await tx.addParticipants(
      ticket.ticketId,
      this.#participants(email, sender, writer, ticket.customerEmail, await tx.participantCount(ticket.ticketId)),
    );
    if (email.attachments.length) await tx.addAttachments(messageId, ticket.ticketId, email.attachments);
    await tx.recordEvent(
      ticket.ticketId,
      reopened ? 'customer_reply_reopened' : 'customer_reply',
      `customer:${sender.address}`,
      { messageId, signal },
      now,
    );
    return { outcome: 'reply', ticketId: ticket.ticketId, messageId, signal, reopened };
  }

  async #takeAutomated(
    email: InboundEmail,
    messageId: string,
    verdict: AutomatedVerdict,
    source: IntakeSource,
    rejectedBefore: boolean,
  ): Promise<IntakeResult> {
    const now = this.#now();
    const settings = this.#deps.settings;
    return this.#deps.store.transaction(async (tx) => {
      if (rejectedBefore) await tx.forgetRejection(messageId);
      // Automatic mail changes state (lands on a ticket, flags an address, retries an email) only when it
      // cites an email we sent to the address it speaks for, or comes back to that email's own return path
      // (VERP). Anyone can write "Final-Recipient: <customer>" and "[#4]": that is recorded, nothing more.
      let ticket: IntakeTicket | null = null;
      let signal: ThreadSignal = 'none';
      let note: string | null = null;
      const flagged: string[] = [];
      const retried: string[] = [];
      let label = 'Réponse automatique / automatic reply';
      if (verdict.kind === 'bounce') {
        label = 'Message non distribué / delivery failure';
        const details = bounceDetails(email);
        const verpId = settings.bounceVerp
          ? messageIdFromVerp(recipientHeaders(email), settings.messageIdDomain)
          : null;
        const cited = await tx.sentMessages([...(verpId ? [verpId] : []), ...details.originalMessageIds].slice(0, 50));
        const sent =
          (verpId ? cited.find((m) => m.messageId.toLowerCase() === verpId.toLowerCase()) : undefined) ?? null;
        // Each failed address that one of the cited emails went to; through VERP the email's own recipient.
        const matches: { address: string; hard: boolean | null; message: SentMessage }[] = [];
        for (const r of details.recipients) {
          const message = cited.find((m) => m.to === r.address || m.cc.includes(r.address));
          if (message) matches.push({ address: r.address, hard: r.hard, message });
        }
        if (sent && !matches.some((m) => m.message === sent)) {
          const own = details.recipients.find((r) => r.address === sent.to);
          matches.push({
            address: sent.to,
            hard: own?.hard ?? details.recipients[0]?.hard ?? hardFromAction(email),
            message: sent,
          });
        }
        const first = matches[0];
        if (first && first.message.ticketId !== null) {
          ticket = await tx.ticketById(first.message.ticketId, now);
          signal = sent && first.message === sent ? 'verp' : 'report';
        }
        for (const match of matches.slice(0, 20)) {
          if (this.#own.has(match.address)) continue;
          const soft = match.hard === false;
          if (
            soft &&
            (await tx.retryBounced(
              match.message.rowId,
              new Date(now.getTime() + SOFT_BOUNCE_RETRY_MS),
              SOFT_BOUNCES_MAX,
            ))
          ) {
            retried.push(match.address);
            continue;
          }
          await tx.flagAddress(match.address, `bounced: ${verdict.reason}`.slice(0, 255), match.message.ticketId, now);
          flagged.push(match.address);
        }
        if (matches.length === 0) {
          const named = details.recipients
            .map((r) => r.address)
            .slice(0, 3)
            .join(', ');
          note = `bounce cites no email we sent${named ? ` to ${named}` : ''}: recorded, nothing changed`;
        }
      } else if (verdict.kind === 'auto_reply' || verdict.kind === 'challenge' || verdict.kind === 'notification') {
        // An out-of-office lands on the ticket when it answers an email we sent to its sender.
        const ids = [...email.inReplyTo, ...[...email.references].reverse()].slice(0, 50);
        const who = email.from?.address ?? null;
        const cited = ids.length > 0 && who !== null ? await tx.sentMessages(ids) : [];
        const message = cited.find((m) => m.to === who || m.cc.includes(who ?? ''));
        if (message?.ticketId != null) {
          ticket = await tx.ticketById(message.ticketId, now);
          signal = email.inReplyTo.some((id) => id.toLowerCase() === message.messageId.toLowerCase())
            ? 'in_reply_to'
            : 'references';
        } else if (ids.length > 0 || ticketTagInSubject(email.subject) !== null) {
          note = 'automatic reply cites no email we sent to its sender: recorded, nothing changed';
        }
      }
      const text = email.text.slice(0, AUTOMATED_TEXT_MAX);
      let threadEntryId: number | null = null;
      if (ticket) {
        threadEntryId = await tx.addReply({
          ticketId: ticket.ticketId,
          customerId: ticket.customerId,
          subject: replySubject(ticket.subject),
          content: `[${label}] ${email.subject}\n\n${cutQuotedHistory(text).text.trim()}`,
          staffId: null,
          at: now,
        });
      }
      await tx.recordMessage({
        ...this.#inboundRecord(email, messageId, source, now, note ? [...email.notes, note] : email.notes),
        ticketId: ticket?.ticketId ?? null,
        threadEntryId,
        kind: 'automated',
        outcome: ticket ? 'automated_linked' : 'automated_skipped',
        threadSignal: signal,
        automatedKind: verdict.kind,
        automatedReason: verdict.reason.slice(0, 500),
        automatedCode: verdict.code,
        peerAddress: email.from?.address ?? null,
        originalText: text,
      });
      if (ticket && email.attachments.length) await tx.addAttachments(messageId, ticket.ticketId, email.attachments);
      if (ticket)
        await tx.recordEvent(
          ticket.ticketId,
          `automated_${verdict.kind}`,
          'system',
          { messageId, code: verdict.code, reason: verdict.reason, flagged, ...(retried.length ? { retried } : {}) },
          now,
        );
      return {
        outcome: 'automated',
        messageId,
        kind: verdict.kind,
        code: verdict.code,
        reason: verdict.reason,
        ticketId: ticket?.ticketId ?? null,
        flagged,
        ...(retried.length ? { retried } : {}),
      };
    });
  }

  async #enqueueTriage(ticketId: number, log: Logger): Promise<'queued' | 'deferred'> {
    try {
      await this.#deps.triage.enqueueTriage(ticketId);
      return 'queued';
    } catch (error) {
      log.warn(
        { ticketId, err: describeError(error) },
        'triage queue unreachable: the ticket stays untriaged until the sweep enqueues it',
      );
      return 'deferred';
    }
  }

  async #reject(
    raw: Uint8Array | null,
    email: InboundEmail | null,
    reason: string,
    source: IntakeSource,
    messageId: string | null,
  ): Promise<IntakeResult> {
    const rawSha = raw ? createHash('sha256').update(raw).digest('hex') : null;
    const key = messageId ?? `sha256:${rawSha ?? email?.contentHash ?? randomBytes(16).toString('hex')}`;
    const keptAt = raw && rawSha ? await this.#deps.quarantine.keep(raw, rawSha) : null;
    const now = this.#now();
    try {
      await this.#deps.store.transaction(async (tx) => {
        await tx.recordMessage({
          messageId: key,
          ticketId: null,
          threadEntryId: null,
          direction: 'inbound',
          kind: 'rejected',
          outcome: 'rejected',
          threadSignal: null,
          automatedKind: null,
          automatedReason: reason.slice(0, 500),
          peerAddress: email?.from?.address ?? null,
          subject: (email?.subject ?? '').slice(0, 500),
          inReplyTo: email?.inReplyTo ?? [],
          references: email?.references ?? [],
          language: null,
          bodyText: null,
          originalText: email ? email.text.slice(0, AUTOMATED_TEXT_MAX) : null,
          notes: [...(email?.notes ?? []), ...(keptAt ? [`raw message kept at ${keptAt}`] : [])],
          source: source.kind,
          rawSize: raw?.byteLength ?? email?.rawSize ?? null,
          delivery: null,
          at: now,
        });
      });
    } catch (error) {
      if (!(isAppError(error) && error.code === 'email.duplicate')) throw error;
      this.#log.info({ messageId: key }, 'rejected email seen before: nothing changed');
      return { outcome: 'duplicate', messageId: key, ticketId: null };
    }
    this.#log.warn({ messageId: key, source: source.name ?? source.kind, reason, keptAt }, `email rejected: ${reason}`);
    return { outcome: 'rejected', messageId: key, reason, keptAt };
  }

  #inboundRecord(email: InboundEmail, messageId: string, source: IntakeSource, now: Date, notes: readonly string[]) {
    return {
      messageId,
      direction: 'inbound' as const,
      threadSignal: null,
      automatedKind: null,
      automatedReason: null,
      sentAt: plausibleDate(email.date, now),
      subject: email.subject.slice(0, 500),
      inReplyTo: email.inReplyTo.slice(0, 20),
      references: email.references.slice(-20),
      language: null,
      bodyText: null,
      originalText: null,
      notes,
      source: source.mailbox ? `${source.kind}:${source.mailbox}` : source.kind,
      rawSize: email.rawSize,
      delivery: null,
      at: now,
    };
  }

  /**
   * Who gets a copy of agents' replies from now on. The writer is on the thread already (or is the
   * customer); the addresses they put in To, Cc and Reply-To join only when the writer is the ticket's
   * customer and the mail server did not find the From forged, and only up to MAX_PARTICIPANTS per
   * ticket: a stranger, or 5,000 addresses in Cc, cannot put themselves on a customer's replies.
   */
  #participants(
    email: InboundEmail,
    sender: MailAddress,
    writer: Writer,
    customerEmail: string,
    already: number | 'new',
  ): string[] {
    const customer = customerEmail.trim().toLowerCase();
    const fromCustomer = writer.auth !== 'fail' && (already === 'new' || writer.address === customer);
    const candidates = fromCustomer
      ? [sender, ...email.replyTo, ...email.to, ...email.cc].map((a) => a.address)
      : [writer.address];
    const unique = [...new Set(candidates)].filter((a) => !this.#own.has(a));
    return unique.slice(0, Math.max(1, MAX_PARTICIPANTS - (already === 'new' ? 0 : already)));
  }

  async #withConflictRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(isAppError(error) && error.code === 'db.conflict') || attempt >= CONFLICT_RETRIES) throw error;
      }
    }
  }

  #now(): Date {
    return this.#deps.clock ? this.#deps.clock() : new Date();
  }
}

/**
 * The customer: who wrote, and whom the answer goes to. Reply-To when it names one other address that
 * is not ours (RFC 5322: replies go there; a contact form's relay writes From itself and Reply-To the
 * customer), else From, else Sender.
 */
function senderOf(email: InboundEmail, own: ReadonlySet<string>): MailAddress | null {
  const replyTo = email.replyTo.length === 1 ? email.replyTo[0] : undefined;
  if (email.from && replyTo && replyTo.address !== email.from.address && !own.has(replyTo.address)) return replyTo;
  if (email.from) return email.from;
  if (email.replyTo[0]) return email.replyTo[0];
  const sender = email.headers.get('sender')?.[0];
  const m = sender ? /<?([^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)>?/.exec(sender) : null;
  return m?.[1] ? { address: m[1].toLowerCase(), name: '' } : null;
}

/** An email's Date header, when it could be true: not a day ahead of us, not older than 60 days (a wrong clock, a forgery). */
function plausibleDate(date: Date | null, now: Date): Date | null {
  if (!date) return null;
  const t = date.getTime();
  return t <= now.getTime() + 86_400_000 && t >= now.getTime() - 60 * 86_400_000 ? date : null;
}

/** "512 bytes", "3.2 KB", "1 KB", "60 MB": readable for a limit of 1 KB as for one of 60 MB. */
export function formatMessageSize(bytes: number): string {
  const kb = Math.round((bytes / 1024) * 10) / 10;
  if (bytes < 1024) return `${bytes} bytes`;
  if (kb < 1024) return `${kb} KB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

function summaryFields(result: IntakeResult): Record<string, unknown> {
  const { outcome } = result;
  const ticketId = 'ticketId' in result ? result.ticketId : null;
  return result.outcome === 'automated' ? { outcome, ticketId, code: result.code } : { outcome, ticketId };
}

/** Where a bounce was delivered to (the envelope recipient, as the mail server records it, then To). */
function recipientHeaders(email: InboundEmail): string[] {
  const h = email.headers;
  return [
    ...(h.get('delivered-to') ?? []),
    ...(h.get('x-original-to') ?? []),
    ...(h.get('envelope-to') ?? []),
    ...(h.get('x-envelope-to') ?? []),
    ...email.to.map((a) => a.address),
  ].slice(0, 20);
}

/** A report that says "delayed" is soft; otherwise a bounce with no status is taken as hard. */
function hardFromAction(email: InboundEmail): boolean {
  return email.deliveryReport?.action !== 'delayed';
}

/** "Peugeot 308 2019 (AB-123-CD)": the vehicle as one line, as the old backend wrote it for its leads pages. */
export function vehicleText(vehicle: Readonly<Record<string, string | number>> | null): string | null {
  if (!vehicle) return null;
  const get = (...keys: string[]) => keys.map((k) => vehicle[k]).find((v) => v !== undefined);
  const main = [get('brand', 'marque'), get('model', 'modele'), get('year', 'annee')]
    .filter((v) => v !== undefined)
    .join(' ');
  const plate = get('licensePlate', 'license_plate', 'plate');
  const line = [main, plate !== undefined ? `(${plate})` : ''].filter(Boolean).join(' ').trim();
  return line || null;
}
