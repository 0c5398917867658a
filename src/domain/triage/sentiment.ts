/**
 * Sentiment of a customer's message, -1 (furious) … +1 (delighted), from a small French/English
 * lexicon of accent-folded word stems with negation ("pas content", "not happy") and intensity
 * (exclamation marks, words in capitals). Politeness formulas ("merci d'avance", "regards") are not
 * counted: everyone writes them.
 */
import { prepareText, type PreparedText } from './text.ts';

// Stems (prefix match on folded words) → polarity. A stem ending in "$" is a whole word only: short
// ones would match inside others ("lie" in "lieu", "vol" in "Volkswagen", "pire" in "Pirelli").
const LEXICON: readonly (readonly [string, number])[] = [
  // French, negative
  ['inadmissible', -3],
  ['inacceptable', -3],
  ['scandal', -3],
  ['honte', -3],
  ['honteu', -3],
  ['arnaque', -3],
  ['escroc', -3],
  ['voleur', -3],
  ['vol$', -1],
  ['vols$', -1],
  ['vole$', -1.5],
  ['volee$', -1.5],
  ['voles$', -1.5],
  ['degoute', -3],
  ['furieu', -3],
  ['colere', -2.5],
  ['enerve', -2],
  ['exaspere', -3],
  ['marre', -2.5],
  ['decu', -2],
  ['deception', -2],
  ['decevant', -2],
  ['mecontent', -2.5],
  ['insatisf', -2],
  ['nul$', -2],
  ['nuls$', -2],
  ['lamentable', -3],
  ['catastroph', -2.5],
  ['pire$', -2.5],
  ['jamais plus', -2],
  ['inquiet', -1.5],
  ['inquietude', -1.5],
  ['probleme', -0.7],
  ['casse', -1.2],
  ['defectu', -1.2],
  ['abime', -1.2],
  ['endommag', -1.2],
  ['retard', -1],
  ['toujours pas', -1.2],
  ['aucune reponse', -2],
  ['sans reponse', -2],
  ['relance', -1],
  ['avocat', -2.5],
  ['plainte', -2],
  ['litige', -2],
  ['dangereu', -2],
  ['incompetent', -3],
  ['ridicule', -2.5],
  ['deplorable', -3],
  ['malheureusement', -0.8],
  ['impossible', -1],
  ['erreur', -0.8],
  ['bloque', -0.8],
  ['perdu', -1],
  ['annul', -0.5],
  ['rembours', -0.3],
  ['desagreable', -2],
  ['mepris', -2.5],
  ['irrespectu', -2.5],
  ['menteu', -3],
  ['mensonge', -3],
  // French, positive
  ['merci beaucoup', 1.5],
  ['super', 2],
  ['excellent', 2.5],
  ['parfait', 2],
  ['ravi', 2.5],
  ['satisfait', 2],
  ['content', 2],
  ['genial', 2.5],
  ['bravo', 2.5],
  ['felicit', 2.5],
  ['top', 1.5],
  ['rapide', 1],
  ['efficace', 1.5],
  ['agreable', 1.5],
  ['bon travail', 2],
  ['recommande', 1.5],
  ['fidele', 1],
  ['apprecie', 1.5],
  ['impeccable', 2.5],
  ['bien recu', 1.5],
  ['suggestion', 0.3],
  ['idee', 0.3],
  // English, negative
  ['unacceptable', -3],
  ['outrageous', -3],
  ['disgrace', -3],
  ['scam', -3],
  ['fraud', -2.5],
  ['ripoff', -3],
  ['rip off', -3],
  ['furious', -3],
  ['angry', -2.5],
  ['livid', -3],
  ['fed up', -2.5],
  ['disappoint', -2],
  ['unhappy', -2],
  ['dissatisf', -2],
  ['terrible', -2.5],
  ['awful', -2.5],
  ['horrible', -2.5],
  ['worst', -3],
  ['useless', -2.5],
  ['pathetic', -3],
  ['ridiculous', -2.5],
  ['incompetent', -3],
  ['never again', -2.5],
  ['worried', -1.5],
  ['concern$', -1],
  ['concerns$', -1],
  ['concerned$', -1],
  ['problem', -0.7],
  ['issue', -0.5],
  ['broken', -1.2],
  ['defective', -1.2],
  ['damaged', -1.2],
  ['faulty', -1.2],
  ['late$', -0.8],
  ['lateness', -0.8],
  ['delay', -1],
  ['still not', -1.2],
  ['still no', -1.2],
  ['no reply', -2],
  ['no response', -2],
  ['ignored', -2],
  ['lawyer', -2.5],
  ['solicitor', -2.5],
  ['legal action', -2.5],
  ['chargeback', -2],
  ['complaint', -1.5],
  ['dangerous', -2],
  ['unfortunately', -0.8],
  ['wrong', -1],
  ['error', -0.8],
  ['lost', -1],
  ['annoy', -2],
  ['frustrat', -2],
  ['shocking', -2.5],
  ['rude', -2.5],
  ['lie$', -1.5],
  ['lies$', -1.5],
  ['lied$', -1.5],
  ['lying', -2.5],
  ['misleading', -2],
  // English, positive
  ['thank you so much', 1.5],
  ['great', 2],
  ['excellent', 2.5],
  ['perfect', 2],
  ['delighted', 2.5],
  ['happy', 2],
  ['pleased', 2],
  ['satisfied', 2],
  ['amazing', 2.5],
  ['awesome', 2.5],
  ['fantastic', 2.5],
  ['love', 2],
  ['well done', 2],
  ['quick', 1],
  ['fast', 1],
  ['helpful', 1.5],
  ['recommend', 1.5],
  ['appreciate', 1.5],
  ['loyal', 1],
  ['impressed', 2],
  ['suggestion', 0.3],
  ['idea', 0.3],
];

const NEGATORS = new Set([
  'pas',
  'jamais',
  'plus',
  'aucun',
  'aucune',
  'ni',
  'not',
  'never',
  'no',
  'nor',
  'dont',
  'didnt',
  'isnt',
  'wasnt',
  'cant',
  'cannot',
  'wont',
  'hardly',
  'without',
  'sans',
]);
// Negation words that are part of an entry ("toujours pas", "never again") are not negations of it.

// Longest stems first, so "merci beaucoup" is read before "merci".
const ENTRIES = [...LEXICON].sort((a, b) => b[0].length - a[0].length);
const FIRST_WORD = new Map<string, (readonly [string, number])[]>();
for (const entry of ENTRIES) {
  const first = entry[0].split(' ')[0]!.slice(0, 3);
  const list = FIRST_WORD.get(first) ?? [];
  list.push(entry);
  FIRST_WORD.set(first, list);
}

export interface SentimentResult {
  readonly score: number;
  /** The words that moved the score, strongest first. */
  readonly terms: readonly string[];
}

export function scoreSentiment(subject: string, body: string): SentimentResult {
  return scoreSentimentPrepared(prepareText(subject, body));
}

export function scoreSentimentPrepared(prepared: PreparedText): SentimentResult {
  const own = `${prepared.subject}\n${prepared.own}`;
  const folded = `${prepared.foldedSubject}\n${prepared.foldedOwn}`;
  const words = folded.replace(/'/g, '').match(/[a-z]+/g) ?? [];
  let total = 0;
  const hits: { term: string; value: number }[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const candidates = FIRST_WORD.get(w.slice(0, 3));
    if (!candidates) continue;
    for (const [stem, polarity] of candidates) {
      const parts = stem.split(' ');
      let ok = true;
      for (let j = 0; j < parts.length && ok; j++) {
        const word = words[i + j];
        const part = parts[j]!;
        ok =
          word !== undefined &&
          (j < parts.length - 1 || part.endsWith('$') ? word === part.replace(/\$$/, '') : word.startsWith(part));
      }
      if (!ok) continue;
      const negated =
        parts.length === 1 && [words[i - 1], words[i - 2]].some((p) => p !== undefined && NEGATORS.has(p));
      const value = negated ? -polarity * 0.6 : polarity;
      total += value;
      const term = stem.replace(/\$$/, '');
      hits.push({ term: negated ? `${words[i - 1]} ${term}` : term, value });
      i += parts.length - 1;
      break;
    }
  }
  // Shouting: several "!!" and words in capitals make a negative message angrier.
  const exclamations = (own.match(/!/g) ?? []).length;
  const capitals = (own.match(/\b[A-ZÀ-Ý]{4,}\b/g) ?? []).length;
  if (total < 0) total *= 1 + Math.min(0.5, exclamations * 0.08 + capitals * 0.08);
  const score = Math.tanh(total / Math.sqrt(4 + words.length / 25));
  return {
    score: Math.round(score * 100) / 100,
    terms: hits
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
      .slice(0, 5)
      .map((h) => h.term),
  };
}
