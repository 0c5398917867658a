/**
 * Spam held for review: agents list it and release what is not spam, from chat (`/ticket spam`) and
 * the CLI (`ticketrelay spam list|release ID`). A released email goes through intake again as if it
 * had just arrived (a ticket, or a reply on its thread, and an acknowledgement within the caps),
 * without the spam check. Also the breaker of automatic mail, which an operator resets.
 */
import { describeError, isAppError } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { MessageArchive } from '../ports/quarantine.ts';
import type { BreakerState, HeldSpam, MailBreaker, SpamStore } from '../ports/spam-store.ts';
import { describeResult, type IngestOptions, type IntakeResult, type IntakeSource } from './intake-result.ts';

/** Held emails on one page of `spam list`. */
export const SPAM_PAGE_SIZE = 10;

export interface SpamReviewDeps {
  readonly store: SpamStore;
  readonly breaker: MailBreaker;
  readonly archive: MessageArchive;
  readonly intake: { ingest(raw: Uint8Array, source: IntakeSource, options?: IngestOptions): Promise<IntakeResult> };
  readonly logger: Logger;
  readonly now?: () => Date;
}

export type ReleaseResult =
  | { readonly ok: true; readonly text: string; readonly ticketId: number | null; readonly result: IntakeResult }
  | { readonly ok: false; readonly text: string };

export class SpamReviewService {
  readonly #deps: SpamReviewDeps;
  readonly #log: Logger;

  constructor(deps: SpamReviewDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'spam-review' });
  }

  /** Held emails not released yet, newest first, one page. */
  async list(page = 1): Promise<{
    readonly items: readonly HeldSpam[];
    readonly total: number;
    readonly page: number;
    readonly pageSize: number;
  }> {
    const { items, total } = await this.#deps.store.list(SPAM_PAGE_SIZE, (page - 1) * SPAM_PAGE_SIZE);
    return { items, total, page, pageSize: SPAM_PAGE_SIZE };
  }

  /** Takes held email `id` as if it had just arrived; `actor` is recorded as who released it. */
  async release(id: number, actor: string): Promise<ReleaseResult> {
    const held = await this.#deps.store.get(id);
    if (!held)
      return {
        ok: false,
        text: `There is no held email #${id}; see the list with "/ticket spam" (or "npx ticketrelay spam list").`,
      };
    if (held.releasedAt) {
      const where = held.ticketId ? ` (ticket #${held.ticketId})` : '';
      return {
        ok: false,
        text: `Held email #${id} was already released by ${held.releasedBy ?? 'someone'} at ${held.releasedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${where}; nothing to do.`,
      };
    }
    if (!held.rawLocation)
      return {
        ok: false,
        text: `Held email #${id} has no kept copy to take again (it came without raw bytes); ask the sender to write again.`,
      };
    let raw: Uint8Array;
    try {
      raw = await this.#deps.archive.read(held.rawLocation);
    } catch (error) {
      return { ok: false, text: `Held email #${id} cannot be released: ${describeError(error)}` };
    }
    let result: IntakeResult;
    try {
      result = await this.#deps.intake.ingest(
        raw,
        { kind: 'spam-release', name: `held email #${id}` },
        { released: true },
      );
    } catch (error) {
      if (isAppError(error) && error.retryable)
        return {
          ok: false,
          text: `Held email #${id} was not released: ${describeError(error)} Try again in a moment.`,
        };
      throw error;
    }
    const ticketId = 'ticketId' in result ? result.ticketId : null;
    if (result.outcome === 'rejected' || result.outcome === 'spam') {
      return { ok: false, text: `Held email #${id} could not be taken: ${describeResult(result)}.` };
    }
    await this.#deps.store.markReleased(id, actor, ticketId, this.#now());
    this.#log.info({ spamId: id, actor, outcome: result.outcome, ticketId }, `held email #${id} released by ${actor}`);
    const what =
      result.outcome === 'created'
        ? `it is now ticket #${result.ticketId}${result.acknowledgement === 'queued' ? ' (the sender is acknowledged)' : ` (no acknowledgement: ${result.acknowledgement.replace(/^suppressed: /, '')})`}`
        : result.outcome === 'reply'
          ? `it was added to ticket #${result.ticketId} as the customer's reply`
          : result.outcome === 'duplicate'
            ? `it had been taken already${result.ticketId ? ` (ticket #${result.ticketId})` : ''}`
            : `it is automatic mail (${result.reason}): recorded, no ticket`;
    return {
      ok: true,
      ticketId,
      result,
      text: `Held email #${id} from ${held.sender ?? 'an unknown sender'} released by ${actor}: ${what}.`,
    };
  }

  breakerState(): Promise<BreakerState> {
    return this.#deps.breaker.state();
  }

  /** Lets automatic mail go again; says what was done. */
  async resetBreaker(actor: string): Promise<string> {
    const state = await this.#deps.breaker.state();
    if (!state.tripped) return 'Automatic mail is not stopped: nothing to reset.';
    await this.#deps.breaker.reset(actor, this.#now());
    this.#log.warn({ actor, trippedAt: state.trippedAt }, 'automatic mail breaker reset');
    return `Automatic mail goes again (it was stopped since ${state.trippedAt!.toISOString()}: ${state.reason ?? 'the hourly cap'}). Acknowledgements held meanwhile are sent now; the hourly cap counts afresh from now.`;
  }

  #now(): Date {
    return this.#deps.now ? this.#deps.now() : new Date();
  }
}

/** One line per held email: "#12 2026-12-06 21:40 · from x@y · "subject" · why". */
export function formatHeldSpam(items: readonly HeldSpam[], total: number, page: number, pageSize: number): string {
  if (items.length === 0)
    return page > 1 ? `No held spam on page ${page}; the list ends before it.` : 'No email is held as spam.';
  const lines = [`${total} email${total === 1 ? '' : 's'} held as spam, newest first — page ${page}:`];
  for (const h of items) {
    const subject = h.subject.length > 60 ? `${h.subject.slice(0, 59)}…` : h.subject;
    lines.push(
      `#${h.id} ${h.receivedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · from ${h.sender ?? '(unknown)'} · "${subject}" · ${h.reason}`,
    );
  }
  lines.push(
    `Release one that is not spam: "/ticket spam release ID".${total > page * pageSize ? ` More: "/ticket spam page ${page + 1}".` : ''}`,
  );
  return lines.join('\n');
}
