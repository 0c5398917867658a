/** Dates as mail clients write them: RFC 5322 Date headers, quote headers in French and English, Paris and London time. */
import { DAY, type Lang } from './random.ts';

// ---------------------------------------------------------------------------
// Dates

export const DOW_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MON_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const MONTH_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const DOW_FR = ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'];
export const MON_FR = [
  'janv.',
  'févr.',
  'mars',
  'avr.',
  'mai',
  'juin',
  'juil.',
  'août',
  'sept.',
  'oct.',
  'nov.',
  'déc.',
];
export const MONTH_FR = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

export function lastSundayUtc(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0, 1, 0, 0);
  return last - new Date(last).getUTCDay() * DAY;
}

/** EU summer time: last Sunday of March 01:00 UTC → last Sunday of October 01:00 UTC. */
export const dstCache = new Map<number, [number, number]>();
export function euDst(t: number): boolean {
  const y = new Date(t).getUTCFullYear();
  let span = dstCache.get(y);
  if (!span) dstCache.set(y, (span = [lastSundayUtc(y, 2), lastSundayUtc(y, 9)]));
  return t >= span[0] && t < span[1];
}

export type Zone = 'paris' | 'london' | 'utc';

export function offsetMinutes(zone: Zone, t: number): number {
  if (zone === 'utc') return 0;
  const dst = euDst(t) ? 60 : 0;
  return zone === 'paris' ? 60 + dst : dst;
}

export const p2 = (n: number): string => String(n).padStart(2, '0');

export function local(t: number, zone: Zone): Date {
  return new Date(t + offsetMinutes(zone, t) * 60_000);
}

export function rfc5322Date(t: number, zone: Zone): string {
  const off = offsetMinutes(zone, t);
  const d = local(t, zone);
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${DOW_EN[d.getUTCDay()]}, ${d.getUTCDate()} ${MON_EN[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

export function dayPhrase(t: number, lang: Lang, zone: Zone): string {
  const d = local(t, zone);
  const day = d.getUTCDate();
  if (lang === 'fr') return `le ${day === 1 ? '1er' : day} ${MONTH_FR[d.getUTCMonth()]}`;
  return `on ${day} ${MONTH_EN[d.getUTCMonth()]}`;
}

export function quoteHeader(t: number, lang: Lang, zone: Zone, name: string, addr: string, style: number): string {
  const d = local(t, zone);
  const hh = d.getUTCHours();
  const mm = p2(d.getUTCMinutes());
  if (lang === 'fr') {
    if (style === 0)
      return `Le ${DOW_FR[d.getUTCDay()]} ${d.getUTCDate()} ${MON_FR[d.getUTCMonth()]} ${d.getUTCFullYear()} à ${p2(hh)}:${mm}, ${name} <${addr}> a écrit :`;
    return `Le ${p2(d.getUTCDate())}/${p2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} à ${p2(hh)}:${mm}, ${name} a écrit :`;
  }
  if (style === 0) {
    const h12 = hh % 12 === 0 ? 12 : hh % 12;
    return `On ${DOW_EN[d.getUTCDay()]}, ${MON_EN[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${h12}:${mm} ${hh < 12 ? 'AM' : 'PM'} ${name} <${addr}> wrote:`;
  }
  return `On ${p2(d.getUTCDate())}/${p2(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p2(hh)}:${mm}, ${name} wrote:`;
}
