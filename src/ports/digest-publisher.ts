/**
 * Posting the digest to a chat channel, drawing its chart, and the ledger that makes a post happen
 * once per channel per day.
 */
import type { ChatPlatform } from '../domain/platform.ts';
import type { DailyCounts, DayString, DigestField, DigestMarkup } from '../domain/digest.ts';

/** A digest ready to post: the text, a title and short fields (for embeds/blocks), the chart. */
export interface DigestPost {
  readonly title: string;
  readonly text: string;
  /** The text in a chat's markup, customers' words (ticket subjects) escaped for it: what a publisher posts. */
  readonly textIn: (markup: DigestMarkup) => string;
  readonly fields: readonly DigestField[];
  readonly png: Uint8Array;
  readonly day: DayString;
}

/**
 * One chat platform. `channel` is the platform's own channel id (C123 for Slack, 123… for Discord).
 * Resolves with a reference to the posted message; throws an AppError ('digest.post_failed', retryable
 * or not) when the platform refused it.
 */
export interface DigestPublisher {
  readonly platform: ChatPlatform;
  publish(channel: string, digest: DigestPost): Promise<string>;
}

/** Draws "new vs closed per day" as a PNG. */
export interface DigestChartRenderer {
  render(history: readonly DailyCounts[]): Uint8Array;
}

export type DigestClaim =
  /** This caller holds the (channel, day) and must post, then mark it. */
  | { readonly state: 'claimed'; readonly token: string }
  /** Posted already (messageRef) or being posted by someone else right now. */
  | { readonly state: 'posted'; readonly messageRef: string | null }
  | { readonly state: 'busy'; readonly claimedAt: Date }
  /** A poster started sending and vanished: the digest may or may not be in the channel. */
  | { readonly state: 'uncertain'; readonly claimedAt: Date };

/**
 * The record of digests posted, one per (channel, day): whoever inserts the row first posts.
 * A claim whose owner vanished before sending (older than `staleMs`, never marked as sending) may
 * be taken over; one that vanished while sending is left alone (never twice beats always once).
 */
export interface DigestLedger {
  claim(channel: string, day: DayString, now: Date, staleMs: number): Promise<DigestClaim>;
  /** Just before the platform is called: from here on, a crash leaves the claim 'uncertain'. */
  markSending(channel: string, day: DayString, token: string): Promise<void>;
  markPosted(channel: string, day: DayString, token: string, messageRef: string, at: Date): Promise<void>;
  /** The platform refused before anything was posted: free the claim so a retry may post. */
  release(channel: string, day: DayString, token: string): Promise<void>;
  /** An operator checked the channel: forget an uncertain claim so the next attempt posts. */
  forget(channel: string, day: DayString): Promise<boolean>;
}
