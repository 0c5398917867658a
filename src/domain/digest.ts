/**
 * The managers' daily digest: its figures, the pure rules that compute them (day boundaries in an
 * IANA time zone, percentiles, changes) and its text. No I/O.
 */
import { zoneOffsetMs, type Category, type Priority } from './ticket.ts';
import { formatDuration, shorten } from './wording.ts';

/** A calendar day, "YYYY-MM-DD". */
export type DayString = string;

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDayString(value: string): value is DayString {
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

/** The day `n` days after `day` (negative: before), calendar arithmetic, no time zone involved. */
export function addDays(day: DayString, n: number): DayString {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a day: ${day}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10);
}

/** The calendar day an instant falls on in a time zone. */
export function dayInZone(at: Date, timeZone: string): DayString {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * The first instant of a day in a zone. Midnight may not exist (a zone that springs forward at 00:00):
 * then the day starts at the first instant whose local date is that day. Two offset guesses cover every
 * real zone's transitions.
 */
export function startOfDay(day: DayString, timeZone: string): Date {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a day: ${day}`);
  const naive = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  let guess = naive - zoneOffsetMs(new Date(naive), timeZone);
  guess = naive - zoneOffsetMs(new Date(guess), timeZone);
  // Local midnight skipped by a transition: step forward to the first local instant of the day.
  while (dayInZone(new Date(guess), timeZone) < day) guess += 15 * 60_000;
  while (dayInZone(new Date(guess - 1), timeZone) === day) guess -= 15 * 60_000;
  return new Date(guess);
}

/** [start, end) of a day in a zone: 24 h most days, 23 h or 25 h across a daylight-saving change. */
export function dayRange(day: DayString, timeZone: string): { readonly start: Date; readonly end: Date } {
  return { start: startOfDay(day, timeZone), end: startOfDay(addDays(day, 1), timeZone) };
}

/** Nearest-rank percentile (p in 0..100) of durations; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/** Median: the mean of the two middle values for an even count; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? 0) + hi) / 2;
}

export interface DurationStats {
  readonly count: number;
  /** Seconds. */
  readonly median: number | null;
  /** Seconds, nearest rank. */
  readonly p95: number | null;
}

export function durationStats(seconds: readonly number[]): DurationStats {
  return { count: seconds.length, median: median(seconds), p95: percentile(seconds, 95) };
}

/** A figure and how it moved. */
export interface Trend {
  readonly value: number;
  readonly previousDay: number;
  readonly sameDayLastWeek: number;
}

export interface TicketBrief {
  readonly ticketId: number;
  readonly subject: string;
  readonly priority: Priority;
  readonly category: Category;
  readonly createdAt: Date;
}

export interface DailyCounts {
  readonly day: DayString;
  readonly created: number;
  readonly closed: number;
}

export interface Digest {
  readonly day: DayString;
  readonly timeZone: string;
  /** The day's bounds: 23, 24 or 25 hours apart. */
  readonly start: Date;
  readonly end: Date;
  /** When the figures stand: the day's end, or now for a day not over yet (a digest of today, on demand). */
  readonly asOf: Date;
  /** Tickets triage had not decided by then: counted as normal and general in the breakdowns. */
  readonly untriaged: number;
  readonly created: Trend;
  readonly closed: Trend;
  /** Open at the end of the day. */
  readonly backlog: Trend;
  readonly createdByCategory: Readonly<Record<Category, number>>;
  readonly createdByPriority: Readonly<Record<Priority, number>>;
  readonly backlogByPriority: Readonly<Record<Priority, number>>;
  /** The oldest tickets still open at the end of the day, oldest first. */
  readonly oldestOpen: readonly TicketBrief[];
  /** Urgent tickets open at the end of the day (count, and the first few). */
  readonly urgentOpen: { readonly count: number; readonly tickets: readonly TicketBrief[] };
  /** Tickets first answered that day: created → first response. */
  readonly firstResponse: DurationStats;
  /** Tickets closed that day: created → closed. */
  readonly resolution: DurationStats;
  /** Automatic mail (bounces, out-of-office, lists…) filtered that day, by kind. */
  readonly automated: { readonly total: number; readonly byKind: Readonly<Record<string, number>> };
  /** Emails that could not be taken that day (unreadable, no sender, too large); absent: none counted. */
  readonly rejected?: number;
  /** Emails held as spam that day (no ticket, no acknowledgement); absent: none. */
  readonly spam?: number;
  /** SLA of the day (first responses met in it, breaches in it) and tickets at risk now; absent without SLA clocks. */
  readonly sla?: SlaFigures | null;
  /** Tickets whose agent was removed, returned to the queue that day (or still held): their numbers; absent: none. */
  readonly orphans?: readonly number[];
  /** New and closed per day, the last 14 days ending with this one, oldest first. */
  readonly history: readonly DailyCounts[];
}

export function formatChange(now: number, before: number): string {
  const delta = now - before;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const pct = before === 0 ? '' : ` (${sign}${Math.round((Math.abs(delta) / before) * 100)}%)`;
  return `${sign}${Math.abs(delta)}${pct}`;
}

export interface DigestField {
  readonly name: string;
  readonly value: string;
}

/** What a channel shows: a title, short fields, and the full text (chat-agnostic, light markdown). */
export interface DigestMessage {
  readonly title: string;
  readonly fields: readonly DigestField[];
  readonly text: string;
}

function breakdown(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length ? parts.join(' · ') : 'none';
}

/** How a chat writes text from outside (escaped for its markup) and bold; the default is Slack's mrkdwn without escaping. */
export interface DigestMarkup {
  readonly escape: (text: string) => string;
  readonly bold: (text: string) => string;
}
const PLAIN_MARKUP: DigestMarkup = { escape: (t) => t, bold: (t) => `*${t}*` };

function trendLine(label: string, t: Trend, m: DigestMarkup): string {
  return `${label}: ${m.bold(String(t.value))}  (${formatChange(t.value, t.previousDay)} vs the day before, ${formatChange(t.value, t.sameDayLastWeek)} vs the same day last week)`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function brief(t: TicketBrief, now: Date, m: DigestMarkup): string {
  return `#${t.ticketId} ${m.escape(shorten(t.subject, 60))} — ${t.priority}, open ${formatDuration((now.getTime() - t.createdAt.getTime()) / 1000)}`;
}

export interface SlaFigures {
  readonly firstResponses: number;
  readonly onTime: number;
  readonly breaches: number;
  readonly atRisk: number;
}

/** "SLA: 38/41 first responses on time (93 %), 2 breaches, 3 at risk". */
export function formatSlaLine(s: SlaFigures): string {
  const pct = s.firstResponses ? ` (${Math.round((100 * s.onTime) / s.firstResponses)} %)` : '';
  return `SLA: ${s.onTime}/${s.firstResponses} first responses on time${pct}, ${s.breaches} breach${s.breaches === 1 ? '' : 'es'}, ${s.atRisk} at risk now`;
}

/** Orphaned tickets listed at most. */
const ORPHANS_LISTED = 20;

/** "Orphaned tickets (their agent was removed; returned to the queue): 3 — #12, #15, #18". */
export function formatOrphansLine(ids: readonly number[]): string {
  const listed = ids.slice(0, ORPHANS_LISTED).map((id) => `#${id}`);
  const more = ids.length > ORPHANS_LISTED ? ` and ${ids.length - ORPHANS_LISTED} more` : '';
  return `Orphaned tickets (their agent was removed; returned to the queue): ${ids.length} — ${listed.join(', ')}${more}`;
}

export function composeDigestMessage(d: Digest, m: DigestMarkup = PLAIN_MARKUP): DigestMessage {
  const soFar = d.asOf.getTime() < d.end.getTime();
  const title = `Support digest — ${d.day} (${d.timeZone})${soFar ? `, so far (the day is not over)` : ''}`;
  const fields: DigestField[] = [
    {
      name: 'New',
      value: `${d.created.value} (${formatChange(d.created.value, d.created.previousDay)} d/d, ${formatChange(d.created.value, d.created.sameDayLastWeek)} w/w)`,
    },
    {
      name: 'Closed',
      value: `${d.closed.value} (${formatChange(d.closed.value, d.closed.previousDay)} d/d, ${formatChange(d.closed.value, d.closed.sameDayLastWeek)} w/w)`,
    },
    { name: 'Open backlog', value: `${d.backlog.value} (${formatChange(d.backlog.value, d.backlog.previousDay)} d/d)` },
    { name: 'Urgent still open', value: String(d.urgentOpen.count) },
    {
      name: 'First response',
      value: `median ${formatDuration(d.firstResponse.median)}, p95 ${formatDuration(d.firstResponse.p95)}`,
    },
    {
      name: 'Resolution',
      value: `median ${formatDuration(d.resolution.median)}, p95 ${formatDuration(d.resolution.p95)}`,
    },
  ];
  const lines = [
    m.bold(title),
    trendLine('New tickets', d.created, m),
    trendLine('Closed', d.closed, m),
    trendLine(soFar ? 'Open backlog now' : 'Open backlog at the end of the day', d.backlog, m),
    `New by category: ${breakdown(d.createdByCategory)}`,
    `New by priority: ${breakdown(d.createdByPriority)}`,
    `Backlog by priority: ${breakdown(d.backlogByPriority)}`,
    `First response (${plural(d.firstResponse.count, 'ticket')}): median ${formatDuration(d.firstResponse.median)}, p95 ${formatDuration(d.firstResponse.p95)}`,
    `Resolution (${plural(d.resolution.count, 'ticket')}): median ${formatDuration(d.resolution.median)}, p95 ${formatDuration(d.resolution.p95)}`,
    ...(d.sla ? [formatSlaLine(d.sla)] : []),
    ...(d.orphans?.length ? [formatOrphansLine(d.orphans)] : []),
    `Automated mail filtered: ${d.automated.total}${d.automated.total ? ` (${breakdown(d.automated.byKind)})` : ''}`,
    ...(d.spam
      ? [
          `Held as spam: ${d.spam} — no ticket, no acknowledgement; an agent can review them ("/ticket spam") and release any that is not`,
        ]
      : []),
    ...(d.rejected
      ? [
          `Emails that could not be read: ${d.rejected} — kept aside, no ticket (the log and the rejected folder or quarantine have them): someone should look`,
        ]
      : []),
    ...(d.untriaged > 0
      ? [
          `Not triaged yet: ${plural(d.untriaged, 'ticket')}, counted as normal and general above: is a triage worker running?`,
        ]
      : []),
  ];
  lines.push(
    d.urgentOpen.count ? `Urgent tickets still open: ${d.urgentOpen.count}` : 'Urgent tickets still open: none',
  );
  for (const t of d.urgentOpen.tickets) lines.push(`  • ${brief(t, d.asOf, m)}`);
  if (d.oldestOpen.length) {
    lines.push('Oldest open tickets:');
    for (const t of d.oldestOpen) lines.push(`  • ${brief(t, d.asOf, m)}`);
  }
  return { title, fields, text: lines.join('\n') };
}
