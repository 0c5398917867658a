/**
 * The triage use case: classify one stored ticket, save the decision (our row and the legacy metadata
 * block), and announce an escalation once. Idempotent: a ticket already triaged is not classified
 * again, and its escalation, if any, is announced only by whoever claims it first.
 */
import { AppError } from '../domain/errors.ts';
import type { Category, Priority } from '../domain/ticket.ts';
import type { TriageClassifier } from '../domain/triage/classifier.ts';
import { reasonLines } from '../domain/triage/explain.ts';
import type { ChatNotifier } from '../ports/chat-notifier.ts';
import type { Logger } from '../ports/logger.ts';
import type { TriageStore } from '../ports/triage-store.ts';

export interface TriageOutcome {
  readonly ticketId: number;
  readonly outcome: 'triaged' | 'already_triaged';
  readonly category: Category;
  readonly priority: Priority;
  readonly escalated: boolean;
}

export interface TriageServiceOptions {
  readonly store: TriageStore;
  readonly classifier: TriageClassifier;
  /** Where escalations are announced; read at each escalation, so notifiers added later are used. */
  readonly notifiers: readonly ChatNotifier[];
  readonly logger: Logger;
  /** Mailbox name → the category its tickets lean to (IMAP_<NAME>_CATEGORY). */
  readonly mailboxCategories?: Readonly<Record<string, Category | null>>;
  readonly now?: () => Date;
  /** Automatic assignment, once category and priority are known (idempotent: a second run changes nothing). */
  readonly assignment?: { assign(ticketId: number): Promise<unknown> };
}

export class TriageService {
  readonly #o: TriageServiceOptions;
  readonly #log: Logger;

  constructor(options: TriageServiceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'triage' });
  }

  get classifier(): TriageClassifier {
    return this.#o.classifier;
  }

  async triage(ticketId: number): Promise<TriageOutcome> {
    const outcome = await this.#triage(ticketId);
    await this.#o.assignment?.assign(ticketId);
    return outcome;
  }

  async #triage(ticketId: number): Promise<TriageOutcome> {
    const now = this.#o.now ?? (() => new Date());
    const ticket = await this.#o.store.loadTicket(ticketId);
    if (!ticket) {
      throw new AppError(
        'ticket.not_found',
        `Ticket #${ticketId} does not exist (or is not a support ticket): nothing to triage.`,
        { details: { ticketId } },
      );
    }
    let { category, priority, sentiment } = ticket;
    if (!ticket.triaged) {
      const decision = this.#o.classifier.classify({
        subject: ticket.subject,
        body: ticket.text,
        customerEmail: ticket.customerEmail,
        mailboxCategory: ticket.mailbox ? (this.#o.mailboxCategories?.[ticket.mailbox] ?? null) : null,
        orderNumber: ticket.orderNumber,
      });
      // An agent's correction stands: the decision keeps their category and priority. So does what the
      // customer chose on the web form; triage's own decision is then kept as a proposal.
      const choice = ticket.customerChoice;
      const chosen =
        !ticket.corrected && choice !== undefined && (choice.category !== null || choice.priority !== null);
      const kept = ticket.corrected
        ? { category: ticket.category, priority: ticket.priority }
        : { category: choice?.category ?? decision.category, priority: choice?.priority ?? decision.priority };
      const at = now();
      // The escalation is claimed in the same write as the decision: one transaction, no extra round trip.
      const saved = await this.#o.store.saveDecision(ticketId, {
        ...kept,
        categoryConfidence: decision.categoryConfidence,
        priorityConfidence: decision.priorityConfidence,
        sentiment: decision.sentiment,
        language: decision.language,
        reasons: decision.reasons,
        modelVersion: decision.modelVersion,
        at,
        // Triage finding urgent what the customer called otherwise still warns the agents.
        escalate:
          !ticket.escalated &&
          (this.#needsEscalation(kept.priority, decision.sentiment) || (chosen && decision.priority === 'urgent')),
        proposal: chosen ? { category: decision.category, priority: decision.priority } : null,
      });
      if (saved.result === 'not_found')
        throw new AppError('ticket.not_found', `Ticket #${ticketId} disappeared while it was being triaged.`, {
          details: { ticketId },
        });
      if (saved.result === 'saved') {
        ({ category, priority } = kept);
        sentiment = decision.sentiment;
        this.#log.info(
          { ticketId, category, priority, sentiment, modelVersion: decision.modelVersion },
          'ticket triaged',
        );
        const proposed =
          chosen && (decision.category !== kept.category || decision.priority !== kept.priority)
            ? [
                `the customer chose ${kept.priority} / ${kept.category} on the web form; triage proposes ${decision.priority} / ${decision.category}`,
              ]
            : [];
        if (saved.escalationClaimed)
          await this.#announce(ticketId, ticket.subject, ticket.customerEmail, category, priority, sentiment, [
            ...proposed,
            ...reasonLines({ ...decision, ...kept }),
          ]);
        return { ticketId, outcome: 'triaged', category, priority, escalated: saved.escalationClaimed };
      }
      // Someone else triaged it meanwhile: their decision stands; read it back for the escalation.
      const again = await this.#o.store.loadTicket(ticketId);
      if (again) ({ category, priority, sentiment } = again);
    }
    const escalated = await this.#escalate(
      ticketId,
      ticket.subject,
      ticket.customerEmail,
      category,
      priority,
      sentiment,
      ticket.escalated,
      now(),
    );
    return { ticketId, outcome: 'already_triaged', category, priority, escalated };
  }

  #needsEscalation(priority: Priority, sentiment: number | null): boolean {
    return priority === 'urgent' || (sentiment !== null && sentiment <= this.#o.classifier.sentimentThreshold);
  }

  /** A ticket triaged earlier whose escalation was not claimed then (e.g. the job ran twice). */
  async #escalate(
    ticketId: number,
    subject: string,
    customer: string,
    category: Category,
    priority: Priority,
    sentiment: number | null,
    alreadyEscalated: boolean,
    at: Date,
  ): Promise<boolean> {
    if (alreadyEscalated || !this.#needsEscalation(priority, sentiment)) return false;
    if (!(await this.#o.store.claimEscalation(ticketId, at))) return false;
    await this.#announce(ticketId, subject, customer, category, priority, sentiment, []);
    return true;
  }

  async #announce(
    ticketId: number,
    subject: string,
    customer: string,
    category: Category,
    priority: Priority,
    sentiment: number | null,
    lines: string[],
  ): Promise<void> {
    const threshold = this.#o.classifier.sentimentThreshold;
    const why =
      priority === 'urgent'
        ? 'urgent'
        : sentiment !== null && sentiment <= threshold
          ? `very negative (sentiment ${sentiment.toFixed(2)} ≤ ${threshold})`
          : 'triage proposes urgent';
    const notice = {
      kind: 'escalation' as const,
      ticketId,
      subject,
      customer,
      priority,
      category,
      lines: [`escalated: ${why}`, ...lines],
    };
    for (const notifier of this.#o.notifiers) {
      try {
        await notifier.notify(notice);
      } catch (error) {
        this.#log.error({ ticketId, err: error }, 'an escalation notifier failed; the others were still told');
      }
    }
    this.#log.info({ ticketId, priority, sentiment }, 'ticket escalated');
  }
}
