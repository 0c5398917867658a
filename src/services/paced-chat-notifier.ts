/**
 * ChatNotifier for one chat channel, whatever the platform: notices wait in a queue per channel,
 * posts are spaced (about one per second per channel, what Slack allows), and a burst is coalesced —
 * the new tickets waiting are announced in one message, a ticket's waiting replies in one threaded
 * message — instead of being lost to the platform's rate limit. Each notice is claimed in
 * the chat post ledger first, so that it goes out once across processes; a refused post frees its claim
 * and a later pass retries it. Never throws for the platform being down: it logs.
 */
import type { ChatNotifier, DirectNotifier, NoticeDelivery, TicketNotice } from '../ports/chat-notifier.ts';
import type { Logger } from '../ports/logger.ts';
import type { ChatPlatform } from '../domain/platform.ts';
import type { ChatPoster } from '../ports/chat-poster.ts';
import type { ChatPostLedger } from '../ports/notice-feed.ts';

/** What a capped burst of new tickets becomes: one line, and the command that lists them. */
export function moreTicketsLine(count: number): string {
  return `${count} more new ticket${count === 1 ? '' : 's'}: /ticket list open`;
}

interface Waiting {
  readonly notice: TicketNotice;
  /** Its claim in the ledger, or null for a notice that is not deduplicated. */
  readonly key: string | null;
  readonly at: number;
  readonly done: (delivery: NoticeDelivery) => void;
}

const POSTED: NoticeDelivery = { state: 'posted' };
const ALREADY: NoticeDelivery = { state: 'already' };
const refused = (cause: string): NoticeDelivery => ({ state: 'refused', cause: cause.slice(0, 400) });
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
/** A new ticket and an escalation are announced once per ticket; replies come with their own key. */
const onceKeyOf = (notice: TicketNotice): string | null =>
  notice.onceKey ?? (notice.kind === 'reply' ? null : notice.kind);

export interface PacedChatNotifierOptions {
  readonly poster: ChatPoster;
  readonly channel: string;
  readonly ledger: ChatPostLedger;
  readonly logger: Logger;
  /** Least time between two posts in the channel. */
  readonly minGapMs?: number;
  /** How long the first notice of a burst waits for others to join it. */
  readonly coalesceMs?: number;
  /** Most tickets listed in one message. */
  readonly maxPerMessage?: number;
  /**
   * Most messages in the channel per minute; the last one of a minute announces the new tickets still
   * waiting as one summary line (a flood of web-form tickets must not flood the channel).
   */
  readonly maxPerMinute?: number;
}

export class PacedChatNotifier implements ChatNotifier, DirectNotifier {
  readonly platform: ChatPlatform;
  readonly channel: string;
  readonly #poster: ChatPoster;
  readonly #ledger: ChatPostLedger;
  readonly #log: Logger;
  readonly #minGapMs: number;
  readonly #coalesceMs: number;
  readonly #maxPerMessage: number;
  readonly #maxPerMinute: number;
  /** When the last messages went out, within the last minute. */
  readonly #recent: number[] = [];
  readonly #queue: Waiting[] = [];
  /** Set by stop(): past it nothing more is posted, and what waits is left to the next start. */
  #deadline: number | null = null;
  #wake: (() => void) | null = null;
  #lastPostAt = 0;
  #pumping: Promise<void> | null = null;
  #posts = 0;

  constructor(options: PacedChatNotifierOptions) {
    this.#poster = options.poster;
    this.platform = options.poster.platform;
    this.channel = options.channel;
    this.#ledger = options.ledger;
    this.#log = options.logger.child({ component: `${options.poster.platform}-notifier`, channel: options.channel });
    this.#minGapMs = options.minGapMs ?? 1_100;
    this.#coalesceMs = options.coalesceMs ?? 1_000;
    this.#maxPerMessage = options.maxPerMessage ?? 10;
    this.#maxPerMinute = Math.max(2, options.maxPerMinute ?? 12);
  }

  /** Messages posted so far (for status lines). */
  get posts(): number {
    return this.#posts;
  }

  /** Notices waiting to be posted. */
  get waiting(): number {
    return this.#queue.length;
  }

  async notify(notice: TicketNotice): Promise<void> {
    await this.notifyOnce(notice, onceKeyOf(notice));
  }

  /**
   * Claims `key` for the ticket in this channel, then posts in its turn. Resolves true once posted,
   * false when someone else had claimed it or the platform refused (the claim is then freed).
   */
  async notifyOnce(notice: TicketNotice, key: string | null): Promise<boolean> {
    return (await this.enqueueOnce(notice, key)).posted;
  }

  /**
   * As `notify`, resolving once the notice was posted or given up, and saying which: an SLA alert the
   * platform refused is retried by the checker's next pass (its claim here was freed).
   */
  async deliver(notice: TicketNotice): Promise<NoticeDelivery> {
    return (await this.#enqueue(notice, onceKeyOf(notice))).delivery;
  }

  /** Claims and queues, resolving once queued (so callers keep their order); `posted` settles after the post. */
  async enqueueOnce(notice: TicketNotice, key: string | null): Promise<{ readonly posted: Promise<boolean> }> {
    const { delivery } = await this.#enqueue(notice, key);
    return { posted: delivery.then((d) => d.state === 'posted') };
  }

  async #enqueue(notice: TicketNotice, key: string | null): Promise<{ readonly delivery: Promise<NoticeDelivery> }> {
    try {
      if (key !== null && !(await this.#ledger.claim(this.platform, this.channel, notice.ticketId, key, new Date())))
        return { delivery: Promise.resolve(ALREADY) };
    } catch (error) {
      this.#log.error(
        { ticketId: notice.ticketId, err: error },
        'could not record the chat notice; it is not posted now, a later pass retries',
      );
      return {
        delivery: Promise.resolve(
          refused(`${this.platform} ${this.channel}: the post ledger failed (${reasonOf(error)})`),
        ),
      };
    }
    const delivery = new Promise<NoticeDelivery>((resolve) => {
      this.#queue.push({ notice, key, at: Date.now(), done: resolve });
    });
    this.#pumping ??= this.#pump().finally(() => {
      this.#pumping = null;
    });
    return { delivery };
  }

  /**
   * An alert about the desk itself (not a ticket: the breaker of automatic mail tripped), posted at
   * once and once per `key` across processes (claimed under ticket 0). True when this call posted it.
   */
  async alertOnce(key: string, text: string): Promise<boolean> {
    const delivery = await this.#postOnce(
      this.channel,
      0,
      key,
      () => this.#poster.postAlert(this.channel, text),
      'alert',
    );
    return delivery.state === 'posted';
  }

  /**
   * A notice to one person in a direct message, at once (not queued behind the channel's notices), once
   * per ticket, person and key across processes: the ledger's channel is "dm:<user id>".
   */
  async notifyUser(userId: string, notice: TicketNotice): Promise<boolean> {
    return (await this.deliverToUser(userId, notice)).state === 'posted';
  }

  /** As `notifyUser`, saying whether it was posted, posted before, or refused (and why). */
  deliverToUser(userId: string, notice: TicketNotice): Promise<NoticeDelivery> {
    return this.#postOnce(
      `dm:${userId}`.slice(0, 64),
      notice.ticketId,
      notice.onceKey ?? notice.kind,
      () => this.#poster.postDirect(userId, [notice]),
      'direct message',
    );
  }

  /** Claims `key` for the ticket in `channel`, posts, records the post; a refused post frees the claim. */
  async #postOnce(
    channel: string,
    ticketId: number,
    key: string,
    post: () => Promise<string>,
    what: string,
  ): Promise<NoticeDelivery> {
    try {
      if (!(await this.#ledger.claim(this.platform, channel, ticketId, key, new Date()))) return ALREADY;
    } catch (error) {
      this.#log.error({ key, ticketId, err: error }, `could not record the ${what}; a later pass retries`);
      return refused(`${this.platform} ${channel}: the post ledger failed (${reasonOf(error)})`);
    }
    try {
      const ref = await post();
      this.#posts += 1;
      if (channel === this.channel) this.#lastPostAt = Date.now();
      await this.#ledger.posted(this.platform, channel, ticketId, key, ref);
      const fields = { key, ticketId, messageRef: ref };
      if (what === 'alert') this.#log.warn(fields, 'alert posted');
      else this.#log.info(fields, `${what} posted`);
      return POSTED;
    } catch (error) {
      this.#log.warn(
        { key, ticketId, err: reasonOf(error) },
        `${what} not posted (the platform refused); its claim is freed`,
      );
      await this.#ledger.release(this.platform, channel, ticketId, key).catch(() => undefined);
      return refused(reasonOf(error));
    }
  }

  /** Resolves when every waiting notice was posted or given up. */
  async idle(): Promise<void> {
    while (this.#pumping) await this.#pumping;
  }

  /**
   * Posts what waits for at most `deadlineMs` more, then gives the rest up: their claims are freed, so
   * the next start (or another process) announces them. Resolves once nothing is being posted.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.#deadline = Date.now() + deadlineMs;
    if (deadlineMs <= 0) this.#wake?.();
    const timer = setTimeout(() => this.#wake?.(), Math.max(0, deadlineMs));
    try {
      await this.idle();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sleeps until `ms` passed or stop() cut the wait short. */
  async #wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = null;
  }

  #pastDeadline(): boolean {
    return this.#deadline !== null && Date.now() >= this.#deadline;
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (!head) break;
      // Let a burst gather, and keep to the channel's pace and its messages per minute.
      const now = Date.now();
      while (this.#recent.length > 0 && this.#recent[0]! <= now - 60_000) this.#recent.shift();
      const minuteFull = this.#recent.length >= this.#maxPerMinute ? this.#recent[0]! + 60_000 : 0;
      const readyAt = Math.max(
        head.at +
          (head.notice.kind === 'escalation' || head.notice.kind === 'sla' || head.notice.kind === 'assignment'
            ? 0
            : this.#coalesceMs),
        this.#lastPostAt + this.#minGapMs,
        minuteFull,
      );
      if (!this.#pastDeadline())
        await this.#wait(this.#deadline === null ? readyAt - now : Math.min(readyAt, this.#deadline) - now);
      if (this.#pastDeadline() || (this.#deadline !== null && Date.now() < readyAt)) {
        await this.#leave(this.#queue.splice(0));
        break;
      }
      const batch = this.#takeBatch();
      await this.#post(batch);
      this.#lastPostAt = Date.now();
      this.#recent.push(this.#lastPostAt);
    }
  }

  /** Notices not posted before the deadline: their claims freed for the next start. */
  async #leave(waiting: readonly Waiting[]): Promise<void> {
    if (waiting.length === 0) return;
    this.#log.info({ count: waiting.length }, 'stopping: chat notices left for the next start');
    for (const w of waiting) {
      if (w.key !== null)
        await this.#ledger.release(this.platform, this.channel, w.notice.ticketId, w.key).catch(() => undefined);
      w.done(refused(`${this.platform} ${this.channel}: the process stopped before it was posted`));
    }
  }

  /**
   * The head notice and those that go in the same message with it. The last message of a minute takes
   * every new ticket waiting when they are more than one message lists: they become a summary line.
   */
  #takeBatch(): Waiting[] {
    const head = this.#queue[0];
    if (!head) return [];
    if (head.notice.kind === 'new' && this.#recent.length >= this.#maxPerMinute - 1) {
      const fresh = this.#queue.filter((w) => w.notice.kind === 'new');
      if (fresh.length > this.#maxPerMessage) {
        for (const w of fresh) this.#queue.splice(this.#queue.indexOf(w), 1);
        return fresh;
      }
    }
    const together = (w: Waiting) =>
      head.notice.kind === 'new'
        ? w.notice.kind === 'new'
        : head.notice.kind === 'reply'
          ? w.notice.kind === 'reply' && w.notice.ticketId === head.notice.ticketId
          : w === head;
    const batch: Waiting[] = [];
    for (let i = 0; i < this.#queue.length && batch.length < this.#maxPerMessage;) {
      const w = this.#queue[i];
      if (w && together(w)) {
        batch.push(w);
        this.#queue.splice(i, 1);
      } else i += 1;
    }
    return batch;
  }

  async #post(batch: readonly Waiting[]): Promise<void> {
    const first = batch[0];
    if (!first) return;
    const ticketId = first.notice.ticketId;
    const fields = { ticketIds: batch.map((w) => w.notice.ticketId), kind: first.notice.kind };
    let anchorKey: string | null = null;
    try {
      let threadRef: string | null = null;
      // Replies and assignments go in the ticket's thread.
      if (first.notice.kind === 'reply' || first.notice.kind === 'assignment') {
        threadRef = await this.#ledger.anchor(this.platform, this.channel, ticketId);
        // No message to thread under (the ticket predates the bot): this one becomes its anchor.
        if (threadRef === null && (await this.#ledger.claim(this.platform, this.channel, ticketId, 'new', new Date())))
          anchorKey = 'new';
      }
      // An SLA alert answers the ticket's own post when there is one (Slack: in its thread; Discord: a reply
      // to it), else it stands in the channel; it never becomes the ticket's anchor.
      if (first.notice.kind === 'sla') threadRef = await this.#ledger.anchor(this.platform, this.channel, ticketId);
      // More than a message lists (the minute's cap was reached): one line says how many, and where to see them.
      const ref =
        batch.length > this.#maxPerMessage
          ? await this.#poster.postLine(this.channel, moreTicketsLine(batch.length))
          : await this.#poster.post(
              this.channel,
              batch.map((w) => w.notice),
              threadRef,
            );
      this.#posts += 1;
      if (anchorKey) await this.#ledger.posted(this.platform, this.channel, ticketId, anchorKey, ref);
      for (const w of batch) {
        if (w.key !== null) await this.#ledger.posted(this.platform, this.channel, w.notice.ticketId, w.key, ref);
      }
      this.#log.info({ ...fields, messageRef: ref, ...(threadRef ? { threadRef } : {}) }, 'chat notice posted');
      for (const w of batch) w.done(POSTED);
    } catch (error) {
      this.#log.warn({ ...fields, err: reasonOf(error) }, 'chat notice not posted; it will be retried by a later pass');
      if (anchorKey)
        await this.#ledger.release(this.platform, this.channel, ticketId, anchorKey).catch(() => undefined);
      for (const w of batch) {
        if (w.key !== null)
          await this.#ledger.release(this.platform, this.channel, w.notice.ticketId, w.key).catch(() => undefined);
        w.done(refused(reasonOf(error)));
      }
    }
  }
}
