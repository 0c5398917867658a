/**
 * One chat platform's way of posting ticket notices (Slack's chat.postMessage, Discord's channel
 * messages). The notifier (src/services/paced-chat-notifier.ts) decides when and what goes together;
 * the poster only renders and posts. Not in the contract: pacing, retries beyond the SDK's own, and
 * deduplication (the NoticeFeed's ledger does that).
 */
import type { ChatPlatform } from '../domain/platform.ts';
import type { TicketNotice } from './chat-notifier.ts';

export interface ChatPoster {
  readonly platform: ChatPlatform;
  /**
   * Posts one message announcing these notices (all new tickets, or one ticket's replies, or one
   * escalation) in `channel`, under `threadRef` when given. Resolves with the message's reference
   * (Slack ts, Discord message id); rejects when the platform refused it after its own retries.
   */
  post(channel: string, notices: readonly TicketNotice[], threadRef: string | null): Promise<string>;
  /** Posts an operator's alert (our own words, no customer text) in `channel`; resolves with its reference. */
  postAlert(channel: string, text: string): Promise<string>;
  /** Posts one line of our own words (no customer text) in `channel`: the summary of a capped burst. */
  postLine(channel: string, line: string): Promise<string>;
  /**
   * Posts these notices to one person directly (a Slack DM from the app, a Discord DM channel), never
   * threaded: the SLA alert to a ticket's assignee. `userId` is their platform user id.
   */
  postDirect(userId: string, notices: readonly TicketNotice[]): Promise<string>;
}
