/**
 * The /ticket command set, platform-neutral: who typed it (Caller), what they asked (ParsedCommand,
 * from parseCommand), and what they get back (CommandReply with an optional structured view that
 * Slack's Block Kit, Discord's embeds and the console render each in their own way).
 */
import { CATEGORIES, PRIORITIES, type Category, type Priority } from './ticket.ts';

export type Platform = 'slack' | 'discord' | 'console' | 'http';
/** Who typed the command, as the platform identifies them. */
export interface Caller {
  readonly platform: Platform;
  /** Slack user id, Discord user id, console user name. */
  readonly userId: string;
  /** Slack profile email when known. */
  readonly email?: string;
  /** Discord role ids of the member. */
  readonly roleIds?: readonly string[];
  readonly displayName?: string;
}
export type TicketAction = 'close' | 'reopen' | 'assign_me' | 'reply';
export interface TicketSummary {
  readonly ticketId: number;
  readonly subject: string;
  readonly customer: string;
  readonly status: 'open' | 'closed';
  readonly priority: 'urgent' | 'high' | 'normal' | 'low';
  readonly category: 'general' | 'technical' | 'billing' | 'complaint' | 'suggestion';
  readonly createdAt: Date;
  readonly assignee: string | null;
}
export interface ThreadEntry { readonly from: string; readonly at: Date; readonly text: string; readonly byStaff: boolean; readonly internal: boolean }
export interface TicketCard { readonly kind: 'ticket'; readonly ticket: TicketSummary; readonly customerEmail: string; readonly reasons: readonly string[]; readonly thread: readonly ThreadEntry[]; readonly actions: readonly TicketAction[] }
export interface TicketListView { readonly kind: 'list'; readonly items: readonly TicketSummary[]; readonly page: number; readonly hasMore: boolean; readonly filters: string }
export interface StatsView { readonly kind: 'stats'; readonly period: string; readonly total: number; readonly open: number; readonly closed: number; readonly created: number; readonly byPriority: Readonly<Record<string, number>>; readonly byCategory: Readonly<Record<string, number>> }
export interface CommandReply {
  /** false: the caller's mistake or a refusal — `text` is one clear sentence saying what to do. */
  readonly ok: boolean;
  /** Plain-text rendering: the console prints it; chat uses it as fallback text. */
  readonly text: string;
  /** Only the caller should see it (errors, help, lists); changes are announced in the channel. */
  readonly ephemeral: boolean;
  /** Structured content for rich rendering (Block Kit, embeds). */
  readonly view?: TicketCard | TicketListView | StatsView;
}
export const PRIORITY_COLOURS = { urgent: '#d32f2f', high: '#f57c00', normal: '#1976d2', low: '#757575' } as const satisfies Record<Priority, string>;

export { CATEGORIES, PRIORITIES, type Category, type Priority };
