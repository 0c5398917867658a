/**
 * A word of a search as SQL conditions that hold when it starts a word of one of the columns ("brake"
 * finds "Brake pads" and "brakes", "societe" finds "Société"): LIKE first, cheap, then a REGEXP (the
 * truth) on the rows LIKE lets through. For a walk of the newest tickets, where a FULLTEXT index would
 * look at every ticket with the word; the chat's /ticket list and the old pages' search share it.
 */

/** A search word's tokens (letters, digits, underscore): "CMD/2025" is "CMD" then "2025". */
export function wordTokens(word: string): string[] {
  return word.split(/[^\p{L}\p{N}_]+/u).filter(Boolean);
}

/** `((col LIKE ? AND col REGEXP ?) OR …)` for the tokens in a row, over the columns; null without tokens. */
export function wordMatch(
  tokens: readonly string[],
  columns: readonly string[],
): { sql: string; params: unknown[] } | null {
  if (tokens.length === 0) return null;
  // LIKE compares without accents (the collation); REGEXP does not, so each letter admits its accented forms.
  const pattern = `\\b${tokens.map(accentTolerant).join('[^[:alnum:]_]+')}`;
  const like = `%${tokens.reduce((a, b) => (b.length > a.length ? b : a)).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    sql: `(${columns.map((c) => `(${c} LIKE ? AND ${c} REGEXP ?)`).join(' OR ')})`,
    params: columns.flatMap(() => [like, pattern]),
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Accented forms of the letters French (and its neighbours) write: "societe" finds "Société", and the other way round. */
const ACCENTED: Readonly<Record<string, string>> = {
  a: 'aàâäáãå',
  c: 'cç',
  e: 'eéèêë',
  i: 'iîïíì',
  n: 'nñ',
  o: 'oôöóòõ',
  u: 'uùûüú',
  y: 'yÿý',
};

/** A word as a regular expression matching it with or without accents (case is the collation's). */
function accentTolerant(word: string): string {
  const folded = word
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
  return [...folded].map((ch) => (ACCENTED[ch] ? `[${ACCENTED[ch]}]` : escapeRegex(ch))).join('');
}
