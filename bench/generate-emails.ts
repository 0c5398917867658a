/**
 * Deterministic generator of realistic support emails for the car-parts shop
 * (benchmarks and tests). Same (count, seed, options) → byte-identical output.
 *
 * Mix (roughly): 70 % new tickets, 20 % replies to an earlier email of the batch,
 * 4 % out-of-office auto-replies, 3 % bounces (DSN), 3 % newsletters;
 * 55 % French / 45 % English.
 */
import { seededRandom } from './shop-data.ts';

export interface GeneratedEmail {
  raw: Buffer;
  messageId: string | null;
  kind: 'new' | 'reply' | 'auto_reply' | 'bounce' | 'list';
  language: 'fr' | 'en';
}

export interface GenerateOptions {
  /** End of the 30-day window the Date headers are spread over. Fixed by default so output is deterministic. */
  now?: Date | number;
}

type Lang = 'fr' | 'en';
type Kind = GeneratedEmail['kind'];

const DEFAULT_NOW = Date.UTC(2024, 10, 15, 17, 0, 0); // 2024-11-15T17:00:00Z
const SUPPORT = 'support@ticketrelay.test';
const CRLF = '\r\n';
const DAY = 86_400_000;

// ---------------------------------------------------------------------------
// PRNG

class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)] as T;
  }
  hex(len: number): string {
    let s = '';
    while (s.length < len) s += ((this.next() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, len);
  }
  alnum(len: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  private pool: Buffer | null = null;
  /** Pseudo-random bytes: a slice of a 64 KiB pool drawn once (fake attachment content, n ≤ 64 KiB). */
  bytes(n: number): Buffer {
    if (!this.pool) {
      const pool = Buffer.alloc(65536);
      for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE((this.next() * 0x100000000) >>> 0, i);
      this.pool = pool;
    }
    const len = Math.min(n, this.pool.length);
    const off = this.int(this.pool.length - len + 1);
    return this.pool.subarray(off, off + len);
  }
}

// ---------------------------------------------------------------------------
// Encodings (RFC 2045 quoted-printable / base64, RFC 2047 encoded-words)

const HEX = '0123456789ABCDEF';
const QP_TOKENS: string[] = [];
for (let b = 0; b < 256; b++) {
  QP_TOKENS.push(b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : '=' + HEX[b >> 4] + HEX[b & 15]);
}

/** Quoted-printable, hard line breaks from '\n', soft breaks so no line exceeds 76 chars. */
export function encodeQuotedPrintable(text: string): string {
  let out = '';
  let cur = '';
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      out += cur + CRLF;
      cur = '';
      continue;
    }
    let tok: string;
    if (c < 128) {
      const atEol = i + 1 === n || text.charCodeAt(i + 1) === 10;
      tok = (c === 32 || c === 9) && !atEol ? (c === 32 ? ' ' : '\t') : (QP_TOKENS[c] as string);
    } else {
      let ch = text[i] as string;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) ch += text[++i];
      tok = '';
      for (const b of Buffer.from(ch, 'utf8')) tok += QP_TOKENS[b] as string;
    }
    if (cur.length + tok.length > 75) {
      out += cur + '=' + CRLF;
      cur = '';
    }
    cur += tok;
  }
  return out + cur;
}

function wrap76(s: string): string {
  if (s.length <= 76) return s;
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += 76) parts.push(s.slice(i, i + 76));
  return parts.join(CRLF);
}

export function encodeBase64(data: Buffer | string): string {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return wrap76(buf.toString('base64'));
}

const NON_ASCII = /[^\x20-\x7e]/;

/** Splits into code-point chunks whose UTF-8 size is at most maxBytes. */
function utf8Chunks(s: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let cur = '';
  let size = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (size + n > maxBytes && cur) {
      chunks.push(cur);
      cur = '';
      size = 0;
    }
    cur += ch;
    size += n;
  }
  if (cur) chunks.push(cur);
  return chunks;
}

/** RFC 2047 B encoded-words, each ≤ 75 chars, folded with CRLF SP. */
function encodeWordsB(s: string): string {
  return utf8Chunks(s, 45)
    .map((c) => `=?UTF-8?B?${Buffer.from(c, 'utf8').toString('base64')}?=`)
    .join(CRLF + ' ');
}

function qWordChar(ch: string): string {
  if (/^[A-Za-z0-9!*+\-/]$/.test(ch)) return ch;
  if (ch === ' ') return '_';
  let s = '';
  for (const b of Buffer.from(ch, 'utf8')) s += '=' + HEX[b >> 4] + HEX[b & 15];
  return s;
}

/** RFC 2047 Q encoded-words (phrase rules), each ≤ 75 chars. */
function encodeWordsQ(s: string): string {
  const words: string[] = [];
  let cur = '';
  for (const ch of s) {
    const t = qWordChar(ch);
    if (cur.length + t.length > 63) {
      words.push(cur);
      cur = '';
    }
    cur += t;
  }
  if (cur) words.push(cur);
  return words.map((w) => `=?UTF-8?Q?${w}?=`).join(CRLF + ' ');
}

function encodeSubject(s: string): string {
  return NON_ASCII.test(s) ? encodeWordsB(s) : s;
}

function formatAddress(name: string | null, addr: string, useQ: boolean): string {
  if (!name) return addr;
  if (NON_ASCII.test(name)) return `${useQ ? encodeWordsQ(name) : encodeWordsB(name)} <${addr}>`;
  if (/[^A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}" <${addr}>`;
  return `${name} <${addr}>`;
}

function rfc2231Filename(name: string): string {
  if (!NON_ASCII.test(name) && !/[ "\\]/.test(name)) return `filename="${name}"`;
  return `filename*=utf-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

// ---------------------------------------------------------------------------
// Dates

const DOW_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MON_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_EN = [
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
const DOW_FR = ['dim.', 'lun.', 'mar.', 'mer.', 'jeu.', 'ven.', 'sam.'];
const MON_FR = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
const MONTH_FR = [
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

function lastSundayUtc(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0, 1, 0, 0);
  return last - new Date(last).getUTCDay() * DAY;
}

/** EU summer time: last Sunday of March 01:00 UTC → last Sunday of October 01:00 UTC. */
const dstCache = new Map<number, [number, number]>();
function euDst(t: number): boolean {
  const y = new Date(t).getUTCFullYear();
  let span = dstCache.get(y);
  if (!span) dstCache.set(y, (span = [lastSundayUtc(y, 2), lastSundayUtc(y, 9)]));
  return t >= span[0] && t < span[1];
}

type Zone = 'paris' | 'london' | 'utc';

function offsetMinutes(zone: Zone, t: number): number {
  if (zone === 'utc') return 0;
  const dst = euDst(t) ? 60 : 0;
  return zone === 'paris' ? 60 + dst : dst;
}

const p2 = (n: number): string => String(n).padStart(2, '0');

function local(t: number, zone: Zone): Date {
  return new Date(t + offsetMinutes(zone, t) * 60_000);
}

function rfc5322Date(t: number, zone: Zone): string {
  const off = offsetMinutes(zone, t);
  const d = local(t, zone);
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${DOW_EN[d.getUTCDay()]}, ${d.getUTCDate()} ${MON_EN[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
}

function dayPhrase(t: number, lang: Lang, zone: Zone): string {
  const d = local(t, zone);
  const day = d.getUTCDate();
  if (lang === 'fr') return `le ${day === 1 ? '1er' : day} ${MONTH_FR[d.getUTCMonth()]}`;
  return `on ${day} ${MONTH_EN[d.getUTCMonth()]}`;
}

function quoteHeader(t: number, lang: Lang, zone: Zone, name: string, addr: string, style: number): string {
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

// ---------------------------------------------------------------------------
// Domain data

const FIRST_FR = [
  'Sébastien',
  'Hélène',
  'Jérôme',
  'François',
  'Amélie',
  'Cécile',
  'Stéphane',
  'Noémie',
  'Loïc',
  'Zoé',
  'Gaëlle',
  'Raphaël',
  'Anaïs',
  'Benoît',
  'Céline',
  'Éric',
  'Agnès',
  'Frédéric',
  'Inès',
  'Léa',
  'Chloé',
  'Clément',
  'Jérémy',
  'Thibault',
  'Maëlle',
  'Joël',
  'Ophélie',
  'Julien',
  'Marie',
  'Nicolas',
  'Camille',
  'Thomas',
  'Sophie',
  'Pierre',
  'Isabelle',
  'Laurent',
  'Nathalie',
  'Mathieu',
  'Aurélie',
  'Émilie',
  'Grégory',
  'Valérie',
  'Hervé',
  'Béatrice',
  'Régis',
  'Séverine',
  'Jean-François',
  'Marie-Hélène',
  'Dominique',
  'Yannick',
];
const LAST_FR = [
  'Lefèvre',
  'Bérenger',
  'Deschênes',
  'Gaillard',
  'Rousseau',
  'Lemaître',
  'Fontaine',
  'Chevalier',
  'Hébert',
  'Mercier',
  'Noël',
  'Girard',
  'Dubois',
  'Étienne',
  'Leroy',
  'Faure',
  'Thévenin',
  'Prévost',
  'Martin',
  'Bernard',
  'Moreau',
  'Lefebvre',
  'Garnier',
  'Perrin',
  'Benoît',
  'Léger',
  'Brûlé',
  'Dupré',
  'Ménard',
  'Boucher',
  'Lacroix',
  'Gauthier',
  'Chérif',
  'Nguyen',
  'Da Silva',
  'Lopès',
  'Rivière',
  'Lamothe',
  'Bégué',
  'Pérez',
];
const FIRST_EN = [
  'James',
  'Emily',
  'Seán',
  'Zoë',
  'Renée',
  'Chloë',
  'Michael',
  'Sarah',
  'Daniel',
  'José',
  'Björn',
  'Marta',
  'Oliver',
  'Charlotte',
  'Harry',
  'Amelia',
  'George',
  'Olivia',
  'Jack',
  'Sophie',
  'William',
  'Grace',
  'Thomas',
  'Jessica',
  'Noël',
  'Aoife',
  'Siobhán',
  'Liam',
  'Hannah',
  'Matthew',
];
const LAST_EN = [
  'Walker',
  'Carter',
  "O'Brien",
  'Hughes',
  'Parker',
  'Bennett',
  'Thompson',
  'Mitchell',
  'Kowalski',
  'García',
  'Larsen',
  'Nowak',
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Wilson',
  'Evans',
  'Roberts',
  'Müller',
  'Byrne',
  'Murphy',
  'Clarke',
  'Wright',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Núñez',
  'Brontë',
];
const DOMAINS_FR = [
  'example.fr',
  'example.com',
  'mail.example.fr',
  'orange.example',
  'free.example',
  'laposte.example',
  'sfr.example',
  'wanadoo.example',
];
const DOMAINS_EN = [
  'example.com',
  'example.co.uk',
  'example.org',
  'mail.example.net',
  'btinternet.example',
  'outlook.example',
  'example.ie',
];

const STREETS = [
  'rue des Tilleuls',
  'avenue Jean Jaurès',
  'rue de la République',
  'chemin des Vignes',
  'boulevard Gambetta',
  'rue Victor Hugo',
  'impasse des Lilas',
  'route de Bordeaux',
  "place de l'Église",
  'allée des Châtaigniers',
];
const CITIES = [
  '69003 Lyon',
  '33000 Bordeaux',
  '31400 Toulouse',
  '44000 Nantes',
  '59800 Lille',
  '67000 Strasbourg',
  '13006 Marseille',
  '35000 Rennes',
  '21000 Dijon',
  '63000 Clermont-Ferrand',
  '74000 Annecy',
  '29200 Brest',
  '87000 Limoges',
  '38000 Grenoble',
  '06000 Nice',
];
const CITIES_EN = [
  'London SW1A 1AA',
  'Manchester M1 2AB',
  'Bristol BS1 4DJ',
  'Dublin 2',
  'Leeds LS1 4AP',
  'Brighton BN1 1AA',
  'Edinburgh EH1 1YZ',
  'Cardiff CF10 1AA',
];

interface Vehicle {
  make: string;
  model: string;
  engine: string;
  code: string;
  years: [number, number];
  wmi: string;
}
const VEHICLES: Vehicle[] = [
  { make: 'Peugeot', model: '308 II', engine: '1.6 BlueHDi 120', code: 'BH01', years: [2014, 2019], wmi: 'VF3' },
  { make: 'Renault', model: 'Clio IV', engine: '0.9 TCe 90', code: 'H4B 400', years: [2013, 2019], wmi: 'VF1' },
  { make: 'Citroën', model: 'C3 III', engine: '1.2 PureTech 82', code: 'EB2F', years: [2016, 2022], wmi: 'VF7' },
  { make: 'Volkswagen', model: 'Golf VII', engine: '2.0 TDI 150', code: 'CRBC', years: [2013, 2019], wmi: 'WVW' },
  { make: 'Dacia', model: 'Sandero II', engine: '1.5 dCi 90', code: 'K9K 612', years: [2013, 2020], wmi: 'UU1' },
  { make: 'Renault', model: 'Mégane III', engine: '1.5 dCi 110', code: 'K9K 636', years: [2009, 2016], wmi: 'VF1' },
  { make: 'Peugeot', model: '208', engine: '1.2 PureTech 82', code: 'HMZ', years: [2012, 2019], wmi: 'VF3' },
  { make: 'Ford', model: 'Focus III', engine: '1.0 EcoBoost 125', code: 'M1DA', years: [2012, 2018], wmi: 'WF0' },
  { make: 'Toyota', model: 'Yaris III', engine: '1.33 VVT-i', code: '1NR-FE', years: [2011, 2020], wmi: 'VNK' },
  { make: 'BMW', model: 'Série 1 (F20)', engine: '118d', code: 'N47D20C', years: [2011, 2015], wmi: 'WBA' },
  { make: 'Audi', model: 'A3 (8V)', engine: '1.6 TDI 110', code: 'CLHA', years: [2012, 2018], wmi: 'WAU' },
  { make: 'Opel', model: 'Corsa E', engine: '1.4 90', code: 'B14XER', years: [2014, 2019], wmi: 'W0L' },
  { make: 'Fiat', model: '500', engine: '1.2 8V 69', code: '169A4000', years: [2008, 2020], wmi: 'ZFA' },
  { make: 'Citroën', model: 'Berlingo II', engine: '1.6 HDi 90', code: '9HX', years: [2008, 2015], wmi: 'VF7' },
  { make: 'Renault', model: 'Kangoo II', engine: '1.5 dCi 75', code: 'K9K 808', years: [2010, 2020], wmi: 'VF1' },
  { make: 'Skoda', model: 'Octavia III', engine: '1.6 TDI 105', code: 'CXXB', years: [2013, 2019], wmi: 'TMB' },
  {
    make: 'Mercedes-Benz',
    model: 'Classe A (W176)',
    engine: 'A 180 CDI',
    code: 'OM607.951',
    years: [2012, 2018],
    wmi: 'WDD',
  },
  { make: 'Nissan', model: 'Qashqai (J11)', engine: '1.5 dCi 110', code: 'K9K 646', years: [2014, 2021], wmi: 'SJN' },
  { make: 'Volkswagen', model: 'Polo V', engine: '1.2 TSI 90', code: 'CBZB', years: [2010, 2017], wmi: 'WVW' },
  { make: 'Peugeot', model: '3008', engine: '1.5 BlueHDi 130', code: 'DV5RC', years: [2018, 2023], wmi: 'VF3' },
];

interface PartDef {
  fr: { def: string; un: string; bare: string; pl: boolean; f: boolean };
  en: { def: string; a: string; bare: string; pl: boolean };
  refs: readonly (readonly [string, string])[]; // brand, reference
  price: [number, number];
}
const PARTS: PartDef[] = [
  {
    fr: {
      def: 'les plaquettes de frein avant',
      un: 'un jeu de plaquettes de frein avant',
      bare: 'plaquettes de frein',
      pl: true,
      f: true,
    },
    en: { def: 'the front brake pads', a: 'a set of front brake pads', bare: 'brake pads', pl: true },
    refs: [
      ['Bosch', '0 986 494 524'],
      ['TRW', 'GDB1330'],
      ['Brembo', 'P 85 020'],
      ['Ferodo', 'FDB1617'],
    ],
    price: [24, 69],
  },
  {
    fr: {
      def: 'les disques de frein',
      un: 'une paire de disques de frein',
      bare: 'disques de frein',
      pl: true,
      f: false,
    },
    en: { def: 'the brake discs', a: 'a pair of brake discs', bare: 'brake discs', pl: true },
    refs: [
      ['Brembo', '09.A185.11'],
      ['ATE', '24.0128-0197.1'],
      ['Zimmermann', '150.2900.20'],
    ],
    price: [45, 140],
  },
  {
    fr: { def: 'le filtre à huile', un: 'un filtre à huile', bare: 'filtre à huile', pl: false, f: false },
    en: { def: 'the oil filter', a: 'an oil filter', bare: 'oil filter', pl: false },
    refs: [
      ['Mann-Filter', 'W 712/75'],
      ['Purflux', 'LS933'],
      ['Bosch', 'F 026 407 183'],
    ],
    price: [6, 19],
  },
  {
    fr: { def: "le filtre d'habitacle", un: "un filtre d'habitacle", bare: 'filtre habitacle', pl: false, f: false },
    en: { def: 'the cabin filter', a: 'a cabin air filter', bare: 'cabin filter', pl: false },
    refs: [
      ['Valeo', '715600'],
      ['Mann-Filter', 'CUK 2862'],
      ['Bosch', '1 987 432 397'],
    ],
    price: [9, 29],
  },
  {
    fr: { def: 'le filtre à air', un: 'un filtre à air', bare: 'filtre à air', pl: false, f: false },
    en: { def: 'the air filter', a: 'an air filter', bare: 'air filter', pl: false },
    refs: [
      ['Purflux', 'A1274'],
      ['Mann-Filter', 'C 27 009'],
      ['Bosch', 'F 026 400 287'],
    ],
    price: [11, 34],
  },
  {
    fr: { def: 'la batterie', un: 'une batterie', bare: 'batterie', pl: false, f: true },
    en: { def: 'the battery', a: 'a battery', bare: 'battery', pl: false },
    refs: [
      ['Varta', 'E11 Blue Dynamic 74Ah'],
      ['Bosch', 'S4 005'],
      ['Exide', 'EA722'],
      ['Fulmen', 'FA640'],
    ],
    price: [79, 189],
  },
  {
    fr: { def: "le kit d'embrayage", un: "un kit d'embrayage", bare: 'embrayage', pl: false, f: false },
    en: { def: 'the clutch kit', a: 'a clutch kit', bare: 'clutch kit', pl: false },
    refs: [
      ['Valeo', '826317'],
      ['LuK', '623 3090 00'],
      ['Sachs', '3000 951 029'],
    ],
    price: [119, 389],
  },
  {
    fr: { def: 'le phare avant gauche', un: 'un phare avant gauche', bare: 'phare', pl: false, f: false },
    en: { def: 'the left headlight', a: 'a left-hand headlight', bare: 'headlight', pl: false },
    refs: [
      ['Valeo', '046652'],
      ['Hella', '1EL 010 330-051'],
      ['TYC', '20-12345-05-2'],
    ],
    price: [89, 349],
  },
  {
    fr: { def: 'les ampoules H7', un: 'deux ampoules H7', bare: 'ampoules H7', pl: true, f: true },
    en: { def: 'the H7 bulbs', a: 'two H7 bulbs', bare: 'H7 bulbs', pl: true },
    refs: [
      ['Philips', '12972XVPS2'],
      ['Osram', '64210NL-HCB'],
    ],
    price: [14, 42],
  },
  {
    fr: {
      def: "les balais d'essuie-glace",
      un: "une paire de balais d'essuie-glace",
      bare: 'essuie-glaces',
      pl: true,
      f: false,
    },
    en: { def: 'the wiper blades', a: 'a pair of wiper blades', bare: 'wiper blades', pl: true },
    refs: [
      ['Bosch', 'Aerotwin A 863 S'],
      ['Valeo', 'Silencio VF 820'],
      ['Champion', 'AFL6050'],
    ],
    price: [17, 45],
  },
  {
    fr: { def: 'les amortisseurs arrière', un: 'deux amortisseurs arrière', bare: 'amortisseurs', pl: true, f: false },
    en: { def: 'the rear shock absorbers', a: 'two rear shock absorbers', bare: 'shock absorbers', pl: true },
    refs: [
      ['Monroe', 'G1093'],
      ['KYB', '343 463'],
      ['Sachs', '313 467'],
    ],
    price: [59, 179],
  },
  {
    fr: {
      def: 'le kit de distribution',
      un: 'un kit de distribution avec pompe à eau',
      bare: 'kit distribution',
      pl: false,
      f: false,
    },
    en: { def: 'the timing belt kit', a: 'a timing belt kit with water pump', bare: 'timing belt kit', pl: false },
    refs: [
      ['Gates', 'KP15603XS'],
      ['Dayco', 'KTBWP7880'],
      ['Contitech', 'CT1139WP1'],
    ],
    price: [99, 259],
  },
  {
    fr: {
      def: 'les bougies de préchauffage',
      un: 'quatre bougies de préchauffage',
      bare: 'bougies',
      pl: true,
      f: true,
    },
    en: { def: 'the glow plugs', a: 'four glow plugs', bare: 'glow plugs', pl: true },
    refs: [
      ['NGK', 'Y-1002AS'],
      ['Bosch', '0 250 403 009'],
      ['Beru', 'GE102'],
    ],
    price: [29, 79],
  },
  {
    fr: { def: "l'alternateur", un: 'un alternateur', bare: 'alternateur', pl: false, f: false },
    en: { def: 'the alternator', a: 'an alternator', bare: 'alternator', pl: false },
    refs: [
      ['Valeo', '439669'],
      ['Bosch', '0 124 525 091'],
    ],
    price: [169, 429],
  },
  {
    fr: { def: 'le rétroviseur droit', un: 'un rétroviseur droit', bare: 'rétroviseur', pl: false, f: false },
    en: { def: 'the right wing mirror', a: 'a right-hand wing mirror', bare: 'wing mirror', pl: false },
    refs: [
      ['Van Wezel', '4029808'],
      ['Blic', '5402-04-1121227P'],
    ],
    price: [39, 129],
  },
  {
    fr: { def: "l'huile moteur 5W30", un: "un bidon d'huile 5W30 de 5 L", bare: 'huile 5W30', pl: false, f: true },
    en: { def: 'the 5W30 engine oil', a: 'a 5 L can of 5W30 engine oil', bare: '5W30 oil', pl: false },
    refs: [
      ['Total', 'Quartz Ineo ECS 5W30'],
      ['Castrol', 'Edge 5W-30 LL'],
      ['Motul', '8100 X-clean 5W30'],
    ],
    price: [32, 64],
  },
];
const CARRIERS = ['Colissimo', 'Chronopost', 'DPD', 'GLS', 'UPS', 'Mondial Relay', 'DHL'];

// ---------------------------------------------------------------------------
// Customers

interface Order {
  cmd: string;
  num: string;
}
interface Customer {
  name: string;
  first: string;
  email: string;
  lang: Lang;
  zone: Zone;
  phone: string;
  address: string;
  orders: Order[];
  vehicle: Vehicle;
  year: number;
  vin: string;
  useQ: boolean;
  noName: boolean;
  wraps: boolean;
  agent: number;
}

const VIN_ALPHA = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9-]/g, '')
    .toLowerCase();
}

function makeOrder(r: Rand, year: number): Order {
  return { cmd: `CMD-${year}-${r.range(10000, 99999)}`, num: String(r.range(100000, 999999)) };
}

function makeCustomers(r: Rand, n: number): Customer[] {
  const seen = new Set<string>();
  const out: Customer[] = [];
  for (let i = 0; i < n; i++) {
    const lang: Lang = r.chance(0.55) ? 'fr' : 'en';
    const first = r.pick(lang === 'fr' ? FIRST_FR : FIRST_EN);
    const last = r.pick(lang === 'fr' ? LAST_FR : LAST_EN);
    const f = asciiFold(first);
    const l = asciiFold(last);
    const domain = r.pick(lang === 'fr' ? DOMAINS_FR : DOMAINS_EN);
    const style = r.int(6);
    let local =
      style === 0
        ? `${f}.${l}`
        : style === 1
          ? `${f[0]}.${l}`
          : style === 2
            ? `${f}${l}${r.range(10, 99)}`
            : style === 3
              ? `${l}.${f}`
              : style === 4
                ? `${f}_${l}`
                : `${f}.${l}${r.range(1, 9)}`;
    while (seen.has(`${local}@${domain}`)) local += r.range(0, 9);
    seen.add(`${local}@${domain}`);
    const v = r.pick(VEHICLES);
    const nOrders = r.range(1, 3);
    const orders: Order[] = [];
    for (let k = 0; k < nOrders; k++) orders.push(makeOrder(r, 2024));
    out.push({
      name: `${first} ${last}`,
      first,
      email: `${local}@${domain}`,
      lang,
      zone: lang === 'fr' ? 'paris' : r.chance(0.6) ? 'london' : 'paris',
      phone:
        lang === 'fr'
          ? `0${r.pick(['6', '7'])} ${p2(r.int(100))} ${p2(r.int(100))} ${p2(r.int(100))} ${p2(r.int(100))}`
          : `+44 7700 ${r.range(900000, 900999)}`,
      address:
        lang === 'fr'
          ? `${r.range(1, 120)} ${r.pick(STREETS)}, ${r.pick(CITIES)}`
          : `${r.range(1, 220)} ${r.pick(['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Park Avenue'])}, ${r.pick(CITIES_EN)}`,
      orders,
      vehicle: v,
      year: r.range(v.years[0], v.years[1]),
      vin: v.wmi + r.alnum(14, VIN_ALPHA),
      useQ: r.chance(0.5),
      noName: r.chance(0.05),
      wraps: r.chance(0.35),
      agent: r.int(5),
    });
  }
  return out;
}

/** Same mailbox, different case (customers are not consistent). */
function caseVariant(r: Rand, email: string): string {
  const [localPart = '', domain = ''] = email.split('@');
  switch (r.int(3)) {
    case 0:
      return `${localPart.replace(/(^|[._])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase())}@${domain}`;
    case 1:
      return `${localPart}@${domain.toUpperCase()}`;
    default:
      return email.toUpperCase();
  }
}

// ---------------------------------------------------------------------------
// Templates

interface Ctx {
  lang: Lang;
  part: string; // definite ("les plaquettes de frein avant" / "the front brake pads")
  partA: string; // indefinite
  partBare: string;
  pl: boolean;
  f: boolean;
  be: string; // "sont"/"est" — "are"/"is"
  pro: string; // "elles"/"il" — "they"/"it"
  brand: string;
  ref: string;
  veh: string;
  make: string;
  maMake: string; // "ma Peugeot" / "mon Audi" (fr only)
  maVeh: string;
  laMake: string; // "la Peugeot" / "l'Audi"
  year: number;
  code: string;
  vin: string;
  hasOrder: boolean;
  ord: string; // raw order id as the customer writes it
  myOrder: string; // "ma commande n° CMD-…" / "my order #104823" / "ma commande"
  orderDate: string; // "le 3 octobre" / "on 3 October"
  amount: string;
  carrier: string;
  days: number;
}

type T = (c: Ctx) => string;

/** French past-participle agreement with the part. */
const ag = (c: Ctx, w: string): string => w + (c.f ? 'e' : '') + (c.pl ? 's' : '');
const cap = (s: string): string => (s ? (s[0] as string).toUpperCase() + s.slice(1) : s);

interface Topic {
  id: string;
  weight: number;
  orderP: number;
  short: { fr: readonly string[]; en: readonly string[] };
  subj: { fr: readonly T[]; en: readonly T[] };
  prob: { fr: readonly T[]; en: readonly T[] };
  ask: { fr: readonly T[]; en: readonly T[] };
  details: readonly ('vehicle' | 'vin' | 'ref' | 'date' | 'amount' | 'urgent' | 'carrier')[];
}

const TOPICS: Topic[] = [
  {
    id: 'delivery',
    weight: 16,
    orderP: 0.55,
    short: {
      fr: ['toujours pas reçue', 'retard de livraison', 'colis non reçu', 'où en est ma commande ?'],
      en: ['not received', 'delivery delay', 'where is my parcel?', 'still waiting'],
    },
    subj: {
      fr: [
        () => 'Commande non reçue',
        () => 'Retard de livraison',
        (c) => `Où est mon colis ${c.carrier} ?`,
        () => 'Livraison toujours pas effectuée',
        () => 'suivi colis bloqué',
      ],
      en: [
        () => 'Order not received',
        () => 'Delivery delay',
        (c) => `Where is my ${c.carrier} parcel?`,
        () => 'Still waiting for my parts',
        () => 'Tracking not updated',
      ],
    },
    prob: {
      fr: [
        (c) => `J'ai passé ${c.myOrder} ${c.orderDate} (${c.partA} pour ${c.maMake}) et je n'ai toujours rien reçu.`,
        (c) =>
          `Le suivi ${c.carrier} indique « colis en cours d'acheminement » depuis ${c.days} jours et plus rien ne bouge.`,
        (c) =>
          `${cap(c.myOrder)} devait être livrée sous 48 h mais cela fait maintenant ${c.days} jours que j'attends.`,
        (c) =>
          `Le site indique que ${c.myOrder} est expédiée ${c.orderDate}, pourtant le transporteur ${c.carrier} ne trouve aucun colis à mon nom.`,
        (c) => `Le livreur ${c.carrier} a marqué « destinataire absent » alors que j'étais chez moi toute la journée.`,
      ],
      en: [
        (c) => `I placed ${c.myOrder} ${c.orderDate} (${c.partA} for my ${c.make}) and nothing has arrived yet.`,
        (c) => `The ${c.carrier} tracking has said "in transit" for ${c.days} days now and hasn't moved since.`,
        (c) =>
          `${cap(c.myOrder)} was supposed to be delivered within 48 hours but I have been waiting for ${c.days} days.`,
        (c) =>
          `Your website says ${c.myOrder} was shipped ${c.orderDate}, but ${c.carrier} can't find any parcel under my name.`,
        (c) => `The ${c.carrier} driver marked the parcel as "recipient absent" although I was home all day.`,
      ],
    },
    ask: {
      fr: [
        () => 'Pouvez-vous me dire où en est le colis ?',
        () => "Si le colis est perdu, je préfère un renvoi rapide plutôt qu'un remboursement.",
        () => 'Merci de vérifier auprès du transporteur et de me donner une date de livraison.',
        () => 'Pouvez-vous me renvoyer les pièces en express ?',
      ],
      en: [
        () => 'Could you tell me where the parcel is?',
        () => "If it's lost, please send a replacement rather than a refund.",
        () => 'Please check with the carrier and give me a delivery date.',
        () => 'Can you resend the parts by express delivery?',
      ],
    },
    details: ['date', 'carrier', 'urgent', 'ref', 'amount'],
  },
  {
    id: 'wrong_part',
    weight: 12,
    orderP: 0.5,
    short: {
      fr: ['pièce non conforme', 'mauvaise référence reçue', 'erreur de pièce'],
      en: ['wrong part received', 'incorrect item', 'part does not fit'],
    },
    subj: {
      fr: [
        () => 'Mauvaise pièce reçue',
        () => 'Pièce non compatible',
        (c) => `${cap(c.partBare)} ne correspond pas`,
        () => 'Erreur dans ma commande',
      ],
      en: [
        () => 'Wrong part received',
        () => 'Part does not fit',
        (c) => `Incorrect ${c.partBare}`,
        () => 'Mistake in my order',
      ],
    },
    prob: {
      fr: [
        (c) => `J'ai bien reçu ${c.part} mais ce n'est pas la bonne référence : j'avais commandé ${c.brand} ${c.ref}.`,
        (c) =>
          `Mon garagiste a essayé de monter ${c.part} sur ${c.maVeh} et ${c.pro} ne ${c.pl ? 'correspondent' : 'correspond'} pas du tout.`,
        (c) => `Pourtant votre site indiquait que la pièce était compatible avec ${c.maMake} de ${c.year}.`,
        (c) =>
          `Le carton contenait une pièce pour un autre modèle, la référence sur la boîte n'est pas celle de ${c.myOrder}.`,
      ],
      en: [
        (c) =>
          `I received ${c.part} but ${c.pl ? "they're" : "it's"} not the right reference: I ordered ${c.brand} ${c.ref}.`,
        (c) =>
          `My mechanic tried to fit ${c.part} on my ${c.veh} and ${c.pro} ${c.pl ? "don't" : "doesn't"} fit at all.`,
        (c) => `Your website said the part was compatible with my ${c.year} ${c.make}.`,
        (c) => `The box contained a part for a different model; the reference on the box doesn't match ${c.myOrder}.`,
      ],
    },
    ask: {
      fr: [
        () => "Comment procéder pour l'échange ?",
        () => "Merci de m'envoyer la bonne pièce et une étiquette de retour.",
        () => 'Je souhaite un échange standard le plus vite possible.',
      ],
      en: [
        () => 'How do I arrange an exchange?',
        () => 'Please send me the correct part and a return label.',
        () => 'I would like an exchange as soon as possible.',
      ],
    },
    details: ['vehicle', 'ref', 'vin', 'urgent'],
  },
  {
    id: 'damaged',
    weight: 9,
    orderP: 0.5,
    short: {
      fr: ['colis endommagé', 'pièce cassée', 'produit abîmé'],
      en: ['damaged parcel', 'broken part', 'item damaged'],
    },
    subj: {
      fr: [
        () => 'Pièce arrivée cassée',
        () => 'Colis endommagé',
        (c) => `${cap(c.partBare)} ${c.pl ? 'abîmés' : 'abîmé'} à la livraison`,
        () => 'Réclamation - produit endommagé',
      ],
      en: [
        () => 'Part arrived damaged',
        () => 'Damaged parcel',
        (c) => `Broken ${c.partBare} on delivery`,
        () => 'Complaint - damaged item',
      ],
    },
    prob: {
      fr: [
        (c) => `${cap(c.part)} ${c.be} ${ag(c, 'arrivé')} ${ag(c, 'cassé')}, le carton était complètement écrasé.`,
        (c) => `En ouvrant le colis j'ai constaté que ${c.part} ${c.be} ${ag(c, 'rayé')} et ${ag(c, 'fissuré')}.`,
        () => "L'emballage était déchiré et la pièce se baladait dans le carton sans protection.",
        (c) => `J'ai fait des réserves auprès du livreur ${c.carrier} mais il est reparti sans rien noter.`,
      ],
      en: [
        (c) => `${cap(c.part)} ${c.be} damaged on arrival, the box was completely crushed.`,
        (c) => `When I opened the parcel I found that ${c.part} ${c.be} scratched and cracked.`,
        () => 'The packaging was torn and the part was loose in the box with no protection.',
        (c) => `I told the ${c.carrier} driver but he left without writing anything down.`,
      ],
    },
    ask: {
      fr: [
        () => 'Je vous joins des photos, merci de me renvoyer une pièce en bon état.',
        () => 'Je demande le remplacement ou le remboursement intégral.',
        () => 'Que dois-je faire de la pièce abîmée ?',
      ],
      en: [
        () => 'Photos attached, please send me a replacement in good condition.',
        () => 'I want a replacement or a full refund.',
        () => 'What should I do with the damaged part?',
      ],
    },
    details: ['ref', 'amount', 'date', 'carrier'],
  },
  {
    id: 'return',
    weight: 10,
    orderP: 0.55,
    short: { fr: ['demande de retour', 'remboursement', 'rétractation'], en: ['return request', 'refund', 'return'] },
    subj: {
      fr: [() => 'Demande de retour', () => 'Remboursement pas reçu', () => 'Rétractation', () => 'retour pièce'],
      en: [() => 'Return request', () => 'Refund not received', () => 'Returning an item', () => 'RMA request'],
    },
    prob: {
      fr: [
        (c) =>
          `Je souhaite retourner ${c.part} de ${c.myOrder}, je n'en ai finalement plus besoin (pièce jamais montée, emballage d'origine).`,
        (c) => `J'ai renvoyé ${c.part} il y a ${c.days} jours et je n'ai toujours pas été remboursé de ${c.amount}.`,
        () => "Votre formulaire de retour en ligne m'affiche une erreur quand je valide.",
        (c) =>
          `Le garage a trouvé la panne, ${c.part} n'${c.pl ? 'étaient' : 'était'} pas en cause, je voudrais donc ${c.pl ? 'les' : c.f ? 'la' : 'le'} retourner.`,
      ],
      en: [
        (c) =>
          `I'd like to return ${c.part} from ${c.myOrder}; I no longer need ${c.pl ? 'them' : 'it'} (never fitted, original packaging).`,
        (c) => `I sent ${c.part} back ${c.days} days ago and I still haven't been refunded the ${c.amount}.`,
        () => 'Your online return form shows an error when I submit it.',
        (c) =>
          `The garage found the real fault, ${c.part} ${c.pl ? 'were' : 'was'} fine, so I'd like to send ${c.pl ? 'them' : 'it'} back.`,
      ],
    },
    ask: {
      fr: [
        () => "Pouvez-vous m'envoyer une étiquette de retour ?",
        () => 'Quand le remboursement sera-t-il effectué ?',
        () => "Merci de m'indiquer la procédure.",
      ],
      en: [
        () => 'Could you send me a return label?',
        () => 'When will the refund be processed?',
        () => 'Please let me know the procedure.',
      ],
    },
    details: ['amount', 'date', 'ref'],
  },
  {
    id: 'invoice',
    weight: 7,
    orderP: 0.75,
    short: {
      fr: ['demande de facture', 'facture', 'facture avec TVA'],
      en: ['invoice request', 'invoice', 'VAT invoice'],
    },
    subj: {
      fr: [
        () => 'Demande de facture',
        () => 'Facture',
        () => 'Facture au nom de ma société',
        () => 'Erreur sur la facture',
      ],
      en: [() => 'Invoice request', () => 'Invoice needed', () => 'VAT invoice', () => 'Error on my invoice'],
    },
    prob: {
      fr: [
        (c) => `Pourriez-vous m'envoyer la facture de ${c.myOrder} ? Je ne la trouve pas dans mon espace client.`,
        () =>
          "J'ai besoin d'une facture au nom de ma société (SARL, avec numéro de TVA intracommunautaire) pour ma comptabilité.",
        (c) => `La facture indique ${c.amount} alors que j'ai payé un montant différent avec le code promo.`,
        () => "L'adresse de facturation sur la facture n'est pas la bonne.",
      ],
      en: [
        (c) => `Could you send me the invoice for ${c.myOrder}? I can't find it in my account.`,
        () => 'I need an invoice in my company name with the VAT number for our accounts.',
        (c) => `The invoice shows ${c.amount} but I paid a different amount with the discount code.`,
        () => 'The billing address on the invoice is wrong.',
      ],
    },
    ask: {
      fr: [
        () => 'Merci de me la renvoyer par mail au format PDF.',
        () => "Pouvez-vous corriger et m'envoyer une nouvelle facture ?",
      ],
      en: [() => 'Please email it to me as a PDF.', () => 'Could you correct it and send a new invoice?'],
    },
    details: ['amount', 'date'],
  },
  {
    id: 'payment',
    weight: 8,
    orderP: 0.5,
    short: {
      fr: ['double prélèvement', 'problème de paiement', 'paiement refusé'],
      en: ['charged twice', 'payment problem', 'payment declined'],
    },
    subj: {
      fr: [() => 'Débité deux fois', () => 'Problème de paiement', () => 'Paiement refusé', () => 'Prélèvement PayPal'],
      en: [() => 'Charged twice', () => 'Payment issue', () => 'Card declined', () => 'PayPal payment problem'],
    },
    prob: {
      fr: [
        (c) =>
          `J'ai été débité deux fois de ${c.amount} pour la même commande, je vois les deux opérations sur mon relevé.`,
        () => 'Mon paiement par carte a été refusé trois fois alors que ma carte fonctionne partout ailleurs.',
        (c) => `J'ai payé par PayPal ${c.orderDate} mais ${c.myOrder} apparaît toujours « en attente de paiement ».`,
        () => 'Le paiement en 3 fois sans frais ne fonctionne pas, la page reste bloquée.',
      ],
      en: [
        (c) => `I've been charged ${c.amount} twice for the same order, both transactions are on my statement.`,
        () => 'My card payment was declined three times although the card works everywhere else.',
        (c) => `I paid with PayPal ${c.orderDate} but ${c.myOrder} still shows "awaiting payment".`,
        () => 'The pay-in-3 option does not work, the page just hangs.',
      ],
    },
    ask: {
      fr: [
        () => 'Merci de procéder au remboursement du doublon.',
        () => 'Pouvez-vous vérifier de votre côté ?',
        () => 'Comment puis-je finaliser ma commande ?',
      ],
      en: [
        () => 'Please refund the duplicate payment.',
        () => 'Could you check on your side?',
        () => 'How can I complete my order?',
      ],
    },
    details: ['amount', 'date'],
  },
  {
    id: 'compat',
    weight: 16,
    orderP: 0.12,
    short: { fr: ['question compatibilité', 'compatibilité pièce'], en: ['compatibility question', 'will it fit?'] },
    subj: {
      fr: [
        (c) => `Compatibilité ${c.partBare} ${c.make}`,
        () => 'Question compatibilité',
        (c) => `${cap(c.partBare)} pour ${c.make} ${c.year} ?`,
        () => 'Renseignement avant achat',
        () => 'Quelle référence pour ma voiture ?',
      ],
      en: [
        (c) => `${cap(c.partBare)} compatibility - ${c.make}`,
        () => 'Compatibility question',
        (c) => `Will this ${c.partBare} fit my ${c.make}?`,
        () => 'Question before ordering',
        () => 'Which part number for my car?',
      ],
    },
    prob: {
      fr: [
        (c) => `Je cherche ${c.partA} pour ${c.maVeh} de ${c.year} (moteur ${c.code}).`,
        (c) => `Pouvez-vous me confirmer que la référence ${c.brand} ${c.ref} est compatible avec mon véhicule ?`,
        (c) =>
          `Sur votre site, le sélecteur de véhicule me propose plusieurs références de ${c.partBare} et je ne sais pas laquelle choisir.`,
        () =>
          "Ma voiture a été fabriquée en fin d'année et je ne sais pas si elle correspond à la phase 1 ou à la phase 2.",
        (c) => `Le garage me dit qu'il existe deux montages différents sur ${c.laMake}, je ne veux pas me tromper.`,
      ],
      en: [
        (c) => `I'm looking for ${c.partA} for my ${c.year} ${c.veh} (engine code ${c.code}).`,
        (c) => `Can you confirm that ${c.brand} ${c.ref} is compatible with my car?`,
        (c) =>
          `Your vehicle selector shows several different ${c.partBare} options and I don't know which one to pick.`,
        () => "My car was built at the end of the year and I'm not sure whether it's the facelift model or not.",
        (c) => `My mechanic says there are two different versions on the ${c.make} and I don't want to get it wrong.`,
      ],
    },
    ask: {
      fr: [
        () => 'Merci de me confirmer avant que je passe commande.',
        () => 'Quelle référence dois-je commander ?',
        () => 'Si besoin je peux vous envoyer une photo de la carte grise.',
      ],
      en: [
        () => 'Please confirm before I place the order.',
        () => 'Which part number should I order?',
        () => 'I can send a photo of the registration document if needed.',
      ],
    },
    details: ['vin', 'vehicle', 'ref'],
  },
  {
    id: 'missing',
    weight: 5,
    orderP: 0.6,
    short: { fr: ['article manquant', 'colis incomplet'], en: ['missing item', 'incomplete parcel'] },
    subj: {
      fr: [() => 'Colis incomplet', () => 'Article manquant', () => 'Il manque une pièce'],
      en: [() => 'Incomplete parcel', () => 'Missing item', () => 'Part missing from my order'],
    },
    prob: {
      fr: [
        (c) => `J'ai reçu mon colis mais il manque ${c.part} sur les deux articles commandés.`,
        () => "Le bon de livraison indique deux articles mais il n'y en avait qu'un seul dans le carton.",
        (c) => `Il manque les vis et les agrafes de montage normalement fournies avec ${c.part}.`,
      ],
      en: [
        (c) => `My parcel arrived but ${c.part} ${c.pl ? 'are' : 'is'} missing, only one of the two items was in it.`,
        () => 'The delivery note lists two items but there was only one in the box.',
        (c) => `The fitting screws and clips normally supplied with ${c.part} are missing.`,
      ],
    },
    ask: {
      fr: [
        () => "Merci de m'envoyer l'article manquant.",
        () => 'Pouvez-vous vérifier la préparation de ma commande ?',
      ],
      en: [() => 'Please send the missing item.', () => 'Could you check how my order was packed?'],
    },
    details: ['ref', 'date', 'urgent'],
  },
  {
    id: 'cancel',
    weight: 6,
    orderP: 0.7,
    short: { fr: ['annulation', "changement d'adresse"], en: ['cancellation', 'change of address'] },
    subj: {
      fr: [
        () => 'Annulation commande',
        () => "Changement d'adresse de livraison",
        () => 'Modifier ma commande',
        () => 'URGENT annulation',
      ],
      en: [
        () => 'Cancel my order',
        () => 'Change delivery address',
        () => 'Modify my order',
        () => 'URGENT: cancellation',
      ],
    },
    prob: {
      fr: [
        (c) => `Je souhaite annuler ${c.myOrder} passée ${c.orderDate}, j'ai trouvé la pièce en local.`,
        () => "Je me suis trompé d'adresse de livraison, pouvez-vous la modifier avant l'expédition ?",
        (c) => `J'ai commandé ${c.partA} par erreur, je voulais ${c.pl ? 'ceux' : 'celui'} pour la version ${c.code}.`,
      ],
      en: [
        (c) => `I'd like to cancel ${c.myOrder} placed ${c.orderDate}, I found the part locally.`,
        () => 'I entered the wrong delivery address, can you change it before it ships?',
        (c) => `I ordered ${c.partA} by mistake, I needed the one for the ${c.code} engine.`,
      ],
    },
    ask: {
      fr: [() => "Merci de me confirmer l'annulation.", () => 'La nouvelle adresse est dans ma signature.'],
      en: [() => 'Please confirm the cancellation.', () => 'The new address is in my signature.'],
    },
    details: ['amount', 'date'],
  },
  {
    id: 'defective',
    weight: 8,
    orderP: 0.45,
    short: { fr: ['pièce défectueuse', 'garantie', 'panne'], en: ['faulty part', 'warranty claim', 'defective'] },
    subj: {
      fr: [
        () => 'Pièce défectueuse',
        () => 'Demande de garantie',
        (c) => `${cap(c.partBare)} HS après ${c.days} jours`,
        () => 'Produit en panne',
      ],
      en: [
        () => 'Faulty part',
        () => 'Warranty claim',
        (c) => `${cap(c.partBare)} failed after ${c.days} days`,
        () => 'Defective product',
      ],
    },
    prob: {
      fr: [
        (c) => `${cap(c.part)} ${c.be} ${ag(c, 'tombé')} en panne au bout de ${c.days} jours seulement.`,
        (c) =>
          `Depuis le montage ${c.pl ? 'des' : 'du'} ${c.partBare}, j'ai un bruit anormal et un voyant au tableau de bord.`,
        (c) =>
          `Mon garagiste a testé ${c.part} : ${c.pro} ${c.be} ${c.f ? (c.pl ? 'défectueuses' : 'défectueuse') : 'défectueux'}.`,
        () => 'La batterie ne tient plus la charge, la voiture ne démarre plus le matin.',
      ],
      en: [
        (c) => `${cap(c.part)} failed after only ${c.days} days.`,
        (c) => `Since fitting the ${c.partBare} I have a strange noise and a warning light on the dashboard.`,
        (c) => `My mechanic tested ${c.part}: ${c.pro} ${c.be} faulty.`,
        () => "The battery won't hold its charge anymore, the car won't start in the morning.",
      ],
    },
    ask: {
      fr: [
        () => 'Je souhaite faire jouer la garantie.',
        () => 'Faut-il vous renvoyer la pièce pour expertise ?',
        () => 'Qui prend en charge les frais de main-d’œuvre ?',
      ],
      en: [
        () => 'I would like to make a warranty claim.',
        () => 'Do I need to send the part back for inspection?',
        () => 'Who covers the labour costs?',
      ],
    },
    details: ['vehicle', 'ref', 'date', 'amount', 'urgent'],
  },
  {
    id: 'account',
    weight: 4,
    orderP: 0.15,
    short: { fr: ['code promo', 'compte client'], en: ['discount code', 'account'] },
    subj: {
      fr: [
        () => 'Code promo refusé',
        () => 'Impossible de me connecter',
        () => 'Mot de passe oublié',
        () => 'Question sur mon compte',
      ],
      en: [() => 'Discount code not working', () => "Can't log in", () => 'Password reset', () => 'Account question'],
    },
    prob: {
      fr: [
        () => 'Le code promo reçu par mail (AUTO10) est refusé au moment du paiement.',
        () => "Je n'arrive plus à me connecter à mon compte, le lien de réinitialisation ne fonctionne pas.",
        () => "Je voudrais modifier l'adresse e-mail de mon compte client.",
      ],
      en: [
        () => 'The discount code from your newsletter (AUTO10) is rejected at checkout.',
        () => "I can't log in to my account and the password reset link doesn't work.",
        () => "I'd like to change the email address on my account.",
      ],
    },
    ask: {
      fr: [() => 'Pouvez-vous regarder ?', () => "Merci de m'aider."],
      en: [() => 'Could you have a look?', () => 'Thanks for your help.'],
    },
    details: [],
  },
  {
    id: 'complaint',
    weight: 6,
    orderP: 0.5,
    short: { fr: ['réclamation', 'mécontent', 'aucune réponse'], en: ['complaint', 'very disappointed', 'no answer'] },
    subj: {
      fr: [
        () => 'Réclamation',
        () => 'Très mécontent !!',
        () => 'Aucune réponse de votre service',
        () => 'Dernière relance avant litige',
      ],
      en: [() => 'Complaint', () => 'Very disappointed', () => 'No reply from your team', () => 'Final reminder'],
    },
    prob: {
      fr: [
        () => "C'est la troisième fois que je vous écris et je n'ai aucune réponse, c'est inadmissible.",
        (c) => `Ma voiture est immobilisée depuis ${c.days} jours à cause de vous et je dois louer un véhicule.`,
        () => 'Votre service client au téléphone est injoignable, on tombe toujours sur un répondeur.',
        () => 'Je suis client depuis des années et je n’ai jamais été aussi mal traité.',
      ],
      en: [
        () => "This is the third time I'm writing and I've had no reply at all, this is unacceptable.",
        (c) => `My car has been off the road for ${c.days} days because of this and I have to rent a car.`,
        () => 'Your phone line is impossible to reach, it always goes to voicemail.',
        () => "I've been a customer for years and have never been treated this badly.",
      ],
    },
    ask: {
      fr: [
        () => 'Sans réponse sous 48 h, je saisirai le médiateur de la consommation.',
        () => "J'attends un geste commercial.",
        () => 'Merci de traiter ma demande en priorité.',
      ],
      en: [
        () => "If I don't hear back within 48 hours I'll open a dispute with my bank.",
        () => 'I expect some form of compensation.',
        () => 'Please deal with this as a priority.',
      ],
    },
    details: ['amount', 'date', 'urgent'],
  },
  {
    id: 'stock',
    weight: 4,
    orderP: 0.1,
    short: { fr: ['disponibilité', 'rupture de stock'], en: ['availability', 'out of stock'] },
    subj: {
      fr: [() => 'Disponibilité pièce', (c) => `${cap(c.partBare)} en rupture ?`, () => 'Délai de réapprovisionnement'],
      en: [() => 'Part availability', (c) => `${cap(c.partBare)} out of stock?`, () => 'Restock date'],
    },
    prob: {
      fr: [
        (c) => `La référence ${c.brand} ${c.ref} est indiquée en rupture de stock depuis plusieurs semaines.`,
        (c) =>
          `Savez-vous quand ${c.part} ${c.pl ? 'seront' : 'sera'} de nouveau ${c.pl ? 'disponibles' : 'disponible'} ?`,
      ],
      en: [
        (c) => `${c.brand} ${c.ref} has been out of stock for weeks.`,
        (c) => `Do you know when ${c.part} will be available again?`,
      ],
    },
    ask: {
      fr: [() => 'Existe-t-il une référence équivalente ?', () => 'Pouvez-vous me prévenir dès le retour en stock ?'],
      en: [() => 'Is there an equivalent part?', () => 'Can you let me know when it is back in stock?'],
    },
    details: ['vehicle'],
  },
];
const TOPIC_TOTAL = TOPICS.reduce((s, t) => s + t.weight, 0);

function pickTopic(r: Rand): Topic {
  let x = r.next() * TOPIC_TOTAL;
  for (const t of TOPICS) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return TOPICS[0] as Topic;
}

const DETAIL: Record<Topic['details'][number], { fr: readonly T[]; en: readonly T[] }> = {
  vehicle: {
    fr: [
      (c) => `Il s'agit d'une ${c.veh} de ${c.year}, code moteur ${c.code}.`,
      (c) => `Véhicule : ${c.veh} (${c.year}).`,
      (c) => `Ma voiture : ${c.veh}, mise en circulation en ${c.year}.`,
    ],
    en: [
      (c) => `The car is a ${c.year} ${c.veh}, engine code ${c.code}.`,
      (c) => `Vehicle: ${c.veh} (${c.year}).`,
      (c) => `It's a ${c.veh}, first registered in ${c.year}.`,
    ],
  },
  vin: {
    fr: [
      (c) => `Mon numéro VIN : ${c.vin}`,
      (c) => `VIN (case E de la carte grise) : ${c.vin}`,
      (c) => `Numéro de châssis : ${c.vin}`,
    ],
    en: [(c) => `My VIN is ${c.vin}.`, (c) => `VIN: ${c.vin}`, (c) => `Chassis number: ${c.vin}`],
  },
  ref: {
    fr: [
      (c) => `La référence est ${c.brand} ${c.ref}.`,
      (c) => `(réf. ${c.brand} ${c.ref})`,
      (c) => `Réf. article : ${c.ref}`,
    ],
    en: [
      (c) => `The part number is ${c.brand} ${c.ref}.`,
      (c) => `(ref. ${c.brand} ${c.ref})`,
      (c) => `Item ref: ${c.ref}`,
    ],
  },
  date: {
    fr: [(c) => `La commande a été passée ${c.orderDate}.`, (c) => `J'ai commandé ${c.orderDate}.`],
    en: [(c) => `The order was placed ${c.orderDate}.`, (c) => `I ordered ${c.orderDate}.`],
  },
  amount: {
    fr: [(c) => `Montant payé : ${c.amount}.`, (c) => `J'ai réglé ${c.amount} par carte bancaire.`],
    en: [(c) => `Amount paid: ${c.amount}.`, (c) => `I paid ${c.amount} by card.`],
  },
  urgent: {
    fr: [
      () => "J'ai rendez-vous au garage samedi prochain.",
      () => 'La voiture est immobilisée en attendant.',
      () => "C'est urgent, j'ai besoin du véhicule pour aller travailler.",
      () => 'Le contrôle technique est la semaine prochaine.',
    ],
    en: [
      () => 'I have a garage appointment next Saturday.',
      () => 'The car is off the road until then.',
      () => 'This is urgent, I need the car to get to work.',
      () => 'The MOT is next week.',
    ],
  },
  carrier: {
    fr: [(c) => `Transporteur : ${c.carrier}.`, (c) => `Le colis est parti en ${c.carrier}.`],
    en: [(c) => `Carrier: ${c.carrier}.`, (c) => `It was shipped with ${c.carrier}.`],
  },
};

const GREET = {
  fr: [
    'Bonjour,',
    'Bonjour,',
    'Bonjour,',
    'Bonjour Madame, Monsieur,',
    'Bonsoir,',
    'Madame, Monsieur,',
    "Bonjour à toute l'équipe,",
    'Hello,',
    'Bonjour,',
  ],
  en: ['Hello,', 'Hi,', 'Hi there,', 'Dear Sir or Madam,', 'Good morning,', 'Dear support team,', 'Hello,', 'Hi,'],
};
const OPENER = {
  fr: [
    'Je me permets de vous contacter car j’ai un souci.',
    'Je suis client chez vous depuis plusieurs années.',
    "J'ai essayé de vous joindre par téléphone sans succès.",
    'Je vous écris au sujet de ma dernière commande.',
    'Petite question :',
  ],
  en: [
    "I'm writing because I have a problem.",
    "I've been a customer for a few years now.",
    'I tried to call you but could not get through.',
    "I'm writing about my last order.",
    'Quick question:',
  ],
};
const CLOSE1 = {
  fr: [
    "Merci d'avance pour votre retour.",
    'Dans l’attente de votre réponse,',
    'Merci de me tenir informé.',
    'Merci par avance,',
    "Merci d'avance,",
    'En vous remerciant,',
  ],
  en: [
    'Thanks in advance.',
    'Looking forward to hearing from you.',
    'Please keep me posted.',
    'Many thanks,',
    'Thanks for your help,',
  ],
};
const SIGNOFF = {
  fr: ['Cordialement,', 'Bien cordialement,', 'Bonne journée,', 'Salutations,', 'Bien à vous,', 'Cdlt'],
  en: ['Kind regards,', 'Best regards,', 'Regards,', 'Thanks,', 'Cheers,', 'Best,'],
};
const MOBILE = {
  fr: [
    'Envoyé de mon iPhone',
    'Envoyé de mon iPhone',
    'Envoyé depuis mon smartphone Samsung Galaxy.',
    'Envoyé à partir de Outlook pour Android',
    'Envoyé de mon appareil Huawei',
  ],
  en: [
    'Sent from my iPhone',
    'Sent from my iPhone',
    'Sent from my Galaxy',
    'Get Outlook for Android',
    'Sent from Yahoo Mail for iPhone',
  ],
};
const DISCLAIMER = {
  fr: [
    "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses destinataires. Toute utilisation ou diffusion non autorisée est interdite. Si vous avez reçu ce message par erreur, merci d'en avertir immédiatement l'expéditeur et de le détruire.",
    "Pensez à l'environnement avant d'imprimer ce message.",
    "AVERTISSEMENT : ce courriel peut contenir des informations confidentielles. Si vous n'êtes pas le destinataire, merci de le supprimer.",
  ],
  en: [
    'This email and any attachments are confidential and intended solely for the addressee. If you have received this email in error please notify the sender immediately and delete it. Any views expressed are those of the author.',
    'Please consider the environment before printing this email.',
    'CONFIDENTIALITY NOTICE: this message may contain privileged information. If you are not the intended recipient, please delete it.',
  ],
};
const ATTACH_LINE = {
  fr: [
    'Je vous joins une photo.',
    'Ci-joint la facture.',
    'Vous trouverez en pièce jointe la photo de la pièce.',
    'Je joins le bon de livraison.',
    'PJ : photo de la carte grise',
  ],
  en: [
    'Photo attached.',
    'Please find the invoice attached.',
    'I have attached a picture of the part.',
    'Delivery note attached.',
    'Attached: photo of the registration document',
  ],
};
const FOLLOWUP = {
  fr: [
    "Je n'ai toujours pas de réponse à mon message ci-dessous. Pouvez-vous me tenir au courant ?",
    'Je me permets de vous relancer, toujours aucune nouvelle depuis mon dernier message.',
    'Merci pour votre retour. Voici les informations demandées :',
    "Bonne nouvelle, j'ai bien reçu le colis ce matin. Vous pouvez clôturer la demande, merci !",
    'Toujours rien reçu à ce jour, je commence à perdre patience.',
    'Pour compléter ma demande :',
    "Finalement le garage a pu monter la pièce, tout est rentré dans l'ordre.",
    'Je vous renvoie mon message car je pense qu’il s’est perdu.',
  ],
  en: [
    "I still haven't had a reply to my message below. Could you give me an update?",
    'Just following up on this, no news since my last email.',
    "Thanks for getting back to me. Here's the information you asked for:",
    'Good news, the parcel arrived this morning. You can close this request, thanks!',
    "Still nothing received, I'm starting to lose patience.",
    'To add to my request:',
    'In the end the garage managed to fit the part, all sorted now.',
    'Resending my message as I think it got lost.',
  ],
};
const LAZY_SUBJ = {
  fr: ['Question', 'Urgent', 'Renseignement', 'problème commande', 'Demande', 'SAV'],
  en: ['Question', 'Urgent', 'help', 'Enquiry', 'Problem', 'Request'],
};

// ---------------------------------------------------------------------------
// Text helpers

function wrapText(text: string, width: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= width || line.startsWith('>')) {
      out.push(line);
      continue;
    }
    let cur = '';
    for (const w of line.split(' ')) {
      if (cur && cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = w;
      } else cur = cur ? `${cur} ${w}` : w;
    }
    out.push(cur);
  }
  return out.join('\n');
}

function stripAccents(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

/** A few human typos in word bodies (never touches order numbers/refs: only lowercase alphabetic words). */
function addTypos(r: Rand, text: string, n: number): string {
  const words = text.split(' ');
  for (let k = 0; k < n; k++) {
    const i = r.int(words.length);
    const w = words[i];
    if (!w || w.length < 5 || !/^[a-zà-ÿ]+$/.test(w)) continue;
    const j = r.range(1, w.length - 3);
    const mode = r.int(3);
    words[i] =
      mode === 0
        ? w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2)
        : mode === 1
          ? w.slice(0, j) + w.slice(j + 1)
          : w.slice(0, j) + w[j] + w.slice(j);
  }
  return words.join(' ');
}

const escHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function textToHtml(text: string, r: Rand): string {
  const body: string[] = [];
  for (const block of text.split('\n\n')) {
    // Runs of quoted ("> ") lines become a blockquote, the rest a div.
    let run: string[] = [];
    let quoted = false;
    const flush = (): void => {
      if (!run.length) return;
      body.push(
        quoted
          ? `<blockquote style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${run.map((l) => escHtml(l.replace(/^> ?/, ''))).join('<br>\n')}</blockquote>`
          : `<div>${run.map(escHtml).join('<br>\n')}</div>`,
      );
      run = [];
    };
    for (const line of block.split('\n')) {
      const q = line.startsWith('>');
      if (q !== quoted) flush();
      quoted = q;
      run.push(line);
    }
    flush();
    body.push('<div><br></div>');
  }
  const font = r.pick(['Arial, sans-serif', 'Calibri, sans-serif', 'Helvetica', 'Verdana']);
  return `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n<body><div dir="ltr" style="font-family:${font};font-size:11pt">\n${body.join('\n')}\n</div></body></html>`;
}

// ---------------------------------------------------------------------------
// MIME assembly

interface Part {
  headers: string[];
  body: string;
}
type Cte = 'quoted-printable' | '8bit' | 'base64';

function textPart(subtype: 'plain' | 'html', text: string, cte: Cte): Part {
  const body =
    cte === 'quoted-printable'
      ? encodeQuotedPrintable(text)
      : cte === 'base64'
        ? encodeBase64(text.replace(/\r?\n/g, CRLF))
        : text.replace(/\r?\n/g, CRLF);
  return { headers: [`Content-Type: text/${subtype}; charset=utf-8`, `Content-Transfer-Encoding: ${cte}`], body };
}

function multipart(subtype: string, parts: Part[], boundary: string, params = ''): Part {
  let body = subtype === 'alternative' ? '' : 'This is a multi-part message in MIME format.' + CRLF;
  for (const p of parts) body += CRLF + '--' + boundary + CRLF + p.headers.join(CRLF) + CRLF + CRLF + p.body;
  body += CRLF + '--' + boundary + '--' + CRLF;
  return { headers: [`Content-Type: multipart/${subtype}; ${params}boundary="${boundary}"`], body };
}

function fakeAttachment(r: Rand, lang: Lang, ord: string | null): { type: string; name: string; data: Buffer } {
  const size = r.range(1024, 40 * 1024);
  const kind = r.int(5);
  if (kind <= 1) {
    const head = Buffer.from(
      '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
      'latin1',
    );
    const tail = Buffer.from('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    const data = Buffer.concat([head, r.bytes(Math.max(0, size - head.length - tail.length)), tail]);
    const name = ord
      ? lang === 'fr'
        ? `facture_${ord}.pdf`
        : `invoice_${ord}.pdf`
      : r.pick(
          lang === 'fr'
            ? ['bon de livraison.pdf', 'carte_grise.pdf', 'relevé bancaire.pdf']
            : ['delivery note.pdf', 'registration.pdf', 'bank_statement.pdf'],
        );
    return { type: 'application/pdf', name, data };
  }
  if (kind === 4) {
    const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    return {
      type: 'image/png',
      name:
        lang === 'fr'
          ? `Capture d’écran ${r.range(2024, 2024)}-${p2(r.range(10, 11))}-${p2(r.range(1, 28))}.png`
          : `Screenshot_${r.range(100, 999)}.png`,
      data: Buffer.concat([head, r.bytes(size)]),
    };
  }
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00,
    0x00,
  ]);
  const name = r.pick(
    lang === 'fr'
      ? [`IMG_${r.range(1000, 9999)}.JPG`, 'photo pièce cassée.jpg', 'colis_abîmé.jpeg', `photo_${r.range(1, 9)}.jpg`]
      : [`IMG_${r.range(1000, 9999)}.JPG`, 'damaged part.jpg', `photo_${r.range(1, 9)}.jpeg`, 'box.jpg'],
  );
  return { type: 'image/jpeg', name, data: Buffer.concat([head, r.bytes(size - 22), Buffer.from([0xff, 0xd9])]) };
}

function attachmentPart(a: { type: string; name: string; data: Buffer }): Part {
  const nameParam = NON_ASCII.test(a.name)
    ? `name="${encodeWordsB(a.name).replace(/\r\n /g, ' ')}"`
    : `name="${a.name}"`;
  return {
    headers: [
      `Content-Type: ${a.type}; ${nameParam}`,
      `Content-Disposition: attachment; ${rfc2231Filename(a.name)}`,
      'Content-Transfer-Encoding: base64',
    ],
    body: encodeBase64(a.data),
  };
}

// ---------------------------------------------------------------------------
// Generator

interface Sent {
  idx: number;
  customer: Customer;
  from: string; // exact address used
  subject: string;
  text: string;
  t: number;
  messageId: string | null;
  references: string[];
  lang: Lang;
  ctx: Ctx;
}

const MAILERS = [
  'User-Agent: Mozilla Thunderbird',
  'X-Mailer: Apple Mail (2.3774.500.171.1.1)',
  'X-Mailer: Microsoft Outlook 16.0',
  '',
  'X-Mailer: iPhone Mail (21H16)',
];

function fmtAmount(v: number, lang: Lang): string {
  const s = v.toFixed(2);
  return lang === 'fr' ? `${s.replace('.', ',')} €` : `€${s}`;
}

function orderMention(r: Rand, o: Order, lang: Lang): { ord: string; my: string } {
  if (lang === 'fr') {
    const k = r.int(4);
    if (k === 0) return { ord: o.cmd, my: `ma commande n° ${o.cmd}` };
    if (k === 1) return { ord: o.cmd, my: `ma commande ${o.cmd}` };
    if (k === 2) return { ord: o.num, my: `ma commande n°${o.num}` };
    return { ord: o.num, my: `ma commande n° ${o.num}` };
  }
  const k = r.int(3);
  if (k === 0) return { ord: `#${o.num}`, my: `my order #${o.num}` };
  if (k === 1) return { ord: o.cmd, my: `my order ${o.cmd}` };
  return { ord: `#${o.num}`, my: `order number ${o.num}` };
}

function makeCtx(r: Rand, c: Customer, lang: Lang, t: number, order: Order | null): Ctx {
  const part = r.pick(PARTS);
  const [brand, ref] = r.pick(part.refs);
  const v = c.vehicle;
  const om = order ? orderMention(r, order, lang) : null;
  const base = {
    lang,
    brand,
    ref,
    veh: `${v.make} ${v.model} ${v.engine}`,
    make: v.make,
    maMake: `${/^[AEIOU]/.test(v.make) ? 'mon' : 'ma'} ${v.make}`,
    maVeh: `${/^[AEIOU]/.test(v.make) ? 'mon' : 'ma'} ${v.make} ${v.model} ${v.engine}`,
    laMake: /^[AEIOU]/.test(v.make) ? `l'${v.make}` : `la ${v.make}`,
    year: c.year,
    code: v.code,
    vin: c.vin,
    hasOrder: !!om,
    ord: om ? om.ord : '',
    myOrder: om ? om.my : lang === 'fr' ? 'ma commande' : 'my order',
    orderDate: dayPhrase(t - r.range(2, 20) * DAY, lang, c.zone),
    amount: fmtAmount(r.range(part.price[0] * 100, part.price[1] * 100) / 100, lang),
    carrier: r.pick(CARRIERS),
    days: r.range(3, 21),
  };
  if (lang === 'fr') {
    const p = part.fr;
    return {
      ...base,
      part: p.def,
      partA: p.un,
      partBare: p.bare,
      pl: p.pl,
      f: p.f,
      be: p.pl ? 'sont' : 'est',
      pro: p.pl ? (p.f ? 'elles' : 'ils') : p.f ? 'elle' : 'il',
    };
  }
  const p = part.en;
  return {
    ...base,
    part: p.def,
    partA: p.a,
    partBare: p.bare,
    pl: p.pl,
    f: false,
    be: p.pl ? 'are' : 'is',
    pro: p.pl ? 'they' : 'it',
  };
}

function signature(r: Rand, c: Customer, lang: Lang): string[] {
  const lines: string[] = [];
  lines.push(r.pick(SIGNOFF[lang]));
  const nameStyle = r.int(4);
  lines.push(nameStyle === 0 ? c.first : nameStyle === 1 ? c.name.toUpperCase() : c.name);
  if (r.chance(0.3)) {
    lines.push('');
    lines.push('-- ');
    lines.push(c.name);
    if (r.chance(0.6)) lines.push(c.address);
    lines.push(lang === 'fr' ? `Tél : ${c.phone}` : `Mob: ${c.phone}`);
  }
  if (r.chance(0.18)) lines.push('', r.pick(MOBILE[lang]));
  if (r.chance(0.07)) lines.push('', r.pick(DISCLAIMER[lang]));
  return lines;
}

function newBody(
  r: Rand,
  c: Customer,
  ctx: Ctx,
  topic: Topic,
  lang: Lang,
  attach: boolean,
  unique: string | null,
): string {
  const lines: string[] = [r.pick(GREET[lang]), ''];
  const para: string[] = [];
  if (r.chance(0.3)) para.push(r.pick(OPENER[lang]));
  const probs = topic.prob[lang];
  const nProb = r.range(1, Math.min(3, probs.length));
  const start = r.int(probs.length);
  for (let k = 0; k < nProb; k++) para.push((probs[(start + k) % probs.length] as T)(ctx));
  if (ctx.hasOrder && !para.some((s) => s.includes(ctx.ord.replace('#', '')))) {
    para.push(lang === 'fr' ? `(${ctx.myOrder.replace(/^ma /, '')})` : `(${ctx.myOrder.replace(/^my /, '')})`);
  }
  lines.push(...(r.chance(0.5) ? [para.join(' ')] : para));
  const details: string[] = [];
  for (const d of topic.details) if (r.chance(0.35)) details.push(r.pick(DETAIL[d][lang])(ctx));
  if (unique) details.push(unique);
  if (details.length) lines.push('', ...(r.chance(0.5) ? [details.join(' ')] : details));
  if (attach) lines.push('', r.pick(ATTACH_LINE[lang]));
  if (r.chance(0.85)) lines.push('', r.pick(topic.ask[lang])(ctx));
  if (r.chance(0.5)) lines.push('', r.pick(CLOSE1[lang]));
  lines.push('', ...signature(r, c, lang));
  let text = lines.join('\n');
  if (r.chance(0.15)) text = addTypos(r, text, r.range(1, 3));
  if (lang === 'fr' && r.chance(0.05)) text = stripAccents(text);
  if (c.wraps) text = wrapText(text, 72);
  return text;
}

function quoteText(text: string, maxLines: number): string {
  const src = text.split('\n');
  const out: string[] = [];
  for (const l of src.slice(0, maxLines)) out.push(l === '' ? '>' : l.startsWith('>') ? '>' + l : '> ' + l);
  return out.join('\n');
}

function newSubject(r: Rand, topic: Topic, ctx: Ctx, lang: Lang, forceOrder: boolean): string {
  if (!forceOrder && r.chance(0.03)) return r.pick(LAZY_SUBJ[lang]);
  if (ctx.hasOrder && (forceOrder || r.chance(0.4))) {
    const short = r.pick(topic.short[lang]);
    if (lang === 'fr') {
      const k = r.int(3);
      return k === 0
        ? `Commande n° ${ctx.ord} : ${short}`
        : k === 1
          ? `Commande ${ctx.ord} - ${short}`
          : `${cap(short)} (commande ${ctx.ord})`;
    }
    const k = r.int(3);
    return k === 0
      ? `Order ${ctx.ord}: ${short}`
      : k === 1
        ? `Order ${ctx.ord} - ${short}`
        : `${cap(short)} (order ${ctx.ord})`;
  }
  let s = r.pick(topic.subj[lang])(ctx);
  if (r.chance(0.05)) s = s.toUpperCase();
  return s;
}

/** Strictly increasing timestamps (seconds) over the 30 days before `now`, biased to waking hours. */
function timestamps(r: Rand, count: number, now: number): number[] {
  const start = Math.floor((now - 30 * DAY) / 1000) * 1000;
  const ts: number[] = [];
  for (let i = 0; i < count; i++) {
    const day = r.int(30);
    const hour = r.chance(0.9) ? r.range(7, 22) : r.range(0, 23);
    const t = start + day * DAY + hour * 3_600_000 + r.int(3600) * 1000 - 3_600_000;
    ts.push(Math.min(Math.max(t, start), now - 60_000));
  }
  ts.sort((a, b) => a - b);
  for (let i = 1; i < ts.length; i++)
    if ((ts[i] as number) <= (ts[i - 1] as number)) ts[i] = (ts[i - 1] as number) + 1000;
  return ts;
}

export function generateEmails(count: number, seed = 1, options: GenerateOptions = {}): GeneratedEmail[] {
  const r = new Rand(seed);
  const now =
    options.now === undefined ? DEFAULT_NOW : typeof options.now === 'number' ? options.now : options.now.getTime();
  const nCustomers = Math.min(400, Math.max(30, Math.ceil(count / 5)));
  const customers = makeCustomers(r, nCustomers);
  const byLang: Record<Lang, Customer[]> = {
    fr: customers.filter((c) => c.lang === 'fr'),
    en: customers.filter((c) => c.lang === 'en'),
  };
  if (byLang.fr.length === 0) byLang.fr.push(customers[0] as Customer);
  if (byLang.en.length === 0) byLang.en.push(customers[0] as Customer);
  const ts = timestamps(r, count, now);
  const threadable: Sent[] = [];
  const out: GeneratedEmail[] = [];

  const pickCustomer = (lang: Lang): Customer => {
    const pool = byLang[lang];
    return pool[Math.floor(pool.length * Math.pow(r.next(), 1.6))] as Customer; // some customers write a lot
  };

  for (let i = 0; i < count; i++) {
    const t = ts[i] as number;
    const x = r.next();
    let kind: Kind = x < 0.7 ? 'new' : x < 0.9 ? 'reply' : x < 0.94 ? 'auto_reply' : x < 0.97 ? 'bounce' : 'list';
    if (kind === 'reply' && threadable.length === 0) kind = 'new';
    const n = i + 1;
    const hexId = r.hex(8);
    let email: GeneratedEmail;
    switch (kind) {
      case 'new':
      case 'reply': {
        const sent = kind === 'new' ? buildNew(r, i, t, hexId, pickCustomer) : buildReply(r, i, t, hexId, threadable);
        if (sent.sent.messageId) threadable.push(sent.sent);
        email = { raw: sent.raw, messageId: sent.sent.messageId, kind, language: sent.sent.lang };
        break;
      }
      case 'auto_reply': {
        const lang: Lang = r.chance(0.55) ? 'fr' : 'en';
        email = buildAutoReply(r, n, t, hexId, pickCustomer(lang), lang);
        break;
      }
      case 'bounce':
        email = buildBounce(r, n, t, hexId, customers);
        break;
      case 'list':
        email = buildList(r, n, t, hexId);
        break;
    }
    out.push(email);
  }
  return out;
}

function mailerHeader(c: Customer): string[] {
  const h = MAILERS[c.agent] as string;
  return h ? [h] : [];
}

function received(r: Rand, fromHost: string, t: number): string {
  return `Received: from ${fromHost} (${fromHost} [203.0.113.${r.range(2, 254)}])${CRLF}\tby mx1.ticketrelay.test (Postfix) with ESMTPS id ${r.alnum(12, 'BCDFGHJKLMNPQRSTVWXZ0123456789')}${CRLF}\tfor <${SUPPORT}>; ${rfc5322Date(t + r.range(1, 9) * 1000, 'paris')}`;
}

function finish(headers: string[], part: Part): Buffer {
  return Buffer.from(
    headers.join(CRLF) +
      CRLF +
      part.headers.join(CRLF) +
      CRLF +
      CRLF +
      part.body +
      (part.body.endsWith(CRLF) ? '' : CRLF),
    'utf8',
  );
}

function pickCte(r: Rand): Cte {
  const x = r.next();
  return x < 0.5 ? 'quoted-printable' : x < 0.83 ? '8bit' : 'base64';
}

/** Body structure: plain (85 %), multipart/alternative (10 %), HTML only (5 %), optionally wrapped in multipart/mixed with an attachment. */
function bodyPart(
  r: Rand,
  n: number,
  text: string,
  attachment: { type: string; name: string; data: Buffer } | null,
): Part {
  const x = r.next();
  let main: Part;
  if (x < 0.85) main = textPart('plain', text, pickCte(r));
  else if (x < 0.95) {
    const html = textToHtml(text, r);
    main = multipart(
      'alternative',
      [textPart('plain', text, pickCte(r)), textPart('html', html, r.chance(0.7) ? 'quoted-printable' : 'base64')],
      `000000000000${r.hex(12)}${n.toString(16)}`,
    );
  } else if (!attachment) main = textPart('html', textToHtml(text, r), r.chance(0.6) ? 'quoted-printable' : 'base64');
  // (no HTML-only body next to an attachment: mailparser only derives text from a root-level HTML part)
  else main = textPart('plain', text, pickCte(r));
  if (!attachment) return main;
  return multipart('mixed', [main, attachmentPart(attachment)], `----=_Part_${n}_${r.hex(10)}`);
}

function msgIdFor(n: number, hexId: string, addr: string): string {
  const domain = (addr.split('@')[1] ?? 'example.com').toLowerCase();
  return `<gen.${n}.${hexId}@${domain}>`;
}

function buildNew(
  r: Rand,
  i: number,
  t: number,
  hexId: string,
  pickCustomer: (l: Lang) => Customer,
): { raw: Buffer; sent: Sent } {
  const n = i + 1;
  const lang: Lang = r.chance(0.55) ? 'fr' : 'en';
  const c = pickCustomer(lang);
  const noMsgId = r.chance(0.07);
  const topic = pickTopic(r);
  let order: Order | null = null;
  if (noMsgId) {
    // Unique per email index (7919 is coprime with 90000/900000): with the unique Date, no two are alike.
    order = { cmd: `CMD-2024-${10000 + ((i * 7919) % 90000)}`, num: String(100000 + ((i * 7919) % 900000)) };
  } else if (r.chance(topic.orderP)) order = r.pick(c.orders);
  const ctx = makeCtx(r, c, lang, t, order);
  const attach = r.chance(0.09);
  const unique = noMsgId
    ? lang === 'fr'
      ? `Référence de ma demande : ${ctx.ord} (${n})`
      : `My reference: ${ctx.ord} (${n})`
    : null;
  const text = newBody(r, c, ctx, topic, lang, attach, unique);
  const subject = newSubject(r, topic, ctx, lang, noMsgId);
  const from = r.chance(0.1) ? caseVariant(r, c.email) : c.email;
  const messageId = noMsgId ? null : msgIdFor(n, hexId, from);
  const headers = [
    `Return-Path: <${from}>`,
    received(r, `mail.${from.split('@')[1] ?? 'example.com'}`.toLowerCase(), t),
    `From: ${formatAddress(c.noName ? null : c.name, from, c.useQ)}`,
    `To: ${r.chance(0.1) ? `Support <${SUPPORT}>` : SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, c.zone)}`,
    ...(messageId ? [`Message-ID: ${messageId}`] : []),
    'MIME-Version: 1.0',
    ...mailerHeader(c),
  ];
  const attachment = attach ? fakeAttachment(r, lang, ctx.hasOrder ? ctx.ord.replace('#', '') : null) : null;
  const raw = finish(headers, bodyPart(r, n, text, attachment));
  return { raw, sent: { idx: i, customer: c, from, subject, text, t, messageId, references: [], lang, ctx } };
}

function buildReply(r: Rand, i: number, t: number, hexId: string, threadable: Sent[]): { raw: Buffer; sent: Sent } {
  const n = i + 1;
  const window = Math.min(threadable.length, 300);
  const orig = threadable[threadable.length - 1 - Math.floor(Math.pow(r.next(), 1.3) * window)] as Sent;
  const { customer: c, lang, from } = orig;
  const ctx = orig.ctx;
  const lines: string[] = [r.chance(0.8) ? r.pick(GREET[lang]) : c.first + (lang === 'fr' ? ' ici.' : ' here.'), ''];
  const fu = r.pick(FOLLOWUP[lang]);
  lines.push(fu);
  if (fu.endsWith(':')) {
    lines.push(r.pick(DETAIL.vehicle[lang])(ctx), r.pick(DETAIL.vin[lang])(ctx));
  } else if (r.chance(0.4)) {
    const d = r.pick(['urgent', 'ref', 'amount', 'carrier'] as const);
    lines.push(r.pick(DETAIL[d][lang])(ctx));
  }
  const attach = r.chance(0.09);
  if (attach) lines.push('', r.pick(ATTACH_LINE[lang]));
  lines.push('', r.chance(0.5) ? c.first : r.pick(SIGNOFF[lang]) + '\n' + c.first);
  if (r.chance(0.15)) lines.push('', r.pick(MOBILE[lang]));
  let fresh = lines.join('\n');
  if (r.chance(0.1)) fresh = addTypos(r, fresh, 1);
  const qh = quoteHeader(orig.t, lang, c.zone, c.name, orig.from, r.int(2));
  const text = `${fresh}\n\n${qh}\n${quoteText(orig.text, 40)}`;
  const base = orig.subject.replace(/^((re|tr|fwd?)\s?:\s*)+/i, '');
  const subject = `${r.chance(0.1) ? 'RE: ' : 'Re: '}${base}`;
  const messageId = msgIdFor(n, hexId, from);
  const references = [...orig.references, orig.messageId as string].slice(-10);
  const headers = [
    `Return-Path: <${from}>`,
    received(r, `mail.${from.split('@')[1] ?? 'example.com'}`.toLowerCase(), t),
    `From: ${formatAddress(c.noName ? null : c.name, from, c.useQ)}`,
    `To: ${SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, c.zone)}`,
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${orig.messageId as string}`,
    `References: ${references.join(CRLF + ' ')}`,
    'MIME-Version: 1.0',
    ...mailerHeader(c),
  ];
  const attachment = attach ? fakeAttachment(r, lang, ctx.hasOrder ? ctx.ord.replace('#', '') : null) : null;
  const raw = finish(headers, bodyPart(r, n, text, attachment));
  return { raw, sent: { idx: i, customer: c, from, subject, text, t, messageId, references, lang, ctx } };
}

function buildAutoReply(r: Rand, n: number, t: number, hexId: string, c: Customer, lang: Lang): GeneratedEmail {
  const ticket = r.range(1000, 99999);
  const theirSubject =
    lang === 'fr'
      ? r.pick([
          `Re: Votre demande a bien été reçue [#${ticket}]`,
          `Votre demande [#${ticket}]`,
          `Re: Commande ${r.pick(c.orders).cmd} [#${ticket}]`,
        ])
      : r.pick([
          `Re: Your request has been received [#${ticket}]`,
          `Your request [#${ticket}]`,
          `Re: Order #${r.pick(c.orders).num} [#${ticket}]`,
        ]);
  const subject =
    lang === 'fr'
      ? r.pick([
          `Réponse automatique : ${theirSubject}`,
          `Absent(e) du bureau : ${theirSubject}`,
          'Absence du bureau',
          `Réponse automatique: ${theirSubject}`,
        ])
      : r.pick([
          `Automatic reply: ${theirSubject}`,
          `Out of Office: ${theirSubject}`,
          'Out of office',
          `Auto: ${theirSubject}`,
        ]);
  const back = dayPhrase(t + r.range(2, 15) * DAY, lang, c.zone);
  const text =
    lang === 'fr'
      ? r.pick([
          `Bonjour,\n\nJe suis absent(e) du bureau et de retour ${back}, sans accès à ma messagerie.\nPour toute urgence, merci de contacter le standard au 04 72 00 00 00.\n\nCordialement,\n${c.name}`,
          `Merci pour votre message.\nJe suis actuellement en congés jusqu'au ${back.replace(/^le /, '')} inclus. Votre e-mail ne sera pas transféré.\n\n${c.first}`,
          `Bonjour,\n\nJe suis en déplacement avec un accès limité à mes e-mails. Je vous répondrai dès mon retour ${back}.\n\nBien cordialement,\n${c.name}`,
        ])
      : r.pick([
          `Thank you for your email.\n\nI am out of the office and back ${back} with limited access to email. Your message will not be forwarded.\n\nKind regards,\n${c.name}`,
          `Hi,\n\nI'm on annual leave until ${back.replace(/^on /, '')}. For anything urgent please call ${c.phone}.\n\nThanks,\n${c.first}`,
          `I am currently away and will reply when I return ${back}.\n\n${c.name}`,
        ]);
  const from = c.email;
  const supportId = `<ticketrelay.ack.${ticket}@ticketrelay.test>`;
  const messageId = msgIdFor(n, hexId, from);
  const headers = [
    `Return-Path: <${from}>`,
    `From: ${formatAddress(c.noName ? null : c.name, from, c.useQ)}`,
    `To: ${SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, c.zone)}`,
    `Message-ID: ${messageId}`,
    ...(r.chance(0.7) ? [`In-Reply-To: ${supportId}`, `References: ${supportId}`] : []),
    'Auto-Submitted: auto-replied',
    ...(r.chance(0.5) ? ['X-Auto-Response-Suppress: All'] : []),
    'MIME-Version: 1.0',
  ];
  return { raw: finish(headers, textPart('plain', text, pickCte(r))), messageId, kind: 'auto_reply', language: lang };
}

function buildBounce(r: Rand, n: number, t: number, hexId: string, customers: Customer[]): GeneratedEmail {
  const c = r.pick(customers);
  const [localPart = 'x', domain = 'example.com'] = c.email.split('@');
  const rcpt = r.chance(0.4)
    ? `${localPart}@${domain.replace(/^([a-z]+)/, (m) => (m.length > 3 ? `${m[0]}${m[2]}${m[1]}${m.slice(3)}` : m + 'e'))}`
    : c.email;
  const mx = `mx${r.range(1, 4)}.example.net`;
  const queueId = r.alnum(12, 'BCDFGHJKLMNPQRSTVWXZ0123456789');
  const lang: Lang = r.chance(0.7) ? 'en' : 'fr';
  const ticket = r.range(1000, 99999);
  const diag = `550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`;
  const notice =
    lang === 'en'
      ? `This is the mail system at host ${mx}.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\nFor further assistance, please send mail to postmaster.\n\nIf you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n                   The mail system\n\n<${rcpt}>: host ${mx}[192.0.2.${r.range(2, 254)}] said: ${diag} (in reply to RCPT TO command)`
      : `Ceci est le système de messagerie de ${mx}.\n\nNous sommes désolés de vous informer que votre message n'a pas pu\nêtre remis à un ou plusieurs destinataires. Les en-têtes du message sont joints ci-dessous.\n\nL'adresse du destinataire est inconnue ou n'existe plus.\n\n<${rcpt}> : le serveur ${mx} a répondu : ${diag}`;
  const tsent = t - r.range(2, 30) * 1000;
  const supportSubject =
    lang === 'en' ? `Your request has been received [#${ticket}]` : `Votre demande a bien été reçue [#${ticket}]`;
  const dsn = [
    `Reporting-MTA: dns; ${mx}`,
    `X-Postfix-Queue-ID: ${queueId}`,
    `X-Postfix-Sender: rfc822; ${SUPPORT}`,
    `Arrival-Date: ${rfc5322Date(tsent, 'paris')}`,
    '',
    `Final-Recipient: rfc822; ${rcpt}`,
    `Original-Recipient: rfc822;${rcpt}`,
    'Action: failed',
    'Status: 5.1.1',
    `Remote-MTA: dns; ${mx}`,
    `Diagnostic-Code: smtp; ${diag.replace(' Recipient address rejected:', ' Recipient address' + CRLF + '    rejected:')}`,
  ].join(CRLF);
  const origHeaders = [
    `Return-Path: <${SUPPORT}>`,
    `From: Support <${SUPPORT}>`,
    `To: ${rcpt}`,
    `Subject: ${encodeWordsQ(supportSubject)}`,
    `Date: ${rfc5322Date(tsent, 'paris')}`,
    `Message-ID: <ticketrelay.ack.${ticket}@ticketrelay.test>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ].join(CRLF);
  const boundary = `${queueId}.${Math.floor(t / 1000)}/${mx}`;
  const noticePart = textPart('plain', notice, lang === 'en' ? '8bit' : 'quoted-printable');
  noticePart.headers.unshift('Content-Description: Notification');
  const report = multipart(
    'report',
    [
      noticePart,
      { headers: ['Content-Description: Delivery report', 'Content-Type: message/delivery-status'], body: dsn },
      {
        headers: ['Content-Description: Undelivered Message Headers', 'Content-Type: text/rfc822-headers'],
        body: origHeaders,
      },
    ],
    boundary,
    'report-type=delivery-status;' + CRLF + '\t',
  );
  const subject =
    lang === 'en'
      ? r.pick([
          'Undelivered Mail Returned to Sender',
          'Delivery Status Notification (Failure)',
          'Mail delivery failed: returning message to sender',
        ])
      : r.pick(['Échec de la remise du message', 'Message non remis', 'Non remis : ' + supportSubject]);
  const messageId = `<gen.${n}.${hexId}@${mx}>`;
  const headers = [
    'Return-Path: <>',
    `Received: by ${mx} (Postfix)${CRLF}\tid ${queueId}; ${rfc5322Date(t, 'paris')}`,
    `Date: ${rfc5322Date(t, 'paris')}`,
    `From: Mail Delivery System <MAILER-DAEMON@${mx}>`,
    `Subject: ${encodeSubject(subject)}`,
    `To: ${SUPPORT}`,
    'Auto-Submitted: auto-replied',
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
  ];
  report.headers.push('Content-Transfer-Encoding: 8bit');
  return { raw: finish(headers, report), messageId, kind: 'bounce', language: lang };
}

const LISTS = [
  {
    name: 'Équip’Auto Pro',
    addr: 'newsletter@news.equipauto.example',
    id: 'Lettre pro <pro-news.equipauto.example>',
    lang: 'fr' as Lang,
  },
  {
    name: 'Bosch Aftermarket',
    addr: 'news@mailing.bosch-aftermarket.example',
    id: 'Bosch partner news <partners.bosch-aftermarket.example>',
    lang: 'en' as Lang,
  },
  {
    name: 'La Lettre du Garagiste',
    addr: 'infos@lettre-garagiste.example',
    id: '<lettre.lettre-garagiste.example>',
    lang: 'fr' as Lang,
  },
  {
    name: 'Valeo Service',
    addr: 'marketing@valeo-service.example',
    id: 'Valeo Service <promo.valeo-service.example>',
    lang: 'en' as Lang,
  },
  {
    name: 'Pièces Auto Grossiste',
    addr: 'promo@grossiste-pieces.example',
    id: '<offres.grossiste-pieces.example>',
    lang: 'fr' as Lang,
  },
];

function buildList(r: Rand, n: number, t: number, hexId: string): GeneratedEmail {
  const l = r.pick(LISTS);
  const lang = l.lang;
  const pct = r.pick([10, 15, 20, 25, 30]);
  const part = r.pick(PARTS);
  const [brand] = r.pick(part.refs);
  const subject =
    lang === 'fr'
      ? r.pick([
          `-${pct} % sur ${part.fr.def} ${brand} cette semaine !`,
          `Nouveautés ${MONTH_FR[local(t, 'paris').getUTCMonth()]} : ${part.fr.bare}`,
          `Votre lettre d'information n°${r.range(100, 400)}`,
          `Offre réservée aux pros : ${part.fr.bare} ${brand}`,
        ])
      : r.pick([
          `${pct}% off ${brand} ${part.en.bare} this week`,
          `What's new in ${MONTH_EN[local(t, 'paris').getUTCMonth()]}: ${part.en.bare}`,
          `Partner newsletter #${r.range(100, 400)}`,
          `Trade offer: ${brand} ${part.en.bare}`,
        ]);
  const token = r.hex(16);
  const unsubUrl = `https://${l.addr.split('@')[1] ?? 'example.com'}/u/${token}`;
  const text =
    lang === 'fr'
      ? `${subject}\n\nBonjour,\n\nProfitez de -${pct} % sur toute la gamme ${brand} (${part.fr.bare}) jusqu'à dimanche minuit.\nLivraison offerte dès 60 € d'achat pour les professionnels.\n\nVoir les offres : https://${l.addr.split('@')[1] ?? ''}/offres?utm_source=newsletter\n\nVous recevez cet e-mail car vous êtes inscrit à notre lettre d'information.\nSe désinscrire : ${unsubUrl}`
      : `${subject}\n\nHello,\n\nGet ${pct}% off the whole ${brand} range (${part.en.bare}) until Sunday midnight.\nFree delivery on trade orders over €60.\n\nSee the offers: https://${l.addr.split('@')[1] ?? ''}/offers?utm_source=newsletter\n\nYou are receiving this email because you subscribed to our newsletter.\nUnsubscribe: ${unsubUrl}`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escHtml(subject)}</title></head><body style="margin:0;background:#f2f2f2"><table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center"><table width="600" style="background:#fff;font-family:Arial"><tr><td style="padding:20px"><h1 style="color:#c00">${escHtml(subject)}</h1>${text
    .split('\n\n')
    .slice(1)
    .map((p) => `<p>${escHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join(
      '',
    )}<p style="font-size:10px;color:#888"><a href="${unsubUrl}">${lang === 'fr' ? 'Se désinscrire' : 'Unsubscribe'}</a></p></td></tr></table></td></tr></table></body></html>`;
  const messageId = `<gen.${n}.${hexId}@${l.addr.split('@')[1] ?? 'example.com'}>`;
  const headers = [
    `Return-Path: <bounce-${token}@${l.addr.split('@')[1] ?? 'example.com'}>`,
    `From: ${formatAddress(l.name, l.addr, false)}`,
    `To: ${SUPPORT}`,
    `Subject: ${encodeSubject(subject)}`,
    `Date: ${rfc5322Date(t, 'paris')}`,
    `Message-ID: ${messageId}`,
    `List-Id: ${NON_ASCII.test(l.id) ? encodeWordsQ(l.id) : l.id}`,
    `List-Unsubscribe: <mailto:unsubscribe-${token}@${l.addr.split('@')[1] ?? 'example.com'}>, <${unsubUrl}>`,
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    'Precedence: bulk',
    'MIME-Version: 1.0',
  ];
  const body = r.chance(0.8)
    ? multipart(
        'alternative',
        [textPart('plain', text, 'quoted-printable'), textPart('html', html, 'quoted-printable')],
        `=_nl_${r.hex(16)}`,
      )
    : textPart('html', html, 'base64');
  return { raw: finish(headers, body), messageId, kind: 'list', language: lang };
}
