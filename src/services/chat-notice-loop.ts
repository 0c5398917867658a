/**
 * The bots' notice loop: every pass, for each channel notifier, the new tickets and customers'
 * replies that channel was not told about are read from its NoticeFeed and handed to its notifier
 * (which coalesces and paces them). A new ticket waits for triage (so its colour is its real
 * priority), or at most `triageGraceMs`.
 */
import type { ChatPlatform } from '../domain/platform.ts';
import type { Logger } from '../ports/logger.ts';
import type { NoticeFeed } from '../ports/notice-feed.ts';
import type { MailBreaker } from '../ports/spam-store.ts';
import type { PacedChatNotifier } from './paced-chat-notifier.ts';

export interface ChatNoticeLoopOptions {
  /** The breaker of automatic mail: each notify channel is told once per trip. */
  readonly breaker?: Pick<MailBreaker, 'state'>;
  /** The feed of one channel's notices (adapters/mysql/mysql-ticket-notice-feed.ts in production). */
  readonly feedFor: (platform: ChatPlatform, channel: string) => NoticeFeed;
  readonly notifiers: readonly PacedChatNotifier[];
  readonly logger: Logger;
  readonly everyMs?: number;
  readonly triageGraceMs?: number;
  /** On stop, how long waiting notices may still be posted; the rest is left to the next start. */
  readonly stopDeadlineMs?: number;
}

export class ChatNoticeLoop {
  readonly #targets: { readonly notifier: PacedChatNotifier; readonly feed: NoticeFeed }[];
  readonly #log: Logger;
  readonly #breaker: Pick<MailBreaker, 'state'> | null;
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
      feed: options.feedFor(notifier.platform, notifier.channel),
    }));
    this.#log = options.logger.child({ component: 'chat-notices' });
    this.#breaker = options.breaker ?? null;
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
    const parts = this.#targets.map(
      (t) => `${t.notifier.platform} ${t.notifier.channel}: ${t.notifier.posts} posted, ${t.notifier.waiting} waiting`,
    );
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

  /**
   * The breaker of automatic mail tripped (intake hit ACK_MAX_TOTAL_PER_HOUR): each notify channel is
   * told once per trip, with what to do.
   */
  async #breakerAlert(): Promise<void> {
    if (this.#targets.length === 0 || !this.#breaker) return;
    const state = await this.#breaker.state();
    const at = state.trippedAt;
    if (!state.tripped || !at) return;
    const key = `brk:${at.getTime().toString(36)}`;
    const text = breakerAlertText(at, state.reason);
    for (const { notifier } of this.#targets) await notifier.alertOnce(key, text);
  }

  async #runPass(): Promise<void> {
    const now = Date.now();
    try {
      await this.#breakerAlert();
    } catch (error) {
      this.#log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not read the automatic mail breaker; retrying at the next pass',
      );
    }
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
        this.#log.warn(
          { platform: notifier.platform, channel: notifier.channel, err: this.#lastError },
          'could not read new tickets for chat notices; retrying at the next pass',
        );
      }
    }
  }
}

/** What the notify channels read when automatic mail stops: what happened, what still works, how to reset. */
export function breakerAlertText(at: Date, reason: string | null): string {
  return [
    `Automatic mail stopped at ${at.toISOString().slice(0, 19).replace('T', ' ')} UTC: ${reason ?? 'the hourly cap of automatic emails was hit'}.`,
    'No acknowledgement goes out until an operator resets it (a flood of new tickets, or mail sent in the name of others, is the usual cause: check the newest tickets first).',
    "Agents' replies still go. To let automatic mail go again: `npx ticketrelay breaker reset` (`npx ticketrelay breaker status` says where it stands).",
  ].join(' ');
}
