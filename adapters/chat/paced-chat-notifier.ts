/**
 * ChatNotifier for one chat channel, whatever the platform: notices wait in a queue per channel,
 * posts are spaced (about one per second per channel, what Slack allows), and a burst is coalesced —
 * the new tickets waiting are announced in one message, a ticket's waiting replies in one threaded
 * message — instead of being lost to the platform's rate limit. Each notice is claimed in
 * support_chat_post first, so that it goes out once across processes; a refused post frees its claim
 * and a later pass retries it. Never throws for the platform being down: it logs.
 */
import type { ChatNotifier, TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { ChatPlatform, MysqlChatPostLedger } from './mysql-chat-post-ledger.ts';
import { sleep } from '../../src/domain/timing.ts';

/** One platform's way of posting notices; the notifier decides when and what goes together. */
export interface ChatPoster {
  readonly platform: ChatPlatform;
  /**
   * Posts one message announcing these notices (all new tickets, or one ticket's replies, or one
   * escalation) in `channel`, under `threadRef` when given. Resolves with the message's reference
   * (Slack ts, Discord message id); rejects when the platform refused it after its own retries.
   */
  post(channel: string, notices: readonly TicketNotice[], threadRef: string | null): Promise<string>;
}

interface Waiting {
  readonly notice: TicketNotice;
  /** Its claim in support_chat_post, or null for a notice that is not deduplicated. */
  readonly key: string | null;
  readonly at: number;
  readonly done: (posted: boolean) => void;
}

export interface PacedChatNotifierOptions {
  readonly poster: ChatPoster;
  readonly channel: string;
  readonly ledger: MysqlChatPostLedger;
  readonly logger: Logger;
  /** Least time between two posts in the channel. */
  readonly minGapMs?: number;
  /** How long the first notice of a burst waits for others to join it. */
  readonly coalesceMs?: number;
  /** Most tickets listed in one message. */
  readonly maxPerMessage?: number;
}

export class PacedChatNotifier implements ChatNotifier {
  readonly platform: ChatPlatform;
  readonly channel: string;
  readonly #poster: ChatPoster;
  readonly #ledger: MysqlChatPostLedger;
  readonly #log: Logger;
  readonly #minGapMs: number;
  readonly #coalesceMs: number;
  readonly #maxPerMessage: number;
  readonly #queue: Waiting[] = [];
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
    // A new ticket and an escalation are announced once per ticket; replies come with their own key.
    await this.notifyOnce(notice, notice.onceKey ?? (notice.kind === 'reply' ? null : notice.kind));
  }

  /**
   * Claims `key` for the ticket in this channel, then posts in its turn. Resolves true once posted,
   * false when someone else had claimed it or the platform refused (the claim is then freed).
   */
  async notifyOnce(notice: TicketNotice, key: string | null): Promise<boolean> {
    return (await this.enqueueOnce(notice, key)).posted;
  }

  /** Claims and queues, resolving once queued (so callers keep their order); `posted` settles after the post. */
  async enqueueOnce(notice: TicketNotice, key: string | null): Promise<{ readonly posted: Promise<boolean> }> {
    try {
      if (key !== null && !(await this.#ledger.claim(this.platform, this.channel, notice.ticketId, key, new Date()))) return { posted: Promise.resolve(false) };
    } catch (error) {
      this.#log.error({ ticketId: notice.ticketId, err: error }, 'could not record the chat notice; it is not posted now, a later pass retries');
      return { posted: Promise.resolve(false) };
    }
    const posted = new Promise<boolean>((resolve) => {
      this.#queue.push({ notice, key, at: Date.now(), done: resolve });
    });
    this.#pumping ??= this.#pump().finally(() => {
      this.#pumping = null;
    });
    return { posted };
  }

  /** Resolves when every waiting notice was posted or given up. */
  async idle(): Promise<void> {
    while (this.#pumping) await this.#pumping;
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (!head) break;
      // Let a burst gather, and keep to the channel's pace.
      const readyAt = Math.max(head.at + (head.notice.kind === 'escalation' || head.notice.kind === 'sla' ? 0 : this.#coalesceMs), this.#lastPostAt + this.#minGapMs);
      const wait = readyAt - Date.now();
      if (wait > 0) await sleep(wait);
      const batch = this.#takeBatch();
      await this.#post(batch);
      this.#lastPostAt = Date.now();
    }
  }

  /** The head notice and those that go in the same message with it. */
  #takeBatch(): Waiting[] {
    const head = this.#queue[0];
    if (!head) return [];
    const together = (w: Waiting) =>
      head.notice.kind === 'new' ? w.notice.kind === 'new' : head.notice.kind === 'reply' ? w.notice.kind === 'reply' && w.notice.ticketId === head.notice.ticketId : w === head;
    const batch: Waiting[] = [];
    for (let i = 0; i < this.#queue.length && batch.length < this.#maxPerMessage; ) {
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
      if (first.notice.kind === 'reply') {
        threadRef = await this.#ledger.anchor(this.platform, this.channel, ticketId);
        // No message to thread under (the ticket predates the bot): this one becomes its anchor.
        if (threadRef === null && (await this.#ledger.claim(this.platform, this.channel, ticketId, 'new', new Date()))) anchorKey = 'new';
      }
      const ref = await this.#poster.post(
        this.channel,
        batch.map((w) => w.notice),
        threadRef,
      );
      this.#posts += 1;
      if (anchorKey) await this.#ledger.posted(this.platform, this.channel, ticketId, anchorKey, ref);
      for (const w of batch) {
        if (w.key !== null) await this.#ledger.posted(this.platform, this.channel, w.notice.ticketId, w.key, ref);
      }
      this.#log.info({ ...fields, messageRef: ref }, 'chat notice posted');
      for (const w of batch) w.done(true);
    } catch (error) {
      this.#log.warn({ ...fields, err: error instanceof Error ? error.message : String(error) }, 'chat notice not posted; it will be retried by a later pass');
      if (anchorKey) await this.#ledger.release(this.platform, this.channel, ticketId, anchorKey).catch(() => undefined);
      for (const w of batch) {
        if (w.key !== null) await this.#ledger.release(this.platform, this.channel, w.notice.ticketId, w.key).catch(() => undefined);
        w.done(false);
      }
    }
  }
}
