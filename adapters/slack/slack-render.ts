/**
 * CommandReply and ticket notices → Slack messages: Block Kit blocks inside attachments, because
 * only an attachment carries the colour bar that shows a ticket's priority at a glance. The plain
 * `text` is always set (notifications, screen readers, clients without blocks).
 */
import type { types } from '@slack/bolt';
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
// Slack's mrkdwn control characters: every string from a customer or the old site goes through esc.
import { clipEncoded as clip, slackText as esc } from '../../src/domain/encode.ts';
import { suggestionLabel, type TemplateSuggestion } from '../../src/domain/reply-template.ts';
import { slaStatsText } from '../../src/domain/sla.ts';
import type { TicketNotice } from '../../src/ports/chat-notifier.ts';
import { capitalised, nextPageCommand } from '../chat/ticket-commands.ts';

type KnownBlock = types.KnownBlock;
type MessageAttachment = types.MessageAttachment;
type ActionsBlock = types.ActionsBlock;
type Button = types.Button;
type View = types.View;

export interface SlackMessage {
  readonly text: string;
  readonly blocks?: KnownBlock[];
  readonly attachments?: MessageAttachment[];
}

/**
 * On every post: Slack links no bare names or URLs by itself (parse none) and turns no @name into a
 * mention (link_names false); what we escaped stays text, what we wrote as <…> stays ours.
 */
export const SLACK_NO_PARSE = { parse: 'none', link_names: false } as const;

/** Action ids of our buttons; the button's value is the ticket number. */
export const ACTION_IDS = {
  close: 'ticket_close',
  reopen: 'ticket_reopen',
  assign_me: 'ticket_assign_me',
  reply: 'ticket_reply',
  view: 'ticket_view',
} as const satisfies Record<TicketAction | 'view', string>;

/** The button of a refusal a confirmation overrides (CommandReply.confirm); its value is the command line. */
export const CONFIRM_ACTION = 'ticket_confirm';

export const REPLY_COMPOSE_CALLBACK = 'ticket_reply_compose';
export const REPLY_CONFIRM_CALLBACK = 'ticket_reply_confirm';
export const REPLY_INPUT_BLOCK = 'reply_text';
export const REPLY_INPUT_ACTION = 'reply_text_input';
/** The compose form's template menu: an external_select whose options Bolt's app.options handler gives. */
export const REPLY_TEMPLATE_BLOCK = 'reply_template';
export const REPLY_TEMPLATE_ACTION = 'reply_template_select';
export const REPLY_VALUES_BLOCK = 'reply_values';
export const REPLY_VALUES_ACTION = 'reply_values_input';
/** The form asking a template's `{{ask:…}}` fields: one input block per field, "ask_<name>". */
export const REPLY_ASK_CALLBACK = 'ticket_reply_ask';
export const REPLY_ASK_ACTION = 'ask_value';
export const askBlockId = (name: string): string => `ask_${name}`;

const BUTTON_LABELS: Record<TicketAction, string> = {
  close: 'Close',
  reopen: 'Reopen',
  assign_me: 'Assign to me',
  reply: 'Reply',
};
/** Files named under an email of the thread; the rest are counted. */
const MAX_FILE_LINES = 5;
const PRIORITY_MARKS: Record<string, string> = {
  urgent: ':red_circle:',
  high: ':large_orange_circle:',
  normal: ':large_blue_circle:',
  low: ':white_circle:',
};

export function priorityColour(priority: string): string {
  return (PRIORITY_COLOURS as Record<string, string>)[priority] ?? PRIORITY_COLOURS.normal;
}

export function renderReply(reply: CommandReply): SlackMessage {
  // The service's text quotes customers (subjects, names): Slack parses `text` too, so it is escaped.
  const text = clip(esc(reply.text), 3000);
  switch (reply.view?.kind) {
    case 'ticket':
      return { text, attachments: [cardAttachment(reply.view)] };
    case 'list':
      return { text, blocks: listBlocks(reply.view, reply.text) };
    case 'stats':
      return { text, blocks: statsBlocks(reply.view) };
    default:
      return {
        text,
        blocks: [
          section(reply.ok ? text : `:warning: ${text}`),
          ...(reply.confirm
            ? [
                {
                  type: 'actions',
                  elements: [
                    {
                      type: 'button',
                      text: plain(reply.confirm.label, 75),
                      action_id: CONFIRM_ACTION,
                      value: reply.confirm.command,
                      style: 'primary',
                    },
                  ],
                } satisfies ActionsBlock,
              ]
            : []),
        ],
      };
  }
}

function cardAttachment(card: TicketCard): MessageAttachment {
  const t = card.ticket;
  const blocks: KnownBlock[] = [
    section(`*#${t.ticketId} ${esc(t.subject)}*`),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Customer*\n${esc(t.customer)} ${esc(card.customerEmail)}`),
        mrkdwn(`*Status*\n${t.status}`),
        mrkdwn(`*Priority*\n${t.triaged ? `${PRIORITY_MARKS[t.priority] ?? ''} ${t.priority}` : `_${NOT_TRIAGED}_`}`),
        mrkdwn(`*Category*\n${t.triaged ? t.category : `_${NOT_TRIAGED}_`}`),
        mrkdwn(`*Assignee*\n${t.assignee ? esc(t.assignee) : 'nobody'}`),
        mrkdwn(
          `*Opened*\n<!date^${Math.floor(t.createdAt.getTime() / 1000)}^{date_short_pretty} {time}|${t.createdAt.toISOString()}>`,
        ),
      ],
    },
  ];
  if (card.reasons.length > 0)
    blocks.push({ type: 'context', elements: [mrkdwn(clip(`Triage: ${card.reasons.map(esc).join(' · ')}`, 2000))] });
  if (card.sla?.length)
    blocks.push({ type: 'context', elements: [mrkdwn(clip(`:alarm_clock: ${card.sla.map(esc).join('\n')}`, 2000))] });
  if (card.assignment?.length)
    blocks.push({
      type: 'context',
      elements: [mrkdwn(clip(`:bust_in_silhouette: ${card.assignment.map(esc).join('\n')}`, 2000))],
    });
  // The newest entries: a block's text is limited, and a message to 50 blocks.
  for (const entry of card.thread.slice(-6)) {
    const who = `${entry.byStaff ? ':bust_in_silhouette:' : ':email:'} *${esc(entry.from)}*${entry.event ? ' _(status)_' : entry.internal ? ' _(internal note)_' : ''} · <!date^${Math.floor(entry.at.getTime() / 1000)}^{date_short} {time}|${entry.at.toISOString()}>`;
    // mrkdwn() keeps 2,000 characters: the files are kept whole, and the text gives way to them.
    const files = attachmentLines(entry);
    blocks.push(
      section(
        files
          ? `${clip(`${who}\n${quote(esc(entry.text))}`, 2000 - files.length - 1)}\n${files}`
          : clip(`${who}\n${quote(esc(entry.text))}`, 3000),
      ),
    );
  }
  const actions = actionsBlock(t.ticketId, card.actions);
  if (actions) blocks.push(actions);
  return { color: priorityColour(t.priority), fallback: `#${t.ticketId} ${esc(t.subject)}`, blocks };
}

/** One line per file under its email, at most MAX_FILE_LINES (then how many more): a few hundred characters. */
function attachmentLines(entry: ThreadEntry): string {
  const files = entry.attachments ?? [];
  const lines = files
    .slice(0, MAX_FILE_LINES)
    .map((a) => clip(`${a.notKept ? ':no_entry_sign:' : ':paperclip:'} ${esc(describeAttachment(a))}`, 200));
  if (files.length > MAX_FILE_LINES) lines.push(`:paperclip: _and ${files.length - MAX_FILE_LINES} more_`);
  return lines.join('\n');
}

/** `text`: the service's plain answer, for its next-page command and its sentence when the list is empty. */
function listBlocks(list: TicketListView, text: string): KnownBlock[] {
  const next = nextPageCommand(text);
  const blocks: KnownBlock[] = [
    section(`*${esc(capitalised(list.filters)) || 'Tickets'}*, ${list.order ?? 'newest first'} · page ${list.page}`),
  ];
  if (list.items.length === 0) blocks.push(section(esc(text) || 'No ticket matches.'));
  for (const item of list.items.slice(0, 45)) {
    blocks.push({
      type: 'section',
      text: mrkdwn(clip(summaryLine(item), 3000)),
      accessory: button('Open', ACTION_IDS.view, item.ticketId),
    });
  }
  if (list.hasMore && next) blocks.push({ type: 'context', elements: [mrkdwn(`More: \`${esc(next)}\``)] });
  return blocks;
}

function statsBlocks(stats: StatsView): KnownBlock[] {
  const counts = (record: Readonly<Record<string, number>>) =>
    Object.entries(record)
      .map(([k, v]) => `${PRIORITY_MARKS[k] ?? ''} ${k}: ${v}`.trim())
      .join('\n') || 'none';
  return [
    section(`*Tickets — ${esc(stats.period)}*`),
    {
      type: 'section',
      fields: [
        mrkdwn(`*Total*\n${stats.total}`),
        mrkdwn(`*Open*\n${stats.open}`),
        mrkdwn(`*Closed*\n${stats.closed}`),
        mrkdwn(`*New in the period*\n${stats.created}`),
      ],
    },
    {
      type: 'section',
      fields: [
        mrkdwn(`*By priority*\n${counts(stats.byPriority)}`),
        mrkdwn(`*By category*\n${counts(stats.byCategory)}`),
      ],
    },
    ...(stats.topTemplates ? [section(`*Top templates*\n${esc(topTemplatesText(stats.topTemplates))}`)] : []),
    ...(stats.sla ? [section(`*SLA*\n${esc(slaStatsText(stats.sla))}`)] : []),
    ...(stats.untriaged > 0 ? [section(`:warning: ${esc(untriagedNote(stats.untriaged))}`)] : []),
  ];
}

export function summaryLine(t: TicketSummary): string {
  const triage = t.triaged ? `${t.priority} · ${t.category}` : `_${NOT_TRIAGED}_`;
  return `${t.triaged ? (PRIORITY_MARKS[t.priority] ?? '') : '?'} *#${t.ticketId}* ${esc(t.subject)} — ${esc(t.customer)} · ${statusWithWait(t)} · ${triage}${t.assignee ? ` · ${esc(t.assignee)}` : ''}`;
}

/** A notice for the channel: new tickets (several in one message), an escalation, or a ticket's replies. */
export function renderNotices(notices: readonly TicketNotice[]): SlackMessage {
  const first = notices[0];
  if (!first) return { text: '' };
  const text =
    first.kind === 'new'
      ? notices.length === 1
        ? `New ticket #${first.ticketId}: ${esc(first.subject)} (${first.priority})`
        : `${notices.length} new tickets: ${notices.map((n) => `#${n.ticketId}`).join(', ')}`
      : first.kind === 'escalation'
        ? `Escalated: ticket #${first.ticketId} ${esc(first.subject)} (${first.priority})`
        : first.kind === 'sla'
          ? `SLA: ticket #${first.ticketId} — ${esc(first.lines[0] ?? '')}`
          : first.kind === 'assignment'
            ? `Assignment: ticket #${first.ticketId} — ${esc(first.lines[0] ?? '')}`
            : `${notices.length === 1 ? 'A reply' : `${notices.length} replies`} from ${esc(first.customer)} on ticket #${first.ticketId}`;
  const attachments = notices.map((n): MessageAttachment => {
    const head =
      n.kind === 'reply'
        ? `:email: *${esc(n.customer)}* replied on *#${n.ticketId}*`
        : `${n.kind === 'escalation' ? ':rotating_light: *Escalated* ' : n.kind === 'sla' ? ':alarm_clock: *SLA* ' : n.kind === 'assignment' ? ':bust_in_silhouette: *Assignment* ' : ''}${PRIORITY_MARKS[n.priority] ?? ''} *#${n.ticketId}* ${esc(n.subject)}\n${esc(n.customer)} · ${n.priority} · ${n.category}`;
    const blocks: KnownBlock[] = [
      section(clip(`${head}${n.lines.length ? `\n${quote(esc(n.lines.join('\n')))}` : ''}`, 3000)),
    ];
    if (n.kind !== 'reply') {
      const actions = actionsBlock(n.ticketId, ['assign_me', 'reply', 'close']);
      if (actions) blocks.push(actions);
    }
    return { color: priorityColour(n.priority), fallback: `#${n.ticketId} ${esc(n.subject)}`, blocks };
  });
  return { text: clip(text, 3000), attachments };
}

/** The reply modal: one multi-line input; submitting it shows a preview. */
export function replyComposeView(ticketId: number, channel: string | null, draft = ''): View {
  return {
    type: 'modal',
    callback_id: REPLY_COMPOSE_CALLBACK,
    private_metadata: JSON.stringify({ ticketId, channel }),
    title: plain(`Reply to #${ticketId}`),
    submit: plain('Preview'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: REPLY_INPUT_BLOCK,
        label: plain('Your reply to the customer (sent by email)', 2000),
        element: {
          type: 'plain_text_input',
          action_id: REPLY_INPUT_ACTION,
          multiline: true,
          max_length: 3000,
          ...(draft ? { initial_value: draft } : {}),
        },
        // Either the text or a template.
        optional: true,
      },
      {
        type: 'input',
        block_id: REPLY_TEMPLATE_BLOCK,
        label: plain("Or a reply template, in the ticket's language", 2000),
        element: {
          type: 'external_select',
          action_id: REPLY_TEMPLATE_ACTION,
          placeholder: plain('Type to search the templates', 150),
          min_query_length: 0,
        },
        optional: true,
      },
      {
        type: 'input',
        block_id: REPLY_VALUES_BLOCK,
        label: plain('What the template asks for (name=value …)', 2000),
        element: { type: 'plain_text_input', action_id: REPLY_VALUES_ACTION, max_length: 1000 },
        optional: true,
      },
    ],
  };
}

/** The template menu's options (Slack: at most 100, each text at most 75 characters). */
export function templateOptions(
  found: readonly TemplateSuggestion[],
): { text: { type: 'plain_text'; text: string }; value: string }[] {
  return found.slice(0, 100).map((t) => ({ text: plain(suggestionLabel(t, 75), 75), value: t.key }));
}

/**
 * A template's asked fields, one plain-text input each, labelled by the field's name (as the template
 * writes it); Preview fills them into the template in the ticket's language.
 */
export function templateAskView(ticketId: number, channel: string | null, key: string, asks: readonly string[]): View {
  return {
    type: 'modal',
    callback_id: REPLY_ASK_CALLBACK,
    private_metadata: JSON.stringify({ ticketId, channel, template: `tpl:${key}` }),
    title: plain(`Reply to #${ticketId}`),
    submit: plain('Preview'),
    close: plain('Cancel'),
    blocks: [
      section(`Template *${esc(key)}* asks for ${asks.length === 1 ? 'one value' : `${asks.length} values`}:`),
      // Slack allows 100 blocks in a modal; a template asking for more is refused by \`templates check\` long before.
      ...asks.slice(0, 50).map((name) => ({
        type: 'input' as const,
        block_id: askBlockId(name),
        label: plain(name, 2000),
        element: { type: 'plain_text_input' as const, action_id: REPLY_ASK_ACTION, max_length: 500 },
      })),
    ],
  };
}

/** What will be sent, with Send as the only way to send it. */
export function replyPreviewView(
  ticketId: number,
  channel: string | null,
  text: string,
  template?: { readonly line: string; readonly asks?: Readonly<Record<string, string>> },
): View {
  return {
    type: 'modal',
    callback_id: REPLY_CONFIRM_CALLBACK,
    // A template's preview rides as its command ("tpl:KEY name=value"), or its key and the values asked on
    // the form: Send runs it with "send", so its actions and key@version go with the email.
    private_metadata: JSON.stringify({
      ticketId,
      channel,
      ...(template ? { template: template.line, ...(template.asks ? { asks: template.asks } : {}) } : { text }),
    }),
    title: plain(`Reply to #${ticketId}`),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [
      section(`This email will be sent to the customer of ticket *#${ticketId}*:`),
      section(clip(quote(esc(text)), 3000)),
    ],
  };
}

function actionsBlock(ticketId: number, actions: readonly TicketAction[]): ActionsBlock | null {
  if (actions.length === 0) return null;
  return {
    type: 'actions',
    block_id: `ticket_actions_${ticketId}`,
    elements: actions.map((a) =>
      button(
        BUTTON_LABELS[a],
        ACTION_IDS[a],
        ticketId,
        a === 'close' ? 'danger' : a === 'reply' ? 'primary' : undefined,
      ),
    ),
  };
}

function button(label: string, actionId: string, ticketId: number, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: plain(label),
    action_id: actionId,
    value: String(ticketId),
    ...(style ? { style } : {}),
  };
}

function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(clip(text, 3000)) };
}

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(text, 2000) };
}

/** Modal titles and buttons are limited to 24 characters, labels to more. */
function plain(text: string, max = 24): { type: 'plain_text'; text: string } {
  return { type: 'plain_text', text: clip(text, max) };
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
}
