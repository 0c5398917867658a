/**
 * Text → features for triage. Accents are folded ("remboursé" and "rembourse" are one word: customers
 * type both), case is dropped, digits become a shape ("#num"), and the quoted history and signature
 * that follow the customer's own words are cut, so an old thread does not decide a new ticket.
 */

/** Beyond this, an email only repeats itself; feature extraction stays cheap on huge messages. */
const MAX_CHARS = 3000;

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Lowercase, accents removed, ligatures spelled out. */
export function foldText(text: string): string {
  return text.toLowerCase().replace(/œ/g, 'oe').replace(/æ/g, 'ae').normalize('NFD').replace(COMBINING_MARKS, '');
}

// A line that starts the quoted history or the signature: everything after it is not the customer's new text.
const CUT_LINE =
  /^(?:>|-- ?$|_{5,}|-{5,}\s*(?:original|message|forwarded)|begin forwarded message|d[eé]but du message r[eé]exp[eé]di[eé]|le .{3,80} a [eé]crit\s*:|on .{3,80} wrote:|de ?: .+@|from: .+@|envoy[eé] (?:de|depuis) mon|sent from my)/i;

/** The customer's own words: the quoted history and the signature cut off, capped in length. */
export function ownWords(text: string): string {
  const capped = text.length > MAX_CHARS * 4 ? text.slice(0, MAX_CHARS * 4) : text;
  const lines = capped.split(/\r?\n/);
  const kept: string[] = [];
  let hasText = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (hasText && CUT_LINE.test(trimmed)) break;
    if (trimmed.length > 0) hasText = true;
    kept.push(line);
  }
  return kept.join('\n').slice(0, MAX_CHARS);
}

const MAX_SUBJECT = 300;

/** A ticket's text as every part of triage reads it, prepared once per ticket. */
export interface PreparedText {
  /** The subject (capped) and the customer's own words, as written. */
  readonly subject: string;
  readonly own: string;
  /** The same, folded (lowercase, no accents). */
  readonly foldedSubject: string;
  readonly foldedOwn: string;
}

export function prepareText(subject: string, body: string): PreparedText {
  const capped = subject.slice(0, MAX_SUBJECT);
  const own = ownWords(body);
  return { subject: capped, own, foldedSubject: foldText(capped), foldedOwn: foldText(own) };
}

/** Word tokens of folded text: letters (and apostrophes dropped), numbers as "#num". */
export function tokenize(folded: string): string[] {
  const raw = folded.match(/[a-z]+|\d+/g) ?? [];
  const tokens: string[] = [];
  for (const t of raw) {
    if (t.charCodeAt(0) <= 57) tokens.push('#num');
    else if (t.length >= 2 || t === 'a' || t === 'y') tokens.push(t);
  }
  return tokens;
}

// Function words that carry no category or priority: left out of unigram features (bigrams keep them).
const STOP = new Set(
  (
    'le la les de des du un une et est en au aux a y je j vous il elle on nous ils ce cet cette ces qu que qui ' +
    'pour par sur dans avec mon ma mes votre vos notre nos son sa ses me te se ne pas plus tres the to of and ' +
    'in on at for with my your our it its is are was be been this that an or as by from we you me am do'
  ).split(' '),
);

export interface FeatureOptions {
  /** Character n-gram lengths taken inside each word (with its boundaries marked). */
  readonly charGrams: readonly number[];
  readonly wordBigrams: boolean;
}

export const DEFAULT_FEATURES: FeatureOptions = { charGrams: [4], wordBigrams: true };

/**
 * Sparse feature counts of one ticket. Subject words count twice: the subject is the customer's own
 * summary. Keys: "w:word", "b:word word", "c:gram", "s:word" (subject). This is the readable form
 * (training, reasons); `hashFeatures` yields the same features as `featureHash` of these keys,
 * without building a string per feature.
 */
export function extractFeatures(
  subject: string,
  body: string,
  options: FeatureOptions = DEFAULT_FEATURES,
): Map<string, number> {
  const features = new Map<string, number>();
  const add = (key: string, n = 1) => features.set(key, (features.get(key) ?? 0) + n);
  const subjectTokens = tokenize(foldText(subject.slice(0, MAX_SUBJECT)));
  const bodyTokens = tokenize(foldText(ownWords(body)));
  for (const t of subjectTokens) if (!STOP.has(t)) add(`s:${t}`);
  const all = subjectTokens.concat(bodyTokens);
  const grams = options.charGrams;
  let previous = '';
  for (const t of all) {
    if (!STOP.has(t)) {
      add(`w:${t}`);
      if (t.length >= 4 && grams.length > 0) {
        const marked = ` ${t} `;
        for (const n of grams) {
          for (let i = 0; i + n <= marked.length; i++) add(`c:${marked.slice(i, i + n)}`);
        }
      }
    }
    if (options.wordBigrams && previous) add(`b:${previous} ${t}`);
    previous = t;
  }
  return features;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const NUM = '#num';

/** 32-bit FNV-1a of a feature key: what `hashFeatures` computes for the same feature. */
export function featureHash(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

const PREFIX = { s: featureHash('s:'), w: featureHash('w:'), b: featureHash('b:'), c: featureHash('c:') };
const STOP_HASHES = new Set([...STOP].map((t) => featureHash(`w:${t}`)));

/**
 * The features of `extractFeatures`, as hashes written into a reusable buffer (one entry per
 * occurrence; the caller counts). No string is built per word or gram: this runs for every ticket.
 */
export class FeatureHasher {
  readonly #options: FeatureOptions;
  #out = new Uint32Array(4096);
  // Token i: its start and end in the folded text (start −1: a number, read as "#num").
  #starts = new Int32Array(1024);
  #ends = new Int32Array(1024);
  #text = '';

  constructor(options: FeatureOptions = DEFAULT_FEATURES) {
    this.#options = options;
  }

  /** Hashes of the ticket's features; valid until the next call. */
  hash(prepared: PreparedText): { readonly hashes: Uint32Array; readonly count: number } {
    const foldedSubject = prepared.foldedSubject;
    const text = `${foldedSubject}\n${prepared.foldedOwn}`;
    this.#text = text;
    const subjectEnd = foldedSubject.length;
    let tokens = 0;
    // Tokens as `tokenize` reads them: runs of a-z (2+ letters, or "a"/"y"), runs of digits.
    for (let i = 0; i < text.length;) {
      const c = text.charCodeAt(i);
      const letter = c >= 97 && c <= 122;
      const digit = c >= 48 && c <= 57;
      if (!letter && !digit) {
        i++;
        continue;
      }
      let j = i + 1;
      if (letter) while (j < text.length && isLetter(text.charCodeAt(j))) j++;
      else while (j < text.length && isDigit(text.charCodeAt(j))) j++;
      if (digit || j - i >= 2 || c === 97 || c === 121) {
        if (tokens === this.#starts.length) this.#growTokens();
        this.#starts[tokens] = digit ? -1 : i;
        this.#ends[tokens] = digit ? i : j; // a number keeps its position, to tell subject from body
        tokens++;
      }
      i = j;
    }
    let count = 0;
    const grams = this.#options.charGrams;
    for (let t = 0; t < tokens; t++) {
      // Room for this token's features: a unigram, a subject word, a bigram and its character grams.
      const length = this.#length(t);
      const needed = count + 3 + grams.length * (length + 2);
      if (needed > this.#out.length) this.#growOut(needed);
      const unigram = this.#feed(PREFIX.w, t);
      const stop = STOP_HASHES.has(unigram);
      if (!stop) {
        this.#out[count++] = unigram;
        if (this.#position(t) < subjectEnd) this.#out[count++] = this.#feed(PREFIX.s, t);
        if (length >= 4) {
          for (const n of grams) {
            for (let i = 0; i + n <= length + 2; i++) {
              let h = PREFIX.c;
              for (let k = i; k < i + n; k++) h = Math.imul(h ^ this.#markedChar(t, k, length), FNV_PRIME) >>> 0;
              this.#out[count++] = h;
            }
          }
        }
      }
      if (this.#options.wordBigrams && t > 0) {
        const h = Math.imul(this.#feed(PREFIX.b, t - 1) ^ 32, FNV_PRIME) >>> 0;
        this.#out[count++] = this.#feed(h, t);
      }
    }
    return { hashes: this.#out, count };
  }

  #length(t: number): number {
    return this.#starts[t]! < 0 ? NUM.length : this.#ends[t]! - this.#starts[t]!;
  }

  #position(t: number): number {
    return this.#starts[t]! < 0 ? this.#ends[t]! : this.#starts[t]!;
  }

  /** The hash state `h` followed by token t's characters. */
  #feed(h: number, t: number): number {
    const start = this.#starts[t]!;
    if (start < 0) {
      for (let i = 0; i < NUM.length; i++) h = Math.imul(h ^ NUM.charCodeAt(i), FNV_PRIME) >>> 0;
      return h;
    }
    const end = this.#ends[t]!;
    for (let i = start; i < end; i++) h = Math.imul(h ^ this.#text.charCodeAt(i), FNV_PRIME) >>> 0;
    return h;
  }

  /** Character k of " token ". */
  #markedChar(t: number, k: number, length: number): number {
    if (k === 0 || k === length + 1) return 32;
    const start = this.#starts[t]!;
    return start < 0 ? NUM.charCodeAt(k - 1) : this.#text.charCodeAt(start + k - 1);
  }

  #growTokens(): void {
    const starts = new Int32Array(this.#starts.length * 2);
    const ends = new Int32Array(this.#ends.length * 2);
    starts.set(this.#starts);
    ends.set(this.#ends);
    this.#starts = starts;
    this.#ends = ends;
  }

  #growOut(needed: number): void {
    const out = new Uint32Array(Math.max(needed, this.#out.length * 2));
    out.set(this.#out);
    this.#out = out;
  }
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
