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
  /^(?:>|-- ?$|_{5,}|-{5,}\s*(?:original|message|forwarded)|le .{3,80} a [eé]crit\s*:|on .{3,80} wrote:|de ?: .+@|from: .+@|envoy[eé] (?:de|depuis) mon|sent from my)/i;

/** The customer's own words: the quoted history and the signature cut off, capped in length. */
export function ownWords(text: string): string {
  const lines = text.split(/\r?\n/);
  const kept: string[] = [];
  for (const line of lines) {
    if (CUT_LINE.test(line.trim()) && kept.join('').trim().length > 0) break;
    kept.push(line);
  }
  return kept.join('\n').slice(0, MAX_CHARS);
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
 * summary. Keys: "w:word", "b:word word", "c:gram", "s:word" (subject).
 */
export function extractFeatures(subject: string, body: string, options: FeatureOptions = DEFAULT_FEATURES): Map<string, number> {
  const features = new Map<string, number>();
  const add = (key: string, n = 1) => features.set(key, (features.get(key) ?? 0) + n);
  const subjectTokens = tokenize(foldText(subject.slice(0, 300)));
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
