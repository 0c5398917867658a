/**
 * Keeps what the customer wrote in a reply and drops the history their mail client appended, so a
 * ticket message is not the whole thread again. When in doubt it keeps text: a lost customer sentence
 * costs more than a few quoted lines.
 */

// The customer's own text sits above the history; a marker further down than this is not looked for.
const MAX_MARKER_SCAN = 128 * 1024;
// Attribution and header lines are short; longer lines are never markers, which also bounds every regex.
const MAX_MARKER_LINE = 400;
// How far an Outlook header block ("From/Sent/To/Subject") may run, in lines.
const MAX_HEADER_BLOCK_LINES = 10;

interface Line {
  readonly start: number;
  readonly end: number;
}

export interface QuotedHistoryContext {
  /** The email's subject: a forward ("TR: [#1] Votre colis") is read whole. */
  readonly subject?: string;
}

export function cutQuotedHistory(text: string, context: QuotedHistoryContext = {}): { text: string; cut: boolean } {
  // What a customer forwards (the carrier's notice, the bank's refusal) is what they want us to read,
  // and below it is that sender's message, not our thread: the same email without a ticket tag opens a
  // ticket with all of it, so on a ticket it is kept whole too.
  if (context.subject !== undefined && isForwardSubject(context.subject)) return { text, cut: false };
  let trailing = trailingQuoteStart(text);
  // Apple Mail quotes a forwarded message with '>' under "Begin forwarded message:".
  if (trailing !== -1 && forwardLineRightAbove(text, trailing)) trailing = -1;
  const marker = firstMarker(text, trailing);

  let cutAt = marker;
  if (trailing !== -1) {
    const withAttribution = looseAttributionAbove(text, trailing);
    if (cutAt === -1 || withAttribution < cutAt) cutAt = withAttribution;
  }
  if (cutAt === -1) {
    const answer = afterLeadingQuote(text);
    return answer === null ? { text, cut: false } : { text: answer, cut: true };
  }

  const kept = dropTrailingRules(text.slice(0, cutAt)).trimEnd();
  if (!hasOwnWords(kept)) return { text, cut: false };
  return { text: kept, cut: true };
}

/**
 * Bottom-posting: the history first ("On … wrote:" and its '>' lines), the customer's answer below
 * it, and no quote after that. Returns the answer, or null. Answers between quotes (inline, "> question"
 * / answer) are not this: without the questions they would not make sense, so they are kept whole.
 */
function afterLeadingQuote(text: string): string | null {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && !lines[i]!.trim()) i++;
  const quoted = (line: string | undefined) => line !== undefined && /^\s*>/.test(line);
  if (!quoted(lines[i])) {
    // An attribution, on one line or wrapped onto two, above the quote (a blank line may come between).
    const one = lines[i]?.trim() ?? '';
    const two = `${one} ${lines[i + 1]?.trim() ?? ''}`;
    const quoteAfter = (at: number) => {
      let k = at;
      while (k < lines.length && !lines[k]!.trim()) k++;
      return quoted(lines[k]) ? k : -1;
    };
    const afterOne = isAttribution(one) ? quoteAfter(i + 1) : -1;
    const afterTwo = afterOne === -1 && isAttribution(two) ? quoteAfter(i + 2) : -1;
    if (afterOne !== -1) i = afterOne;
    else if (afterTwo !== -1) i = afterTwo;
    else return null;
  }
  while (i < lines.length && (quoted(lines[i]) || !lines[i]!.trim())) i++;
  const rest = lines.slice(i);
  if (rest.some((line) => quoted(line))) return null;
  const answer = rest.join('\n').trim();
  return answer && hasOwnWords(answer) ? answer : null;
}

/** Start of the block of '>' lines (blank lines allowed inside) that ends the text, or -1. */
function trailingQuoteStart(text: string): number {
  // One backward pass over characters: going backwards, the last non-blank character seen before a
  // newline is the first one of that line, which is all that tells quoted from text.
  let blockStart = -1;
  let first = -1;
  for (let i = text.length - 1; i >= -1; i--) {
    const c = i === -1 ? NEWLINE : text.charCodeAt(i);
    if (c === NEWLINE) {
      if (first === GREATER_THAN) blockStart = i + 1;
      else if (first !== -1) break;
      first = -1;
    } else if (!isBlankChar(c)) {
      first = c;
    }
  }
  return blockStart;
}

const NEWLINE = 0x0a;
const GREATER_THAN = 0x3e;

function isBlankChar(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0xa0 || c === 0x0b || c === 0x0c;
}

/** First non-blank character code of a line, or -1 for a blank line. */
function firstCharOf(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isBlankChar(c)) return c;
  }
  return -1;
}

function lineKind(text: string, start: number, end: number): 'blank' | 'quoted' | 'text' {
  const c = firstCharOf(text, start, end);
  return c === -1 ? 'blank' : c === GREATER_THAN ? 'quoted' : 'text';
}

function scanLines(text: string, limit: number): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length && start < limit) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lines.push({ start, end });
    if (nl === -1) break;
    start = nl + 1;
  }
  return lines;
}

/** The trimmed line, or null when it is too long to be a marker (never trimmed, never matched). */
function shortLine(text: string, line: Line | undefined): string | null {
  if (line === undefined || line.end - line.start > MAX_MARKER_LINE) return null;
  return text.slice(line.start, line.end).trim().normalize('NFC');
}

function firstMarker(text: string, trailing: number): number {
  const lines = scanLines(text, MAX_MARKER_SCAN);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!MARKER_FIRST_CHARS.has(firstCharOf(text, line.start, Math.min(line.end, line.start + MAX_MARKER_LINE)))) {
      continue;
    }
    const content = shortLine(text, line);
    if (content === null || content === '') continue;

    if (isSeparator(content)) return line.start;

    const attribution = attributionAt(text, lines, i, content);
    if (attribution !== null && historyFollows(text, lines, attribution, trailing)) return line.start;

    if (isHeaderBlock(text, lines, i, content)) return line.start;
  }
  return -1;
}

// Every marker starts with one of these ("On", "Le", "-----", "From:", "De :", "*From:*"): the other lines
// are skipped without being copied.
const MARKER_FIRST_CHARS = new Set([...'OLFfDd-*'].map((c) => c.charCodeAt(0)));

const SEPARATOR =
  /^-{2,}\s*(?:original message|message d['’]origine|mail original|message original|courriel original)\s*-*$/i;

function isSeparator(content: string): boolean {
  return content.startsWith('--') && SEPARATOR.test(content);
}

interface Attribution {
  /** Index of its last line (the client may have wrapped it onto a second one). */
  readonly last: number;
  readonly content: string;
}

/**
 * "On <date>, Jane <j@x> wrote:" / "Le <date>, Jane <j@x> a écrit :", possibly wrapped by the client
 * onto a second line, or null.
 * A digit is required: clients always put a date there, while a customer's own sentence
 * ("Le livreur a écrit :") usually has none.
 */
function attributionAt(text: string, lines: readonly Line[], i: number, content: string): Attribution | null {
  if (!content.startsWith('On ') && !content.startsWith('Le ')) return null;
  if (isAttribution(content)) return { last: i, content };
  const next = shortLine(text, lines[i + 1]);
  if (next === null || next === '') return null;
  const joined = `${content} ${next}`;
  return isAttribution(joined) ? { last: i + 1, content: joined } : null;
}

const ENGLISH_ATTRIBUTION_END = /\swrote\s*:$/;
const FRENCH_ATTRIBUTION_END = /\sa\s+écrit\s*:$/;

function isAttribution(candidate: string): boolean {
  if (candidate.length > MAX_MARKER_LINE || !/\d/.test(candidate)) return false;
  if (candidate.startsWith('On ')) return ENGLISH_ATTRIBUTION_END.test(candidate);
  return FRENCH_ATTRIBUTION_END.test(candidate);
}

// "Support <support@shop.example>": clients name who wrote by address; a customer telling what the
// courier wrote does not.
const ADDRESS_IN_ATTRIBUTION = /[^\s<>@]@[^\s<>@]|<[^\s<>]+>/;
// A year, as clients date what they quote ("3 juin 2024", "03/06/2024", "6/3/24"); a customer recalling
// "On 4 December at 9:41" seldom gives one.
const DATE_WITH_YEAR = /(?:^|\D)(?:19|20)\d\d(?:\D|$)|(?:^|\D)\d{1,2}[./-]\d{1,2}[./-]\d{2,4}(?:\D|$)/;
// The customer quoting a sentence ("Colis livré en point relais") after their own "… a écrit :".
const OPENING_QUOTATION_MARK = /^["“”«„‘’‹']/;

/**
 * Whether an attribution starts the history. Customers write such lines too ("Le 4 décembre, votre
 * transporteur a écrit :", the carrier's words in quotation marks, then more of their own), so the line
 * alone is not enough. It is history when what follows is the final quoted block, a header block or
 * nothing; or, followed by unquoted text (a client that does not prefix quotes), when it names an address
 * as clients do, or dates with a year what does not open with a quotation mark.
 * Quotes the customer answers in between ("> question" / answer) are an inline reply: cutting at the
 * attribution above them would lose the answers.
 */
function historyFollows(text: string, lines: readonly Line[], attribution: Attribution, trailing: number): boolean {
  let j = attribution.last + 1;
  while (j < lines.length && lineKind(text, lines[j]!.start, lines[j]!.end) === 'blank') j++;
  const next = lines[j];
  // Past the scan limit nothing is known about what follows: keep the text.
  if (next === undefined) return lines[lines.length - 1]!.end === text.length;
  if (lineKind(text, next.start, next.end) === 'quoted') return trailing !== -1 && trailing <= next.start;
  if (ADDRESS_IN_ATTRIBUTION.test(attribution.content)) return true;
  const content = shortLine(text, next);
  if (content === null) return false;
  if (isHeaderBlock(text, lines, j, content)) return true;
  return DATE_WITH_YEAR.test(attribution.content) && !OPENING_QUOTATION_MARK.test(content);
}

const HEADER_KEYS: ReadonlyMap<string, 'date' | 'subject' | 'other'> = new Map([
  ['sent', 'date'],
  ['date', 'date'],
  ['envoyé', 'date'],
  ['subject', 'subject'],
  ['objet', 'subject'],
  ['to', 'other'],
  ['cc', 'other'],
  ['bcc', 'other'],
  ['reply-to', 'other'],
  ['importance', 'other'],
  ['à', 'other'],
  ['a', 'other'],
  ['cci', 'other'],
  ['répondre à', 'other'],
]);

/**
 * Outlook's "From: / Sent: / To: / Subject:" block (French: "De : / Envoyé : / À : / Objet :") that
 * starts the history it pastes unquoted. A forwarded message (Fw:/Tr: subject, or a "Forwarded message"
 * line above) is not history: the customer sent it for us to read.
 */
function isHeaderBlock(text: string, lines: readonly Line[], i: number, content: string): boolean {
  const first = headerField(content);
  if (first === null || (first.key !== 'from' && first.key !== 'de')) return false;

  let hasDate = false;
  let subject: string | null = null;
  let seen = 0;
  for (let j = i + 1; j < lines.length && seen < MAX_HEADER_BLOCK_LINES; j++, seen++) {
    const next = shortLine(text, lines[j]);
    if (next === null) break;
    if (next === '') continue;
    const field = headerField(next);
    const role = field === null ? undefined : HEADER_KEYS.get(field.key);
    if (field === null || role === undefined) break;
    if (role === 'date') hasDate = true;
    if (role === 'subject') subject = field.value;
  }
  if (!hasDate || subject === null) return false;
  // Only the first prefix: "RE: FW: …" is our answer to something forwarded earlier, history like any other.
  if (/^(?:fwd?|tr|wg|rv|enc)\s*:/i.test(subject)) return false;
  return !forwardLineAbove(text, lines, i);
}

function headerField(content: string): { key: string; value: string } | null {
  const colon = content.indexOf(':');
  if (colon <= 0 || colon > 24) return null;
  // HTML-to-text turns Outlook's bold labels into "*From:*".
  const key = content
    .slice(0, colon)
    .replace(/\*/g, '')
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim()
    .toLowerCase();
  const value = content
    .slice(colon + 1)
    .replace(/^\*/, '')
    .trim();
  return key === '' ? null : { key, value };
}

// Gmail's "---------- Forwarded message ---------" / "Message transféré", Apple Mail's "Begin forwarded
// message:" / "Début du message réexpédié :".
const FORWARD_LINE = /forwarded message|message transf[eé]r[eé]|d[eé]but du message r[eé]exp[eé]di[eé]/i;

function forwardLineAbove(text: string, lines: readonly Line[], i: number): boolean {
  for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
    const above = shortLine(text, lines[j]);
    if (above === null) return false;
    if (above === '' || /^_+$/.test(above)) continue;
    return FORWARD_LINE.test(above);
  }
  return false;
}

/** Whether the last line with text before offset (only blank lines between) announces a forward. */
function forwardLineRightAbove(text: string, offset: number): boolean {
  const end = text.slice(0, offset).trimEnd().length;
  const start = text.lastIndexOf('\n', end - 1) + 1;
  if (end === 0 || end - start > MAX_MARKER_LINE) return false;
  return FORWARD_LINE.test(text.slice(start, end).normalize('NFC'));
}

// Reply and forward prefixes as clients write them in English, French, German, Spanish, Portuguese, Italian,
// Dutch and the Nordic languages ("RE:", "TR :", "AW:", "Fwd[2]:").
const SUBJECT_PREFIX = /^\s*(?:\[[^\]]{0,40}\]|([a-zé]{1,5})\s*(?:\[\d{1,3}\]|\(\d{1,3}\))?\s*:)/i;
const FORWARD_PREFIXES = new Set(['fw', 'fwd', 'tr', 'wg', 'rv', 'enc']);
const REPLY_PREFIXES = new Set(['re', 'aw', 'sv', 'vs', 'antw', 'réf', 'ref', 'rép', 'rif', 'r']);
// A subject piles up a few prefixes ("Re: TR: Fwd:"); past this many it is not worth reading on.
const MAX_SUBJECT_PREFIXES = 10;

/**
 * Whether a subject says the email forwards another: a forward prefix among those in front ("TR: [#1]
 * Votre colis", "Re: Fwd: …", "[EXT] FW: …"). One after the ticket tag ("Re: [#1] TR: …") is the
 * ticket's own subject, from the first email, and says nothing of this one.
 */
function isForwardSubject(subject: string): boolean {
  let rest = subject.slice(0, MAX_MARKER_LINE).normalize('NFC');
  for (let n = 0; n < MAX_SUBJECT_PREFIXES; n++) {
    const prefix = SUBJECT_PREFIX.exec(rest);
    if (prefix === null) return false;
    const word = prefix[1]?.toLowerCase();
    if (word === undefined) {
      if (prefix[0].trimStart().startsWith('[#')) return false;
    } else if (FORWARD_PREFIXES.has(word)) {
      return true;
    } else if (!REPLY_PREFIXES.has(word)) {
      return false;
    }
    rest = rest.slice(prefix[0].length);
  }
  return false;
}

/**
 * The line introducing the final quoted block, in whatever language the client speaks
 * ("Am 3. Juni 2024 schrieb Jane <j@x>:"): short, ends with ':', and carries an address or a year.
 */
function looseAttributionAbove(text: string, blockStart: number): number {
  // Only blank lines can separate the block from the text line above it (trailingQuoteStart stopped there).
  const last = text.slice(0, blockStart).trimEnd().length - 1;
  if (last < 0) return blockStart;
  const start = last === 0 ? 0 : text.lastIndexOf('\n', last - 1) + 1;
  if (last + 1 - start > MAX_MARKER_LINE) return blockStart;
  const line = text.slice(start, last + 1).trim();
  if (looksLikeAttribution(line)) return start;

  // Wrapped over two lines: "On …, Jane <" / "j@x> wrote:".
  if (start >= 2 && line.length < 60) {
    const prevEnd = start - 1;
    const prevStart = text.lastIndexOf('\n', prevEnd - 1) + 1;
    if (prevEnd - prevStart <= MAX_MARKER_LINE && lineKind(text, prevStart, prevEnd) === 'text') {
      if (looksLikeAttribution(`${text.slice(prevStart, prevEnd).trim()} ${line}`)) return prevStart;
    }
  }
  return blockStart;
}

function looksLikeAttribution(line: string): boolean {
  if (line.length > MAX_MARKER_LINE || !line.endsWith(':')) return false;
  return line.includes('@') || /(?:^|\D)(?:19|20)\d\d(?:\D|$)/.test(line);
}

/** Outlook puts a rule of underscores above its header block; it belongs to the history. */
function dropTrailingRules(kept: string): string {
  let end = kept.length;
  // A client adds one rule, perhaps with blank lines around it; a few lines are enough to look at.
  for (let looked = 0; looked < 6; looked++) {
    const nl = end === 0 ? -1 : kept.lastIndexOf('\n', end - 1);
    const start = nl + 1;
    if (lineKind(kept, start, end) !== 'blank') {
      if (end - start > MAX_MARKER_LINE) break;
      const line = kept.slice(start, end).trim();
      if (line.length < 5 || !/^[_\-=]+$/.test(line)) break;
    }
    if (nl === -1) return '';
    end = nl;
  }
  return kept.slice(0, end);
}

const MOBILE_SIGNATURE =
  /^(?:sent from my |sent from outlook|sent from mail for|envoyé de mon |envoyé depuis mon |envoyé à partir de |envoyé depuis outlook|get outlook for|obtenir outlook pour|télécharger outlook pour)/i;

/**
 * Whether the kept part has anything the customer typed. A phone's signature ("Envoyé de mon iPhone") is
 * kept in the text but is not enough on its own: a reply that is only that plus the quote is better
 * shown whole.
 */
function hasOwnWords(kept: string): boolean {
  let start = 0;
  while (start <= kept.length) {
    const nl = kept.indexOf('\n', start);
    const end = nl === -1 ? kept.length : nl;
    if (lineKind(kept, start, end) !== 'blank') {
      if (end - start > MAX_MARKER_LINE) return true;
      const line = kept.slice(start, end).trim().normalize('NFC');
      if (!MOBILE_SIGNATURE.test(line)) return true;
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return false;
}
