/**
 * CommandReply and ticket notices → Discord messages: embeds coloured by priority, buttons with
 * custom ids "ticket:<action>:<number>", and the reply modal. Plain API JSON (discord-api-types), so
 * the same bodies serve the gateway, raw interaction payloads and the REST notifier.
 */
import {
  ButtonStyle,
  ComponentType,
  TextInputStyle,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIModalInteractionResponseCallbackData,
} from 'discord.js';
import {
  describeAttachment,
  NOT_TRIAGED,
  PRIORITY_COLOURS,
  statusWithWait,
  topTemplatesText,
  untriagedNote,
  type CommandReply,
  type StatsView,
  type TicketAction,
  type TicketCard,
  type ThreadEntry,
  type TicketListView,
  type TicketSummary,
} from '../../src/domain/command.ts';
// Discord's markdown in text from customers, the old site or an agent's draft: shown as typed.
import { clipEncoded as clip, discordText as esc } from '../../src/domain/encode.ts';
import { slaStatsText } from '../../src/domain/sla.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import { capitalised, nextPageCommand } from '../chat/ticket-commands.ts';

export interface DiscordMessage {
  readonly content: string;
  readonly embeds: APIEmbed[];
  readonly components: APIActionRowComponent<APIButtonComponent>[];
}

export const CUSTOM_ID_PREFIX = 'ticket';
export type ButtonKind = TicketAction | 'view' | 'send' | 'cancel';
export const REPLY_MODAL = 'reply_modal';
/** A confirmation button's custom id: this prefix, then the command line it runs (CommandReply.confirm). */
export const CONFIRM_PREFIX = 'ticketcmd:';
export const REPLY_TEXT_INPUT = 'text';

const LABELS: Record<TicketAction, string> = {
  close: 'Close',
  reopen: 'Reopen',
  assign_me: 'Assign to me',
  reply: 'Reply',
};
/** Files named under an email of the thread; the rest are counted. */
const MAX_FILE_LINES = 3;
const MARKS: Record<string, string> = { urgent: '🔴', high: '🟠', normal: '🔵', low: '⚪' };

export function colourOf(priority: string): number {
  const hex = (PRIORITY_COLOURS as Record<string, string>)[priority] ?? PRIORITY_COLOURS.normal;
  return Number.parseInt(hex.slice(1), 16);
}

export function customId(kind: ButtonKind | typeof REPLY_MODAL, ticketId: number): string {
  return `${CUSTOM_ID_PREFIX}:${kind}:${ticketId}`;
}

/** "ticket:close:12" → { kind: 'close', ticketId: 12 }, or null for ids that are not ours. */
export function parseCustomId(id: string): { kind: string; ticketId: number } | null {
  const m = /^ticket:([a-z_]+):(\d{1,10})$/.exec(id);
  return m?.[1] && m[2] ? { kind: m[1], ticketId: Number(m[2]) } : null;
}

export function renderReply(reply: CommandReply): DiscordMessage {
  // The service's text quotes customers (subjects, names): Discord's markdown in it is escaped.
  const content = clip(reply.ok ? esc(reply.text) : `⚠️ ${esc(reply.text)}`, 2000);
  switch (reply.view?.kind) {
    case 'ticket':
      return { content: clip(`Ticket #${reply.view.ticket.ticketId}`, 2000), ...card(reply.view) };
    case 'list':
      return { content: '', embeds: [listEmbed(reply.view, reply.text)], components: [] };
    case 'stats':
      return { content: '', embeds: [statsEmbed(reply.view)], components: [] };
    default:
      return { content, embeds: [], components: confirmButton(reply) };
  }
}

/** "Assign anyway": a custom id holds 100 characters; a longer line is left to be typed (the text says how). */
function confirmButton(reply: CommandReply): APIActionRowComponent<APIButtonComponent>[] {
  const id = reply.confirm ? `${CONFIRM_PREFIX}${reply.confirm.command}` : '';
  if (!reply.confirm || id.length > 100) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Primary, label: clip(reply.confirm.label, 80), custom_id: id },
      ],
    },
  ];
}

function card(view: TicketCard): { embeds: APIEmbed[]; components: APIActionRowComponent<APIButtonComponent>[] } {
  const t = view.ticket;
  const fields = [
    { name: 'Customer', value: clip(`${esc(t.customer)} ${esc(`<${view.customerEmail}>`)}`, 1024), inline: true },
    { name: 'Status', value: t.status, inline: true },
    { name: 'Priority', value: t.triaged ? `${MARKS[t.priority] ?? ''} ${t.priority}` : NOT_TRIAGED, inline: true },
    { name: 'Category', value: t.triaged ? t.category : NOT_TRIAGED, inline: true },
    { name: 'Assignee', value: t.assignee ? esc(t.assignee) : 'nobody', inline: true },
    { name: 'Opened', value: `<t:${Math.floor(t.createdAt.getTime() / 1000)}:f>`, inline: true },
  ];
  if (view.reasons.length)
    fields.push({ name: 'Triage', value: clip(view.reasons.map(esc).join('\n'), 1024), inline: false });
  if (view.sla?.length) fields.push({ name: 'SLA', value: clip(view.sla.map(esc).join('\n'), 1024), inline: false });
  if (view.assignment?.length)
    fields.push({ name: 'Assignment', value: clip(view.assignment.map(esc).join('\n'), 1024), inline: false });
  for (const entry of view.thread.slice(-6)) {
    // A field holds 1,024 characters: the files are kept whole, and the text gives way to them.
    const files = attachmentLines(entry);
    const body = `<t:${Math.floor(entry.at.getTime() / 1000)}:f>\n${entry.text ? esc(entry.text) : '(empty)'}`;
    fields.push({
      name: clip(
        `${entry.byStaff ? '👤' : '✉️'} ${esc(entry.from)}${entry.event ? ' (status)' : entry.internal ? ' (internal note)' : ''}`,
        256,
      ),
      value: files ? `${clip(body, 1024 - files.length - 1)}\n${files}` : clip(body, 1024),
      inline: false,
    });
  }
  const embed: APIEmbed = {
    title: clip(`#${t.ticketId} ${esc(t.subject)}`, 256),
    color: colourOf(t.priority),
    fields: fields.slice(0, 25),
  };
  return { embeds: [embed], components: buttons(t.ticketId, view.actions) };
}

/** One line per file under its email, at most MAX_FILE_LINES (then how many more): a few hundred characters at most. */
function attachmentLines(entry: ThreadEntry): string {
  const files = entry.attachments ?? [];
  const lines = files
    .slice(0, MAX_FILE_LINES)
    .map((a) => clip(`${a.notKept ? '🚫' : '📎'} ${esc(describeAttachment(a))}`, 180));
  if (files.length > MAX_FILE_LINES) lines.push(`📎 and ${files.length - MAX_FILE_LINES} more`);
  return lines.join('\n');
}

/** `text`: the service's plain answer, for its next-page command and its sentence when the list is empty. */
function listEmbed(list: TicketListView, text: string): APIEmbed {
  const next = nextPageCommand(text);
  const lines = list.items.map(summaryLine);
  const top = list.items[0];
  return {
    title: clip(
      `${esc(capitalised(list.filters)) || 'Tickets'}, ${list.order ?? 'newest first'} · page ${list.page}`,
      256,
    ),
    description: clip(lines.join('\n') || esc(text) || 'No ticket matches.', 4096),
    color: colourOf(top?.priority ?? 'normal'),
    ...(list.hasMore && next ? { footer: { text: clip(`More: ${next}`, 2048) } } : {}),
  };
}

function statsEmbed(stats: StatsView): APIEmbed {
  const counts = (record: Readonly<Record<string, number>>) =>
    clip(
      Object.entries(record)
        .map(([k, v]) => `${MARKS[k] ?? ''} ${k}: ${v}`.trim())
        .join('\n') || 'none',
      1024,
    );
  return {
    title: clip(`Tickets — ${stats.period}`, 256),
    color: colourOf('normal'),
    fields: [
      { name: 'Total', value: String(stats.total), inline: true },
      { name: 'Open', value: String(stats.open), inline: true },
      { name: 'Closed', value: String(stats.closed), inline: true },
      { name: 'New in the period', value: String(stats.created), inline: true },
      { name: 'By priority', value: counts(stats.byPriority), inline: false },
      { name: 'By category', value: counts(stats.byCategory), inline: false },
      ...(stats.topTemplates
        ? [{ name: 'Top templates', value: clip(esc(topTemplatesText(stats.topTemplates)), 1024), inline: false }]
        : []),
      ...(stats.sla ? [{ name: 'SLA', value: clip(esc(slaStatsText(stats.sla)), 1024), inline: false }] : []),
      ...(stats.untriaged > 0
        ? [{ name: 'Waiting for triage', value: clip(untriagedNote(stats.untriaged), 1024), inline: false }]
        : []),
    ],
  };
}

export function summaryLine(t: TicketSummary): string {
  const triage = t.triaged ? `${t.priority} · ${t.category}` : `*${NOT_TRIAGED}*`;
  return `${t.triaged ? (MARKS[t.priority] ?? '') : '?'} **#${t.ticketId}** ${esc(t.subject)} — ${esc(t.customer)} · ${statusWithWait(t)} · ${triage}${t.assignee ? ` · ${esc(t.assignee)}` : ''}`;
}

export function renderNotices(notices: readonly TicketNotice[]): DiscordMessage {
  const first = notices[0];
  if (!first) return { content: '', embeds: [], components: [] };
  const content =
    first.kind === 'new'
      ? notices.length === 1
        ? `New ticket #${first.ticketId}`
        : `${notices.length} new tickets: ${notices.map((n) => `#${n.ticketId}`).join(', ')}`
      : first.kind === 'escalation'
        ? `🚨 Escalated: ticket #${first.ticketId}`
        : first.kind === 'sla'
          ? `⏰ SLA: ticket #${first.ticketId} — ${esc(first.lines[0] ?? '')}`
          : first.kind === 'assignment'
            ? `👤 Assignment: ticket #${first.ticketId} — ${esc(first.lines[0] ?? '')}`
            : `✉️ ${esc(first.customer)} replied on ticket #${first.ticketId}`;
  const embeds = notices.slice(0, 10).map((n): APIEmbed => ({
    title: clip(`${MARKS[n.priority] ?? ''} #${n.ticketId} ${esc(n.subject)}`, 256),
    description: clip(
      `${esc(n.customer)} · ${n.priority} · ${n.category}${n.lines.length ? `\n>>> ${esc(n.lines.join('\n'))}` : ''}`,
      4096,
    ),
    color: colourOf(n.priority),
  }));
  // One row of buttons per ticket, at most five rows per message.
  const components =
    first.kind === 'reply'
      ? []
      : notices.slice(0, 5).flatMap((n) => buttons(n.ticketId, ['assign_me', 'reply', 'close']));
  return { content: clip(content, 2000), embeds, components };
}

/** The preview of a reply, with Send and Cancel; the text travels in the embed, so nothing is kept in memory. */
export function replyPreview(ticketId: number, text: string): DiscordMessage {
  return {
    content: `This email will be sent to the customer of ticket #${ticketId}:`,
    embeds: [
      { title: clip(`Reply to #${ticketId}`, 256), description: clip(esc(text), 4096), color: colourOf('normal') },
    ],
    components: [sendOrCancel(customId('send', ticketId), ticketId)],
  };
}

/** Send (with its id) and Cancel under a preview. */
function sendOrCancel(sendId: string, ticketId: number): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: [
      { type: ComponentType.Button, style: ButtonStyle.Primary, label: 'Send', custom_id: sendId },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: 'Cancel',
        custom_id: customId('cancel', ticketId),
      },
    ],
  };
}

/** Discord's limit on a modal's inputs: a template asking for more is answered in a sentence instead. */
export const MODAL_INPUTS_MAX = 5;
const TEMPLATE_ASK = 'tplask';
const TEMPLATE_SEND = 'tplsend';

/** "tplask:12:retard-livraison" (a key has at most 80 characters: within Discord's 100 for a custom id). */
export function templateCustomId(kind: 'ask' | 'send', ticketId: number, key: string): string {
  return `${kind === 'ask' ? TEMPLATE_ASK : TEMPLATE_SEND}:${ticketId}:${key}`;
}

/** A template form's or Send button's id → which, the ticket and the key; null for ids that are not these. */
export function parseTemplateCustomId(id: string): { kind: 'ask' | 'send'; ticketId: number; key: string } | null {
  const m = /^(tplask|tplsend):(\d{1,10}):([a-z0-9][a-z0-9_-]{0,79})$/.exec(id);
  return m?.[1] && m[2] && m[3]
    ? { kind: m[1] === TEMPLATE_ASK ? 'ask' : 'send', ticketId: Number(m[2]), key: m[3] }
    : null;
}

/** A template's asked fields in a modal: one short text input each, labelled by the field's name. */
export function templateAskModal(
  ticketId: number,
  key: string,
  asks: readonly string[],
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: templateCustomId('ask', ticketId, key),
    title: clip(`#${ticketId}: ${key}`, 45),
    components: asks.slice(0, MODAL_INPUTS_MAX).map((name) => ({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.TextInput,
          custom_id: name,
          // A label is plain text (no markdown), at most 45 characters; a field's name has at most 40.
          label: clip(name, 45),
          style: TextInputStyle.Short,
          required: true,
          max_length: 500,
        },
      ],
    })),
  };
}

/**
 * A template's preview with the values asked: the fields ride in the embed (escaped, read back on Send) and
 * the key in the Send button's id, so Send emails exactly what was shown, with the template's actions.
 */
export function templatePreview(
  ticketId: number,
  key: string,
  asks: Readonly<Record<string, string>>,
  text: string,
): DiscordMessage {
  return {
    content: `Template ${key} for ticket #${ticketId}: nothing is sent before Send.`,
    embeds: [
      {
        title: clip(`Reply to #${ticketId}`, 256),
        description: clip(esc(text), 4096),
        color: colourOf('normal'),
        fields: Object.entries(asks)
          .slice(0, 25)
          .map(([name, value]) => ({ name, value: clip(esc(value), 1024), inline: true })),
      },
    ],
    components: [sendOrCancel(templateCustomId('send', ticketId, key), ticketId)],
  };
}

export function replyModal(ticketId: number): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId(REPLY_MODAL, ticketId),
    title: clip(`Reply to ticket #${ticketId}`, 45),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: REPLY_TEXT_INPUT,
            label: 'Your reply (emailed to the customer)',
            style: TextInputStyle.Paragraph,
            required: true,
            max_length: 4000,
          },
        ],
      },
    ],
  };
}

function buttons(ticketId: number, actions: readonly TicketAction[]): APIActionRowComponent<APIButtonComponent>[] {
  if (actions.length === 0) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: actions.slice(0, 5).map((a) => ({
        type: ComponentType.Button as const,
        style: a === 'close' ? ButtonStyle.Danger : a === 'reply' ? ButtonStyle.Primary : ButtonStyle.Secondary,
        label: LABELS[a],
        custom_id: customId(a, ticketId),
      })),
    },
  ];
}
