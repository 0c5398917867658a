/**
 * The /ticket command set, platform-neutral: who typed it (Caller), what they asked (ParsedCommand,
 * from parseCommand), and what they get back (CommandReply with an optional structured view that
 * Slack's Block Kit, Discord's embeds and the console render each in their own way).
 */
import { closestWord, shorten, waitedFor } from './wording.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from './ticket.ts';
import type { Platform } from './platform.ts';
import { slaStatsText, type SlaPeriodFigures } from './sla.ts';

export type { Platform } from './platform.ts';
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
  /** Console only: the OS user who typed `--as userId` (the audit says the identity was claimed by them). */
  readonly claimedBy?: string;
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
  /** False until triage (or an agent's correction) has decided: priority and category are then intake's placeholders. */
  readonly triaged: boolean;
  /** Since when the customer waits for our answer (they wrote last); null or absent when answered. */
  readonly waitingSince?: Date | null;
}
/** A file that came with an email: `notKept` says, in words, why only its name was kept (null when it was). */
export interface ThreadAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly notKept: string | null;
}
export interface ThreadEntry {
  readonly from: string;
  readonly at: Date;
  readonly text: string;
  readonly byStaff: boolean;
  readonly internal: boolean;
  readonly event?: boolean;
  readonly attachments?: readonly ThreadAttachment[];
  /** Written from another address than the ticket customer's (a participant, the customer's other address). */
  readonly notFromCustomer?: boolean;
}
export interface TicketCard {
  readonly kind: 'ticket';
  readonly ticket: TicketSummary;
  readonly customerEmail: string;
  readonly reasons: readonly string[];
  readonly thread: readonly ThreadEntry[];
  readonly actions: readonly TicketAction[];
  /** Who a reply would be sent to now; null when it cannot be sent (no address, or flagged). */
  readonly recipients?: { readonly to: string; readonly cc: readonly string[] } | null;
  /** What is due and when (SLA clocks), one line each. */
  readonly sla?: readonly string[];
  /** Who was given it automatically and why, or why it waits in the queue. */
  readonly assignment?: readonly string[];
}
export interface TicketListView {
  readonly kind: 'list';
  readonly items: readonly TicketSummary[];
  readonly page: number;
  readonly hasMore: boolean;
  readonly filters: string;
  readonly order?: ListOrder;
}
/** How a list is sorted, in words: `list waiting` shows the longest waiting first. */
export type ListOrder = 'newest first' | 'longest waiting first';
export const listOrder = (request: Pick<ListRequest, 'status'>): ListOrder =>
  request.status === 'waiting' ? 'longest waiting first' : 'newest first';
/** A ticket's status as lists show it: "open, waiting 3 h" while the customer waits for our answer. */
export const statusWithWait = (t: TicketSummary, now: Date = new Date()): string =>
  t.status === 'open' && t.waitingSince ? `open, waiting ${waitedFor(t.waitingSince, now)}` : t.status;
export interface StatsView {
  readonly kind: 'stats';
  readonly period: string;
  readonly total: number;
  readonly open: number;
  readonly closed: number;
  readonly created: number;
  readonly byPriority: Readonly<Record<string, number>>;
  readonly byCategory: Readonly<Record<string, number>>;
  readonly untriaged: number;
  /** The templates most used in replies sent over the period (key@version, count), most first; absent: not known. */
  readonly topTemplates?: readonly TemplateCount[];
  /** First-response and resolution deadlines met and breached over the period, at risk now; absent without SLA clocks. */
  readonly sla?: SlaPeriodFigures;
}
export interface TemplateCount {
  readonly ref: string;
  readonly count: number;
}
/** How many templates `/ticket stats` lists. */
export const TOP_TEMPLATES = 5;

/** "retard-livraison@2 ×4, retour@1 ×1", or that none was used. */
export function topTemplatesText(top: readonly TemplateCount[]): string {
  return top.length ? top.map((t) => `${t.ref} ×${t.count}`).join(', ') : 'none used in replies';
}
export interface CommandReply {
  /** false: the caller's mistake or a refusal — `text` is one clear sentence saying what to do. */
  readonly ok: boolean;
  /** Plain-text rendering: the console prints it; chat uses it as fallback text. */
  readonly text: string;
  /** Only the caller should see it (errors, help, lists); changes are announced in the channel. */
  readonly ephemeral: boolean;
  /** Structured content for rich rendering (Block Kit, embeds). */
  readonly view?: TicketCard | TicketListView | StatsView;
  /** A file to hand to the caller (the export): uploaded in chat, saved to disk by the console. */
  readonly file?: CommandFile;
  /**
   * A refusal that a confirmation overrides (assigning over an agent's capacity): Slack and Discord show a
   * button that runs `command` (a line as typed, e.g. "assign 12 @bob confirm"); the text says how to type it.
   */
  readonly confirm?: { readonly label: string; readonly command: string };
}

export interface CommandFile {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}
export const PRIORITY_COLOURS = {
  urgent: '#d32f2f',
  high: '#f57c00',
  normal: '#1976d2',
  low: '#757575',
} as const satisfies Record<Priority, string>;

export { CATEGORIES, PRIORITIES, type Category, type Priority };

/** `waiting`: open tickets whose customer waits for our answer (they wrote last), longest waiting first. */
export const STATUS_FILTERS = ['open', 'closed', 'all', 'waiting'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const STATS_PERIODS = ['today', '7d', '30d'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];
/** Tickets on one page of `list`. */
export const PAGE_SIZE = 10;
/** The deepest page `list` serves: past it, narrow the list with filters or words. */
export const MAX_PAGE = 1000;

export interface ListRequest {
  readonly status: StatusFilter;
  readonly priority: Priority | null;
  readonly category: Category | null;
  readonly words: readonly string[];
  readonly page: number;
}

/** `/ticket reply N tpl:KEY [name=value …] [send]`: without `send`, the preview; with it, the email. */
export interface TemplateChoice {
  readonly key: string;
  readonly asks: Readonly<Record<string, string>>;
  readonly send: boolean;
}

/** Who a ticket goes to: the caller, an agent by name, or nobody. */
export type AssignTarget =
  { readonly kind: 'me' } | { readonly kind: 'agent'; readonly name: string } | { readonly kind: 'nobody' };

export type ParsedCommand =
  | { readonly name: 'help' }
  | ({ readonly name: 'list' } & ListRequest)
  | { readonly name: 'due'; readonly page: number }
  | { readonly name: 'sla'; readonly ticketId: number }
  | { readonly name: 'view'; readonly ticketId: number }
  | { readonly name: 'close'; readonly ticketId: number; readonly reason: string | null }
  | { readonly name: 'reopen'; readonly ticketId: number }
  | { readonly name: 'reply'; readonly ticketId: number; readonly text: string; readonly template?: TemplateChoice }
  | { readonly name: 'note'; readonly ticketId: number; readonly text: string }
  | {
      readonly name: 'assign';
      readonly ticketId: number;
      readonly target: AssignTarget;
      /** "confirm" (or "--force") typed last: over the agent's capacity, assign anyway. */
      readonly confirm?: boolean;
    }
  | { readonly name: 'priority'; readonly ticketId: number; readonly priority: Priority }
  | { readonly name: 'category'; readonly ticketId: number; readonly category: Category }
  | { readonly name: 'stats'; readonly period: StatsPeriod }
  | { readonly name: 'stats_agents' }
  | { readonly name: 'away'; readonly until: readonly string[] }
  | { readonly name: 'back' }
  | { readonly name: 'spam'; readonly page: number }
  | { readonly name: 'spam_release'; readonly spamId: number }
  | { readonly name: 'templates'; readonly words: string }
  | {
      readonly name: 'export';
      readonly format: ExportFormat;
      readonly period: StatsPeriod | null;
      readonly from: string | null;
      readonly to: string | null;
    };

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type CommandName = ParsedCommand['name'];
/** Commands that change a ticket or write to a customer: agents only. */
export const CHANGING_COMMANDS: ReadonlySet<CommandName> = new Set([
  'close',
  'reopen',
  'reply',
  'note',
  'assign',
  'priority',
  'category',
  'spam_release',
  'away',
  'back',
]);
/** Commands anyone may use, registered or not (no customer data in them). */
export const OPEN_COMMANDS: ReadonlySet<CommandName> = new Set(['help', 'stats']);

/** The longest reply or note accepted (chat platforms cap messages well below this anyway). */
export const MAX_TEXT = 20_000;

export type ParseResult =
  { readonly ok: true; readonly command: ParsedCommand } | { readonly ok: false; readonly error: string };

const fail = (error: string): ParseResult => ({ ok: false, error });
/** The last word of "/ticket assign N @bob confirm": assign over the agent's capacity. */
const CONFIRM_WORDS: readonly string[] = ['confirm', '--force'];
const done = (command: ParsedCommand): ParseResult => ({ ok: true, command });

/**
 * One line as typed, "/ticket list open urgent page 2" (the leading "/ticket" optional), into a
 * command; or one sentence saying what is wrong and what to type instead. The text of a reply or
 * note is kept as written (line breaks included).
 */
export function parseCommand(input: string): ParseResult {
  const line = input.replace(/^\s*\/?ticket\b/i, '').trim();
  if (line === '') return done({ name: 'help' });
  const m = /^(\S+)\s*([\s\S]*)$/.exec(line);
  const verb = (m?.[1] ?? '').toLowerCase();
  const rest = m?.[2] ?? '';
  const args = rest.split(/\s+/).filter(Boolean);
  switch (verb) {
    case 'help':
    case '?':
      return done({ name: 'help' });
    case 'list':
    case 'ls':
      return parseList(args);
    case 'view':
    case 'show': {
      const id = ticketNumber(args[0], 'view');
      if (typeof id === 'string') return fail(id);
      if (args.length > 1) return fail(`"/ticket view" takes one ticket number, e.g. "/ticket view ${id}".`);
      return done({ name: 'view', ticketId: id });
    }
    case 'templates':
      return done({ name: 'templates', words: args.join(' ').slice(0, 100) });
    case 'sla': {
      const id = ticketNumber(args[0], 'sla');
      if (typeof id === 'string') return fail(id);
      if (args.length > 1) return fail(`"/ticket sla" takes one ticket number, e.g. "/ticket sla ${id}".`);
      return done({ name: 'sla', ticketId: id });
    }
    case 'close': {
      const id = ticketNumber(args[0], 'close');
      if (typeof id === 'string') return fail(id);
      const reason = afterFirstWord(rest);
      return done({ name: 'close', ticketId: id, reason: reason ? reason.slice(0, 500) : null });
    }
    case 'reopen': {
      const id = ticketNumber(args[0], 'reopen');
      if (typeof id === 'string') return fail(id);
      if (args.length > 1) return fail(`"/ticket reopen" takes only the ticket number, e.g. "/ticket reopen ${id}".`);
      return done({ name: 'reopen', ticketId: id });
    }
    case 'reply':
    case 'note': {
      const id = ticketNumber(args[0], verb);
      if (typeof id === 'string') return fail(id);
      const text = afterFirstWord(rest);
      if (!text)
        return fail(
          `Write the ${verb === 'reply' ? 'reply to the customer' : 'note'} after the number, e.g. "/ticket ${verb} ${id} ${verb === 'reply' ? 'Your parcel left today.' : 'Called the carrier, waiting.'}".`,
        );
      const tpl = verb === 'reply' ? /^tpl:(\S*)\s*([\s\S]*)$/i.exec(text) : null;
      if (tpl) return parseTemplateReply(id, tpl[1]!, tpl[2]!);
      if (text.length > MAX_TEXT)
        return fail(
          `That ${verb} is ${text.length} characters long; keep it under ${MAX_TEXT} and send the rest in a second ${verb}.`,
        );
      return done(verb === 'reply' ? { name: 'reply', ticketId: id, text } : { name: 'note', ticketId: id, text });
    }
    case 'assign': {
      const id = ticketNumber(args[0], 'assign');
      if (typeof id === 'string') return fail(id);
      const who = args[1];
      const confirm = args.length === 3 && CONFIRM_WORDS.includes(args[2]!.toLowerCase());
      if (!who || args.length > (confirm ? 3 : 2))
        return fail(
          `Say who takes ticket #${id}: "/ticket assign ${id} me", "/ticket assign ${id} @name" or "/ticket assign ${id} nobody" (add "confirm" to go past the agent's capacity).`,
        );
      const more = confirm ? { confirm: true } : {};
      const lower = who.toLowerCase();
      if (lower === 'me' || lower === '@me')
        return done({ name: 'assign', ticketId: id, target: { kind: 'me' }, ...more });
      if (lower === 'nobody' || lower === 'none' || lower === '-')
        return done({ name: 'assign', ticketId: id, target: { kind: 'nobody' } });
      const name = who.replace(/^@/, '');
      if (!name) return fail(`Name the agent after "@", e.g. "/ticket assign ${id} @marie".`);
      return done({ name: 'assign', ticketId: id, target: { kind: 'agent', name }, ...more });
    }
    case 'priority':
    case 'category': {
      const id = ticketNumber(args[0], verb);
      if (typeof id === 'string') return fail(id);
      const value = args[1]?.toLowerCase();
      const allowed: readonly string[] = verb === 'priority' ? PRIORITIES : CATEGORIES;
      if (!value || args.length > 2 || !allowed.includes(value)) {
        return fail(
          `${value ? `"${args.slice(1).join(' ')}" is not a ${verb}` : `Give the new ${verb}`}: use one of ${allowed.join(', ')}, e.g. "/ticket ${verb} ${id} ${allowed[0]}".`,
        );
      }
      return done(
        verb === 'priority'
          ? { name: 'priority', ticketId: id, priority: value as Priority }
          : { name: 'category', ticketId: id, category: value as Category },
      );
    }
    case 'export':
      return parseExport(args);
    case 'spam':
      return parseSpam(args);
    case 'away':
      return done({ name: 'away', until: args });
    case 'back':
      if (args.length) return fail('"/ticket back" takes nothing: it ends your absence.');
      return done({ name: 'back' });
    case 'stats': {
      if (args[0]?.toLowerCase() === 'agents' && args.length === 1) return done({ name: 'stats_agents' });
      const period = (args[0] ?? '7d').toLowerCase();
      if (args.length > 1 || !(STATS_PERIODS as readonly string[]).includes(period))
        return fail(
          `"/ticket stats" takes one period: ${STATS_PERIODS.join(', ')} (7d when none is given), or "agents".`,
        );
      return done({ name: 'stats', period: period as StatsPeriod });
    }
    default: {
      // A command misspelt ("lsit", "veiw"): the one probably meant, with the rest of what was typed.
      const meant = verb.length >= 3 ? closestWord(verb.toLowerCase(), VERBS, 2) : null;
      if (meant)
        return fail(
          `"${verb.slice(0, 40)}" is not a /ticket command; did you mean "${['/ticket', meant, ...args].join(' ').slice(0, 120)}"? Type "/ticket help" for the list.`,
        );
      return fail(`"${verb.slice(0, 40)}" is not a /ticket command; type "/ticket help" for the list.`);
    }
  }
}

/** "spam [list] [page N]" lists the held spam; "spam release ID" takes one as if it had just arrived. */
function parseSpam(args: readonly string[]): ParseResult {
  const usage =
    '"/ticket spam" lists the emails held as spam; "/ticket spam page 2" the next ones; "/ticket spam release 12" takes #12 as a real email.';
  const [first, second, third] = args.map((a) => a.toLowerCase());
  if (first === 'release') {
    const m = second ? /^#?(\d{1,12})$/.exec(second) : null;
    if (!m || third !== undefined)
      return fail(
        `Give the number of one held email after "release", as "/ticket spam" lists it, e.g. "/ticket spam release 12".`,
      );
    return done({ name: 'spam_release', spamId: Number(m[1]) });
  }
  const rest = first === 'list' ? args.slice(1).map((a) => a.toLowerCase()) : args.map((a) => a.toLowerCase());
  if (rest.length === 0) return done({ name: 'spam', page: 1 });
  if (
    (rest[0] === 'page' || rest[0] === 'p') &&
    rest.length === 2 &&
    /^\d{1,6}$/.test(rest[1]!) &&
    Number(rest[1]) >= 1
  ) {
    if (Number(rest[1]) > MAX_PAGE) return fail(`Page ${rest[1]} is too deep (at most ${MAX_PAGE}).`);
    return done({ name: 'spam', page: Number(rest[1]) });
  }
  return fail(`"${args.join(' ').slice(0, 40)}" is not understood: ${usage}`);
}

function parseTemplateReply(ticketId: number, key: string, rest: string): ParseResult {
  if (!key) return fail(`Name the template after "tpl:", e.g. "/ticket reply ${ticketId} tpl:retard-livraison".`);
  const asks: Record<string, string> = {};
  let send = false;
  // name=value pairs; a value runs to the next name= (so it may hold spaces); a last word "send" sends.
  const words = rest.trim().split(/\s+/).filter(Boolean);
  if (words.at(-1)?.toLowerCase() === 'send') {
    send = true;
    words.pop();
  }
  let current: string | null = null;
  for (const word of words) {
    const m = /^(?:ask:)?([a-z0-9_]{1,40})=(.*)$/i.exec(word);
    if (m) {
      current = m[1]!;
      asks[current] = m[2]!;
    } else if (current) asks[current] = `${asks[current]} ${word}`;
    else
      return fail(
        `"${word.slice(0, 40)}" is not understood after the template: give asked values as name=value, e.g. "/ticket reply ${ticketId} tpl:${key} numero_suivi=XY123", and end with "send" to email it.`,
      );
  }
  return done({ name: 'reply', ticketId, text: `tpl:${key}`, template: { key: key.toLowerCase(), asks, send } });
}

/** "export [csv|xlsx] [today|7d|30d | YYYY-MM-DD [YYYY-MM-DD]]": csv of the last 7 days when nothing is said. */
function parseExport(args: readonly string[]): ParseResult {
  let format: ExportFormat = 'csv';
  let period: StatsPeriod | null = null;
  const days: string[] = [];
  const usage =
    '"/ticket export" takes a format (csv or xlsx) and a period (today, 7d, 30d, or FROM and TO days as 2026-11-01 2026-11-30), e.g. "/ticket export xlsx 30d".';
  for (const raw of args) {
    const arg = raw.toLowerCase();
    if ((EXPORT_FORMATS as readonly string[]).includes(arg)) format = arg as ExportFormat;
    else if ((STATS_PERIODS as readonly string[]).includes(arg) && !period && days.length === 0)
      period = arg as StatsPeriod;
    else if (
      /^\d{4}-\d{2}-\d{2}$/.test(arg) &&
      !period &&
      days.length < 2 &&
      !Number.isNaN(Date.parse(`${arg}T00:00:00Z`))
    )
      days.push(arg);
    else return fail(`"${raw.slice(0, 40)}" is not understood here: ${usage}`);
  }
  const from = days[0] ?? null;
  const to = days[1] ?? from;
  if (from && to && to < from)
    return fail(`The period ends (${to}) before it starts (${from}); put the earlier day first.`);
  return done({ name: 'export', format, period: from ? null : (period ?? '7d'), from, to });
}

function parseList(args: readonly string[]): ParseResult {
  if (args.some((a) => a.toLowerCase() === 'due')) {
    // "list due [page N]": open tickets by nearest SLA deadline; other filters do not apply.
    const rest = args.filter((a) => a.toLowerCase() !== 'due');
    const page =
      rest.length === 2 && /^(page|p)$/i.test(rest[0]!) && /^\d{1,4}$/.test(rest[1]!) && Number(rest[1]) >= 1
        ? Number(rest[1])
        : rest.length === 0
          ? 1
          : null;
    if (page === null)
      return fail(
        '"/ticket list due" sorts every open ticket by its nearest SLA deadline and takes only a page, e.g. "/ticket list due page 2".',
      );
    return done({ name: 'due', page });
  }
  let status: StatusFilter | null = null;
  let priority: Priority | null = null;
  let category: Category | null = null;
  let page = 1;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const arg = raw.toLowerCase();
    if (arg === 'page' || arg === 'p') {
      const n = args[i + 1];
      if (!n || !/^\d{1,6}$/.test(n) || Number(n) < 1)
        return fail('"page" needs a page number after it, e.g. "/ticket list open page 2".');
      if (Number(n) > MAX_PAGE)
        return fail(
          `Page ${n} is too deep (at most ${MAX_PAGE}); narrow the list with a status, priority, category or words instead.`,
        );
      page = Number(n);
      i++;
    } else if ((STATUS_FILTERS as readonly string[]).includes(arg)) {
      if (status && status !== arg)
        return fail(`Choose one status for the list: open, closed, all or waiting (you gave ${status} and ${arg}).`);
      status = arg as StatusFilter;
    } else if ((PRIORITIES as readonly string[]).includes(arg)) {
      if (priority && priority !== arg)
        return fail(`Choose one priority for the list (you gave ${priority} and ${arg}); list them one at a time.`);
      priority = arg as Priority;
    } else if ((CATEGORIES as readonly string[]).includes(arg)) {
      if (category && category !== arg)
        return fail(`Choose one category for the list (you gave ${category} and ${arg}); list them one at a time.`);
      category = arg as Category;
    } else {
      const word = raw.replace(/^["'(]+|["'),.;:!?]+$/g, '');
      if (word) words.push(word.slice(0, 100));
    }
  }
  if (words.length > 8) return fail('Search with at most 8 words; fewer, more specific words find the ticket faster.');
  return done({ name: 'list', status: status ?? 'open', priority, category, words, page });
}

function ticketNumber(arg: string | undefined, verb: string): number | string {
  if (!arg) return `Give the ticket number after "${verb}", e.g. "/ticket ${verb} 83".`;
  const m = /^#?(\d{1,9})$/.exec(arg);
  const n = m ? Number(m[1]) : 0;
  if (n < 1)
    return `"${arg.slice(0, 40)}" is not a ticket number; give the number shown as #N, e.g. "/ticket ${verb} 83".`;
  return n;
}

/** Everything after the ticket number, as written. */
function afterFirstWord(rest: string): string {
  return rest.replace(/^\s*\S+/, '').trim();
}

/** What `list`'s filters were, in words: "open urgent tickets matching "brake", page 2". */
export function describeList(request: ListRequest): string {
  const status = request.status === 'all' ? null : request.status === 'waiting' ? 'open' : request.status;
  const parts = [status, request.priority, request.category].filter(Boolean).join(' ');
  const words = request.words.length ? ` matching "${request.words.join(' ')}"` : '';
  const scope =
    request.status === 'all' ? ' (open and closed)' : request.status === 'waiting' ? ' waiting for our answer' : '';
  return `${parts ? `${parts} ` : ''}tickets${scope}${words}`;
}

/** The commands' names, for the one probably meant by a misspelt one (the aliases ls, show, ? are not offered). */
const VERBS: readonly string[] = [
  'help',
  'list',
  'view',
  'templates',
  'sla',
  'close',
  'reopen',
  'reply',
  'note',
  'assign',
  'priority',
  'category',
  'export',
  'spam',
  'away',
  'back',
  'stats',
];

/** A search word that is a filter misspelt ("waitting"): the command that was probably meant. */
function typoHint(request: ListRequest): string {
  const filters: readonly string[] = [...STATUS_FILTERS, ...PRIORITIES, ...CATEGORIES];
  for (const word of request.words) {
    const lower = word.toLowerCase();
    if (lower.length < 4) continue;
    const meant = closestWord(lower, filters, 2);
    if (!meant) continue;
    const line = [
      '/ticket list',
      ...[request.status === 'open' ? null : request.status, request.priority, request.category].filter(Boolean),
      ...request.words,
    ].join(' ');
    return ` Did you mean "${line.replace(word, meant)}"?`;
  }
  return '';
}

/** The list command that shows the next (or another) page. */
export function listCommandFor(request: ListRequest, page: number): string {
  return [
    '/ticket list',
    request.status,
    request.priority,
    request.category,
    ...request.words,
    page > 1 ? `page ${page}` : null,
  ]
    .filter(Boolean)
    .join(' ');
}

export const PRIORITY_MARKS = { urgent: '!!!', high: '!! ', normal: '·  ', low: '   ' } as const satisfies Record<
  Priority,
  string
>;

/** What a list shows for a ticket triage has not reached yet, instead of intake's placeholders. */
export const NOT_TRIAGED = 'not triaged yet';

/** One line per ticket; the priority mark is first, so it is seen at a glance. */
export function formatSummaryLine(t: TicketSummary, now: Date = new Date(), timeZone?: string): string {
  const status =
    t.status === 'closed' ? ' [closed]' : t.waitingSince ? ` [waiting ${waitedFor(t.waitingSince, now)}]` : '';
  const who = t.assignee ? ` → ${t.assignee}` : '';
  const triage = t.triaged ? `${t.priority.toUpperCase()} ${t.category}` : `(${NOT_TRIAGED})`;
  return `${t.triaged ? PRIORITY_MARKS[t.priority] : '?  '} #${t.ticketId} ${triage}${status} · ${shorten(t.subject, 70)} · ${t.customer} · ${formatWhen(t.createdAt, timeZone)}${who}`;
}

export function formatList(view: TicketListView, request: ListRequest, timeZone?: string): string {
  if (view.items.length === 0) {
    if (view.page > 1)
      return `No ${view.filters} on page ${view.page}; the list ends before it. Try "${listCommandFor(request, 1)}".`;
    return `No ${view.filters}.${typoHint(request)}`;
  }
  const lines = [
    `${view.filters[0]?.toUpperCase()}${view.filters.slice(1)}, ${listOrder(request)} — page ${view.page}:`,
    ...view.items.map((t) => formatSummaryLine(t, new Date(), timeZone)),
  ];
  if (view.hasMore) lines.push(`More: "${listCommandFor(request, view.page + 1)}".`);
  return lines.join('\n');
}

export function formatCard(card: TicketCard, timeZone?: string): string {
  const t = card.ticket;
  const lines = [
    `#${t.ticketId} ${t.subject.trim() || '(no subject)'}`,
    `${t.triaged ? `${PRIORITY_MARKS[t.priority].trim() || '-'} priority ${t.priority} · category ${t.category}` : `? ${NOT_TRIAGED}`} · ${t.status} · from ${t.customer}${card.customerEmail && card.customerEmail !== t.customer ? ` <${card.customerEmail}>` : ''} · ${formatWhen(t.createdAt, timeZone)} · ${t.assignee ? `assigned to ${t.assignee}` : 'unassigned'}`,
  ];
  if (card.reasons.length) lines.push(`Triage: ${card.reasons.join('; ')}`);
  if (card.recipients)
    lines.push(
      `A reply goes to ${card.recipients.to}${card.recipients.cc.length ? `, copy to ${card.recipients.cc.join(', ')}` : ''}.`,
    );
  for (const line of card.sla ?? []) lines.push(line);
  for (const line of card.assignment ?? []) lines.push(line);
  lines.push('');
  for (const entry of card.thread) {
    const who = entry.event
      ? entry.from
      : entry.internal
        ? `note by ${entry.from}`
        : entry.byStaff
          ? `${entry.from} (staff)`
          : entry.from;
    lines.push(
      `— ${who}, ${formatWhen(entry.at, timeZone)}:${entry.notFromCustomer ? ` (not the customer's address)` : ''}`,
    );
    lines.push(...entry.text.split('\n').map((l) => `  ${l}`));
    lines.push(...(entry.attachments ?? []).map((a) => `  Attachment: ${describeAttachment(a)}`));
  }
  return lines.join('\n');
}

/** "invoice.pdf · application/pdf · 48 KB", and why it was not kept when it was not: one line in every renderer. */
export function describeAttachment(a: ThreadAttachment): string {
  // Names and types are shortened so that the reason always fits in a chat line.
  return `${shorten(a.filename, 60)} · ${shorten(a.contentType, 40)} · ${formatSize(a.size)}${a.notKept ? ` · not kept: ${a.notKept}` : ''}`;
}

/**
 * Intake's reason for not keeping a part (support_attachment.dropped), in an agent's words. `limit`:
 * ATTACHMENT_MAX_BYTES now; named only when the file is over it (the limit may have been raised since).
 */
export function notKeptReason(dropped: string, size: number, limit: number | null): string {
  if (dropped === 'oversized')
    return limit !== null && size > limit
      ? `larger than the ${formatSize(limit)} limit`
      : 'larger than the size limit when it arrived';
  return `refused by intake (${dropped})`;
}

/** Bytes for people: "512 B", "48 KB", "2.5 MB", "10 MB" (units of 1024, as ATTACHMENT_MAX_BYTES counts them). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (Math.round(bytes / 1024) < 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / 1024 / 1024;
  return `${mb >= 100 ? Math.round(mb) : Number(mb.toFixed(1))} MB`;
}

export function formatStats(view: StatsView): string {
  const by = (record: Readonly<Record<string, number>>, order: readonly string[]) =>
    order.map((k) => `${k} ${record[k] ?? 0}`).join(', ');
  return [
    `Tickets — ${view.period}: ${view.created} new.`,
    `All time: ${view.total} total, ${view.open} open, ${view.closed} closed.`,
    `Open by priority: ${by(view.byPriority, PRIORITIES)}.`,
    `Open by category: ${by(view.byCategory, CATEGORIES)}.`,
    ...(view.topTemplates ? [`Top templates: ${topTemplatesText(view.topTemplates)}.`] : []),
    ...(view.sla ? [`SLA: ${slaStatsText(view.sla)}.`] : []),
    ...(view.untriaged > 0 ? [untriagedNote(view.untriaged)] : []),
  ].join('\n');
}

/** Said wherever counts by priority and category are shown while some tickets wait for triage. */
export function untriagedNote(n: number): string {
  return `${n} ticket${n === 1 ? '' : 's'} ${n === 1 ? 'is' : 'are'} ${NOT_TRIAGED} (counted as normal and general until then): is a triage worker running? ("npx ticketrelay start --roles worker")`;
}

export function helpText(): string {
  return [
    '/ticket commands:',
    '  list [open|closed|all|waiting] [urgent|high|normal|low] [general|technical|billing|complaint|suggestion] [words…] [page N]',
    '                            waiting: the customer wrote last and waits for our answer, longest waiting first',
    '  list due [page N]         open tickets by nearest SLA deadline (first response, next response, resolution)',
    "        newest first, open tickets unless you say otherwise; words search the subject and the customer's address",
    '  view N                    the ticket, its triage reasons, its SLA clocks (what is due and when) and its thread',
    '  sla N                     its SLA clocks in detail: the policy and why, each deadline and the hours it counts',
    '  close N [reason]          close it (closing a closed ticket changes nothing)',
    '  reopen N                  open it again',
    '  reply N <text>            email the customer, threaded on their last email, signed with your name (your staff id goes on the shop’s records)',
    '  reply N tpl:KEY [name=value …] [send]  a reply template in the ticket’s language: the preview, then emailed with "send"',
    '  templates [words]         the reply templates whose key, title, tags or text hold these words',
    '  note N <text>             an internal note: agents see it, the customer never does',
    '  assign N me|@agent|nobody take the ticket, give it to an agent (managers), or unassign it',
    "  assign N @agent confirm   the same, past the agent's capacity (asked first; recorded with who confirmed)",
    '  priority N urgent|high|normal|low    correct triage (kept for training)',
    '  category N general|technical|billing|complaint|suggestion',
    '  stats [today|7d|30d]      totals, open and closed, new in the period, by priority and category',
    '  stats agents              per agent: open / capacity, assigned and closed today, away or off shift; the queue',
    '  away [until DAY [HH:MM] | 2h | 3d]   no ticket is assigned to you automatically until then (or until "back")',
    '  back                      tickets are assigned to you again (the queue is drained at once)',
    '  export [csv|xlsx] [today|7d|30d|FROM TO]   the tickets of the period with their triage and times, as a file (managers)',
    '  spam [page N]             the emails held as spam (no ticket, no acknowledgement), newest first',
    '  spam release ID           take a held email as if it had just arrived: it becomes a ticket',
    '  help                      this list',
    'Only registered agents and managers may use list, view and every command that changes a ticket; anyone may use help and stats.',
    'Ask a manager to register you: npx ticketrelay agents add NAME --role agent --staff-id N --slack U… | --discord … | --console USER.',
  ].join('\n');
}

export { shorten, waitedFor };

/** "2025-03-14 09:30 UTC": one unambiguous form on every platform. */
export function formatWhen(at: Date, timeZone?: string): string {
  if (!timeZone || timeZone === 'UTC') return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  // The shop's time (the console runs where the team works; Slack and Discord show each reader's own).
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']} ${timeZone}`;
}
