/**
 * Automatic assignment (issue 20, 2.4), as pure rules: the operator's file (ASSIGNMENT_FILE) parsed and
 * checked, and the decision for one ticket from a snapshot of the agents taken under lock by the store.
 *
 * Filters run first, in this order, and the first that fails is the reason an agent is skipped: listed in
 * the file, active (not removed), role allowed by the rule, skill for the category, not away, on shift
 * (the agent's hours, else the shop's business calendar), open tickets below capacity. Then the rule's
 * strategies are tried in order: `sticky_customer` gives the customer's last agent when eligible and
 * otherwise falls through; `manual` stops (nobody is assigned automatically). Ties are broken the same
 * way everywhere: fewest open, then longest since a ticket was given (the rotation sequence), then name.
 */
import {
  BusinessCalendar,
  formatLocal,
  instantOf,
  isLocalDate,
  parseCalendar,
  type CalendarSource,
} from './business-calendar.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from './ticket.ts';
import { closestWord } from './wording.ts';

export const STRATEGIES = ['manual', 'round_robin', 'least_open', 'capacity_pct', 'sticky_customer'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const ASSIGNABLE_ROLES = ['agent', 'manager'] as const;
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];

const STRATEGY_WORDS: Record<Strategy, string> = {
  manual: 'manual',
  round_robin: 'round robin',
  least_open: 'fewest open tickets',
  capacity_pct: 'most spare capacity',
  sticky_customer: "the customer's last agent",
};

/** One agent as the operator set them up. `hours` null: the shop's calendar; `always`: around the clock. */
export interface AgentSetup {
  readonly name: string;
  readonly capacity: number;
  /** Categories the agent takes; null: all. */
  readonly skills: readonly Category[] | null;
  readonly hours: BusinessCalendar | null;
}

export interface AssignmentRule {
  readonly name: string;
  /** null: every priority (category). */
  readonly priorities: readonly Priority[] | null;
  readonly categories: readonly Category[] | null;
  readonly strategies: readonly Strategy[];
  readonly roles: readonly AssignableRole[];
}

export interface AssignmentSettings {
  /** By lower-case name. */
  readonly agents: ReadonlyMap<string, AgentSetup>;
  readonly rules: readonly AssignmentRule[];
  /** What a ticket no rule matches gets. */
  readonly fallback: AssignmentRule;
  /** How far back `sticky_customer` looks for the customer's last agent. */
  readonly stickyDays: number;
  /**
   * `reassign_on_at_risk`: a ticket whose first or next response is at risk with no agent reply is given,
   * once, to another eligible agent (off by default).
   */
  readonly reassignOnAtRisk?: boolean;
}

/** No file: nobody is assigned automatically (the `manual` default of the review's criteria). */
export const MANUAL_ONLY: AssignmentSettings = {
  agents: new Map(),
  rules: [],
  fallback: {
    name: 'default',
    priorities: null,
    categories: null,
    strategies: ['manual'],
    roles: ['agent', 'manager'],
  },
  stickyDays: 30,
  reassignOnAtRisk: false,
};

export type AssignmentParse =
  | { readonly ok: true; readonly settings: AssignmentSettings }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A strategy name that is not one, in one sentence (start refused with it). */
export function unknownStrategy(field: string, value: unknown): string {
  const near = typeof value === 'string' ? closestWord(value.toLowerCase(), STRATEGIES, 3) : null;
  return `${field}: "${String(value)}" is unknown (expected: ${STRATEGIES.join(', ')})${near ? `; did you mean ${near}?` : ''}`;
}

/**
 * The JSON of ASSIGNMENT_FILE:
 * ```json
 * { "capacity": 8, "stickyDays": 30, "default": ["round_robin"],
 *   "agents": { "ana": { "capacity": 10, "skills": ["billing", "general"], "hours": { "mon": ["09:00-13:00"] } },
 *               "bob": { "hours": "24/7" } },
 *   "rules": [{ "name": "urgent", "priority": ["urgent"], "strategies": ["sticky_customer", "least_open"] }] }
 * ```
 * Agent hours use the calendar's slots, in the shop's zone, with its holidays and closures. Rules must not
 * overlap (a priority and category two rules both match is refused); what none matches gets "default".
 * Every problem is reported at once, one sentence each, with the file's line when its text is given.
 */
export function parseAssignment(json: unknown, shop: BusinessCalendar, source: CalendarSource = {}): AssignmentParse {
  const file = source.file ?? 'assignment';
  const where = (needle: string | null): string => {
    if (!needle || !source.text) return `${file}: `;
    const at = source.text.indexOf(needle);
    return at < 0 ? `${file}: ` : `${file}:${source.text.slice(0, at).split('\n').length}: `;
  };
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, errors: [`${file}: a JSON object with "agents" and "rules" (or "default")`] };
  const o = json as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(o))
    if (!['capacity', 'stickyDays', 'default', 'agents', 'rules', 'roles', 'reassign_on_at_risk'].includes(key))
      errors.push(
        `${where(`"${key}"`)}unknown field "${key}" (expected capacity, stickyDays, default, agents, rules, roles, reassign_on_at_risk)`,
      );
  const capacityOf = (value: unknown, field: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 10_000) {
      errors.push(
        `${where(`"${field.split('.').pop()}"`)}${field}: capacity must be a whole number of open tickets above 0 (got ${JSON.stringify(value)})`,
      );
      return fallback;
    }
    return value;
  };
  const capacity = capacityOf(o['capacity'], 'capacity', 8);
  const stickyDays = o['stickyDays'] ?? 30;
  if (typeof stickyDays !== 'number' || !Number.isInteger(stickyDays) || stickyDays < 1 || stickyDays > 3650)
    errors.push(
      `${where('"stickyDays"')}stickyDays: a whole number of days from 1 to 3650 (got ${JSON.stringify(stickyDays)})`,
    );
  const roles = rolesOf(o['roles'], 'roles', errors, where) ?? ['agent', 'manager'];
  const reassignOnAtRisk = o['reassign_on_at_risk'] ?? false;
  if (typeof reassignOnAtRisk !== 'boolean')
    errors.push(
      `${where('"reassign_on_at_risk"')}reassign_on_at_risk: true or false (got ${JSON.stringify(reassignOnAtRisk)})`,
    );

  const agents = new Map<string, AgentSetup>();
  const rawAgents = o['agents'] ?? {};
  if (!rawAgents || typeof rawAgents !== 'object' || Array.isArray(rawAgents))
    errors.push(`${where('"agents"')}agents: an object by agent name, e.g. { "ana": { "capacity": 8 } }`);
  else
    for (const [name, value] of Object.entries(rawAgents as Record<string, unknown>)) {
      const at = `agents.${name}`;
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        errors.push(`${where(`"${name}"`)}${at}: an object such as { "capacity": 8, "skills": ["billing"] }`);
        continue;
      }
      const a = value as Record<string, unknown>;
      for (const key of Object.keys(a))
        if (!['capacity', 'skills', 'hours'].includes(key))
          errors.push(`${where(`"${key}"`)}${at}: unknown field "${key}" (expected capacity, skills, hours)`);
      const skills = listOf(a['skills'], `${at}.skills`, CATEGORIES, errors, where);
      let hours: BusinessCalendar | null = null;
      if (a['hours'] === '24/7') hours = BusinessCalendar.alwaysOpen(shop.timeZone);
      else if (a['hours'] !== undefined) {
        const parsed = parseCalendar(
          { timeZone: shop.timeZone, holidays: shop.spec.holidays, week: a['hours'] },
          source,
        );
        if (!parsed.ok) errors.push(...parsed.errors.map((e) => `${e} (${at}.hours; or "24/7")`));
        // The agent's week, with the shop's zone, holidays, closures and openings.
        else hours = new BusinessCalendar({ ...shop.spec, name: name, week: parsed.calendar.spec.week });
      }
      if (agents.has(name.toLowerCase()))
        errors.push(`${where(`"${name}"`)}agents: "${name}" is given twice (names are not case-sensitive)`);
      agents.set(name.toLowerCase(), {
        name,
        capacity: capacityOf(a['capacity'], `${at}.capacity`, capacity),
        skills: skills === 'bad' ? null : skills,
        hours,
      });
    }

  const ruleOf = (value: unknown, at: string, index: number): AssignmentRule | null => {
    const r = (Array.isArray(value) ? { strategies: value } : value) as Record<string, unknown> | null;
    if (!r || typeof r !== 'object') {
      errors.push(`${where(null)}${at}: a rule such as { "priority": ["urgent"], "strategies": ["least_open"] }`);
      return null;
    }
    for (const key of Object.keys(r))
      if (!['name', 'priority', 'category', 'strategies', 'roles'].includes(key))
        errors.push(
          `${where(`"${key}"`)}${at}: unknown field "${key}" (expected name, priority, category, strategies, roles)`,
        );
    const name =
      typeof r['name'] === 'string' && r['name'].trim() ? r['name'].trim().slice(0, 40) : `rule ${index + 1}`;
    const priorities = listOf(r['priority'], `${at}.priority`, PRIORITIES, errors, where);
    const categories = listOf(r['category'], `${at}.category`, CATEGORIES, errors, where);
    const raw = r['strategies'];
    const strategies: Strategy[] = [];
    if (!Array.isArray(raw) || raw.length === 0)
      errors.push(`${where(null)}${at}.strategies: a non-empty list of ${STRATEGIES.join(', ')}`);
    else
      for (const s of raw) {
        if (!(STRATEGIES as readonly unknown[]).includes(s))
          errors.push(`${where(`"${String(s)}"`)}${unknownStrategy(`${at}.strategies`, s)}`);
        else strategies.push(s as Strategy);
      }
    const manualAt = strategies.indexOf('manual');
    if (manualAt >= 0 && manualAt < strategies.length - 1)
      errors.push(`${where('"manual"')}${at}.strategies: "manual" stops the list, so nothing may come after it`);
    if (strategies.length && strategies.at(-1) === 'sticky_customer')
      errors.push(
        `${where('"sticky_customer"')}${at}.strategies: sticky_customer needs a strategy after it for customers without an eligible last agent (e.g. ["sticky_customer", "least_open"])`,
      );
    return {
      name,
      priorities: priorities === 'bad' ? null : priorities,
      categories: categories === 'bad' ? null : categories,
      strategies,
      roles: rolesOf(r['roles'], `${at}.roles`, errors, where) ?? roles,
    };
  };

  const rules: AssignmentRule[] = [];
  const rawRules = o['rules'] ?? [];
  if (!Array.isArray(rawRules)) errors.push(`${where('"rules"')}rules: a list of rules`);
  else
    for (const [i, value] of rawRules.entries()) {
      const rule = ruleOf(value, `rules[${i}]`, i);
      if (!rule) continue;
      for (const other of rules) {
        const p = overlap(rule.priorities, other.priorities, PRIORITIES);
        const c = overlap(rule.categories, other.categories, CATEGORIES);
        if (p.length && c.length)
          errors.push(
            `${where(null)}rules[${i}] "${rule.name}" overlaps "${other.name}" on ${p.join('/')} × ${c.join('/')}: a ticket must match one rule; narrow one of them`,
          );
      }
      rules.push(rule);
    }
  const fallback =
    o['default'] === undefined
      ? { ...MANUAL_ONLY.fallback, roles }
      : ruleOf({ name: 'default', strategies: o['default'] }, 'default', 0);
  if (errors.length || !fallback) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      agents,
      rules,
      fallback,
      stickyDays: stickyDays as number,
      reassignOnAtRisk: reassignOnAtRisk === true,
    },
  };
}

function listOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  errors: string[],
  where: (needle: string | null) => string,
): T[] | null | 'bad' {
  if (value === undefined) return null;
  const items = Array.isArray(value) ? value : [value];
  const bad = items.filter((x) => !(allowed as readonly unknown[]).includes(x));
  if (!bad.length && items.length) return [...new Set(items as T[])];
  errors.push(
    `${where(bad.length ? JSON.stringify(bad[0]) : null)}${field}: ${bad.map((b) => JSON.stringify(b)).join(', ') || 'an empty list'} is not one of ${allowed.join(', ')}`,
  );
  return 'bad';
}

function rolesOf(
  value: unknown,
  field: string,
  errors: string[],
  where: (needle: string | null) => string,
): AssignableRole[] | null {
  const roles = listOf(value, field, ASSIGNABLE_ROLES, errors, where);
  return roles === 'bad' ? null : roles;
}

function overlap<T extends string>(a: readonly T[] | null, b: readonly T[] | null, all: readonly T[]): T[] {
  return (a ?? all).filter((x) => (b ?? all).includes(x));
}

/** The rule for a ticket: the one that matches, else the default. */
export function ruleFor(settings: AssignmentSettings, priority: Priority, category: Category): AssignmentRule {
  return (
    settings.rules.find(
      (r) => (!r.priorities || r.priorities.includes(priority)) && (!r.categories || r.categories.includes(category)),
    ) ?? settings.fallback
  );
}

/** An agent as the store sees them at the moment of the decision (read under lock). */
export interface AgentState {
  readonly id: number;
  readonly name: string;
  readonly role: AssignableRole;
  readonly active: boolean;
  /** Away since (null: here); `awayUntil` null while away: until `/ticket back`. */
  readonly awaySince: Date | null;
  readonly awayUntil: Date | null;
  readonly open: number;
  /** The rotation: higher was given a ticket more recently; 0: never. */
  readonly sequence: number;
}

export interface TicketFacts {
  readonly priority: Priority;
  readonly category: Category;
  /** The agent of the customer's last ticket within stickyDays, if any. */
  readonly lastAgentId: number | null;
}

export type AssignmentDecision =
  | {
      readonly kind: 'assign';
      readonly agentId: number;
      readonly agentName: string;
      readonly strategy: Strategy;
      readonly rule: string;
      readonly reason: string;
    }
  | { readonly kind: 'queue'; readonly rule: string; readonly reason: string }
  | { readonly kind: 'manual'; readonly rule: string; readonly reason: string }
  /** The ticket stays with the agent who has it (a reopen they can take back; an at-risk nobody else can take). */
  | {
      readonly kind: 'keep';
      readonly agentId: number;
      readonly agentName: string;
      readonly rule: string;
      readonly reason: string;
    };

/** Whether the agent is away now. */
export function isAway(agent: Pick<AgentState, 'awaySince' | 'awayUntil'>, now: Date): boolean {
  return agent.awaySince !== null && (agent.awayUntil === null || agent.awayUntil > now);
}

/** "away until Tue 2026-05-12 09:00" or "away until /ticket back". */
export function awayWords(agent: Pick<AgentState, 'awayUntil'>, timeZone: string): string {
  return agent.awayUntil ? `away until ${shortLocal(agent.awayUntil, timeZone)}` : 'away (until "/ticket back")';
}

function shortLocal(at: Date, timeZone: string): string {
  return formatLocal(at, timeZone)
    .replace(/ \(.*\)$/, '')
    .replace(` ${timeZone}`, '');
}

/**
 * Why an agent cannot take this ticket now, or null when they can. `shift: false` (a reopened ticket going
 * back to the agent who had it): being off shift is no reason, their next shift comes; and an agent the file
 * does not list (`setup` undefined) is judged on what applies to everyone: active, role, away.
 */
export function whyNot(
  agent: AgentState,
  setup: AgentSetup | undefined,
  rule: AssignmentRule,
  category: Category,
  shop: BusinessCalendar,
  now: Date,
  options: { readonly shift?: boolean } = {},
): string | null {
  if (!agent.active) return 'removed from the agents';
  if (!rule.roles.includes(agent.role)) return `${agent.role}s are not assigned by the ${ruleWords(rule)}`;
  if (setup?.skills && !setup.skills.includes(category)) return `no ${category} skill`;
  if (isAway(agent, now)) return awayWords(agent, shop.timeZone);
  const hours = setup?.hours ?? shop;
  if (options.shift !== false && !hours.isOpen(now))
    return `off shift until ${shortLocal(hours.nextOpening(now), shop.timeZone)}`;
  if (setup && agent.open >= setup.capacity) return `${agent.open}/${setup.capacity} open tickets`;
  return null;
}

const ruleWords = (rule: AssignmentRule): string => (rule.name === 'default' ? 'default rule' : `rule "${rule.name}"`);

const byRotation = (a: AgentState, b: AgentState): number =>
  a.sequence - b.sequence || a.name.localeCompare(b.name) || a.id - b.id;

/**
 * The decision for one ticket. `agents` are every agent the directory knows (the store reads them
 * under lock); only those named in the settings are considered.
 */
export interface DecisionInput {
  readonly settings: AssignmentSettings;
  readonly shop: BusinessCalendar;
  readonly ticket: TicketFacts;
  readonly agents: readonly AgentState[];
  readonly now: Date;
}

export function decideAssignment(input: DecisionInput): AssignmentDecision {
  const { settings, ticket, now, shop } = input;
  const rule = ruleFor(settings, ticket.priority, ticket.category);
  const words = ruleWords(rule);
  if (rule.strategies[0] === 'manual')
    return {
      kind: 'manual',
      rule: rule.name,
      reason: `left for an agent to take (${words}: manual for ${ticket.priority}/${ticket.category})`,
    };
  const eligible: AgentState[] = [];
  const skipped: string[] = [];
  const setupOf = new Map<number, AgentSetup>();
  // By name: the reason lists the agents skipped in an order people can read.
  for (const agent of [...input.agents].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id)) {
    const setup = settings.agents.get(agent.name.toLowerCase());
    if (!setup) continue;
    setupOf.set(agent.id, setup);
    const why = whyNot(agent, setup, rule, ticket.category, shop, now);
    if (why) skipped.push(`${agent.name} skipped: ${why}`);
    else eligible.push(agent);
  }
  const skippedWords = skipped.length ? `; ${skipped.join('; ')}` : '';
  if (eligible.length === 0)
    return {
      kind: 'queue',
      rule: rule.name,
      reason: `queued: nobody can take it now (${words}${setupOf.size ? skippedWords : '; no agent is listed in the assignment file'})`,
    };
  const notes: string[] = [];
  for (const strategy of rule.strategies) {
    if (strategy === 'manual') break;
    let chosen: AgentState | null = null;
    if (strategy === 'sticky_customer') {
      if (ticket.lastAgentId === null) {
        notes.push('no earlier ticket of this customer was assigned');
        continue;
      }
      chosen = eligible.find((a) => a.id === ticket.lastAgentId) ?? null;
      if (!chosen) {
        const last = input.agents.find((a) => a.id === ticket.lastAgentId);
        notes.push(`the customer's last agent${last ? ` ${last.name}` : ''} cannot take it`);
        continue;
      }
    } else chosen = pick(strategy, eligible, setupOf);
    if (!chosen) continue;
    const setup = setupOf.get(chosen.id)!;
    const load = `${chosen.open + 1}/${setup.capacity} open`;
    const fell = notes.length ? ` after ${notes.join(', ')}` : '';
    return {
      kind: 'assign',
      agentId: chosen.id,
      agentName: chosen.name,
      strategy,
      rule: rule.name,
      reason: `assigned to ${chosen.name} (${STRATEGY_WORDS[strategy]}${fell}, ${words}; ${load}${skippedWords})`,
    };
  }
  return { kind: 'queue', rule: rule.name, reason: `queued: no strategy of ${words} chose anyone${skippedWords}` };
}

/**
 * A reopened ticket (the customer's reply, `/ticket reopen`): back to the agent who had it when they are
 * still eligible (active, role, skill, not away, under capacity; off shift is no reason), otherwise the
 * rule's strategies among the others, and the reason says which and why. `agents[].open` must not count
 * this ticket.
 */
export function decideReopen(input: DecisionInput & { readonly previousAgentId: number | null }): AssignmentDecision {
  const { settings, ticket, shop, now } = input;
  const rule = ruleFor(settings, ticket.priority, ticket.category);
  const previous = input.agents.find((a) => a.id === input.previousAgentId);
  if (!previous) {
    const next = decideAssignment(input);
    return { ...next, reason: `reopened: ${next.reason}` };
  }
  const setup = settings.agents.get(previous.name.toLowerCase());
  const why = whyNot(previous, setup, rule, ticket.category, shop, now, { shift: false });
  if (!why)
    return {
      kind: 'keep',
      agentId: previous.id,
      agentName: previous.name,
      rule: rule.name,
      reason: `reopened: back to ${previous.name}, who had it (${setup ? `${previous.open + 1}/${setup.capacity} open` : 'not assigned automatically otherwise'})`,
    };
  const next = decideAssignment({ ...input, agents: input.agents.filter((a) => a.id !== previous.id) });
  return { ...next, reason: `reopened: ${previous.name} cannot take it back (${why}); ${next.reason}` };
}

/**
 * `reassign_on_at_risk`: a response at risk with no reply from the assignee. Given once to the agent the
 * rule's strategies choose among the others; when nobody else can take it, it stays (and says why).
 */
export function decideAtRisk(
  input: DecisionInput & { readonly currentAgentId: number; readonly metric: string },
): AssignmentDecision {
  const current = input.agents.find((a) => a.id === input.currentAgentId);
  const name = current?.name ?? `agent ${input.currentAgentId}`;
  const why = `${input.metric.replace('_', ' ')} at risk with no reply from ${name}`;
  const next = decideAssignment({ ...input, agents: input.agents.filter((a) => a.id !== input.currentAgentId) });
  if (next.kind === 'assign')
    return {
      ...next,
      reason: `reassigned from ${name} to ${next.agentName}: ${why}; ${next.reason.replace(/^assigned to \S+ \((.*)\)$/, '$1')} (once per ticket)`,
    };
  return {
    kind: 'keep',
    agentId: input.currentAgentId,
    agentName: name,
    rule: next.rule,
    reason: `stays with ${name}: ${why}, and nobody else can take it (${next.reason})`,
  };
}

function pick(
  strategy: Exclude<Strategy, 'manual' | 'sticky_customer'>,
  eligible: readonly AgentState[],
  setups: ReadonlyMap<number, AgentSetup>,
): AgentState | null {
  const load = (a: AgentState) => a.open / setups.get(a.id)!.capacity;
  const order: (a: AgentState, b: AgentState) => number =
    strategy === 'round_robin'
      ? byRotation
      : strategy === 'least_open'
        ? (a, b) => a.open - b.open || byRotation(a, b)
        : (a, b) => load(a) - load(b) || byRotation(a, b);
  return [...eligible].sort(order)[0] ?? null;
}

/** Parses "/ticket away" arguments: nothing (until back), "until" DATE [HH:MM], or a duration (2h, 3d, 90m). */
export function parseAwayUntil(
  args: readonly string[],
  now: Date,
  timeZone: string,
): { readonly until: Date | null } | { readonly error: string } {
  const words = args.map((a) => a.toLowerCase());
  if (words[0] === 'until' || words[0] === "jusqu'au") words.shift();
  const usage =
    '"/ticket away" takes nothing (away until "/ticket back"), a day and time in the shop\'s time, e.g. "/ticket away until 2026-05-12 14:00", or a duration such as "2h" or "3d".';
  if (words.length === 0) return { until: null };
  const duration = words.length === 1 ? /^(\d{1,4})(m|min|h|d|j)$/.exec(words[0]!) : null;
  if (duration) {
    const n = Number(duration[1]);
    const unit = duration[2] === 'm' || duration[2] === 'min' ? 60_000 : duration[2] === 'h' ? 3_600_000 : 86_400_000;
    if (n === 0) return { error: `A duration of 0 is no absence; ${usage}` };
    return { until: new Date(now.getTime() + n * unit) };
  }
  const day = /^\d{4}-\d{2}-\d{2}$/.test(words[0] ?? '') ? words[0]! : null;
  const time = words[1] !== undefined ? /^(\d{1,2})[:h](\d{2})$/.exec(words[1]) : null;
  if (!day || words.length > 2 || (words[1] !== undefined && !time))
    return { error: `"${args.join(' ').slice(0, 40)}" is not understood: ${usage}` };
  if (!isLocalDate(day)) return { error: `${day} is not a real day; ${usage}` };
  const minutes = time ? Number(time[1]) * 60 + Number(time[2]) : 24 * 60;
  if (time && (Number(time[1]) > 23 || Number(time[2]) > 59))
    return { error: `${words[1]} is not a time of day (HH:MM).` };
  // A day alone: away through that whole day, back the next morning.
  const until = instantOf(day, minutes, timeZone);
  if (until <= now) return { error: `${shortLocal(until, timeZone)} is already past; give a later day or time.` };
  return { until };
}
