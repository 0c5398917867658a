/**
 * `/ticket` as one Discord application command: a subcommand per verb, typed options, fixed choices
 * for status, priority, category and period, and autocomplete for ticket numbers. `toCommandText`
 * turns an invocation back into the line the command service reads ("list open urgent page 2").
 */
import {
  ApplicationCommandOptionType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type APIApplicationCommandBasicOption,
} from 'discord.js';
import { CATEGORIES, EXPORT_FORMATS, PRIORITIES, STATS_PERIODS, STATUS_FILTERS } from '../../src/domain/command.ts';

// The command grammar's own lists: a choice Discord offers is always one the service accepts.
const STATUS = STATUS_FILTERS;
const PRIORITY = PRIORITIES;
const CATEGORY = CATEGORIES;
const PERIOD = STATS_PERIODS;

const choices = (values: readonly string[]) => values.map((v) => ({ name: v, value: v }));
const ticket = (description = 'The ticket number'): APIApplicationCommandBasicOption => ({
  type: ApplicationCommandOptionType.Integer,
  name: 'ticket',
  description,
  required: true,
  min_value: 1,
  autocomplete: true,
});
const text = (name: string, description: string, required: boolean): APIApplicationCommandBasicOption => ({
  type: ApplicationCommandOptionType.String,
  name,
  description,
  required,
  max_length: 4000,
});

export const TICKET_COMMAND = {
  name: 'ticket',
  description: 'Work support tickets: list, view, reply, close, assign…',
  dm_permission: false,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Tickets, newest first',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'status',
          description: 'open (default), closed, all, waiting, or due (by SLA deadline)',
          choices: choices([...STATUS, 'due']),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'priority',
          description: 'Only this priority',
          choices: choices(PRIORITY),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'category',
          description: 'Only this category',
          choices: choices(CATEGORY),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'words',
          description: 'Words in the subject or customer',
          max_length: 200,
        },
        { type: ApplicationCommandOptionType.Integer, name: 'page', description: 'Page number', min_value: 1 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'view',
      description: 'A ticket with its thread',
      options: [ticket()],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'close',
      description: 'Close a ticket',
      options: [ticket(), text('reason', 'Why (kept in the audit trail)', false)],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'reopen',
      description: 'Reopen a closed ticket',
      options: [ticket()],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'reply',
      description: 'Email the customer (without text or template: a form with a preview)',
      options: [
        ticket(),
        text('text', 'The reply', false),
        {
          type: ApplicationCommandOptionType.String,
          name: 'tpl',
          description: "A reply template (type to search), in the ticket's language",
          max_length: 80,
          autocomplete: true,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'values',
          description: 'What the template asks for: name=value …',
          max_length: 1000,
        },
        {
          type: ApplicationCommandOptionType.Boolean,
          name: 'send',
          description: 'With a template: email it (otherwise only the preview)',
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'note',
      description: 'An internal note (never emailed)',
      options: [ticket(), text('text', 'The note', true)],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'assign',
      description: 'Assign a ticket to an agent',
      options: [
        ticket(),
        {
          type: ApplicationCommandOptionType.String,
          name: 'agent',
          description: '"me" or the agent\'s name',
          required: true,
          max_length: 128,
        },
        {
          type: ApplicationCommandOptionType.Boolean,
          name: 'confirm',
          description: "Assign even past the agent's capacity (asked first otherwise)",
          required: false,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'priority',
      description: "Correct a ticket's priority",
      options: [
        ticket(),
        {
          type: ApplicationCommandOptionType.String,
          name: 'priority',
          description: 'The right priority',
          required: true,
          choices: choices(PRIORITY),
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'category',
      description: "Correct a ticket's category",
      options: [
        ticket(),
        {
          type: ApplicationCommandOptionType.String,
          name: 'category',
          description: 'The right category',
          required: true,
          choices: choices(CATEGORY),
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'stats',
      description: 'Counts by status, priority and category; or per agent',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'period',
          description: 'today, 7d (default) or 30d; agents: open, capacity, away per agent',
          choices: choices([...PERIOD, 'agents']),
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'export',
      description: 'Tickets of a period with their triage and times, as a file (managers)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'format',
          description: 'csv (default) or xlsx',
          choices: choices(EXPORT_FORMATS),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'period',
          description: 'today, 7d (default) or 30d',
          choices: choices(PERIOD),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'from',
          description: 'First day, YYYY-MM-DD (instead of a period)',
          min_length: 10,
          max_length: 10,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'to',
          description: 'Last day, YYYY-MM-DD',
          min_length: 10,
          max_length: 10,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'spam',
      description: 'Emails held as spam; release one that is not',
      options: [
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'release',
          description: 'The held email to take as a real one (its number in the list)',
          min_value: 1,
        },
        { type: ApplicationCommandOptionType.Integer, name: 'page', description: 'Page number', min_value: 1 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'sla',
      description: "A ticket's SLA clocks: policy, deadlines and the hours they count",
      options: [ticket()],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'away',
      description: 'No ticket is assigned to you automatically until then (or until /ticket back)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'until',
          description: 'YYYY-MM-DD [HH:MM] in the shop’s time, or a duration: 2h, 3d',
          max_length: 20,
        },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'back', description: 'Tickets are assigned to you again' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'templates',
      description: 'Reply templates whose key, title, tags or text hold these words',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'words',
          description: 'Words to look for (nothing: all)',
          max_length: 100,
        },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'help', description: 'What /ticket can do' },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** Subcommands that only read: their answer is for the caller alone. */
export const READ_ONLY_SUBCOMMANDS: ReadonlySet<string> = new Set([
  'list',
  'view',
  'stats',
  'help',
  'export',
  'spam',
  'sla',
  'templates',
]);

/** The order in which each subcommand's options are written into the command line. */
const OPTION_ORDER: Record<string, readonly string[]> = {
  list: ['status', 'priority', 'category', 'words', 'page'],
  view: ['ticket'],
  sla: ['ticket'],
  close: ['ticket', 'reason'],
  reopen: ['ticket'],
  reply: ['ticket', 'text'],
  note: ['ticket', 'text'],
  assign: ['ticket', 'agent', 'confirm'],
  priority: ['ticket', 'priority'],
  category: ['ticket', 'category'],
  stats: ['period'],
  export: ['format', 'period', 'from', 'to'],
  spam: ['release', 'page'],
  away: ['until'],
  back: [],
  help: [],
  templates: ['words'],
};

/** A subcommand and its option values → "list open urgent page 2". */
export function toCommandText(subcommand: string, options: ReadonlyMap<string, string | number | boolean>): string {
  // A template reply: "reply N tpl:KEY name=value … [send]" (a text given with it is not used).
  if (subcommand === 'reply' && options.has('tpl')) {
    const template = [`tpl:${String(options.get('tpl')).trim()}`, String(options.get('values') ?? '').trim()];
    if (options.get('send') === true) template.push('send');
    return ['reply', String(options.get('ticket') ?? ''), ...template].filter(Boolean).join(' ');
  }
  const parts: string[] = [subcommand];
  for (const name of OPTION_ORDER[subcommand] ?? []) {
    const value = options.get(name);
    if (value === undefined || value === '') continue;

    if ((subcommand === 'list' || subcommand === 'spam') && name === 'page') {
      if (subcommand === 'list' || !options.has('release')) parts.push('page', String(value));
    } else if (subcommand === 'spam' && name === 'release') parts.push('release', String(value));
    else if (subcommand === 'assign' && name === 'confirm') {
      if (value === true) parts.push('confirm');
    } else if (subcommand === 'assign' && name === 'agent')
      parts.push(
        String(value).toLowerCase() === 'me'
          ? 'me'
          : String(value).startsWith('@')
            ? String(value)
            : `@${String(value)}`,
      );
    else parts.push(String(value));
  }
  return parts.join(' ');
}
