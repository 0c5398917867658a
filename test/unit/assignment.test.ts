/**
 * Automatic assignment's pure rules: each strategy alone, ties broken the same way every time, each
 * filter with the reason it gives, the queue when nobody can take a ticket, and the file's bad input
 * (one sentence each).
 */
import { describe, expect, it } from 'vitest';
import {
  decideAssignment,
  decideAtRisk,
  decideReopen,
  parseAssignment,
  parseAwayUntil,
  ruleFor,
  type AgentState,
  type AssignmentSettings,
} from '../../src/domain/assignment.ts';
import { BusinessCalendar, defaultCalendar, instantOf } from '../../src/domain/business-calendar.ts';
import { parseCommand } from '../../src/domain/command.ts';
import { toCommandText } from '../../adapters/discord/discord-command-definition.ts';
import { confirmedLine } from '../../adapters/chat/ticket-commands.ts';
import { formatOrphansLine } from '../../src/domain/digest.ts';

const shop = defaultCalendar('Europe/Paris');
/** Tuesday 2026-12-08 10:00 in Paris: the shop is open. */
const OPEN = instantOf('2026-12-08', 10 * 60, 'Europe/Paris');

function settings(json: unknown): AssignmentSettings {
  const parsed = parseAssignment(json, shop);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.settings;
}

const agent = (id: number, name: string, over: Partial<AgentState> = {}): AgentState => ({
  id,
  name,
  role: 'agent',
  active: true,
  awaySince: null,
  awayUntil: null,
  open: 0,
  sequence: 0,
  ...over,
});

const three = { ana: { hours: '24/7' }, bob: { hours: '24/7' }, chloe: { hours: '24/7' } };

function decide(s: AssignmentSettings, agents: AgentState[], ticket = {}, now = OPEN) {
  return decideAssignment({
    settings: s,
    shop,
    ticket: { priority: 'normal', category: 'general', lastAgentId: null, ...ticket },
    agents,
    now,
  });
}

describe('strategies', () => {
  it('round_robin gives the ticket to whoever was given one longest ago, never-given first, then by name', () => {
    const s = settings({ agents: three, default: ['round_robin'] });
    const d = decide(s, [
      agent(1, 'ana', { sequence: 5 }),
      agent(2, 'bob', { sequence: 3 }),
      agent(3, 'chloe', { sequence: 4 }),
    ]);
    expect(d).toMatchObject({ kind: 'assign', agentName: 'bob', strategy: 'round_robin' });
    const tie = decide(s, [agent(3, 'chloe'), agent(2, 'bob'), agent(1, 'ana')]);
    expect(tie).toMatchObject({ kind: 'assign', agentName: 'ana' });
  });

  it('round_robin over many tickets gives each agent a turn in order', () => {
    const s = settings({ agents: three, default: ['round_robin'] });
    const agents = [agent(1, 'ana'), agent(2, 'bob'), agent(3, 'chloe')];
    const given: string[] = [];
    for (let i = 0; i < 9; i++) {
      const d = decide(s, agents);
      if (d.kind !== 'assign') throw new Error(d.reason);
      given.push(d.agentName);
      const chosen = agents.findIndex((a) => a.id === d.agentId);
      agents[chosen] = { ...agents[chosen]!, sequence: i + 1, open: agents[chosen]!.open + 1 };
    }
    expect(given).toEqual(['ana', 'bob', 'chloe', 'ana', 'bob', 'chloe', 'ana', 'bob', 'chloe']);
  });

  it('least_open picks the fewest open tickets; a tie goes to the longest since a ticket', () => {
    const s = settings({ agents: three, default: ['least_open'] });
    expect(
      decide(s, [agent(1, 'ana', { open: 3 }), agent(2, 'bob', { open: 1 }), agent(3, 'chloe', { open: 2 })]),
    ).toMatchObject({
      agentName: 'bob',
      strategy: 'least_open',
    });
    expect(
      decide(s, [
        agent(1, 'ana', { open: 1, sequence: 9 }),
        agent(2, 'bob', { open: 1, sequence: 7 }),
        agent(3, 'chloe', { open: 4 }),
      ]),
    ).toMatchObject({ agentName: 'bob' });
  });

  it('capacity_pct picks the most spare capacity in percent, not in tickets', () => {
    const s = settings({
      agents: { ana: { hours: '24/7', capacity: 20 }, bob: { hours: '24/7', capacity: 4 } },
      default: ['capacity_pct'],
    });
    // ana 5/20 = 25 %, bob 2/4 = 50 %: ana, though she has more tickets.
    expect(decide(s, [agent(1, 'ana', { open: 5 }), agent(2, 'bob', { open: 2 })])).toMatchObject({
      agentName: 'ana',
      strategy: 'capacity_pct',
    });
  });

  it("sticky_customer gives the customer's last agent when eligible, else falls through to the next strategy and says so", () => {
    const s = settings({ agents: three, default: ['sticky_customer', 'least_open'] });
    const agents = [agent(1, 'ana', { open: 4 }), agent(2, 'bob'), agent(3, 'chloe', { open: 1 })];
    expect(decide(s, agents, { lastAgentId: 1 })).toMatchObject({ agentName: 'ana', strategy: 'sticky_customer' });
    const away = [agent(1, 'ana', { awaySince: OPEN }), agent(2, 'bob', { open: 2 }), agent(3, 'chloe', { open: 1 })];
    const d = decide(s, away, { lastAgentId: 1 });
    expect(d).toMatchObject({ agentName: 'chloe', strategy: 'least_open' });
    expect(d.reason).toContain("after the customer's last agent ana cannot take it");
    expect(decide(s, agents).reason).toContain('after no earlier ticket of this customer was assigned');
  });

  it('manual leaves the ticket to people; the rule for urgent tickets differs from the default', () => {
    const s = settings({
      agents: three,
      default: ['manual'],
      rules: [{ name: 'urgent', priority: ['urgent'], strategies: ['least_open'] }],
    });
    expect(decide(s, [agent(1, 'ana')])).toMatchObject({ kind: 'manual' });
    expect(decide(s, [agent(1, 'ana')], { priority: 'urgent' })).toMatchObject({ kind: 'assign', rule: 'urgent' });
    expect(ruleFor(s, 'urgent', 'billing').name).toBe('urgent');
    expect(ruleFor(s, 'low', 'billing').name).toBe('default');
  });
});

describe('filters', () => {
  it('skips the full, the away, the unskilled, the removed and the wrong role, naming each reason; queues when none is left', () => {
    const s = settings({
      agents: {
        ana: { hours: '24/7', capacity: 8 },
        bob: { hours: '24/7' },
        chloe: { hours: '24/7', skills: ['technical'] },
        dan: { hours: '24/7' },
        eve: { hours: '24/7' },
      },
      roles: ['agent'],
      default: ['round_robin'],
    });
    const until = new Date(OPEN.getTime() + 86_400_000);
    const agents = [
      agent(1, 'ana', { open: 8 }),
      agent(2, 'bob', { awaySince: OPEN, awayUntil: until }),
      agent(3, 'chloe'),
      agent(4, 'dan', { active: false }),
      agent(5, 'eve', { role: 'manager' }),
      agent(6, 'zed'), // not in the file: never assigned, not named
    ];
    const d = decide(s, agents, { category: 'billing' });
    expect(d.kind).toBe('queue');
    expect(d.reason).toContain('ana skipped: 8/8 open tickets');
    expect(d.reason).toContain('bob skipped: away until Wed 2026-12-09 10:00');
    expect(d.reason).toContain('chloe skipped: no billing skill');
    expect(d.reason).toContain('dan skipped: removed from the agents');
    expect(d.reason).toContain('eve skipped: managers are not assigned by the default rule');
    expect(d.reason).not.toContain('zed');
    // Bob's absence is over: he takes it, and the reason still names the others.
    const later = decide(s, agents, { category: 'billing' }, new Date(until.getTime() + 1));
    expect(later).toMatchObject({ kind: 'assign', agentName: 'bob' });
    expect(later.reason).toMatch(
      /^assigned to bob \(round robin, default rule; 1\/8 open; ana skipped: 8\/8 open tickets/,
    );
  });

  it("an agent off shift is skipped until their hours start; without hours, the shop's calendar is the shift", () => {
    const s = settings({ agents: { ana: { hours: { tue: ['14:00-18:00'] } }, bob: {} }, default: ['round_robin'] });
    const morning = decide(s, [agent(1, 'ana'), agent(2, 'bob')]);
    expect(morning).toMatchObject({ agentName: 'bob' });
    expect(morning.reason).toContain('ana skipped: off shift until Tue 2026-12-08 14:00');
    const night = instantOf('2026-12-08', 22 * 60, 'Europe/Paris');
    const d = decide(s, [agent(1, 'ana'), agent(2, 'bob')], {}, night);
    expect(d.kind).toBe('queue');
    expect(d.reason).toContain('bob skipped: off shift until Wed 2026-12-09 09:00');
    // A public holiday closes the shop's shift (Christmas).
    const christmas = instantOf('2026-12-25', 10 * 60, 'Europe/Paris');
    expect(decide(s, [agent(2, 'bob')], {}, christmas).reason).toContain(
      'bob skipped: off shift until Mon 2026-12-28 09:00',
    );
  });

  it('an absence with no end lasts until back', () => {
    const s = settings({ agents: three, default: ['round_robin'] });
    const d = decide(s, [agent(1, 'ana', { awaySince: OPEN })], {}, new Date(OPEN.getTime() + 400 * 86_400_000));
    expect(d.reason).toContain('ana skipped: away (until "/ticket back")');
  });
});

describe('the assignment file', () => {
  const errors = (json: unknown): readonly string[] => {
    const parsed = parseAssignment(json, shop, { file: 'assignment.json', text: JSON.stringify(json, null, 1) });
    return parsed.ok ? [] : parsed.errors;
  };

  it('names an unknown strategy with the expected ones and the closest', () => {
    expect(errors({ default: ['round-robin'] })).toEqual([
      'assignment.json:3: default.strategies: "round-robin" is unknown (expected: manual, round_robin, least_open, capacity_pct, sticky_customer); did you mean round_robin?',
    ]);
  });

  it('refuses a capacity ≤ 0, overlapping rules, an unknown skill, bad hours and a strategy list that cannot end', () => {
    const e = errors({
      agents: { ana: { capacity: 0, skills: ['shoes'] }, bob: { hours: { mon: ['18:00-09:00'] } } },
      rules: [
        { name: 'a', priority: ['urgent', 'high'], strategies: ['least_open'] },
        { name: 'b', priority: ['high'], category: ['billing'], strategies: ['manual', 'least_open'] },
        { name: 'c', priority: ['low'], strategies: ['sticky_customer'] },
      ],
    });
    expect(e.join('\n')).toContain(
      'agents.ana.capacity: capacity must be a whole number of open tickets above 0 (got 0)',
    );
    expect(e.join('\n')).toContain(
      'agents.ana.skills: "shoes" is not one of general, technical, billing, complaint, suggestion',
    );
    expect(e.join('\n')).toContain(
      'Invalid slots on Monday: 18:00–09:00 ends before it starts (agents.bob.hours; or "24/7")',
    );
    expect(e.join('\n')).toContain(
      'rules[1] "b" overlaps "a" on high × billing: a ticket must match one rule; narrow one of them',
    );
    expect(e.join('\n')).toContain('rules[1].strategies: "manual" stops the list, so nothing may come after it');
    expect(e.join('\n')).toContain('rules[2].strategies: sticky_customer needs a strategy after it');
    expect(errors({ capacity: -3 })).toEqual([
      'assignment.json:2: capacity: capacity must be a whole number of open tickets above 0 (got -3)',
    ]);
    expect(errors({ agent: {} })[0]).toContain('unknown field "agent"');
  });

  it('no file means manual for everyone', () => {
    const parsed = parseAssignment({}, shop);
    expect(parsed.ok && parsed.settings.fallback.strategies).toEqual(['manual']);
  });

  it('agent hours keep the shop zone and holidays', () => {
    const s = settings({ agents: { ana: { hours: { fri: ['09:00-17:00'] } } } });
    const hours = s.agents.get('ana')!.hours as BusinessCalendar;
    expect(hours.timeZone).toBe('Europe/Paris');
    expect(hours.isOpen(instantOf('2026-12-25', 10 * 60, 'Europe/Paris'))).toBe(false);
    expect(hours.isOpen(instantOf('2026-12-18', 10 * 60, 'Europe/Paris'))).toBe(true);
  });
});

describe('/ticket away arguments', () => {
  const tz = 'Europe/Paris';
  it('reads nothing, a day, a day and time, and durations; refuses the past and nonsense with one sentence', () => {
    expect(parseAwayUntil([], OPEN, tz)).toEqual({ until: null });
    expect(parseAwayUntil(['until', '2026-12-12'], OPEN, tz)).toEqual({ until: instantOf('2026-12-13', 0, tz) });
    expect(parseAwayUntil(['2026-12-12', '14:30'], OPEN, tz)).toEqual({ until: instantOf('2026-12-12', 870, tz) });
    expect(parseAwayUntil(['2h'], OPEN, tz)).toEqual({ until: new Date(OPEN.getTime() + 7_200_000) });
    expect(parseAwayUntil(['3d'], OPEN, tz)).toEqual({ until: new Date(OPEN.getTime() + 3 * 86_400_000) });
    expect(parseAwayUntil(['2026-12-01'], OPEN, tz)).toEqual({
      error: 'Wed 2026-12-02 00:00 is already past; give a later day or time.',
    });
    expect(parseAwayUntil(['2026-02-30'], OPEN, tz)).toMatchObject({
      error: expect.stringContaining('2026-02-30 is not a real day'),
    });
    expect(parseAwayUntil(['tomorrow'], OPEN, tz)).toMatchObject({
      error: expect.stringContaining('"tomorrow" is not understood'),
    });
  });
});

describe('the commands in every front end', () => {
  it('parses away, back and stats agents as typed (console, Slack) and as Discord options write them', () => {
    expect(parseCommand('/ticket away until 2026-12-12 14:00')).toEqual({
      ok: true,
      command: { name: 'away', until: ['until', '2026-12-12', '14:00'] },
    });
    expect(parseCommand('/ticket back')).toEqual({ ok: true, command: { name: 'back' } });
    expect(parseCommand('/ticket back now')).toEqual({
      ok: false,
      error: '"/ticket back" takes nothing: it ends your absence.',
    });
    expect(parseCommand('/ticket stats agents')).toEqual({ ok: true, command: { name: 'stats_agents' } });
    const discord = toCommandText('away', new Map([['until', '2026-12-12 14:00']]));
    expect(discord).toBe('away 2026-12-12 14:00');
    const parsed = parseCommand(discord);
    expect(
      parsed.ok && parsed.command.name === 'away' && parseAwayUntil(parsed.command.until, OPEN, 'Europe/Paris'),
    ).toEqual({
      until: instantOf('2026-12-12', 14 * 60, 'Europe/Paris'),
    });
    expect(toCommandText('stats', new Map([['period', 'agents']]))).toBe('stats agents');
    expect(toCommandText('back', new Map())).toBe('back');
  });
});

// What happens to an assigned ticket later: a reopen goes back to the agent who had it only when they can
// take it (off shift is no reason to lose it), an at-risk response is moved once or stays and says why,
// "confirm" on /ticket assign, and the digest's line of orphaned tickets.
const NIGHT = instantOf('2026-12-08', 22 * 60, 'Europe/Paris');

const later = settings({
  capacity: 2,
  agents: { ana: {}, bob: {}, chloe: { skills: ['technical'] } },
  default: ['least_open'],
});
const general = { priority: 'normal', category: 'general', lastAgentId: null } as const;

function reopen(agents: AgentState[], previousAgentId: number | null, now = OPEN) {
  return decideReopen({ settings: later, shop, ticket: general, agents, now, previousAgentId });
}

describe('a reopened ticket', () => {
  it('goes back to the agent who had it when eligible, even off shift (their next shift comes)', () => {
    const agents = [agent(1, 'ana', { open: 1 }), agent(2, 'bob')];
    expect(reopen(agents, 1)).toEqual({
      kind: 'keep',
      agentId: 1,
      agentName: 'ana',
      rule: 'default',
      reason: 'reopened: back to ana, who had it (2/2 open)',
    });
    expect(reopen(agents, 1, NIGHT)).toMatchObject({ kind: 'keep', agentName: 'ana' });
  });

  it('goes through the strategy when its agent is away, full, removed or unskilled, and says which and why', () => {
    const away = agent(1, 'ana', { awaySince: OPEN, awayUntil: null });
    expect(reopen([away, agent(2, 'bob', { open: 1 })], 1)).toMatchObject({
      kind: 'assign',
      agentName: 'bob',
      reason:
        'reopened: ana cannot take it back (away (until "/ticket back")); assigned to bob (fewest open tickets, default rule; 2/2 open)',
    });
    expect(reopen([agent(1, 'ana', { open: 2 }), agent(2, 'bob')], 1).reason).toMatch(
      /^reopened: ana cannot take it back \(2\/2 open tickets\); assigned to bob/,
    );
    expect(reopen([agent(1, 'ana', { active: false }), agent(2, 'bob')], 1).reason).toMatch(
      /^reopened: ana cannot take it back \(removed from the agents\); assigned to bob/,
    );
    expect(reopen([agent(3, 'chloe'), agent(2, 'bob')], 3).reason).toMatch(
      /^reopened: chloe cannot take it back \(no general skill\); assigned to bob/,
    );
    // Nobody else either: the queue, with the others' reasons.
    expect(reopen([away, agent(2, 'bob', { open: 2 })], 1)).toMatchObject({
      kind: 'queue',
      reason:
        'reopened: ana cannot take it back (away (until "/ticket back")); queued: nobody can take it now (default rule; bob skipped: 2/2 open tickets)',
    });
  });

  it('with nobody before it, is decided as a new ticket; an agent the file does not list keeps it unless away', () => {
    expect(reopen([agent(2, 'bob')], null)).toMatchObject({
      kind: 'assign',
      reason: expect.stringMatching(/^reopened: assigned to bob/),
    });
    const zoe = agent(9, 'zoe', { role: 'manager', open: 30 });
    expect(reopen([zoe, agent(2, 'bob')], 9)).toMatchObject({
      kind: 'keep',
      reason: 'reopened: back to zoe, who had it (not assigned automatically otherwise)',
    });
  });
});

describe('an at-risk response (reassign_on_at_risk)', () => {
  const risk = (agents: AgentState[]) =>
    decideAtRisk({
      settings: later,
      shop,
      ticket: general,
      agents,
      now: OPEN,
      currentAgentId: 1,
      metric: 'first_response',
    });

  it('moves the ticket to the agent the strategy picks among the others', () => {
    expect(risk([agent(1, 'ana'), agent(2, 'bob', { open: 1 })])).toMatchObject({
      kind: 'assign',
      agentName: 'bob',
      reason:
        'reassigned from ana to bob: first response at risk with no reply from ana; fewest open tickets, default rule; 2/2 open (once per ticket)',
    });
  });

  it('keeps it with its agent when nobody else can take it, and says why', () => {
    expect(risk([agent(1, 'ana'), agent(2, 'bob', { open: 2 })])).toEqual({
      kind: 'keep',
      agentId: 1,
      agentName: 'ana',
      rule: 'default',
      reason:
        'stays with ana: first response at risk with no reply from ana, and nobody else can take it (queued: nobody can take it now (default rule; bob skipped: 2/2 open tickets))',
    });
  });

  it('is off by default and refused when not a boolean', () => {
    expect(later.reassignOnAtRisk).toBe(false);
    expect(settings({ reassign_on_at_risk: true, default: ['least_open'] }).reassignOnAtRisk).toBe(true);
    const bad = parseAssignment({ reassign_on_at_risk: 'yes' }, shop, {
      file: 'a.json',
      text: '{\n "reassign_on_at_risk": "yes" }',
    });
    expect(bad).toEqual({ ok: false, errors: ['a.json:2: reassign_on_at_risk: true or false (got "yes")'] });
  });
});

describe('/ticket assign … confirm', () => {
  it('reads "confirm" or "--force" last, on me and on an agent, never on nobody', () => {
    expect(parseCommand('assign 12 @bob confirm')).toEqual({
      ok: true,
      command: { name: 'assign', ticketId: 12, target: { kind: 'agent', name: 'bob' }, confirm: true },
    });
    expect(parseCommand('/ticket assign 12 me --force')).toMatchObject({ ok: true, command: { confirm: true } });
    expect(parseCommand('assign 12 @bob')).toEqual({
      ok: true,
      command: { name: 'assign', ticketId: 12, target: { kind: 'agent', name: 'bob' } },
    });
    expect(parseCommand('assign 12 @bob please')).toMatchObject({
      ok: false,
      error: expect.stringContaining('add "confirm" to go past the agent\'s capacity'),
    });
  });

  it("Discord's confirm option writes the same line; a button runs only a confirmed assignment", () => {
    expect(
      toCommandText(
        'assign',
        new Map<string, string | number | boolean>([
          ['ticket', 12],
          ['agent', 'bob'],
          ['confirm', true],
        ]),
      ),
    ).toBe('assign 12 @bob confirm');
    expect(
      toCommandText(
        'assign',
        new Map<string, string | number | boolean>([
          ['ticket', 12],
          ['agent', 'me'],
          ['confirm', false],
        ]),
      ),
    ).toBe('assign 12 me');
    expect(confirmedLine('assign 12 @bob confirm')).toBe('assign 12 @bob confirm');
    expect(confirmedLine('assign 12 @bob')).toBeNull();
    expect(confirmedLine('close 12')).toBeNull();
    expect(confirmedLine('reply 12 hello confirm')).toBeNull();
  });
});

describe("the digest's orphaned tickets", () => {
  it('counts them and lists their numbers, at most twenty', () => {
    expect(formatOrphansLine([12, 15])).toBe(
      'Orphaned tickets (their agent was removed; returned to the queue): 2 — #12, #15',
    );
    const many = Array.from({ length: 23 }, (_, i) => i + 1);
    expect(formatOrphansLine(many)).toMatch(/: 23 — #1, #2, .*#20 and 3 more$/);
  });
});
