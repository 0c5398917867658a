/**
 * The outbox: acknowledgements and agents' replies are written in the same transaction as the rows
 * they belong to (delivery = pending), then sent here after the commit. A crash between the two
 * loses nothing: the next pass sends what is still pending. A temporary refusal is tried again on a
 * later pass, up to MAX_ATTEMPTS; a permanent one is marked failed with its reason.
 */
import { automaticReplyHeaders } from '../domain/acknowledgement.ts';
import { verpReturnPath } from '../domain/bounce.ts';
import { formatDuration } from '../domain/wording.ts';
import { describeError, isAppError } from '../domain/errors.ts';
import type { OutboundRow, OutboxState, OutboxStore } from '../ports/outbox-store.ts';
import type { Logger } from '../ports/logger.ts';
import type { MailSender, OutgoingEmail } from '../ports/mail-sender.ts';
import type { MailBreaker } from '../ports/spam-store.ts';

const MAX_ATTEMPTS = 8;
const BATCH = 100;
/** Sends in progress at once (the SMTP pool has its own limit; the .eml outbox overlaps its writes). */
const SEND_PARALLEL = 8;

export interface OutboxDelivery {
  /**
   * Sends what is pending; returns how many went out. Never throws for one email's failure. `now`: also
   * what waits for its retry time (an operator who has fixed the mail server sends everything at once).
   */
  deliverPending(options?: { readonly now?: boolean }): Promise<number>;
  /** Resolves when no pass is running (before shutting down). */
  idle(): Promise<void>;
  /** What became of an email this process tried to send (null: not tried here yet). */
  outcome?(messageId: string): DeliveryOutcome | null;
}

export type DeliveryOutcome =
  { readonly delivery: 'sent' } | { readonly delivery: 'pending' | 'failed'; readonly error: string };

/** Outcomes remembered for `outcome` (the command that queued an email asks right after the pass). */
const OUTCOMES_REMEMBERED = 1_000;

export class OutboxService implements OutboxDelivery {
  readonly #store: OutboxStore;
  readonly #sender: MailSender;
  readonly #from: { address: string; name: string };
  readonly #log: Logger;
  readonly #breaker: MailBreaker | null;
  #running: Promise<number> | null = null;
  #again = false;
  #againNow = false;
  readonly #outcomes = new Map<string, DeliveryOutcome>();
  readonly #claimRenewMs: number;
  /** Claims this process's name held before it started (a crash) are released on the first pass. */
  #released = false;

  readonly #verp: boolean;

  /** `breaker`: while it is tripped, acknowledgements wait (agents' replies still go). */
  constructor(deps: {
    store: OutboxStore;
    sender: MailSender;
    from: { address: string; name: string };
    logger: Logger;
    claimRenewMs?: number;
    breaker?: MailBreaker;
    verp?: boolean;
  }) {
    this.#verp = deps.verp === true;
    this.#store = deps.store;
    this.#breaker = deps.breaker ?? null;
    this.#sender = deps.sender;
    this.#from = deps.from;
    this.#log = deps.logger.child({ component: 'outbox' });
    this.#claimRenewMs = deps.claimRenewMs ?? 20_000;
  }

  /**
   * The emails given up in the last OUTBOX_FAILED_DAYS (a mail server that refused them for a reason
   * since fixed) wait again, with their attempts counted afresh: how many.
   */
  retryFailed(): Promise<number> {
    return this.#store.retryFailedOutbound(new Date(Date.now() - OUTBOX_FAILED_DAYS * 86_400_000));
  }

  /** What waits in the outbox, across processes (see describeOutbox). */
  state(): Promise<OutboxState> {
    return this.#store.outboxState(OUTBOX_FAILED_DAYS);
  }

  outcome(messageId: string): DeliveryOutcome | null {
    return this.#outcomes.get(messageId) ?? null;
  }

  #remember(messageId: string, outcome: DeliveryOutcome): void {
    this.#outcomes.delete(messageId);
    this.#outcomes.set(messageId, outcome);
    if (this.#outcomes.size > OUTCOMES_REMEMBERED) this.#outcomes.delete(this.#outcomes.keys().next().value!);
  }

  async idle(): Promise<void> {
    while (this.#running) await this.#running.catch(() => 0);
  }

  /** One pass at a time: a call during a pass asks for one more pass rather than racing it. */
  deliverPending(options: { readonly now?: boolean } = {}): Promise<number> {
    if (this.#running) {
      this.#again = true;
      this.#againNow ||= options.now === true;
      return this.#running;
    }
    this.#againNow = options.now === true;
    this.#running = (async () => {
      let sent = 0;
      try {
        if (!this.#released) {
          const released = await this.#store.releaseOutboundClaims();
          this.#released = true;
          if (released > 0)
            this.#log.info(
              { released },
              `${released} email${released === 1 ? '' : 's'} this process was sending when it stopped: sending again now`,
            );
        }
        do {
          const now = this.#againNow;
          this.#again = false;
          this.#againNow = false;
          sent += await this.#pass(now);
        } while (this.#again);
      } finally {
        this.#running = null;
      }
      return sent;
    })();
    return this.#running;
  }

  async #pass(now: boolean): Promise<number> {
    let sent = 0;
    // Sending now walks the outbox once, by id: what fails again waits for its retry time.
    let afterId = 0;
    // All automatic mail stops while the breaker is tripped (an operator resets it: `breaker reset`).
    const withoutAutomatic = this.#breaker ? (await this.#breaker.state()).tripped : false;
    for (;;) {
      const rows = await this.#store.pendingOutbound(BATCH, MAX_ATTEMPTS, {
        ...(now ? { ignoreBackoff: true, afterId } : {}),
        ...(withoutAutomatic ? { withoutAutomatic } : {}),
      });
      if (rows.length === 0) return sent;
      afterId = rows.reduce((max, r) => Math.max(max, r.rowId), afterId);
      // A few at a time, each sender taking the next row as soon as it is free; the successes are
      // marked in one update.
      const delivered: number[] = [];
      const done = new Set<number>();
      let next = 0;
      const sender = async () => {
        while (next < rows.length) {
          const row = rows[next++]!;
          if (await this.#send(row)) delivered.push(row.rowId);
          done.add(row.rowId);
        }
      };
      // The claims are short: renewed while this batch is still being sent (a slow mail server).
      const renew = setInterval(() => {
        const open = rows.filter((r) => !done.has(r.rowId)).map((r) => r.rowId);
        this.#store
          .renewOutboundClaims(open)
          .catch((error: unknown) =>
            this.#log.warn({ err: describeError(error) }, 'could not renew the claims on emails being sent'),
          );
      }, this.#claimRenewMs);
      try {
        await Promise.all(Array.from({ length: Math.min(SEND_PARALLEL, rows.length) }, sender));
      } finally {
        clearInterval(renew);
      }
      await this.#store.markOutbound(delivered, { delivery: 'sent', error: null });
      sent += delivered.length;
      if (delivered.length === 0 || rows.length < BATCH) return sent;
    }
  }

  async #send(row: OutboundRow): Promise<boolean> {
    // With VERP a bounce comes back to an address only this email used: it cannot be about another.
    const envelopeFrom = this.#verp ? verpReturnPath(this.#from.address, row.messageId) : null;
    const email: OutgoingEmail = {
      ...(envelopeFrom ? { envelopeFrom } : {}),
      messageId: row.messageId,
      from: this.#from,
      to: row.to,
      cc: row.cc,
      subject: row.subject,
      text: row.text,
      inReplyTo: row.inReplyTo[0] ?? null,
      references: row.references,
      headers:
        row.kind === 'ack'
          ? automaticReplyHeaders(row.ticketId)
          : row.ticketId === null
            ? {}
            : { 'X-Ticketrelay-Ticket': String(row.ticketId) },
    };
    try {
      const { response } = await this.#sender.send(email);
      this.#log.info(
        { ticketId: row.ticketId, messageId: row.messageId, kind: row.kind, response },
        `${row.kind} sent for ticket #${row.ticketId}`,
      );
      this.#remember(row.messageId, { delivery: 'sent' });
      return true;
    } catch (error) {
      const retryable = isAppError(error) ? error.retryable : true;
      const last = row.attempts + 1 >= MAX_ATTEMPTS;
      const delivery = retryable && !last ? 'pending' : 'failed';
      await this.#store.markOutbound([row.rowId], { delivery, error: describeError(error).slice(0, 500) });
      this.#remember(row.messageId, { delivery, error: describeError(error) });
      this.#log.warn(
        {
          ticketId: row.ticketId,
          messageId: row.messageId,
          kind: row.kind,
          attempt: row.attempts + 1,
          err: describeError(error),
        },
        delivery === 'pending' ? `${row.kind} not sent yet; will try again` : `${row.kind} could not be sent: given up`,
      );
      return false;
    }
  }
}

/** " Among them: #32 reply to jean@x.example, …" — which tickets, so that someone can act. */
function listed(state: OutboxState, delivery: 'pending' | 'failed'): string {
  const items = state.examples.filter((e) => e.delivery === delivery);
  if (items.length === 0) return '';
  const what = (kind: string) => (kind === 'ack' ? 'acknowledgement' : kind === 'agent_reply' ? 'reply' : kind);
  return ` ${items.length === 1 ? 'It is' : 'Among them'}: ${items.map((e) => `${e.ticketId === null ? '' : `#${e.ticketId} `}${what(e.kind)} to ${e.to}`).join(', ')}.`;
}

/** Failed emails are reported for this many days (`outbox status`, `outbox send`, /readyz). */
export const OUTBOX_FAILED_DAYS = 7;

/** The outbox in sentences, for an operator: what waits, since when, and why. Empty string when all went out. */
export function describeOutbox(state: OutboxState, now: Date): string {
  const lines: string[] = [];
  if (state.pending > 0) {
    const age = state.oldestPendingAt
      ? `, the oldest for ${formatDuration(Math.max(0, (now.getTime() - state.oldestPendingAt.getTime()) / 1000))}`
      : '';
    const why = state.lastError
      ? `; the mail server did not take the last one tried (${state.lastError}). They are tried again with backoff (30 s, 1 min, 2 min … up to 1 h): check SMTP_URL and the mail server, then "npx ticketrelay outbox send" sends them at once`
      : ' (not tried yet)';
    lines.push(
      `${state.pending} email${state.pending === 1 ? '' : 's'} waiting to be sent${age}${why}.${listed(state, 'pending')}`,
    );
  }
  if (state.failed > 0) {
    lines.push(
      `${state.failed} email${state.failed === 1 ? '' : 's'} could not be sent in the last ${OUTBOX_FAILED_DAYS} days and will not be tried again${state.lastFailure ? ` (the last: ${state.lastFailure})` : ''}: check the address and write to the customer again, or, when the mail server was at fault and is fixed, "npx ticketrelay outbox retry" sends them.${listed(state, 'failed')}`,
    );
  }
  return lines.join('\n');
}
