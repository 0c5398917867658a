/** What InnoDB's FULLTEXT indexes (support_ticket_text, support_ticket's subject) can look for. */

/** InnoDB's default stopwords: a required one matches nothing in boolean mode. */
const FULLTEXT_STOPWORDS = new Set([
  'a',
  'about',
  'an',
  'are',
  'as',
  'at',
  'be',
  'by',
  'com',
  'de',
  'en',
  'for',
  'from',
  'how',
  'i',
  'in',
  'is',
  'it',
  'la',
  'of',
  'on',
  'or',
  'that',
  'the',
  'this',
  'to',
  'was',
  'what',
  'when',
  'where',
  'who',
  'will',
  'with',
  'und',
  'www',
]);

/** Whether the index can use this word: 3 letters or more (InnoDB's smallest token) and not a stopword. */
export function indexableWord(word: string): boolean {
  return [...word].length >= 3 && !FULLTEXT_STOPWORDS.has(word.toLowerCase());
}
