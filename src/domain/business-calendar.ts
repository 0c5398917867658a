/**
 * The shop's business calendar (one per shop): an IANA time zone, weekly opening slots (several a day),
 * French public holidays (Easter-based ones computed; Alsace-Moselle's Good Friday and 26 December with
 * region FR-57/67/68), and the operator's own closures and openings. SLA clocks, and later shifts,
 * stale-close and forecasts, use this module and only it.
 *
 * Everything is computed on absolute instants: a slot "09:00–18:00" is turned into two instants for
 * each local date, with that date's own UTC offset, so a DST change between two days moves nothing.
 *
 * The API, kept small on purpose:
 * - `parseCalendar(json, source)` → a BusinessCalendar, or every problem found (with file:line when
 *   the raw text is given); `defaultCalendar()`, `BusinessCalendar.alwaysOpen(zone)` (24/7).
 * - `calendar.addBusinessMinutes(from, minutes)` → the deadline and the steps that explain it.
 * - `calendar.businessMinutesBetween(a, b)`, `calendar.isOpen(at)`, `calendar.nextOpening(at)`.
 * - `calendar.day(localDate)` → that day's open intervals, or why it is closed.
 * - `frenchHolidays(year, region)`, `localDateOf(at, zone)`, `instantOf(date, minutes, zone)`.
 */
import { closestWord } from './wording.ts';

/** A local calendar date, 'YYYY-MM-DD'. */
export type LocalDate = string;
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const WEEKDAY_NAMES: Record<Weekday, string> = {
  sun: 'Sunday',
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
};

/** Minutes after local midnight, end exclusive; end may be 1440 (midnight at the end of the day). */
export interface Slot {
  readonly start: number;
  readonly end: number;
}

/** Holidays: France's national ones, plus Alsace-Moselle's (départements 57, 67, 68), or none. */
export const HOLIDAY_REGIONS = ['FR', 'FR-57', 'FR-67', 'FR-68', 'none'] as const;
export type HolidayRegion = (typeof HOLIDAY_REGIONS)[number];

export interface CalendarSpec {
  readonly name: string;
  readonly timeZone: string;
  readonly week: Readonly<Record<Weekday, readonly Slot[]>>;
  readonly holidays: HolidayRegion;
  /** Dates closed by the operator (inventory, summer break), with why. */
  readonly closed: ReadonlyMap<LocalDate, string>;
  /** Dates open although a holiday or a closed weekday (Pentecost Monday worked): the slots of that day, or the weekday's. */
  readonly open: ReadonlyMap<LocalDate, readonly Slot[] | null>;
}

/** One stretch of a deadline's explanation: open hours used, or a day crossed while closed. */
export type DeadlineStep =
  | {
      readonly kind: 'open';
      readonly date: LocalDate;
      readonly from: Date;
      readonly to: Date;
      readonly minutes: number;
    }
  | { readonly kind: 'closed'; readonly date: LocalDate; readonly reason: string };

export interface Deadline {
  readonly due: Date;
  readonly steps: readonly DeadlineStep[];
}

export interface DayHours {
  readonly date: LocalDate;
  /** Open intervals, absolute, in order; empty when closed. */
  readonly intervals: readonly { readonly start: Date; readonly end: Date }[];
  /** Why the day is closed ("Saturday: no opening hours", "holiday: Lundi de Pâques", "closure: inventaire"); null when open. */
  readonly closedReason: string | null;
  /** Set on the days the zone changes its UTC offset: "UTC+01:00 → UTC+02:00". */
  readonly offsetChange: string | null;
}

/** More than this is refused as a target: a year of business time is not a support deadline. */
export const MAX_BUSINESS_MINUTES = 366 * 24 * 60;
/** How far a computation walks before giving up (a calendar with no open hour is refused at load). */
const MAX_DAYS = 3 * 366 * 4;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `at` in the zone: date and minutes (with seconds as a fraction). */
export function wallClock(
  at: Date,
  timeZone: string,
): { readonly date: LocalDate; readonly y: number; readonly m: number; readonly d: number; readonly minutes: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const y = Number(parts['year']);
  const m = Number(parts['month']);
  const d = Number(parts['day']);
  const minutes = Number(parts['hour']) * 60 + Number(parts['minute']) + Number(parts['second']) / 60;
  return { date: `${parts['year']}-${parts['month']}-${parts['day']}`, y, m, d, minutes };
}

export function localDateOf(at: Date, timeZone: string): LocalDate {
  return wallClock(at, timeZone).date;
}

/** UTC offset of the zone at an instant, in ms. */
export function offsetAt(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d) + Math.round(w.minutes * 60) * 1000;
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of `minutes` after local midnight of `date` in the zone (1440: the next midnight). */
export function instantOf(date: LocalDate, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  // Two passes: the offset at a first guess, then at the instant it gives (right across a DST change).
  const first = wall - offsetAt(new Date(wall), timeZone);
  return new Date(wall - offsetAt(new Date(first), timeZone));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of a local date, and back. */
function dayNumber(date: LocalDate): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

function dateOfDay(n: number): LocalDate {
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days summed at once by businessMinutesBetween (a calendar caches one figure per stretch). */
const BLOCK_DAYS = 32;

export function weekdayOf(date: LocalDate): Weekday {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
}

/** A real calendar date written YYYY-MM-DD (2027-02-30 is not one). */
export function isLocalDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return t.toISOString().slice(0, 10) === text;
}

/** Easter Sunday (Gregorian, anonymous algorithm). */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * France's public holidays of a year (jours fériés, Code du travail L3133-1), with Alsace-Moselle's
 * two more for FR-57/67/68. Observances (Mother's Day…) are not holidays and are not listed.
 */
export function frenchHolidays(year: number, region: HolidayRegion): ReadonlyMap<LocalDate, string> {
  const days = new Map<LocalDate, string>();
  if (region === 'none') return days;
  const easter = easterSunday(year);
  const fixed = (md: string, name: string) => days.set(`${year}-${md}`, name);
  fixed('01-01', "Jour de l'an");
  if (region !== 'FR') days.set(addDays(easter, -2), 'Vendredi saint (Alsace-Moselle)');
  days.set(easter, 'Pâques');
  days.set(addDays(easter, 1), 'Lundi de Pâques');
  fixed('05-01', 'Fête du travail');
  fixed('05-08', 'Victoire 1945');
  days.set(addDays(easter, 39), 'Ascension');
  days.set(addDays(easter, 49), 'Pentecôte');
  days.set(addDays(easter, 50), 'Lundi de Pentecôte');
  fixed('07-14', 'Fête nationale');
  fixed('08-15', 'Assomption');
  fixed('11-01', 'Toussaint');
  fixed('11-11', 'Armistice 1918');
  fixed('12-25', 'Noël');
  if (region !== 'FR') fixed('12-26', 'Saint-Étienne (Alsace-Moselle)');
  return days;
}

const hhmm = (minutes: number): string => {
  const t = Math.round(minutes);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
};
const formatSlot = (s: Slot): string => `${hhmm(s.start)}–${hhmm(s.end)}`;

function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const minutes = Math.abs(ms) / 60_000;
  return `UTC${sign}${hhmm(minutes)}`;
}

export class BusinessCalendar {
  readonly spec: CalendarSpec;
  /** 24/7: every minute counts, on absolute time. */
  readonly always: boolean;
  readonly #days = new Map<LocalDate, DayHours>();
  readonly #holidays = new Map<number, ReadonlyMap<LocalDate, string>>();
  /** Open milliseconds of BLOCK_DAYS whole days, by the number of the first (days since 1970-01-01). */
  readonly #blocks = new Map<number, number>();

  constructor(spec: CalendarSpec, always = false) {
    this.spec = spec;
    this.always = always;
  }

  /** A calendar open around the clock, every day (e.g. for urgent tickets). */
  static alwaysOpen(timeZone = 'Europe/Paris'): BusinessCalendar {
    const all: readonly Slot[] = [{ start: 0, end: 1440 }];
    const week: Record<Weekday, readonly Slot[]> = {
      sun: all,
      mon: all,
      tue: all,
      wed: all,
      thu: all,
      fri: all,
      sat: all,
    };
    return new BusinessCalendar(
      { name: '24/7', timeZone, week, holidays: 'none', closed: new Map(), open: new Map() },
      true,
    );
  }

  get name(): string {
    return this.spec.name;
  }

  get timeZone(): string {
    return this.spec.timeZone;
  }

  /** The holiday on a date, or null. */
  holiday(date: LocalDate): string | null {
    const year = Number(date.slice(0, 4));
    let list = this.#holidays.get(year);
    if (!list) {
      list = frenchHolidays(year, this.spec.holidays);
      this.#holidays.set(year, list);
    }
    return list.get(date) ?? null;
  }

  /** A local date's open intervals, or why it is closed. */
  day(date: LocalDate): DayHours {
    const cached = this.#days.get(date);
    if (cached) return cached;
    const weekday = weekdayOf(date);
    let slots: readonly Slot[] = this.spec.week[weekday];
    let closedReason: string | null = slots.length === 0 ? `${WEEKDAY_NAMES[weekday]}: no opening hours` : null;
    const holiday = this.holiday(date);
    const closure = this.spec.closed.get(date);
    const opening = this.spec.open.get(date);
    if (opening !== undefined) {
      slots = opening ?? (slots.length ? slots : []);
      closedReason = slots.length === 0 ? `${WEEKDAY_NAMES[weekday]}: opened by the operator but no slots given` : null;
    } else if (closure !== undefined) {
      slots = [];
      closedReason = `closure: ${closure}`;
    } else if (holiday && slots.length) {
      slots = [];
      closedReason = `holiday: ${holiday}`;
    }
    const tz = this.spec.timeZone;
    const intervals = slots
      .map((s) => ({ start: instantOf(date, s.start, tz), end: instantOf(date, s.end, tz) }))
      .filter((i) => i.end > i.start);
    const before = offsetAt(instantOf(date, 0, tz), tz);
    const after = offsetAt(instantOf(date, 1440, tz), tz);
    const hours: DayHours = {
      date,
      intervals,
      closedReason: intervals.length ? null : (closedReason ?? 'closed'),
      offsetChange: before === after ? null : `${formatOffset(before)} → ${formatOffset(after)}`,
    };
    if (this.#days.size > 20_000) this.#days.clear();
    this.#days.set(date, hours);
    return hours;
  }

  /**
   * The instant `minutes` of business time after `from`, and the steps that explain it (the open
   * stretches used and the closed days crossed). A deadline that ends exactly when a slot closes is
   * that closing instant.
   */
  addBusinessMinutes(from: Date, minutes: number): Deadline {
    if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`business minutes must be ≥ 0 (got ${minutes})`);
    if (this.always) {
      const due = new Date(from.getTime() + minutes * 60_000);
      return { due, steps: [{ kind: 'open', date: localDateOf(from, this.timeZone), from, to: due, minutes }] };
    }
    let remaining = minutes * 60_000;
    const steps: DeadlineStep[] = [];
    let date = localDateOf(from, this.timeZone);
    for (let n = 0; n < MAX_DAYS; n++, date = addDays(date, 1)) {
      const day = this.day(date);
      if (day.intervals.length === 0) {
        if (n > 0 || remaining > 0) steps.push({ kind: 'closed', date, reason: day.closedReason ?? 'closed' });
        continue;
      }
      for (const i of day.intervals) {
        if (i.end <= from) continue;
        const start = i.start > from ? i.start : from;
        const available = i.end.getTime() - start.getTime();
        if (available >= remaining) {
          const due = new Date(start.getTime() + remaining);
          if (remaining > 0 || steps.length === 0)
            steps.push({ kind: 'open', date, from: start, to: due, minutes: remaining / 60_000 });
          return { due, steps: trimClosedTail(steps) };
        }
        remaining -= available;
        steps.push({ kind: 'open', date, from: start, to: i.end, minutes: available / 60_000 });
      }
    }
    throw new RangeError(`calendar "${this.name}" has no open hour for ${MAX_DAYS} days after ${from.toISOString()}`);
  }

  /**
   * Business minutes between two instants (0 when `to` is not after `from`). The days in between are
   * whole (from and to fall on the first and last): their open time is summed by stretches of
   * BLOCK_DAYS days, each computed once per calendar. An open ticket's clock since years ago was a walk
   * of every day at each /ticket view (2,300 days, ~35 ms of CPU). The same sum of whole milliseconds.
   */
  businessMinutesBetween(from: Date, to: Date): number {
    if (to <= from) return 0;
    if (this.always) return (to.getTime() - from.getTime()) / 60_000;
    const first = dayNumber(localDateOf(from, this.timeZone));
    // Days past MAX_DAYS are not counted (as a walk of MAX_DAYS days would stop there).
    const last = Math.min(dayNumber(localDateOf(to, this.timeZone)), first + MAX_DAYS - 1);
    const clipped = (n: number) => {
      let ms = 0;
      for (const i of this.day(dateOfDay(n)).intervals) {
        const s = Math.max(i.start.getTime(), from.getTime());
        const e = Math.min(i.end.getTime(), to.getTime());
        if (e > s) ms += e - s;
      }
      return ms;
    };
    let total = clipped(first);
    if (last > first) total += this.#openMs(first + 1, last - 1) + clipped(last);
    return total / 60_000;
  }

  /** Open milliseconds of the whole days numbered a…b (none when b < a): stretches from the cache, the ends day by day. */
  #openMs(a: number, b: number): number {
    let ms = 0;
    let n = a;
    while (n <= b) {
      if (n % BLOCK_DAYS === 0 && n + BLOCK_DAYS - 1 <= b) {
        let block = this.#blocks.get(n);
        if (block === undefined) {
          block = 0;
          for (let k = n; k < n + BLOCK_DAYS; k++) block += this.#dayOpenMs(k);
          this.#blocks.set(n, block);
        }
        ms += block;
        n += BLOCK_DAYS;
      } else ms += this.#dayOpenMs(n++);
    }
    return ms;
  }

  #dayOpenMs(n: number): number {
    let ms = 0;
    for (const i of this.day(dateOfDay(n)).intervals) ms += i.end.getTime() - i.start.getTime();
    return ms;
  }

  /** Whether `at` falls inside opening hours. */
  isOpen(at: Date): boolean {
    if (this.always) return true;
    return this.day(localDateOf(at, this.timeZone)).intervals.some((i) => i.start <= at && at < i.end);
  }

  /** `at` itself when open, else the next opening instant. */
  nextOpening(at: Date): Date {
    if (this.always) return at;
    let date = localDateOf(at, this.timeZone);
    for (let n = 0; n < MAX_DAYS; n++, date = addDays(date, 1)) {
      for (const i of this.day(date).intervals) {
        if (i.end > at) return i.start > at ? i.start : at;
      }
    }
    throw new RangeError(`calendar "${this.name}" never opens after ${at.toISOString()}`);
  }
}

/** Closed days at the end of the steps say nothing (the deadline came before them). */
function trimClosedTail(steps: DeadlineStep[]): DeadlineStep[] {
  while (steps.length > 1 && steps[steps.length - 1]!.kind === 'closed') steps.pop();
  return steps;
}

/** Mon–Fri 09:00–18:00 Europe/Paris with France's holidays: the calendar when none is configured. */
export function defaultCalendar(timeZone = 'Europe/Paris'): BusinessCalendar {
  const day = [{ start: 9 * 60, end: 18 * 60 }];
  return new BusinessCalendar({
    name: 'business',
    timeZone,
    week: { sun: [], mon: day, tue: day, wed: day, thu: day, fri: day, sat: [] },
    holidays: 'FR',
    closed: new Map(),
    open: new Map(),
  });
}

/** Where a calendar came from, to name it in errors: a file's path and its raw text (for line numbers). */
export interface CalendarSource {
  readonly file?: string;
  readonly text?: string;
}

export type CalendarParse =
  | { readonly ok: true; readonly calendar: BusinessCalendar }
  | { readonly ok: false; readonly errors: readonly string[] };

const DAY_KEYS: Record<string, Weekday> = {
  sun: 'sun',
  sunday: 'sun',
  dim: 'sun',
  dimanche: 'sun',
  mon: 'mon',
  monday: 'mon',
  lun: 'mon',
  lundi: 'mon',
  tue: 'tue',
  tuesday: 'tue',
  mar: 'tue',
  mardi: 'tue',
  wed: 'wed',
  wednesday: 'wed',
  mer: 'wed',
  mercredi: 'wed',
  thu: 'thu',
  thursday: 'thu',
  jeu: 'thu',
  jeudi: 'thu',
  fri: 'fri',
  friday: 'fri',
  ven: 'fri',
  vendredi: 'fri',
  sat: 'sat',
  saturday: 'sat',
  sam: 'sat',
  samedi: 'sat',
};

/** Whether the runtime knows the IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** A sentence for an unknown zone, with the closest known one. */
export function unknownTimeZone(zone: string): string {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const near = closestWord(zone, known, 3);
  return `unknown time zone "${zone}" (${near ? `did you mean ${near}? ` : ''}an IANA name such as Europe/Paris)`;
}

/**
 * A calendar from its JSON form (BUSINESS_CALENDAR_FILE):
 * ```json
 * { "timeZone": "Europe/Paris", "holidays": "FR-67",
 *   "week": { "mon": ["09:00-12:30", "13:30-18:00"], "sat": ["09:00-12:00"] },
 *   "closed": [{ "date": "2026-08-10", "to": "2026-08-21", "reason": "summer break" }, "2026-12-24"],
 *   "open": ["2026-05-25", { "date": "2026-12-26", "slots": ["10:00-12:00"] }] }
 * ```
 * Days not named in `week` are closed. Every problem is reported (file:line when the text is known),
 * and a calendar with any problem is refused whole: nothing falls back silently to 24/7.
 */
export function parseCalendar(json: unknown, source: CalendarSource = {}): CalendarParse {
  const errors: string[] = [];
  const where = (needle: string | null): string => {
    const file = source.file ?? 'calendar';
    if (!needle || !source.text) return `${file}: `;
    const at = source.text.indexOf(needle);
    return at < 0 ? `${file}: ` : `${file}:${source.text.slice(0, at).split('\n').length}: `;
  };
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, errors: [`${where(null)}a calendar is a JSON object with "timeZone" and "week"`] };
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['name', 'timeZone', 'week', 'holidays', 'closed', 'open'].includes(key))
      errors.push(`${where(`"${key}"`)}unknown field "${key}" (expected name, timeZone, week, holidays, closed, open)`);
  }
  const timeZone = o['timeZone'] === undefined ? 'Europe/Paris' : o['timeZone'];
  if (typeof timeZone !== 'string' || !isTimeZone(timeZone))
    errors.push(
      `${where(typeof timeZone === 'string' ? `"${timeZone}"` : '"timeZone"')}timeZone: ${unknownTimeZone(String(timeZone))}`,
    );
  const holidays = o['holidays'] === undefined ? 'FR' : o['holidays'];
  if (!(HOLIDAY_REGIONS as readonly unknown[]).includes(holidays))
    errors.push(
      `${where('"holidays"')}holidays: "${String(holidays)}" is not known (expected ${HOLIDAY_REGIONS.join(', ')}; FR-57, FR-67 and FR-68 add Alsace-Moselle's Good Friday and 26 December)`,
    );
  const week = Object.fromEntries(WEEKDAYS.map((d) => [d, [] as Slot[]])) as Record<Weekday, Slot[]>;
  const rawWeek = o['week'];
  if (!rawWeek || typeof rawWeek !== 'object' || Array.isArray(rawWeek))
    errors.push(
      `${where('"week"')}week: give the opening slots per day, e.g. { "mon": ["09:00-12:30", "13:30-18:00"] }`,
    );
  else {
    for (const [key, value] of Object.entries(rawWeek as Record<string, unknown>)) {
      const day = DAY_KEYS[key.toLowerCase()];
      if (!day) {
        errors.push(`${where(`"${key}"`)}week: "${key}" is not a day (use mon, tue, wed, thu, fri, sat, sun)`);
        continue;
      }
      const slots = parseSlots(value, `week.${key}`, WEEKDAY_NAMES[day], (n) => where(n));
      if (typeof slots === 'string') errors.push(slots);
      else week[day].push(...slots);
    }
    if (WEEKDAYS.every((d) => week[d].length === 0) && !errors.length)
      errors.push(
        `${where('"week"')}week: no day has an open hour; a calendar must open at least once a week (use hours "24/7" in a policy for around the clock)`,
      );
  }
  const closed = new Map<LocalDate, string>();
  const open = new Map<LocalDate, readonly Slot[] | null>();
  const list = (key: 'closed' | 'open'): unknown[] => {
    const v = o[key];
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    errors.push(`${where(`"${key}"`)}${key}: a list of dates, e.g. ["2026-12-24"]`);
    return [];
  };
  for (const entry of list('closed')) {
    const e = typeof entry === 'string' ? { date: entry } : (entry as Record<string, unknown> | null);
    const date = e?.['date'];
    const to = e?.['to'] ?? date;
    if (typeof date !== 'string' || !isLocalDate(date)) {
      errors.push(
        `${where(typeof date === 'string' ? `"${date}"` : null)}closed: "${String(date)}" is not a date (YYYY-MM-DD, a real day)`,
      );
      continue;
    }
    if (typeof to !== 'string' || !isLocalDate(to) || to < date) {
      errors.push(
        `${where(typeof to === 'string' ? `"${to}"` : null)}closed: "to" (${String(to)}) must be a real date on or after ${date}`,
      );
      continue;
    }
    const reason =
      typeof e?.['reason'] === 'string' && e['reason'].trim()
        ? e['reason'].trim().slice(0, 100)
        : 'closed by the operator';
    for (let d = date, n = 0; d <= to && n < 400; d = addDays(d, 1), n++) closed.set(d, reason);
  }
  for (const entry of list('open')) {
    const e = typeof entry === 'string' ? { date: entry } : (entry as Record<string, unknown> | null);
    const date = e?.['date'];
    if (typeof date !== 'string' || !isLocalDate(date)) {
      errors.push(
        `${where(typeof date === 'string' ? `"${date}"` : null)}open: "${String(date)}" is not a date (YYYY-MM-DD, a real day)`,
      );
      continue;
    }
    if (e?.['slots'] === undefined) {
      open.set(date, null);
      continue;
    }
    const slots = parseSlots(e['slots'], `open ${date}`, date, (n) => where(n));
    if (typeof slots === 'string') errors.push(slots);
    else open.set(date, slots);
  }
  if (errors.length) return { ok: false, errors };
  const name = typeof o['name'] === 'string' && o['name'].trim() ? o['name'].trim().slice(0, 40) : 'business';
  return {
    ok: true,
    calendar: new BusinessCalendar({
      name,
      timeZone: timeZone as string,
      week,
      holidays: holidays as HolidayRegion,
      closed,
      open,
    }),
  };
}

/** ["09:00-12:30", "13:30-18:00"] → slots, or one sentence naming the day and the slots at fault. */
function parseSlots(
  value: unknown,
  field: string,
  dayName: string,
  where: (needle: string | null) => string,
): Slot[] | string {
  if (!Array.isArray(value)) return `${where(null)}${field}: a list of slots such as ["09:00-12:30", "13:30-18:00"]`;
  const slots: Slot[] = [];
  for (const raw of value) {
    const m = typeof raw === 'string' ? /^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$/.exec(raw) : null;
    const start = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
    const end = m ? Number(m[3]) * 60 + Number(m[4]) : NaN;
    if (!m || Number(m[2]) > 59 || Number(m[4]) > 59 || start > 1440 || end > 1440)
      return `${where(typeof raw === 'string' ? `"${raw}"` : null)}${field}: "${String(raw)}" is not a slot (HH:MM-HH:MM, e.g. 09:00-12:30; 24:00 for midnight)`;
    if (end <= start)
      return `${where(`"${raw as string}"`)}Invalid slots on ${dayName}: ${formatSlot({ start, end })} ends before it starts`;
    slots.push({ start, end });
  }
  slots.sort((a, b) => a.start - b.start);
  for (let i = 1; i < slots.length; i++) {
    if (slots[i]!.start < slots[i - 1]!.end)
      return `${where(null)}Invalid slots on ${dayName}: ${formatSlot(slots[i - 1]!)} overlaps ${formatSlot(slots[i]!)}`;
  }
  return slots;
}

/**
 * A deadline in words, for `sla preview` and `/ticket view`'s breakdown:
 * "Fri 27/03 17:40–18:00 20 min", "Sat 28/03 closed (Saturday: no opening hours)", ….
 */
export function explainDeadline(calendar: BusinessCalendar, deadline: Deadline): string[] {
  const tz = calendar.timeZone;
  return deadline.steps.map((s) => {
    const day = calendar.day(s.date);
    const dst = day.offsetChange ? `; clocks change: ${day.offsetChange}` : '';
    const label = `${WEEKDAY_NAMES[weekdayOf(s.date)].slice(0, 3)} ${s.date.slice(8, 10)}/${s.date.slice(5, 7)}`;
    if (s.kind === 'closed') return `${label} closed (${s.reason}${dst})`;
    return `${label} ${hhmm(wallClock(s.from, tz).minutes)}–${s.to.getTime() === instantOf(s.date, 1440, tz).getTime() ? '24:00' : hhmm(wallClock(s.to, tz).minutes)} ${formatBusinessMinutes(s.minutes)}${dst}`;
  });
}

/** "20 min", "3 h 40 min", "2 h". */
export function formatBusinessMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** "Mon 30/03 12:40 Europe/Paris (10:40 UTC)". */
export function formatLocal(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${WEEKDAY_NAMES[weekdayOf(w.date)].slice(0, 3)} ${w.date} ${hhmm(Math.floor(w.minutes))} ${timeZone} (${at.toISOString().slice(11, 16)} UTC)`;
}
