/**
 * The bots' notice loop: every pass, for each channel notifier, the new tickets and customers'
 * replies that channel was not told about are read from the database and handed to its notifier
 * (which coalesces and paces them). A new ticket waits for triage (so its colour is its real
 * priority), or at most `triageGraceMs`.
 */
import type { Logger } from '../../src/ports/logger.ts';
import type { Database } from '../mysql/database.ts';
import { MysqlTicketNoticeFeed } from './mysql-ticket-notice-feed.ts';
import type { PacedChatNotifier } from './paced-chat-notifier.ts';

export interface ChatNoticeLoopOptions {
  readonly database: Database;
  readonly notifiers: readonly PacedChatNotifier[];
  readonly logger: Logger;
  readonly everyMs?: number;
  readonly triageGraceMs?: number;
  /** On stop, how long waiting notices may still be posted; the rest is left to the next start. */
  readonly stopDeadlineMs?: number;
}

export class ChatNoticeLoop {
  readonly #targets: { readonly notifier: PacedChatNotifier; readonly feed: MysqlTicketNoticeFeed }[];
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #graceMs: number;
  readonly #stopDeadlineMs: number;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #firstSeen = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #stopped = false;
  #lastError: string | null = null;

  constructor(options: ChatNoticeLoopOptions) {
    this.#targets = options.notifiers.map((notifier) => ({
      notifier,
      feed: new MysqlTicketNoticeFeed({ database: options.database, platform: notifier.platform, channel: notifier.channel }),
    }));
    this.#log = options.logger.child({ component: 'chat-notices' });
    this.#everyMs = options.everyMs ?? 1_500;
    this.#graceMs = options.triageGraceMs ?? 10_000;
    this.#stopDeadlineMs = options.stopDeadlineMs ?? 5_000;
  }

  async start(): Promise<void> {
    for (const t of this.#targets) await t.feed.start();
    this.#schedule(0);
  }

  /** One pass now (tests, and the timer). */
  async runOnce(): Promise<void> {
    this.#pass ??= this.#runPass().finally(() => {
      this.#pass = null;
    });
    await this.#pass;
  }

  describe(): string {
    const parts = this.#targets.map((t) => `${t.notifier.platform} ${t.notifier.channel}: ${t.notifier.posts} posted, ${t.notifier.waiting} waiting`);
    return `notices: ${parts.join('; ') || 'no channel configured'}${this.#lastError ? ` (last error: ${this.#lastError})` : ''}`;
  }

  /** Resolves when every notice handed out so far was posted or given up. */
  async idle(): Promise<void> {
    await this.#pass;
    await Promise.all([...this.#inFlight.values()]);
  }

  /** Stops reading; waiting notices are posted until the deadline, the rest freed for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#pass;
    await Promise.all(this.#targets.map((t) => t.notifier.stop(this.#stopDeadlineMs)));
    await this.idle();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce().finally(() => this.#schedule(this.#everyMs));
    }, ms);
  }

  async #runPass(): Promise<void> {
    const now = Date.now();
    for (const { notifier, feed } of this.#targets) {
      try {
        for (const pending of await feed.pending()) {
          if (this.#stopped) break;
          const id = `${notifier.platform}/${notifier.channel}/${pending.notice.ticketId}/${pending.key}`;
          if (this.#inFlight.has(id)) continue;
          if (!pending.triaged) {
            const seen = this.#firstSeen.get(id) ?? now;
            this.#firstSeen.set(id, seen);
            if (now - seen < this.#graceMs) continue;
          }
          this.#firstSeen.delete(id);
          // Claimed one after the other, so that a burst is listed in the order it arrived.
          const { posted } = await notifier.enqueueOnce(pending.notice, pending.key);
          this.#inFlight.set(
            id,
            posted.finally(() => this.#inFlight.delete(id)),
          );
        }
        this.#lastError = null;
      } catch (error) {
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#log.warn({ platform: notifier.platform, channel: notifier.channel, err: this.#lastError }, 'could not read new tickets for chat notices; retrying at the next pass');
      }
    }
  }
}
