import { describe, expect, it } from 'vitest';
import { defaultCalendar, instantOf } from '../../src/domain/business-calendar.ts';
import { formatSlaLine } from '../../src/domain/digest.ts';
import {
  DEFAULT_SLA,
  alertRetryAt,
  atRiskThreshold,
  choosePolicy,
  computeClocks,
  describeClocks,
  dueAlerts,
  nextCheckAt,
  parseSlaPolicies,
  slaStatsText,
  type SlaEvent,
  type SlaPolicy,
} from '../../src/domain/sla.ts';

const cal = defaultCalendar(); // Mon–Fri 09:00–18:00 Europe/Paris, FR holidays
const at = (text: string) =>
  instantOf(text.slice(0, 10), Number(text.slice(11, 13)) * 60 + Number(text.slice(14, 16)), 'Europe/Paris');
const policy = (over: Partial<SlaPolicy> = {}): SlaPolicy => ({
  name: 'test',
  priorities: ['normal'],
  categories: null,
  hours: 'business',
  targets: { first_response: 240, next_response: 120, resolution: 600 },
  resetOnReopen: false,
  ...over,
});
const settings = { atRiskPercent: 80, atRiskMinutes: 30 };
const clocks = (events: [string, SlaEvent['kind']][], now: string, p = policy()) =>
  Object.fromEntries(
    computeClocks({
      createdAt: at('2026-06-01 10:00'),
      events: events.map(([t, kind]) => ({ at: at(t), kind })),
      policy: p,
      calendar: cal,
      settings,
      now: at(now),
    }).map((c) => [c.metric, c]),
  );

describe('policies', () => {
  it('the first matching policy in order wins, and says why', () => {
    const s = parseSlaPolicies({
      policies: [
        { name: 'billing-fast', priority: ['high', 'normal'], category: ['billing'], firstResponse: 60 },
        { name: 'normal', priority: 'normal', firstResponse: 240 },
      ],
    });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(choosePolicy(s.settings, 'normal', 'billing')).toEqual({
      policy: expect.objectContaining({ name: 'billing-fast' }),
      reason: 'policy "billing-fast" (business hours): first of 2 to match priority normal and category billing',
    });
    expect(choosePolicy(s.settings, 'normal', 'technical')?.policy.name).toBe('normal');
    expect(choosePolicy(s.settings, 'urgent', 'technical')).toBeNull();
    expect(choosePolicy(DEFAULT_SLA, 'urgent', 'general')?.policy.targets.first_response).toBe(60);
  });
  it('refuses targets ≤ 0, non-numbers and more than a year, naming the field', () => {
    const s = parseSlaPolicies(
      {
        policies: [
          { name: 'x', priority: ['urgent'], firstResponse: 0, nextResponse: 'soon', resolution: 600_000 },
          { priority: ['urgentt'], firstResponse: 5 },
        ],
      },
      'sla.json',
    );
    expect(s.ok).toBe(false);
    if (s.ok) return;
    expect(s.errors).toEqual([
      'sla.json: policies[0].firstResponse: business minutes, a number > 0 and at most 527040 (a year) (got 0)',
      'sla.json: policies[0].nextResponse: business minutes, a number > 0 and at most 527040 (a year) (got "soon")',
      'sla.json: policies[0].resolution: business minutes, a number > 0 and at most 527040 (a year) (got 600000)',
      'sla.json: policies[1].priority: "urgentt" is not one of urgent, high, normal, low',
    ]);
    const hours = parseSlaPolicies({ policies: [{ priority: ['low'], hours: 'nights', firstResponse: 5 }] });
    expect(!hours.ok && hours.errors[0]).toMatch(/policies\[0\]\.hours: "business" or "24\/7"/);
  });
  it('at risk at the later of 80 % and 30 minutes before', () => {
    expect(atRiskThreshold(60, settings)).toBe(48);
    expect(atRiskThreshold(600, settings)).toBe(570);
  });
});

describe('clock rules', () => {
  it('first response runs in business minutes and stops at the first agent reply', () => {
    const running = clocks([], '2026-06-01 11:00');
    expect(running['first_response']).toMatchObject({
      state: 'running',
      usedMinutes: 60,
      dueAt: at('2026-06-01 14:00'),
      atRiskAt: at('2026-06-01 13:30'),
    });
    const met = clocks([['2026-06-01 12:00', 'agent_reply']], '2026-06-02 11:00');
    expect(met['first_response']).toMatchObject({ state: 'met', endedAt: at('2026-06-01 12:00'), breachedAt: null });
  });
  it('a late first response is met late (breach recorded)', () => {
    const late = clocks([['2026-06-02 10:00', 'agent_reply']], '2026-06-02 11:00');
    expect(late['first_response']).toMatchObject({ state: 'met', breachedAt: at('2026-06-01 14:00') });
  });
  it('waiting on the customer pauses resolution; their reply resumes it with the time already used and starts a next-response cycle', () => {
    // 10:00–12:00 used (120), paused until Wed 09:00, then running again.
    const c = clocks(
      [
        ['2026-06-01 12:00', 'agent_reply'],
        ['2026-06-03 09:00', 'customer_message'],
      ],
      '2026-06-03 10:00',
    );
    expect(c['resolution']).toMatchObject({ state: 'running', usedMinutes: 180, dueAt: at('2026-06-03 17:00') });
    expect(c['next_response']).toMatchObject({ cycle: 1, state: 'running', dueAt: at('2026-06-03 11:00') });
    const paused = clocks([['2026-06-01 12:00', 'agent_reply']], '2026-06-02 12:00');
    expect(paused['resolution']).toMatchObject({ state: 'paused', usedMinutes: 120, dueAt: null });
    expect(paused['next_response']).toBeUndefined();
  });
  it('each customer reply after an answer is a new next-response cycle', () => {
    const c = clocks(
      [
        ['2026-06-01 11:00', 'agent_reply'],
        ['2026-06-01 12:00', 'customer_message'],
        ['2026-06-01 13:00', 'agent_reply'],
        ['2026-06-01 14:00', 'customer_message'],
        ['2026-06-01 14:30', 'customer_message'],
      ],
      '2026-06-01 15:00',
    );
    expect(c['next_response']).toMatchObject({ cycle: 2, state: 'running', dueAt: at('2026-06-01 16:00') });
  });
  it('reopen: first response stays met, resolution resumes with its used time', () => {
    const c = clocks(
      [
        ['2026-06-01 11:00', 'agent_reply'],
        ['2026-06-01 11:30', 'closed'],
        ['2026-06-02 09:00', 'reopened'],
      ],
      '2026-06-02 10:00',
    );
    expect(c['first_response']).toMatchObject({ state: 'met' });
    expect(c['resolution']).toMatchObject({ cycle: 0, state: 'running', usedMinutes: 120 });
  });
  it('reopen with resetOnReopen starts a new resolution cycle from zero', () => {
    const c = clocks(
      [
        ['2026-06-01 11:00', 'agent_reply'],
        ['2026-06-01 11:30', 'closed'],
        ['2026-06-02 09:00', 'reopened'],
      ],
      '2026-06-02 10:00',
      policy({ resetOnReopen: true }),
    );
    expect(c['resolution']).toMatchObject({ cycle: 1, state: 'running', usedMinutes: 60 });
  });
  it('a ticket closed without any reply cancels its clocks, even past their target (not a breach)', () => {
    const c = clocks([['2026-06-05 10:00', 'closed']], '2026-06-05 11:00');
    expect(c['first_response']).toMatchObject({ state: 'cancelled' });
    expect(c['resolution']).toMatchObject({ state: 'cancelled' });
    expect(dueAlerts(Object.values(c), policy(), cal, at('2026-06-05 11:00'))).toEqual([]);
  });
  it('a merged ticket’s clocks are cancelled', () => {
    const c = clocks([['2026-06-01 10:30', 'merged']], '2026-06-01 16:00');
    expect(Object.values(c).map((x) => x.state)).toEqual(['cancelled', 'cancelled']);
  });
  it('24/7 policies count every minute, nights included', () => {
    const c = clocks(
      [],
      '2026-06-01 20:00',
      policy({ hours: '24/7', targets: { first_response: 360, next_response: null, resolution: null } }),
    );
    expect(c['first_response']).toMatchObject({ dueAt: at('2026-06-01 16:00'), breachedAt: at('2026-06-01 16:00') });
  });
});

describe('alerts', () => {
  it('at risk, then breach; nothing for a paused clock', () => {
    const p = policy();
    const risk = computeClocks({
      createdAt: at('2026-06-01 10:00'),
      events: [],
      policy: p,
      calendar: cal,
      settings,
      now: at('2026-06-01 13:40'),
    });
    expect(dueAlerts(risk, p, cal, at('2026-06-01 13:40')).map((a) => [a.metric, a.kind, a.postable])).toEqual([
      ['first_response', 'at_risk', true],
    ]);
    const breach = computeClocks({
      createdAt: at('2026-06-01 10:00'),
      events: [],
      policy: p,
      calendar: cal,
      settings,
      now: at('2026-06-01 14:05'),
    });
    expect(dueAlerts(breach, p, cal, at('2026-06-01 14:05')).map((a) => [a.metric, a.kind])).toEqual([
      ['first_response', 'breach'],
    ]);
    expect(nextCheckAt(risk, at('2026-06-01 13:40'))).toEqual(at('2026-06-01 14:00'));
  });
  it('a business-hours alert never goes out at night or on a holiday: it waits for the next opening', () => {
    const p = policy({ targets: { first_response: 60, next_response: null, resolution: null } });
    // Created Thu 30 Apr 17:10: at risk at 17:58, due Mon 4 May 09:10 (1 May holiday, weekend).
    const c = computeClocks({
      createdAt: at('2026-04-30 17:10'),
      events: [],
      policy: p,
      calendar: cal,
      settings,
      now: at('2026-04-30 19:00'),
    });
    expect(c[0]).toMatchObject({ dueAt: at('2026-05-04 09:10'), atRiskAt: at('2026-04-30 17:58') });
    expect(dueAlerts(c, p, cal, at('2026-04-30 17:59'))).toEqual([
      expect.objectContaining({ kind: 'at_risk', postable: true }),
    ]);
    expect(dueAlerts(c, p, cal, at('2026-04-30 19:00'))).toEqual([
      expect.objectContaining({ kind: 'at_risk', postable: false }),
    ]);
    expect(dueAlerts(c, p, cal, at('2026-05-01 10:00'))).toEqual([
      expect.objectContaining({ kind: 'at_risk', postable: false }),
    ]);
    expect(dueAlerts(c, p, cal, at('2026-05-04 09:05'))).toEqual([
      expect.objectContaining({ kind: 'at_risk', postable: true }),
    ]);
    expect(dueAlerts(c, p, cal, at('2026-05-04 09:15'))).toEqual([
      expect.objectContaining({ kind: 'breach', postable: true }),
    ]);
    // Due 18:00 exactly, checked a few seconds after closing: still posted (the grace after the slot).
    const late = computeClocks({
      createdAt: at('2026-06-01 17:00'),
      events: [],
      policy: p,
      calendar: cal,
      settings,
      now: at('2026-06-01 18:00'),
    });
    expect(dueAlerts(late, p, cal, new Date(at('2026-06-01 18:00').getTime() + 20_000))).toEqual([
      expect.objectContaining({ kind: 'breach', postable: true }),
    ]);
  });
  it('says what is due and when', () => {
    const p = policy();
    const c = computeClocks({
      createdAt: at('2026-06-01 10:00'),
      events: [],
      policy: p,
      calendar: cal,
      settings,
      now: at('2026-06-01 11:50'),
    });
    expect(describeClocks(c, p, cal, at('2026-06-01 11:50'))).toEqual([
      'First response: due Mon 14:00 (in 2 h 10 min business time; target 4 h)',
      'Resolution: due Mon 20:00 (in 8 h 10 min business time; target 10 h)'.replace('Mon 20:00', 'Tue 11:00'),
    ]);
  });
});

describe('the digest line', () => {
  it('first responses on time, breaches, at risk', () => {
    expect(formatSlaLine({ firstResponses: 41, onTime: 38, breaches: 2, atRisk: 3 })).toBe(
      'SLA: 38/41 first responses on time (93 %), 2 breaches, 3 at risk now',
    );
    expect(formatSlaLine({ firstResponses: 0, onTime: 0, breaches: 1, atRisk: 0 })).toBe(
      'SLA: 0/0 first responses on time, 1 breach, 0 at risk now',
    );
  });
});

describe('refused alert posts', () => {
  const t0 = new Date('2026-03-02T09:00:00Z');
  const after = (failures: number) => alertRetryAt(failures, t0)?.getTime() ?? null;
  it('are tried again after 1, 2, 4, 8 minutes, then given up after the 5th refusal', () => {
    expect([1, 2, 3, 4].map((n) => (after(n)! - t0.getTime()) / 60_000)).toEqual([1, 2, 4, 8]);
    expect(after(5)).toBeNull();
    expect(after(9)).toBeNull();
  });
  it('never wait longer than the longest delay', () => {
    const policy = { attempts: 20, firstDelayMs: 60_000, maxDelayMs: 30 * 60_000 };
    expect((alertRetryAt(10, t0, policy)!.getTime() - t0.getTime()) / 60_000).toBe(30);
  });
});

describe("/ticket stats' SLA line", () => {
  it('says met and breached with the share met, and what is at risk now', () => {
    expect(
      slaStatsText({ firstResponse: { met: 38, breached: 3 }, resolution: { met: 20, breached: 1 }, atRisk: 2 }),
    ).toBe('first response 38 met, 3 breached (93 % met); resolution 20 met, 1 breached (95 % met); 2 at risk now');
  });
  it('says "none due" rather than a share of nothing', () => {
    expect(
      slaStatsText({ firstResponse: { met: 0, breached: 0 }, resolution: { met: 0, breached: 2 }, atRisk: 0 }),
    ).toBe('first response: none due; resolution 0 met, 2 breached (0 % met); 0 at risk now');
  });
});
