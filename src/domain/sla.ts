/**
 * SLA clocks (review §2.3), pure: policies chosen by priority (and category), three clocks counted in
 * business minutes of the shop's calendar (or 24/7), computed from a ticket's history each time —
 * never from a counter that a crash could leave half-updated.
 *
 * Clock rules:
 * - first response: from the ticket's creation to the first agent reply the mail server accepted
 *   (notes, acknowledgements and replies that failed to send do not stop it); never paused.
 * - next response: each customer message after an agent reply starts a new cycle, which the next
 *   agent reply meets.
 * - resolution: runs while the customer waits for us, pauses while we wait on the customer (an agent
 *   replied last), stops at close. A reopen resumes it with the time already used, unless the policy
 *   says resetOnReopen (then a new cycle starts).
 * - a ticket closed without any agent reply cancels its clocks (not a breach); a merged ticket's
 *   clocks are cancelled (the surviving ticket keeps its own).
 * An alert is due at most once per ticket, metric, cycle and kind (at_risk, breach).
 */
import {
  BusinessCalendar,
  MAX_BUSINESS_MINUTES,
  formatBusinessMinutes,
  wallClock,
  weekdayOf,
} from './business-calendar.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from './ticket.ts';

export const SLA_METRICS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];
export const METRIC_NAMES: Record<SlaMetric, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  resolution: 'Resolution',
};
/** Short codes, for keys (support_chat_post.kind holds 16 characters). */
export const METRIC_CODES: Record<SlaMetric, string> = { first_response: 'fr', next_response: 'nr', resolution: 'res' };
export type SlaHours = 'business' | '24/7';

export interface SlaPolicy {
  readonly name: string;
  readonly priorities: readonly Priority[];
  /** null: any category. */
  readonly categories: readonly Category[] | null;
  readonly hours: SlaHours;
  /** Business minutes; null: not tracked by this policy. */
  readonly targets: Readonly<Record<SlaMetric, number | null>>;
  readonly resetOnReopen: boolean;
}

export interface SlaSettings {
  readonly policies: readonly SlaPolicy[];
  /** At risk at this share of a target… */
  readonly atRiskPercent: number;
  /** …or this many business minutes before the deadline, whichever comes later (closer to the deadline). */
  readonly atRiskMinutes: number;
}

/** What a ticket's clocks are measured against: the policy as it was when chosen (a later edit of the file applies to new tickets). */
export interface PolicyChoice {
  readonly policy: SlaPolicy;
  /** Why this policy (stored, shown in /ticket view). */
  readonly reason: string;
}

const day = (n: number) => n * 540; // a business day of 9 hours
/** When no SLA_POLICIES_FILE is given: business hours for every priority. */
export const DEFAULT_SLA: SlaSettings = {
  atRiskPercent: 80,
  atRiskMinutes: 30,
  policies: [
    {
      name: 'urgent',
      priorities: ['urgent'],
      categories: null,
      hours: 'business',
      targets: { first_response: 60, next_response: 120, resolution: 480 },
      resetOnReopen: false,
    },
    {
      name: 'high',
      priorities: ['high'],
      categories: null,
      hours: 'business',
      targets: { first_response: 120, next_response: 240, resolution: day(2) },
      resetOnReopen: false,
    },
    {
      name: 'normal',
      priorities: ['normal'],
      categories: null,
      hours: 'business',
      targets: { first_response: 240, next_response: 480, resolution: day(3) },
      resetOnReopen: false,
    },
    {
      name: 'low',
      priorities: ['low'],
      categories: null,
      hours: 'business',
      targets: { first_response: day(1), next_response: day(2), resolution: day(5) },
      resetOnReopen: false,
    },
  ],
};

/** The first policy, in order, that matches the ticket's priority and category; null when none does. */
export function choosePolicy(settings: SlaSettings, priority: Priority, category: Category): PolicyChoice | null {
  const index = settings.policies.findIndex(
    (p) => p.priorities.includes(priority) && (p.categories === null || p.categories.includes(category)),
  );
  const policy = settings.policies[index];
  if (!policy) return null;
  const by = policy.categories ? `priority ${priority} and category ${category}` : `priority ${priority}`;
  return {
    policy,
    reason: `policy "${policy.name}" (${policy.hours === '24/7' ? '24/7' : 'business hours'}): first of ${settings.policies.length} to match ${by}`,
  };
}

export type SlaParse =
  { readonly ok: true; readonly settings: SlaSettings } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * SLA_POLICIES_FILE's JSON:
 * ```json
 * { "atRisk": { "percent": 80, "minutesBefore": 30 },
 *   "policies": [
 *     { "name": "urgent", "priority": ["urgent"], "hours": "24/7", "firstResponse": 60, "nextResponse": 120, "resolution": 480 },
 *     { "name": "billing", "priority": ["high", "normal"], "category": ["billing"], "firstResponse": 120, "resolution": 1080, "resetOnReopen": true } ] }
 * ```
 * Targets are business minutes (> 0, at most a year); every problem is named with its field.
 */
export function parseSlaPolicies(json: unknown, file = 'SLA policies'): SlaParse {
  const errors: string[] = [];
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, errors: [`${file}: a JSON object with "policies": [...]`] };
  const o = json as Record<string, unknown>;
  const atRisk = (o['atRisk'] ?? {}) as Record<string, unknown>;
  const percent = atRisk['percent'] ?? 80;
  const before = atRisk['minutesBefore'] ?? 30;
  if (typeof percent !== 'number' || !(percent > 0 && percent < 100))
    errors.push(`${file}: atRisk.percent: a number between 0 and 100 (got ${JSON.stringify(percent)})`);
  if (typeof before !== 'number' || !(before >= 0) || before > MAX_BUSINESS_MINUTES)
    errors.push(`${file}: atRisk.minutesBefore: a number of business minutes ≥ 0 (got ${JSON.stringify(before)})`);
  const raw = o['policies'];
  if (!Array.isArray(raw) || raw.length === 0)
    errors.push(
      `${file}: policies: a non-empty list, e.g. [{ "name": "normal", "priority": ["normal"], "firstResponse": 240 }]`,
    );
  const policies: SlaPolicy[] = [];
  for (const [i, entry] of (Array.isArray(raw) ? raw : []).entries()) {
    const at = `${file}: policies[${i}]`;
    if (!entry || typeof entry !== 'object') {
      errors.push(`${at}: a policy object`);
      continue;
    }
    const p = entry as Record<string, unknown>;
    const name = typeof p['name'] === 'string' && p['name'].trim() ? p['name'].trim().slice(0, 40) : `policy ${i + 1}`;
    const list = <T extends string>(key: string, allowed: readonly T[]): T[] | null | 'bad' => {
      const v = p[key];
      if (v === undefined) return null;
      const items = Array.isArray(v) ? v : [v];
      const bad = items.filter((x) => !(allowed as readonly unknown[]).includes(x));
      if (bad.length || items.length === 0) {
        errors.push(
          `${at}.${key}: ${bad.map((b) => JSON.stringify(b)).join(', ') || 'an empty list'} is not one of ${allowed.join(', ')}`,
        );
        return 'bad';
      }
      return items as T[];
    };
    const priorities = list('priority', PRIORITIES);
    const categories = list('category', CATEGORIES);
    if (priorities === null) errors.push(`${at}.priority: say which priorities it covers, e.g. ["urgent"]`);
    const hours = p['hours'] ?? 'business';
    if (hours !== 'business' && hours !== '24/7')
      errors.push(`${at}.hours: "business" or "24/7" (got ${JSON.stringify(hours)})`);
    const targets: Record<SlaMetric, number | null> = { first_response: null, next_response: null, resolution: null };
    for (const [key, metric] of [
      ['firstResponse', 'first_response'],
      ['nextResponse', 'next_response'],
      ['resolution', 'resolution'],
    ] as const) {
      const v = p[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_BUSINESS_MINUTES) {
        errors.push(
          `${at}.${key}: business minutes, a number > 0 and at most ${MAX_BUSINESS_MINUTES} (a year) (got ${JSON.stringify(v)})`,
        );
        continue;
      }
      targets[metric] = v;
    }
    if (SLA_METRICS.every((m) => targets[m] === null) && !errors.some((e) => e.startsWith(at)))
      errors.push(`${at}: give at least one target (firstResponse, nextResponse or resolution, in business minutes)`);
    for (const key of Object.keys(p)) {
      if (
        ![
          'name',
          'priority',
          'category',
          'hours',
          'firstResponse',
          'nextResponse',
          'resolution',
          'resetOnReopen',
        ].includes(key)
      )
        errors.push(`${at}: unknown field "${key}"`);
    }
    if (priorities === 'bad' || priorities === null || categories === 'bad') continue;
    policies.push({
      name,
      priorities,
      categories,
      hours: hours === '24/7' ? '24/7' : 'business',
      targets,
      resetOnReopen: p['resetOnReopen'] === true,
    });
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, settings: { policies, atRiskPercent: percent as number, atRiskMinutes: before as number } };
}

/** What happened to a ticket, oldest first, as the clocks need it. */
export interface SlaEvent {
  readonly at: Date;
  readonly kind: 'customer_message' | 'agent_reply' | 'closed' | 'reopened' | 'merged';
}

export type ClockState = 'running' | 'paused' | 'met' | 'cancelled';

export interface ClockStatus {
  readonly metric: SlaMetric;
  /** 0 for first response; next response counts customer messages after replies from 1; resolution counts resets. */
  readonly cycle: number;
  readonly state: ClockState;
  readonly targetMinutes: number;
  readonly usedMinutes: number;
  /** While running: the deadline. */
  readonly dueAt: Date | null;
  /** While running: when it is (or was) at risk. */
  readonly atRiskAt: Date | null;
  /** The instant the target was passed (in this cycle), whatever happened after. */
  readonly breachedAt: Date | null;
  /** Met or cancelled: when. */
  readonly endedAt: Date | null;
}

/** Business minutes at which a target is at risk: the later of percent × target and target − minutesBefore. */
export function atRiskThreshold(
  target: number,
  settings: Pick<SlaSettings, 'atRiskPercent' | 'atRiskMinutes'>,
): number {
  return Math.max((target * settings.atRiskPercent) / 100, target - settings.atRiskMinutes, 0);
}

class Clock {
  used = 0;
  since: Date | null = null;
  breachedAt: Date | null = null;
  state: ClockState = 'paused';
  endedAt: Date | null = null;

  constructor(
    readonly metric: SlaMetric,
    readonly cycle: number,
    readonly target: number,
    readonly calendar: BusinessCalendar,
  ) {}

  start(at: Date): void {
    if (this.state === 'running' || this.state === 'met' || this.state === 'cancelled') return;
    this.state = 'running';
    this.since = at;
  }

  #stop(at: Date): void {
    if (this.state !== 'running' || !this.since) return;
    const minutes = this.calendar.businessMinutesBetween(this.since, at);
    if (!this.breachedAt && this.used + minutes >= this.target)
      this.breachedAt = this.calendar.addBusinessMinutes(this.since, Math.max(0, this.target - this.used)).due;
    this.used += minutes;
    this.since = null;
  }

  pause(at: Date): void {
    this.#stop(at);
    if (this.state === 'running') this.state = 'paused';
  }

  end(at: Date, state: 'met' | 'cancelled'): void {
    if (this.state === 'met' || this.state === 'cancelled') return;
    this.#stop(at);
    this.state = state;
    this.endedAt = at;
  }

  status(now: Date, settings: Pick<SlaSettings, 'atRiskPercent' | 'atRiskMinutes'>): ClockStatus {
    let dueAt: Date | null = null;
    let atRiskAt: Date | null = null;
    let breachedAt = this.breachedAt;
    let used = this.used;
    if (this.state === 'running' && this.since) {
      dueAt = this.breachedAt ?? this.calendar.addBusinessMinutes(this.since, Math.max(0, this.target - this.used)).due;
      const threshold = atRiskThreshold(this.target, settings);
      atRiskAt =
        this.used >= threshold ? this.since : this.calendar.addBusinessMinutes(this.since, threshold - this.used).due;
      if (!breachedAt && now >= dueAt) breachedAt = dueAt;
      used += this.calendar.businessMinutesBetween(this.since, now);
    }
    return {
      metric: this.metric,
      cycle: this.cycle,
      state: this.state,
      targetMinutes: this.target,
      usedMinutes: Math.round(used * 10) / 10,
      dueAt,
      atRiskAt,
      breachedAt,
      endedAt: this.endedAt,
    };
  }
}

/**
 * The ticket's clocks now: one status per metric the policy tracks (next response: the latest cycle,
 * absent before the first agent reply). `calendar`: the shop's; a 24/7 policy counts every minute.
 */
export function computeClocks(input: {
  readonly createdAt: Date;
  readonly events: readonly SlaEvent[];
  readonly policy: SlaPolicy;
  readonly calendar: BusinessCalendar;
  readonly settings: Pick<SlaSettings, 'atRiskPercent' | 'atRiskMinutes'>;
  readonly now: Date;
}): ClockStatus[] {
  const { policy, now } = input;
  const calendar = policy.hours === '24/7' ? BusinessCalendar.alwaysOpen(input.calendar.timeZone) : input.calendar;
  const t = policy.targets;
  const first = t.first_response === null ? null : new Clock('first_response', 0, t.first_response, calendar);
  let next: Clock | null = null;
  let nextCycle = 0;
  let resolution = t.resolution === null ? null : new Clock('resolution', 0, t.resolution, calendar);
  first?.start(input.createdAt);
  resolution?.start(input.createdAt);
  let replies = 0;
  let open = true;
  let onUs = true; // the customer waits for us
  const events = [...input.events].filter((e) => e.at <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const e of events) {
    if (e.at < input.createdAt) continue;
    switch (e.kind) {
      case 'agent_reply':
        replies++;
        first?.end(e.at, 'met');
        next?.end(e.at, 'met');
        onUs = false;
        resolution?.pause(e.at);
        break;
      case 'customer_message':
        if (!onUs && replies > 0 && t.next_response !== null && open) {
          next = new Clock('next_response', ++nextCycle, t.next_response, calendar);
          next.start(e.at);
        }
        onUs = true;
        if (open) resolution?.start(e.at);
        break;
      case 'closed':
        if (!open) break;
        open = false;
        first?.end(e.at, 'cancelled');
        next?.end(e.at, 'cancelled');
        resolution?.end(e.at, replies > 0 ? 'met' : 'cancelled');
        break;
      case 'reopened':
        if (open) break;
        open = true;
        onUs = true;
        if (resolution && t.resolution !== null) {
          if (policy.resetOnReopen || resolution.state === 'cancelled') {
            resolution = new Clock('resolution', resolution.cycle + 1, t.resolution, calendar);
          } else {
            // Resumes with the time it had used.
            resolution.state = 'paused';
            resolution.endedAt = null;
          }
          resolution.start(e.at);
        }
        break;
      case 'merged':
        first?.end(e.at, 'cancelled');
        next?.end(e.at, 'cancelled');
        resolution?.end(e.at, 'cancelled');
        open = false;
        break;
    }
  }
  return [first, next, resolution].filter((c): c is Clock => c !== null).map((c) => c.status(now, input.settings));
}

export type AlertKind = 'at_risk' | 'breach';
export interface SlaAlert {
  readonly metric: SlaMetric;
  readonly cycle: number;
  readonly kind: AlertKind;
  /** When it became due (the at-risk point or the deadline). */
  readonly at: Date;
  readonly dueAt: Date;
}

/** After an alert's instant, how long a business-hours alert may still go out once the calendar has closed (a deadline at 18:00, checked at 18:00:20). */
export const ALERT_GRACE_MS = 10 * 60_000;
/**
 * An alert this late, in minutes of the policy's calendar, is not posted (a ticket from before SLAs were
 * set up, a long outage): recorded, not announced. Business time: a Friday-evening alert is still fresh on Monday.
 */
export const ALERT_STALE_MINUTES = 24 * 60;

/**
 * The alerts due now: a running clock past its deadline (breach) or its at-risk point (at risk; not
 * when the breach is due too). `postable` is false outside business hours for a business-hours policy
 * (such a deadline falls inside open hours, and its alert waits for the next opening otherwise:
 * never at night or on a holiday) and for alerts too late to mean anything.
 */
export function dueAlerts(
  clocks: readonly ClockStatus[],
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  now: Date,
): (SlaAlert & { readonly postable: boolean; readonly stale: boolean })[] {
  const alerts: (SlaAlert & { postable: boolean; stale: boolean })[] = [];
  for (const c of clocks) {
    if (c.state !== 'running' || !c.dueAt) continue;
    const kind: AlertKind | null = now >= c.dueAt ? 'breach' : c.atRiskAt && now >= c.atRiskAt ? 'at_risk' : null;
    if (!kind) continue;
    const at = kind === 'breach' ? c.dueAt : c.atRiskAt!;
    const inHours = policy.hours === '24/7' || calendar.isOpen(now) || now.getTime() - at.getTime() <= ALERT_GRACE_MS;
    const late =
      policy.hours === '24/7' ? (now.getTime() - at.getTime()) / 60_000 : calendar.businessMinutesBetween(at, now);
    const stale = late > ALERT_STALE_MINUTES;
    alerts.push({ metric: c.metric, cycle: c.cycle, kind, at, dueAt: c.dueAt, postable: inHours && !stale, stale });
  }
  return alerts;
}

/** When the clocks next need a look: the earliest at-risk point or deadline still ahead; null when nothing runs. */
export function nextCheckAt(clocks: readonly ClockStatus[], now: Date): Date | null {
  const ahead = clocks
    .flatMap((c) => (c.state === 'running' ? [c.atRiskAt, c.dueAt] : []))
    .filter((d): d is Date => d !== null && d > now);
  return ahead.length ? new Date(Math.min(...ahead.map((d) => d.getTime()))) : null;
}

/** The nearest deadline of a running clock (what `/ticket list due` sorts on). */
export function nearestDue(clocks: readonly ClockStatus[]): Date | null {
  const dues = clocks.filter((c) => c.state === 'running' && c.dueAt).map((c) => c.dueAt!.getTime());
  return dues.length ? new Date(Math.min(...dues)) : null;
}

/** "Tue 10:30" in the zone (with the date when it is not within the week ahead). */
export function shortWhen(at: Date, now: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  const hm = `${String(Math.floor(w.minutes / 60)).padStart(2, '0')}:${String(Math.floor(w.minutes % 60)).padStart(2, '0')}`;
  const days = Math.abs(at.getTime() - now.getTime()) / 86_400_000;
  const wd = weekdayOf(w.date);
  const name = wd[0]!.toUpperCase() + wd.slice(1);
  return days < 6 ? `${name} ${hm}` : `${name} ${w.date} ${hm}`;
}

/**
 * One line per clock, for /ticket view: "First response due Tue 10:30 (in 2 h 10 min business time)",
 * "Resolution paused while we wait on the customer (1 h 05 min of 8 h used)", "First response met …".
 */
export function describeClocks(
  clocks: readonly ClockStatus[],
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  now: Date,
): string[] {
  const tz = calendar.timeZone;
  const time = policy.hours === '24/7' ? '' : ' business time';
  const cal = policy.hours === '24/7' ? BusinessCalendar.alwaysOpen(tz) : calendar;
  return clocks.map((c) => {
    const name = `${METRIC_NAMES[c.metric]}${c.metric === 'next_response' ? ` (#${c.cycle})` : ''}`;
    const target = formatBusinessMinutes(c.targetMinutes);
    if (c.state === 'cancelled')
      return `${name}: cancelled (the ticket was closed or merged without a reply; not a breach)`;
    if (c.state === 'met')
      return `${name}: met ${c.endedAt ? shortWhen(c.endedAt, now, tz) : ''}${c.breachedAt ? `, LATE (target ${target} passed ${shortWhen(c.breachedAt, now, tz)})` : ` within ${target}`}`;
    if (c.state === 'paused')
      return `${name}: paused while we wait on the customer (${formatBusinessMinutes(c.usedMinutes)} of ${target} used)`;
    if (c.breachedAt) return `${name}: OVERDUE since ${shortWhen(c.breachedAt, now, tz)} (target ${target}${time})`;
    const left = c.dueAt ? cal.businessMinutesBetween(now, c.dueAt) : 0;
    const risk = c.atRiskAt && now >= c.atRiskAt ? 'AT RISK — ' : '';
    return `${name}: ${risk}due ${c.dueAt ? shortWhen(c.dueAt, now, tz) : '?'} (in ${formatBusinessMinutes(left)}${time}; target ${target})`;
  });
}

/**
 * `/ticket stats`' SLA figures over its period: the first-response and resolution clocks that stopped in it
 * on time (met) or past their deadline, plus those that went past it in the period and still run
 * (breached), and the open tickets at risk now.
 */
export interface SlaPeriodFigures {
  readonly firstResponse: { readonly met: number; readonly breached: number };
  readonly resolution: { readonly met: number; readonly breached: number };
  readonly atRisk: number;
}

/** "first response 38 met, 3 breached (93 % met)", or "first response: none due" when nothing ended. */
export function slaFigureText(name: string, f: { readonly met: number; readonly breached: number }): string {
  const all = f.met + f.breached;
  if (all === 0) return `${name}: none due`;
  return `${name} ${f.met} met, ${f.breached} breached (${Math.round((100 * f.met) / all)} % met)`;
}

/** "first response 38 met, 3 breached (93 % met); resolution 20 met, 1 breached (95 % met); 3 at risk now". */
export function slaStatsText(s: SlaPeriodFigures): string {
  return `${slaFigureText('first response', s.firstResponse)}; ${slaFigureText('resolution', s.resolution)}; ${s.atRisk} at risk now`;
}

/** How many times a refused alert post is tried in all, and how long to wait after each refusal. */
export interface AlertRetryPolicy {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}
export const DEFAULT_ALERT_RETRY: AlertRetryPolicy = { attempts: 5, firstDelayMs: 60_000, maxDelayMs: 30 * 60_000 };

/**
 * After the `failures`-th refusal: when to try again (the delay doubles from the first, up to the most),
 * or null when that was the last attempt.
 */
export function alertRetryAt(failures: number, at: Date, policy: AlertRetryPolicy = DEFAULT_ALERT_RETRY): Date | null {
  if (failures >= policy.attempts) return null;
  const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, failures - 1));
  return new Date(at.getTime() + delay);
}
