/**
 * The /ticket command service: one grammar, one set of permission checks and effects, for Slack,
 * Discord, the console and scripts. The caller's mistakes come back as a CommandReply with ok:false
 * and one sentence saying what to do; only what breaks (the database is gone) is thrown.
 */
import {
  CHANGING_COMMANDS,
  describeList,
  listOrder,
  formatCard,
  formatList,
  formatStats,
  helpText,
  notKeptReason,
  OPEN_COMMANDS,
  PAGE_SIZE,
  parseCommand,
  TOP_TEMPLATES,
  type AssignTarget,
  type Caller,
  type CommandFile,
  type CommandReply,
  type ExportFormat,
  type ListRequest,
  type ParsedCommand,
  type StatsPeriod,
  type StatsView,
  type TicketAction,
  type TicketCard,
  type TicketListView,
  type TicketSummary,
  type TemplateChoice,
  type TemplateCount,
} from '../domain/command.ts';
import { dayInZone, startOfDay } from '../domain/digest.ts';
import { isAppError } from '../domain/errors.ts';
import { reasonLines } from '../domain/triage/explain.ts';
import { detectLanguage } from '../domain/language.ts';
import { replySubject, taggedSubject, type Category, type Priority } from '../domain/ticket.ts';
import type { Agent, AgentDirectory } from '../ports/agent-directory.ts';
import type { Logger } from '../ports/logger.ts';
import type { TicketLookup, TicketRecord, TicketStore, TicketTransaction } from '../ports/ticket-store.ts';
import type { DeliveryOutcome, OutboxDelivery } from './deliver-outbox.ts';
import { newMessageId } from '../domain/message-id.ts';
import { applyStatus } from './set-ticket-status.ts';
import { isHeaderMessageId } from '../domain/message-id.ts';
import { formatHeldSpam, type SpamReviewService } from './review-spam.ts';
import { parseAwayUntil } from '../domain/assignment.ts';
import type { SlaPeriodFigures } from '../domain/sla.ts';
import type { AssignmentCommands } from './assign-ticket.ts';
import {
  askFields,
  closestKeys,
  missingSentence,
  pickBody,
  renderBody,
  matchTemplates,
  suggestionLabel,
  type StoredTemplate,
  type TemplateActions,
  type TemplateSuggestion,
} from '../domain/reply-template.ts';

export interface CommandServiceDeps {
  readonly store: TicketStore;
  readonly agents: AgentDirectory;
  /** Sends the reply rows written by `reply` after their transaction committed. */
  readonly outbox: OutboxDelivery;
  readonly logger: Logger;
  /** The domain of our Message-IDs (config.mail.messageIdDomain). */
  readonly messageIdDomain?: string;
  /** Who signs under the agent's name in a reply (SUPPORT_NAME), as the acknowledgement is signed. */
  readonly supportName?: string;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  /** Builds the `/ticket export` file for days (YYYY-MM-DD, inclusive, in the shop's time zone); absent: no export. */
  readonly exporter?: TicketExporter;
  /** The shop's IANA time zone (DIGEST_TIMEZONE): the days of "/ticket stats today" and of the export's periods. Default UTC. */
  readonly timeZone?: string;
  /** ATTACHMENT_MAX_BYTES: named when `view` says a file was not kept for its size; absent, the limit is not named. */
  readonly attachmentMaxBytes?: number;
  /** `/ticket spam`: the held spam, listed and released; absent: not available in this process. */
  readonly spam?: Pick<SpamReviewService, 'list' | 'release'>;
  /** SLA clocks: what `view` says is due, and `list due`; absent, neither is shown. */
  readonly sla?: SlaCommands;
  /** Reply templates (`/ticket reply N tpl:KEY`); absent, templates are not available. */
  readonly templates?: TemplateSource;
  /** Automatic assignment: `away`, `back`, `stats agents`, the reason in `view`; absent, not available. */
  readonly assignment?: AssignmentCommands;
}

/** What `/ticket reply N tpl:KEY` needs: the templates, and the facts of a ticket its variables use. */
export interface TemplateSource {
  latest(key: string): Promise<StoredTemplate | null>;
  all(): Promise<readonly StoredTemplate[]>;
  ticketFacts(ticketId: number): Promise<{
    readonly customerId: number;
    readonly language: string | null;
    readonly orderNumber: string | null;
  } | null>;
  customerNames(customerId: number): Promise<{ readonly firstName: string | null; readonly lastName: string | null }>;
  /** The templates most used in replies sent since then (the mail server accepted them; key@version), most first. */
  topUsed(since: Date, limit: number): Promise<readonly TemplateCount[]>;
}

/** How long the template list read for suggestions is reused. */
const TEMPLATE_LIST_MS = 5_000;

/** A chat surface shows this much of a preview (a Slack section holds 3,000 characters). */
const PREVIEW_LIMIT = 2_800;
interface TemplateUse {
  readonly ref: string;
  readonly actions: TemplateActions;
}

/** What the commands need of the SLA service (src/services/check-sla.ts). */
export interface SlaCommands {
  /** `/ticket stats`' SLA figures over [from, to); absent, stats has no SLA line. */
  periodFigures?(from: Date, to: Date): Promise<SlaPeriodFigures>;
  describe(ticketId: number): Promise<string[]>;
  /** describe, then each running deadline's open hours and closed days from now. */
  explain(ticketId: number): Promise<string[]>;
  due(
    page: number,
    pageSize: number,
  ): Promise<{
    readonly items: readonly { readonly ticketId: number; readonly line: string }[];
    readonly hasMore: boolean;
  }>;
}

export type TicketExporter = (request: {
  readonly format: ExportFormat;
  readonly from: string;
  readonly to: string;
}) => Promise<CommandFile & { readonly tickets: number }>;

/** Entries of a ticket's thread shown by `view`. */
const THREAD_LIMIT = 30;
const PERIOD_MS: Record<StatsPeriod, number> = { today: 0, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const REGISTER_HINT = 'ask a manager to register you with "npx ticketrelay agents add"';

const refuse = (text: string): CommandReply => ({ ok: false, text, ephemeral: true });

/** What was asked: a typed line (as typed), or a button. */
export type CommandAsked = { readonly typed: string } | { readonly button: Exclude<TicketAction, 'reply'> };
export type CommandListener = (asked: CommandAsked, reply: CommandReply, seconds: number) => void;

export class CommandService {
  readonly #store: TicketStore;
  readonly #agents: AgentDirectory;
  readonly #outbox: OutboxDelivery;
  readonly #log: Logger;
  readonly #domain: string;
  readonly #supportName: string | null;
  readonly #now: () => Date;
  readonly #exporter: TicketExporter | null;
  readonly #timeZone: string;
  readonly #attachmentMaxBytes: number | null;
  readonly #listeners: CommandListener[] = [];
  readonly #spam: Pick<SpamReviewService, 'list' | 'release'> | null;
  readonly #sla: SlaCommands | null;
  readonly #templates: TemplateSource | null;
  readonly #assignment: AssignmentCommands | null;
  #templateList: { readonly at: number; readonly list: Promise<readonly StoredTemplate[]> } | null = null;

  constructor(deps: CommandServiceDeps) {
    this.#store = deps.store;
    this.#agents = deps.agents;
    this.#outbox = deps.outbox;
    this.#log = deps.logger.child({ component: 'commands' });
    this.#domain = deps.messageIdDomain ?? 'ticketrelay.local';
    this.#supportName = deps.supportName ?? null;
    this.#now = deps.now ?? (() => new Date());
    this.#exporter = deps.exporter ?? null;
    this.#timeZone = deps.timeZone ?? 'UTC';
    this.#attachmentMaxBytes = deps.attachmentMaxBytes ?? null;
    this.#spam = deps.spam ?? null;
    this.#sla = deps.sla ?? null;
    this.#templates = deps.templates ?? null;
    this.#assignment = deps.assignment ?? null;
  }

  /** Adds a listener told of every answer, with the time it took (the metrics registry's timings). */
  onAnswer(listener: CommandListener): void {
    this.#listeners.push(listener);
  }

  /** One line as typed: "/ticket list open urgent page 2" (the leading "/ticket" optional). Never throws for the caller's mistakes. */
  async run(caller: Caller, text: string): Promise<CommandReply> {
    const started = performance.now();
    const parsed = parseCommand(text);
    if (!parsed.ok) return this.#told({ typed: text }, refuse(parsed.error), started);
    return this.#told({ typed: text }, await this.#execute(caller, parsed.command), started);
  }

  /** A button press: the same checks and effects as the typed command. */
  async runAction(caller: Caller, action: Exclude<TicketAction, 'reply'>, ticketId: number): Promise<CommandReply> {
    const started = performance.now();
    const command: ParsedCommand =
      action === 'close'
        ? { name: 'close', ticketId, reason: null }
        : action === 'reopen'
          ? { name: 'reopen', ticketId }
          : { name: 'assign', ticketId, target: { kind: 'me' } };
    return this.#told({ button: action }, await this.#execute(caller, command), started);
  }

  #told(asked: CommandAsked, reply: CommandReply, started: number): CommandReply {
    const seconds = (performance.now() - started) / 1000;
    for (const listener of this.#listeners) listener(asked, reply, seconds);
    return reply;
  }

  /**
   * `/ticket reply N tpl:KEY` with the asked values given apart, one per field (Slack's and Discord's forms):
   * the same checks and effects as the typed command, and a value may hold anything (a "name=" inside it
   * stays text, as it could not on a typed line).
   */
  async runTemplateReply(
    caller: Caller,
    ticketId: number,
    key: string,
    asks: Readonly<Record<string, string>>,
    send: boolean,
  ): Promise<CommandReply> {
    const started = performance.now();
    const typed = `reply ${ticketId} tpl:${key}${send ? ' send' : ''}`;
    const template = { key: key.toLowerCase(), asks, send };
    return this.#told(
      { typed },
      await this.#execute(caller, { name: 'reply', ticketId, text: `tpl:${key}`, template }),
      started,
    );
  }

  /**
   * The `{{ask:…}}` fields of a template in the ticket's language, in order, once each (a form shows one input
   * per field, labelled by its name); null for a caller who is not an agent, an unknown key or ticket.
   */
  async templateAsks(
    caller: Caller,
    ticketId: number,
    key: string,
  ): Promise<{ readonly key: string; readonly asks: readonly string[] } | null> {
    if (!this.#templates || !(await this.#agents.forCaller(caller))) return null;
    const [template, facts] = await Promise.all([
      this.#templates.latest(key.toLowerCase()),
      this.#templates.ticketFacts(ticketId),
    ]);
    const picked = template && facts ? pickBody(template, facts.language) : null;
    return template && picked ? { key: template.key, asks: askFields(picked.body) } : null;
  }

  /** Autocomplete: open tickets whose number starts with `prefix` (or whose subject contains it), newest first. */
  suggestTickets(prefix: string, limit: number): Promise<readonly TicketSummary[]> {
    return this.#store.suggest(prefix.slice(0, 100), Math.max(1, Math.min(25, limit)));
  }

  async #execute(caller: Caller, command: ParsedCommand): Promise<CommandReply> {
    let agent: Agent | null = null;
    if (!OPEN_COMMANDS.has(command.name)) {
      agent = await this.#agents.forCaller(caller);
      if (!agent) {
        const what = CHANGING_COMMANDS.has(command.name) ? 'change tickets or write to customers' : 'read tickets';
        return refuse(
          `Only registered agents may ${what}, and you are not one; ${REGISTER_HINT} (your ${caller.platform} id is ${caller.userId}).`,
        );
      }
    }
    // A console identity taken with --as is recorded as claimed by the OS user who typed it.
    const claim = caller.claimedBy ? `, claimed by OS user ${caller.claimedBy}` : '';
    const actor = agent ? `${agent.name} (${caller.platform}${claim})` : `${caller.platform}:${caller.userId}${claim}`;
    switch (command.name) {
      case 'help':
        return { ok: true, text: helpText(), ephemeral: true };
      case 'stats':
        return this.#stats(command.period);
      case 'list':
        return this.#list(command);
      case 'view':
        return this.#view(command.ticketId);
      case 'due':
        return this.#due(command.page);
      case 'sla':
        return this.#slaDetail(command.ticketId);
      case 'export':
        return this.#export(command, agent!);
      case 'spam':
      case 'spam_release':
        return this.#spamCommand(command, actor);
      case 'templates':
        return this.#listTemplates(caller, command.words);
      case 'reply':
        if (command.template) return this.#templateReply(command.ticketId, command.template, agent!, actor);
        return this.#change(command, agent!, actor, caller.claimedBy ?? null);
      case 'away':
      case 'back':
      case 'stats_agents':
        return this.#assignmentCommand(command, agent!);
      default: {
        const reply = await this.#change(command, agent!, actor, caller.claimedBy ?? null);
        // A ticket closed frees a place: the queue gets its chance (the worker's pass would, later).
        if (command.name === 'close' && reply.ok && !reply.ephemeral) await this.#drain();
        // A ticket reopened goes back to its agent if they can take it, else through the strategies.
        if (command.name === 'reopen' && reply.ok && !reply.ephemeral) return this.#reopened(command.ticketId, reply);
        return reply;
      }
    }
  }

  async #drain(): Promise<void> {
    await this.#assignment
      ?.drain()
      .catch((error: unknown) =>
        this.#log.warn({ err: String(error) }, 'the assignment queue was not drained now; the worker does it later'),
      );
  }

  async #reopened(ticketId: number, reply: CommandReply): Promise<CommandReply> {
    const said = await this.#assignment?.reopened(ticketId).catch((error: unknown) => {
      this.#log.warn({ ticketId, err: String(error) }, 'reopened ticket not decided now; the worker does it later');
      return null;
    });
    return said ? { ...reply, text: `${reply.text} ${said.charAt(0).toUpperCase()}${said.slice(1)}.` } : reply;
  }

  /** `/ticket away [until …]`, `/ticket back`, `/ticket stats agents`. */
  async #assignmentCommand(
    command: Extract<ParsedCommand, { name: 'away' | 'back' | 'stats_agents' }>,
    agent: Agent,
  ): Promise<CommandReply> {
    if (!this.#assignment)
      return refuse(
        'Automatic assignment is not available in this process; run "npx ticketrelay console" on a configured installation.',
      );
    if (command.name === 'stats_agents') return { ok: true, ephemeral: true, text: await this.#assignment.stats() };
    if (command.name === 'back') return { ok: true, ephemeral: false, text: await this.#assignment.back(agent) };
    const parsed = parseAwayUntil(command.until, this.#now(), this.#timeZone);
    if ('error' in parsed) return refuse(parsed.error);
    return { ok: true, ephemeral: false, text: await this.#assignment.away(agent, parsed.until) };
  }

  /**
   * Templates matching what the agent typed, in the ticket's language when a ticket is given (Discord's
   * autocomplete, Slack's template menu, `/ticket templates`); none for a caller who is not an agent.
   */
  async suggestTemplates(
    caller: Caller,
    typed: string,
    limit: number,
    ticketId?: number,
  ): Promise<TemplateSuggestion[]> {
    if (!this.#templates || !(await this.#agents.forCaller(caller))) return [];
    // Keystrokes come a few hundred milliseconds apart: the list is read once for a burst of them (an import
    // shows within TEMPLATE_LIST_MS).
    const now = Date.now();
    if (!this.#templateList || now - this.#templateList.at > TEMPLATE_LIST_MS)
      this.#templateList = { at: now, list: this.#templates.all() };
    const list = this.#templateList.list;
    list.catch(() => (this.#templateList = null));
    const [templates, facts] = await Promise.all([list, ticketId ? this.#templates.ticketFacts(ticketId) : null]);
    return matchTemplates(templates, typed, facts?.language ?? null, Math.max(1, Math.min(25, limit)));
  }

  /** `/ticket templates [words]`: the matching templates, one line each, and how to use one. */
  async #listTemplates(caller: Caller, words: string): Promise<CommandReply> {
    if (!this.#templates) return refuse('Reply templates are not available in this process; write the reply yourself.');
    const found = await this.suggestTemplates(caller, words, 25);
    if (found.length === 0)
      return refuse(
        words
          ? `No template matches "${words}"; try fewer words, or "/ticket templates" for all of them.`
          : 'There is no reply template yet; import some with "npx ticketrelay templates import FILE".',
      );
    return {
      ok: true,
      ephemeral: true,
      text: [
        `Reply templates${words ? ` matching "${words}"` : ''}:`,
        ...found.map((t) => `  ${t.key}@${t.version} — ${suggestionLabel(t, 160).slice(t.key.length + 3)}`),
        'Use one with "/ticket reply N tpl:KEY" (a preview in the ticket\'s language; add "send" to email it).',
      ].join('\n'),
    };
  }

  /** `/ticket reply N tpl:KEY [name=value …] [send]`: the rendered preview, or (with send) the email and its actions. */
  async #templateReply(ticketId: number, choice: TemplateChoice, agent: Agent, actor: string): Promise<CommandReply> {
    if (!this.#templates)
      return refuse(
        'Reply templates are not available in this process; write the reply yourself with "/ticket reply N your text".',
      );
    const template = await this.#templates.latest(choice.key);
    if (!template) {
      const near = closestKeys(
        choice.key,
        (await this.#templates.all()).map((t) => t.key),
      );
      return refuse(
        `Aucun modèle « ${choice.key} ».${near.length ? ` Vouliez-vous dire : ${near.join(', ')} ?` : ' Importez-en avec "npx ticketrelay templates import FILE".'}`,
      );
    }
    const facts = await this.#templates.ticketFacts(ticketId);
    if (!facts)
      return refuse(`There is no ticket #${ticketId}; check the number with "/ticket list" or "/ticket list all".`);
    const picked = pickBody(template, facts.language);
    if (!picked) return refuse(`Template "${template.key}" has no text at all; fix it and import it again.`);
    const names = await this.#templates.customerNames(facts.customerId);
    const agentFirst = (agent.fullName ?? agent.name).split(/\s+/)[0] ?? agent.name;
    const values: Record<string, string | null> = {
      'customer.first_name': names.firstName,
      'customer.last_name': names.lastName,
      'ticket.number': String(ticketId),
      'order.number': facts.orderNumber,
      'agent.first_name': agentFirst,
      'agent.name': agent.fullName ?? agent.name,
      'shop.name': this.#supportName,
      'sla.first_response_due': null,
    };
    const rendered = renderBody(picked.body, values, choice.asks);
    if (!rendered.ok) return refuse(missingSentence(template.key, ticketId, rendered.missing, picked.language));
    const ref = `${template.key}@${template.version}`;
    if (!choice.send) {
      const asks = Object.entries(choice.asks)
        .map(([k, v]) => ` ${k}=${v}`)
        .join('');
      const shown =
        rendered.text.length > PREVIEW_LIMIT
          ? `${rendered.text.slice(0, PREVIEW_LIMIT)}… (aperçu tronqué, l'email contient le texte complet)`
          : rendered.text;
      const actions = describeActions(template.actions);
      return {
        ok: true,
        ephemeral: true,
        text: [
          `Preview of template ${ref} (${picked.language}) for ticket #${ticketId}; nothing is sent yet.`,
          ...(picked.warning ? [`Warning: ${picked.warning}`] : []),
          '',
          shown,
          '',
          ...(actions ? [`Once the mail server accepts it: ${actions}.`] : []),
          `To send it, type: /ticket reply ${ticketId} tpl:${template.key}${asks} send`,
        ].join('\n'),
      };
    }
    return this.#change({ name: 'reply', ticketId, text: rendered.text }, agent, actor, null, {
      ref,
      actions: template.actions,
    });
  }

  /** A template's actions, after the mail server accepted its email: in one audited transaction. */
  async #applyTemplateActions(ticketId: number, use: TemplateUse, agent: Agent, actor: string): Promise<string> {
    const at = this.#now();
    return this.#store.transaction(async (tx) => {
      const lookup = await tx.lockTicket(ticketId);
      if (lookup.found !== 'ticket') return '';
      const ticket = lookup.ticket;
      const done: string[] = [];
      const a = use.actions;
      if (a.priority && ticket.priority !== a.priority) {
        await tx.correct(ticketId, 'priority', ticket.priority, a.priority, agent.id, at);
        done.push(`priority ${a.priority}`);
      }
      if (a.category && ticket.category !== a.category) {
        await tx.correct(ticketId, 'category', ticket.category, a.category, agent.id, at);
        done.push(`category ${a.category}`);
      }
      if (a.note) {
        await tx.recordEvent(ticketId, 'note', agent.name, { agentId: agent.id, text: a.note, template: use.ref }, at);
        done.push('internal note added');
      }
      if (a.status === 'closed' && ticket.status !== 'closed') {
        await tx.setStatus(ticketId, 'closed', at);
        await tx.recordEvent(ticketId, 'closed', actor, { agentId: agent.id, reason: `template ${use.ref}` }, at);
        done.push('closed');
      } else if (a.status === 'pending') done.push('left open, waiting on the customer');
      if (done.length)
        await tx.recordEvent(
          ticketId,
          'template_actions',
          actor,
          { agentId: agent.id, template: use.ref, applied: done },
          at,
        );
      return done.join(', ');
    });
  }

  async #export(command: Extract<ParsedCommand, { name: 'export' }>, agent: Agent): Promise<CommandReply> {
    if (agent.role !== 'manager')
      return refuse('Only managers may export tickets; ask a manager, or use "/ticket stats" for the numbers.');
    if (!this.#exporter)
      return refuse(
        'Exports are not available in this process; run "npx ticketrelay export --format csv --from DAY --to DAY" instead.',
      );
    const to = command.to ?? dayInZone(this.#now(), this.#timeZone);
    const days = command.period === 'today' ? 0 : command.period === '30d' ? 29 : 6;
    const from = command.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
    let file: Awaited<ReturnType<TicketExporter>>;
    try {
      file = await this.#exporter({ format: command.format, from, to });
    } catch (error) {
      // Over DB_EXPORT_BUDGET_MS: the manager is told which period to narrow, or what to raise.
      if (isAppError(error) && error.code === 'db.timeout') return refuse(`Nothing was exported. ${error.message}`);
      throw error;
    }
    const { tickets, ...rest } = file;
    this.#log.info({ command: 'export', actor: agent.name, from, to, tickets }, 'tickets exported');
    return {
      ok: true,
      ephemeral: true,
      text: `${tickets} ticket${tickets === 1 ? '' : 's'} created from ${from} to ${to}: ${rest.filename}.`,
      file: rest,
    };
  }

  async #spamCommand(
    command: Extract<ParsedCommand, { name: 'spam' | 'spam_release' }>,
    actor: string,
  ): Promise<CommandReply> {
    if (!this.#spam)
      return refuse('The held spam is not available in this process; run "npx ticketrelay spam list" instead.');
    if (command.name === 'spam') {
      const { items, total, page, pageSize } = await this.#spam.list(command.page);
      return { ok: true, ephemeral: true, text: formatHeldSpam(items, total, page, pageSize) };
    }
    const released = await this.#spam.release(command.spamId, actor);
    return released.ok ? { ok: true, ephemeral: true, text: released.text } : refuse(released.text);
  }

  async #list(request: ListRequest): Promise<CommandReply> {
    const { items, hasMore } = await this.#store.list(request, PAGE_SIZE);
    const view: TicketListView = {
      kind: 'list',
      items,
      page: request.page,
      hasMore,
      filters: describeList(request),
      order: listOrder(request),
    };
    return { ok: true, text: formatList(view, request, this.#timeZone), ephemeral: true, view };
  }

  async #slaDetail(ticketId: number): Promise<CommandReply> {
    const lookup = await this.#store.detail(ticketId, 1);
    if (lookup.found !== 'ticket') return refuse(notATicket(ticketId, lookup, 'sla'));
    if (!this.#sla)
      return refuse(
        'SLA clocks are not available in this process; run "npx ticketrelay console" on a configured installation.',
      );
    return {
      ok: true,
      ephemeral: true,
      text: [`#${ticketId} ${lookup.ticket.summary.subject}`, ...(await this.#sla.explain(ticketId))].join('\n'),
    };
  }

  async #due(page: number): Promise<CommandReply> {
    if (!this.#sla)
      return refuse(
        'SLA clocks are not available in this process; run "npx ticketrelay console" on a configured installation.',
      );
    const { items, hasMore } = await this.#sla.due(page, PAGE_SIZE);
    if (items.length === 0)
      return {
        ok: true,
        ephemeral: true,
        text:
          page > 1
            ? `No ticket with a running SLA clock on page ${page}; try "/ticket list due".`
            : 'No open ticket has a running SLA clock (all answered, or waiting on the customer).',
      };
    const lines = [
      `Open tickets by nearest SLA deadline — page ${page}:`,
      ...items.map((i) => `#${i.ticketId} ${i.line}`),
    ];
    if (hasMore) lines.push(`More: "/ticket list due page ${page + 1}".`);
    return { ok: true, ephemeral: true, text: lines.join('\n') };
  }

  async #view(ticketId: number): Promise<CommandReply> {
    const lookup = await this.#store.detail(ticketId, THREAD_LIMIT);
    if (lookup.found !== 'ticket') return refuse(notATicket(ticketId, lookup));
    const d = lookup.ticket;
    const reasons =
      d.triage.triaged && d.triage.reasons
        ? reasonLines({
            category: d.summary.category,
            priority: d.summary.priority,
            categoryConfidence: d.triage.categoryConfidence,
            priorityConfidence: d.triage.priorityConfidence,
            sentiment: d.triage.sentiment,
            language: d.triage.language,
            reasons: d.triage.reasons,
            corrected: d.triage.corrected,
          })
        : d.triage.triaged
          ? []
          : ['not triaged yet'];
    // Independent reads, at the same time: who a reply would reach (seen before sending: a copy goes to
    // everyone on the thread), the SLA clocks and the assignment.
    const [recipients, sla, assignment] = await Promise.all([
      this.#store.transaction(async (tx) => {
        const found = await replyRecipients(
          tx,
          { ticketId, customerEmail: d.customerEmail },
          await tx.lastCustomerEmail(ticketId),
        );
        return typeof found === 'string' ? null : found;
      }),
      this.#sla?.describe(ticketId),
      this.#assignment?.describe(ticketId),
    ]);
    const card: TicketCard = {
      kind: 'ticket',
      ticket: d.summary,
      customerEmail: d.customerEmail,
      reasons,
      thread: d.thread.map((e) => ({
        from: e.from,
        // A message on the thread from another address than the customer's: agents should know.
        ...(e.staffId === null &&
        !e.internal &&
        !e.event &&
        e.from.includes('@') &&
        e.from.trim().toLowerCase() !== d.customerEmail.trim().toLowerCase()
          ? { notFromCustomer: true }
          : {}),
        at: e.at,
        text: e.text,
        byStaff: e.staffId !== null,
        internal: e.internal,
        ...(e.event ? { event: true } : {}),
        attachments: (e.attachments ?? []).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          notKept: a.dropped === null ? null : notKeptReason(a.dropped, a.size, this.#attachmentMaxBytes),
        })),
      })),
      actions: d.summary.status === 'open' ? ['reply', 'assign_me', 'close'] : ['reopen'],
      recipients,
      ...(sla ? { sla } : {}),
      ...(assignment ? { assignment } : {}),
    };
    return { ok: true, text: formatCard(card, this.#timeZone), ephemeral: true, view: card };
  }

  async #stats(period: StatsPeriod): Promise<CommandReply> {
    const now = this.#now();
    const zone = this.#timeZone;
    const since =
      period === 'today' ? startOfDay(dayInZone(now, zone), zone) : new Date(now.getTime() - PERIOD_MS[period]);
    const [c, topTemplates, sla] = await Promise.all([
      this.#store.counts(since),
      this.#templates?.topUsed(since, TOP_TEMPLATES),
      // The SLA line is extra: clocks that cannot be read leave the counts standing.
      this.#sla?.periodFigures?.(since, now).catch((error: unknown) => {
        this.#log.warn({ err: String(error) }, 'SLA figures unavailable for /ticket stats');
        return undefined;
      }),
    ]);
    const view: StatsView = {
      kind: 'stats',
      period: period === 'today' ? `today (${zone})` : `last ${period.replace('d', ' days')}`,
      total: c.total,
      open: c.open,
      closed: c.closed,
      created: c.createdSince,
      byPriority: c.openByPriority,
      byCategory: c.openByCategory,
      untriaged: c.untriaged,
      ...(topTemplates ? { topTemplates } : {}),
      ...(sla ? { sla } : {}),
    };
    return { ok: true, text: formatStats(view), ephemeral: true, view };
  }

  /** Every change: the ticket locked, the check, the rows and the audit event in one transaction. */
  async #change(
    command: Exclude<
      ParsedCommand,
      {
        name:
          | 'help'
          | 'stats'
          | 'list'
          | 'view'
          | 'export'
          | 'spam'
          | 'spam_release'
          | 'due'
          | 'sla'
          | 'templates'
          | 'away'
          | 'back'
          | 'stats_agents';
      }
    >,
    agent: Agent,
    actor: string,
    claimedBy: string | null = null,
    template?: TemplateUse,
  ): Promise<CommandReply> {
    const ticketId = command.ticketId;
    // Resolved before the transaction: no lock is held while looking up another agent.
    let assignee: Agent | null = null;
    if (command.name === 'assign') {
      const target = await this.#assignee(command.target, agent, ticketId);
      if (typeof target === 'string') return refuse(target);
      assignee = target;
    }
    if (command.name === 'reply' && agent.staffId === null) {
      return refuse(
        `You have no staff id, so a reply could not be signed on the shop's records; ask a manager to run "npx ticketrelay agents add ${agent.name} --role ${agent.role} --staff-id N".`,
      );
    }
    const at = this.#now();
    const outcome = await this.#store.transaction(
      async (tx): Promise<{ -readonly [K in keyof CommandReply]: CommandReply[K] } & { sent?: QueuedReply }> => {
        const lookup = await tx.lockTicket(ticketId);
        if (lookup.found !== 'ticket') return refuse(notATicket(ticketId, lookup, command.name));
        const ticket = lookup.ticket;
        switch (command.name) {
          case 'close':
          case 'reopen': {
            const status = command.name === 'close' ? 'closed' : 'open';
            const details = {
              agentId: agent.id,
              ...(command.name === 'close' && command.reason ? { reason: command.reason } : {}),
            };
            if (!(await applyStatus(tx, ticket, { status, actor, details, at })))
              return { ok: true, ephemeral: true, text: `Ticket #${ticketId} is already ${status}; nothing changed.` };
            const reason = command.name === 'close' && command.reason ? ` (${command.reason})` : '';
            return {
              ok: true,
              ephemeral: false,
              text: `Ticket #${ticketId} "${ticket.subject}" ${command.name === 'close' ? 'closed' : 'reopened'} by ${agent.name}${reason}.`,
            };
          }
          case 'note':
            await tx.recordEvent(
              ticketId,
              'note',
              agent.name,
              { agentId: agent.id, text: command.text, ...(claimedBy ? { claimedBy } : {}) },
              at,
            );
            return {
              ok: true,
              ephemeral: true,
              text: `Internal note added to ticket #${ticketId} (the customer does not see it).`,
            };
          case 'assign': {
            const to = assignee?.id ?? null;
            if (ticket.assigneeAgentId === to)
              return {
                ok: true,
                ephemeral: true,
                text:
                  to === null
                    ? `Ticket #${ticketId} is not assigned to anyone; nothing changed.`
                    : `Ticket #${ticketId} is already assigned to ${assignee!.name}; nothing changed.`,
              };
            // Past the agent's capacity: asked first; a confirmation goes through and is recorded with its author.
            const load = assignee ? await this.#assignment?.capacity(assignee) : null;
            const over = load && load.open >= load.capacity ? `${load.open + 1}/${load.capacity}` : null;
            if (over && command.name === 'assign' && !command.confirm) {
              const line = `assign ${ticketId} ${assignee!.id === agent.id ? 'me' : `@${assignee!.name}`} confirm`;
              return {
                ...refuse(
                  `${assignee!.id === agent.id ? 'You have' : `${assignee!.name} has`} ${load!.open} open tickets and a capacity of ${load!.capacity} (ASSIGNMENT_FILE): ticket #${ticketId} would make ${over}, so it was not assigned. To assign it anyway, confirm with "/ticket ${line}".`,
                ),
                confirm: { label: `Assign anyway (${over})`, command: line },
              };
            }
            await tx.setAssignee(ticketId, to, at);
            await tx.recordEvent(
              ticketId,
              'assigned',
              actor,
              {
                agentId: agent.id,
                from: ticket.assigneeAgentId,
                to,
                ...(over ? { overCapacity: over, confirmedBy: agent.name } : {}),
              },
              at,
            );
            return {
              ok: true,
              ephemeral: false,
              text:
                to === null
                  ? `Ticket #${ticketId} unassigned by ${agent.name}.`
                  : `Ticket #${ticketId} assigned to ${assignee!.name}${assignee!.id === agent.id ? '' : ` by ${agent.name}`}${over ? `, past ${assignee!.id === agent.id ? 'their' : `${assignee!.name}'s`} capacity (${over} open tickets; confirmed by ${agent.name})` : ''}.`,
            };
          }
          case 'priority':
          case 'category':
            return this.#correct(
              tx,
              ticket,
              command.name,
              command.name === 'priority' ? command.priority : command.category,
              agent,
              actor,
              at,
            );
          case 'reply':
            return this.#reply(tx, ticket, command.text, agent, actor, at, template?.ref);
        }
      },
    );
    if (outcome.sent) {
      // After the commit: the outbox sends it now, or on a later pass if the mail server is away.
      await this.#outbox
        .deliverPending()
        .catch((error: unknown) =>
          this.#log.warn(
            { ticketId, err: String(error) },
            'reply queued; sending it failed for now, the outbox will retry',
          ),
        );
      // "Sent" only when the mail server took it: an agent told so would not look again.
      const delivery = this.#outbox.outcome?.(outcome.sent.messageId) ?? null;
      if (delivery?.delivery !== 'sent') outcome.text = notSentYet(outcome.sent, ticketId, delivery);
      else if (template) {
        // Only now: the mail server took the email. A reply that failed changes nothing else.
        const applied = await this.#applyTemplateActions(ticketId, template, agent, actor);
        outcome.text = `${outcome.text.replace(/\.$/, '')} (template ${template.ref}${applied ? `; ${applied}` : ''}).`;
      }
    }
    if (outcome.ok && !outcome.ephemeral)
      this.#log.info({ ticketId, command: command.name, actor }, `ticket #${ticketId}: ${command.name} by ${actor}`);
    return {
      ok: outcome.ok,
      text: outcome.text,
      ephemeral: outcome.ephemeral,
      ...(outcome.confirm ? { confirm: outcome.confirm } : {}),
    };
  }

  async #assignee(target: AssignTarget, agent: Agent, ticketId: number): Promise<Agent | null | string> {
    if (target.kind === 'me') return agent;
    if (target.kind === 'nobody') return null;
    const other = await this.#agents.byName(target.name);
    if (!other)
      return `There is no agent named "${target.name}"; check the name with a manager, or take the ticket yourself with "/ticket assign ${ticketId} me".`;
    if (other.id !== agent.id && agent.role !== 'manager')
      return `Only managers may give a ticket to someone else; take it yourself with "/ticket assign ${ticketId} me" or ask a manager.`;
    return other;
  }

  async #correct(
    tx: TicketTransaction,
    ticket: TicketRecord,
    field: 'priority' | 'category',
    value: Priority | Category,
    agent: Agent,
    actor: string,
    at: Date,
  ): Promise<CommandReply> {
    const from = ticket[field];
    if (from === value)
      return {
        ok: true,
        ephemeral: true,
        text: `Ticket #${ticket.ticketId} already has ${field} ${value}; nothing changed.`,
      };
    await tx.correct(ticket.ticketId, field, from, value, agent.id, at);
    await tx.recordEvent(ticket.ticketId, `${field}_corrected`, actor, { agentId: agent.id, from, to: value }, at);
    return {
      ok: true,
      ephemeral: false,
      text: `Ticket #${ticket.ticketId}: ${field} ${from} → ${value}, set by ${agent.name} (kept for triage training).`,
    };
  }

  async #reply(
    tx: TicketTransaction,
    ticket: TicketRecord,
    text: string,
    agent: Agent,
    actor: string,
    at: Date,
    template?: string,
  ): Promise<{ -readonly [K in keyof CommandReply]: CommandReply[K] } & { sent?: QueuedReply }> {
    // To the ticket's customer, and a copy to everyone else on the thread (a garage the customer copied,
    // a husband who answered, the customer's other address), as helpdesks and a mail client's Reply All
    // do: whoever wrote last, the customer is never left out.
    const last = await tx.lastCustomerEmail(ticket.ticketId);
    const recipients = await replyRecipients(tx, ticket, last);
    if (typeof recipients === 'string') return refuse(recipients);
    const { to, cc } = recipients;
    const subject = replySubject(ticket.subject);
    const threadEntryId = await tx.addStaffReply({
      ticketId: ticket.ticketId,
      customerId: ticket.customerId,
      subject,
      content: text,
      staffId: String(agent.staffId),
      at,
    });
    const messageId = newMessageId(this.#domain, ticket.ticketId);
    await tx.queueReply({
      messageId,
      ticketId: ticket.ticketId,
      threadEntryId,
      to,
      cc,
      subject: taggedSubject(ticket.ticketId, subject),
      // What the customer wrote, quoted below, as a mail client's Reply does: the answer reads in context.
      text: `${text}\n\n— ${agent.fullName ?? agent.name}${this.#supportName ? `\n${this.#supportName}` : ''}${last ? quoteBelow(last.text, last.at, last.address ?? to, last.name, this.#timeZone) : ''}`,
      // An email that came without a Message-ID is stored under its content hash: no header may carry that.
      inReplyTo: last && isHeaderMessageId(last.messageId) ? [last.messageId] : [],
      references: last ? replyReferences(last) : [],
      at,
    });
    await tx.recordEvent(
      ticket.ticketId,
      'replied',
      actor,
      {
        agentId: agent.id,
        messageId,
        threadEntryId,
        firstResponse: ticket.firstResponseAt === null,
        ...(template ? { template } : {}),
      },
      at,
    );
    const reopened = ticket.status === 'closed' ? ' (the ticket stays closed; reopen it if you expect an answer)' : '';
    const copied = cc.length ? ` (copy to ${cc.join(', ')})` : '';
    return {
      ok: true,
      ephemeral: false,
      sent: { messageId, to: `${to}${copied}` },
      text: `Reply sent to ${to}${copied} on ticket #${ticket.ticketId} by ${agent.name}${reopened}.`,
    };
  }
}

/** A template's actions in words. */
function describeActions(a: TemplateActions): string {
  const parts = [
    a.priority ? `priority ${a.priority}` : '',
    a.category ? `category ${a.category}` : '',
    a.note ? 'an internal note' : '',
    a.status === 'closed' ? 'close the ticket' : a.status === 'pending' ? 'leave it waiting on the customer' : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/**
 * Whom an agent's reply goes to: the ticket's customer, and a copy to everyone else on the thread (a
 * garage the customer copied, a husband who answered, the customer's other address), as helpdesks and a
 * mail client's Reply All do. A flagged address is left out; when the customer's own bounces, the address
 * they last wrote from. A string: why nothing can be sent. `/ticket view` shows the same before sending.
 */
async function replyRecipients(
  tx: Pick<TicketTransaction, 'lastCustomerEmail' | 'threadAddresses' | 'isAddressFlagged'>,
  ticket: Pick<TicketRecord, 'ticketId' | 'customerEmail'>,
  last: { readonly address: string | null } | null,
): Promise<{ to: string; cc: string[] } | string> {
  const thread = [ticket.customerEmail, last?.address ?? '', ...(await tx.threadAddresses(ticket.ticketId))]
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  // (Our own addresses are never stored as participants.)
  const candidates = [...new Set(thread)];
  if (candidates.length === 0)
    return `Ticket #${ticket.ticketId} has no customer email address, so a reply cannot be sent; contact the customer another way and add a note.`;
  const blocked = new Map<string, { reason: string }>();
  for (const address of candidates) {
    const flagged = await tx.isAddressFlagged(address);
    // A customer who has written from the address since it bounced shows that it works again.
    if (flagged && !flagged.wroteSince) blocked.set(address, flagged);
  }
  const customer = ticket.customerEmail.trim().toLowerCase();
  // The customer's address; when it bounces, the address they last wrote from.
  const to = [customer, last?.address ?? ''].find((a) => a && !blocked.has(a) && candidates.includes(a));
  if (!to) {
    const address = customer || candidates[0]!;
    const flagged = blocked.get(address);
    return `Nothing was sent: ${address} is flagged (${flagged?.reason ?? 'bounced'}), so mail to it would bounce again; check the address with the customer, then add a note to ticket #${ticket.ticketId} (once the customer writes to us from it again, replies go through).`;
  }
  return { to, cc: candidates.filter((a) => a !== to && !blocked.has(a)).slice(0, MAX_CC) };
}

/**
 * References of a reply: the customer's email's own, then that email (RFC 5322 § 3.6.4), with the email
 * that opened the ticket first when they lack it (a reply found by its [#N] tag alone), so every mail
 * client files the answer with the conversation. At most 20, the first kept.
 */
function replyReferences(last: {
  readonly messageId: string;
  readonly references: readonly string[];
  readonly rootMessageId: string | null;
}): string[] {
  const chain = [...last.references, last.messageId];
  if (last.rootMessageId) chain.unshift(last.rootMessageId);
  const unique = [...new Set(chain)].filter(isHeaderMessageId);
  return unique.length > 20 ? [unique[0]!, ...unique.slice(-19)] : unique;
}

/** At most this many people copied on an agent's reply. */
const MAX_CC = 10;

/** Lines of the customer's email quoted under a reply: enough to recall it, not the whole history. */
const QUOTED_LINES = 30;

function quoteBelow(customerText: string, at: Date, address: string, name: string | null, timeZone: string): string {
  const lines = customerText.trim().split('\n');
  if (lines.length === 0 || !lines.join('').trim()) return '';
  const french = detectLanguage(customerText).language === 'fr';
  const when = new Intl.DateTimeFormat(french ? 'fr-FR' : 'en-GB', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(at);
  // As mail clients write it: "Jean Dupont <jean@x.example>", or the bare address when there is no name.
  const who = name ? `${name.replace(/[<>"]/g, '')} <${address}>` : address;
  const attribution = french ? `Le ${when}, ${who} a écrit :` : `On ${when}, ${who} wrote:`;
  const quoted = lines.slice(0, QUOTED_LINES).map((line) => (line ? `> ${line}` : '>'));
  if (lines.length > QUOTED_LINES) quoted.push('> […]');
  return `\n\n${attribution}\n${quoted.join('\n')}`;
}

interface QueuedReply {
  readonly messageId: string;
  readonly to: string;
}

/** The reply is stored on the ticket and in the outbox, but the mail server has not taken it (yet). */
function notSentYet(
  reply: QueuedReply,
  ticketId: number,
  delivery: Exclude<DeliveryOutcome, { delivery: 'sent' }> | null,
): string {
  if (delivery === null)
    return `Reply to ${reply.to} saved on ticket #${ticketId} and handed to the outbox, which sends it.`;
  if (delivery.delivery === 'failed') {
    return `Your reply is saved on ticket #${ticketId} but could not be sent to ${reply.to}: the mail server refused it (${delivery.error}); check the address, then contact the customer another way and add a note.`;
  }
  return `Your reply is saved on ticket #${ticketId} but not sent to ${reply.to} yet: the mail server did not take it (${delivery.error}). The intake role sends it again as soon as the server answers (or an operator, now, with "npx ticketrelay outbox send").`;
}

/** The sentence for a number that is not a ticket. */
function notATicket(
  ticketId: number,
  lookup: Exclude<TicketLookup<unknown>, { found: 'ticket' }>,
  commandName = 'view',
): string {
  switch (lookup.found) {
    case 'reply':
      // The same command on the ticket the message belongs to: what the agent meant.
      return `#${ticketId} is a message on ticket #${lookup.parentId}, not a ticket; use "/ticket ${commandName} ${lookup.parentId}${['reply', 'note', 'assign', 'priority', 'category'].includes(commandName) ? ' …' : ''}".`;
    case 'other':
      return `#${ticketId} is not a support ticket (the shop keeps reviews and other records in the same table); check the number with "/ticket list".`;
    case 'none':
      return `There is no ticket #${ticketId}; check the number with "/ticket list" or "/ticket list all".`;
  }
}
