/** The support ticket and the pure rules around it (how the legacy tables store it is adapters/mysql's business). */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const CATEGORIES = ['general', 'technical', 'billing', 'complaint', 'suggestion'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type Category = (typeof CATEGORIES)[number];
export type TicketStatus = 'open' | 'closed';

/**
 * A date as the shop writes it: 'Y-m-j H:i:s' (day not padded) in its local time (Europe/Paris), or
 * ISO-8601; null when the text is neither. The old site's rows and its API's filters use both.
 */
export function parseShopDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const v = value.trim();
  const php = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (php) {
    const [, y, mo, d, h, mi, s] = php;
    // Naive local time of the shop: interpret as Europe/Paris by measuring that zone's offset at that instant.
    const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
    return new Date(utc - zoneOffsetMs(new Date(utc), 'Europe/Paris'));
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t);
}

/** Offset of an IANA zone from UTC at an instant, in ms (Paris in summer: +7,200,000). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The ticket number in a subject: "Re: [#83] Brake pads" → 83. */
export function ticketTagInSubject(subject: string): number | null {
  const m = /\[#(\d{1,9})\]/.exec(subject);
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 ? n : null;
}

/**
 * A ticket number the customer typed in a new email's subject without the brackets: "Demande n° 4",
 * "ticket #4", "Request number 4" (our acknowledgement says "la demande n° 4"). Only with one of those
 * words before it, never a bare number (an order number, a quantity); intake takes it only from that
 * ticket's own people, as it does the [#N] tag.
 */
export function ticketMentionInSubject(subject: string): number | null {
  const m =
    /(?:^|[^\p{L}])(?:demande|ticket|dossier|request|case)\s*(?:n\s*[°º]|no\.|num[ée]ro|number|#)\s*(\d{1,9})(?!\d)/iu.exec(
      subject,
    ) ?? /(?:^|[^\p{L}])ticket\s+(\d{1,9})(?![\d/.,-])/iu.exec(subject);
  const n = m ? Number(m[1]) : 0;
  return n > 0 ? n : null;
}

/** The subject of our mail about ticket N: the tag once, in front. */
export function taggedSubject(ticketId: number, subject: string): string {
  const bare = subject.replace(/\s*\[#\d{1,9}\]\s*/g, ' ').trim();
  // A reply reads "Re: [#3] Brake pads", as mail clients write it, not "[#3] Re: Brake pads".
  const re = /^re\s*:\s*/i.exec(bare);
  return cutText(
    re
      ? `Re: [#${ticketId}] ${bare.slice(re[0].length) || '(no subject)'}`
      : `[#${ticketId}] ${bare || '(no subject)'}`,
    500,
  );
}

/** A reply row's subject, as the old site writes it. */
export function replySubject(ticketSubject: string): string {
  return /^re:/i.test(ticketSubject.trim()) ? ticketSubject.trim() : `Re: ${ticketSubject.trim()}`;
}

/** "Re: Fwd: TR: [#3] Brake pads" → "Brake pads": the subject a new ticket is filed under. */
export function cleanSubject(subject: string): string {
  // Another ticket's tag in a new ticket's subject would mislead: it is not that ticket.
  let s = subject
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s*\[#\d{1,9}\]\s*/g, ' ')
    .trim();
  for (let i = 0; i < 10; i++) {
    const next = s.replace(/^(re|fwd?|tr|aw|wg|réf|rép)\s*(\[\d+\])?\s*:\s*/i, '').trim();
    if (next === s) break;
    s = next;
  }
  return cutText(s, 500);
}

/** The first `max` UTF-16 units of a text, never half of a character written with two (an emoji: 🔧). */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * An order number the customer gave: "commande n° CMD-2024-10482", "order #104823", "Bestellung 55555".
 * The shop's numbers are digits, optionally with a prefix and dashes.
 */
export function findOrderNumber(text: string): string | null {
  const head = text.slice(0, 20_000);
  const patterns = [
    /\b(?:CMD|ORD|CDE)[-\s]?\d{2,4}[-\s]?\d{3,10}\b/i,
    /\b(?:commande|cde|order|bestellung|pedido)\s*(?:n[°o.]?|num(?:éro|ero)?|number|no\.?|#)?\s*[:#]?\s*([A-Z]{0,4}-?\d{4,12}(?:-\d{1,10})?)\b/i,
  ];
  for (const re of patterns) {
    const m = re.exec(head);
    if (m) return (m[1] ?? m[0]).replace(/\s+/g, '-').toUpperCase().slice(0, 64);
  }
  return null;
}

/** "Jean-Pierre DUPONT" → { first: "Jean-Pierre", last: "DUPONT" }; "Dupont, Marie" → first Marie. */
const PARTICLE = /^(de|du|des|le|la|d['’]|van|von|der|den|di|da|del|della|dos|das)$/i;
/** Words of a shared mailbox's address, never a person's name. */
const ROLE_MAILBOX_WORDS = new Set([
  'service',
  'client',
  'clients',
  'contact',
  'info',
  'infos',
  'support',
  'admin',
  'sales',
  'vente',
  'ventes',
  'compta',
  'comptabilite',
  'commande',
  'commandes',
  'order',
  'orders',
  'team',
  'equipe',
  'office',
  'bureau',
  'accueil',
  'noreply',
  'reply',
  'mail',
  'atelier',
  'garage',
  'pro',
  'achats',
  'purchasing',
  'billing',
  'facturation',
]);

export function splitDisplayName(displayName: string, address: string): { first: string | null; last: string | null } {
  let name = unquoteName(displayName.replace(/\s+/g, ' ').trim());
  if (!name || name.includes('@')) name = '';
  if (!name) {
    const local = address.split('@')[0] ?? '';
    const parts = local.split(/[._-]+/).filter((p) => /^[a-zà-ÿ]{2,}$/i.test(p));
    // "service.client@", "contact.pro@": a mailbox's role, not a person ("Bonjour Service,").
    if (parts.length === 2 && !parts.some((p) => ROLE_MAILBOX_WORDS.has(p.toLowerCase())))
      name = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join(' ');
    else return { first: null, last: null };
  }
  // "Mme DURAND Claire", "M. Jean Dupont", "Dr. Smith": the title is not part of the name.
  name =
    name.replace(/^(?:(?:m|mme|mlle|mr|mrs|ms|miss|dr|me|pr|monsieur|madame|mademoiselle)\.?\s+)+/i, '').trim() || name;
  // "jean dupont": written in lowercase, greeted as "Jean" (particles stay as they are).
  if (name === name.toLowerCase())
    name = name.replace(/(^|[\s-])(\p{Ll})/gu, (m, sep: string, c: string, at: number) =>
      PARTICLE.test(name.slice(at + sep.length).split(/[\s]/)[0] ?? '') ? m : `${sep}${c.toUpperCase()}`,
    );
  if (name.includes(',')) {
    const [last, first] = name.split(',', 2).map((p) => p.trim());
    return { first: first || null, last: last || null };
  }
  const words = name.split(' ');
  if (words.length === 1) return { first: words[0]!.slice(0, 255), last: null };
  // "DUPONT Jean", "LE GALL Anne-Marie": the French way, the last name first and in capitals.
  const shouted = (w: string) => /\p{Lu}{2}/u.test(w) && w === w.toUpperCase() && /\p{L}/u.test(w);
  const capsLead = words.findIndex((w) => !shouted(w));
  if (capsLead > 0 && words.slice(capsLead).every((w) => !shouted(w))) {
    return {
      first: words.slice(capsLead).join(' ').slice(0, 255),
      last: words.slice(0, capsLead).join(' ').slice(0, 255),
    };
  }
  // "Anne de la Tour": the particle belongs to the last name.
  let lastStart = words.length - 1;
  while (lastStart > 1 && PARTICLE.test(words[lastStart - 1]!)) lastStart--;
  return {
    first: words.slice(0, lastStart).join(' ').slice(0, 255),
    last: words.slice(lastStart).join(' ').slice(0, 255),
  };
}

/**
 * A display name without its quotes ("Anne Marie", 'Anne Marie'): double quotes are never part of a
 * name, but an apostrophe inside one is (O'Connor, d'Arc, 't Hooft), so single quotes go only in pairs
 * around the whole name.
 */
function unquoteName(name: string): string {
  const unquoted = name.replace(/["“”„]/g, '').trim();
  const first = unquoted[0];
  const last = unquoted[unquoted.length - 1];
  if (unquoted.length >= 2 && (first === "'" || first === '‘') && (last === "'" || last === '’'))
    return unquoted.slice(1, -1).trim();
  return unquoted;
}
