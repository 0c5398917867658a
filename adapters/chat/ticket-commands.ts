/**
 * What the chat front ends need of the command service: they never parse a command themselves, they
 * pass what the person typed or pressed and render the CommandReply. The shapes are those of the
 * command-service contract (src/domain/command.ts); until that module lands they are restated here,
 * structurally identical, so the chat adapters compile on their own.
 */
export type Platform = 'slack' | 'discord' | 'console' | 'http';
/** Who typed the command, as the platform identifies them. */
export interface Caller {
  readonly platform: Platform;
  readonly userId: string;
  readonly email?: string;
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
  readonly ok: boolean;
  readonly text: string;
  readonly ephemeral: boolean;
  readonly view?: TicketCard | TicketListView | StatsView;
}
export const PRIORITY_COLOURS = { urgent: '#d32f2f', high: '#f57c00', normal: '#1976d2', low: '#757575' } as const;

/** The command service as the chat front ends call it. */
export interface TicketCommands {
  run(caller: Caller, text: string): Promise<CommandReply>;
  runAction(caller: Caller, action: Exclude<TicketAction, 'reply'>, ticketId: number): Promise<CommandReply>;
  suggestTickets(prefix: string, limit: number): Promise<readonly TicketSummary[]>;
}

/** The answer when the service itself failed (the database is down): the person can only retry. */
export const SERVICE_FAILED_TEXT = 'Something went wrong on our side and nothing was changed; try again in a minute, and tell an administrator if it keeps happening.';
