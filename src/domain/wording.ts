/**
 * Words shared by the command replies, the digest and the operator's messages: one line cut between
 * words, and durations as people say them.
 */

/** One line of at most `max` characters, cut between words where it can ("…remplacement…", not "…remplacement batte"). */
export function shorten(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t || '(no subject)';
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}

/** "3 h 20 min", "45 min", "2 d 4 h"; "—" for none. `rough`: the largest unit only, rounded down ("3 h"). */
export function formatDuration(seconds: number | null, options: { readonly rough?: boolean } = {}): string {
  if (seconds === null) return '—';
  if (options.rough) {
    const minutes = Math.max(0, Math.floor(seconds / 60));
    if (minutes < 60) return `${minutes} min`;
    if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
    return `${Math.floor(minutes / 1440)} d`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** How long a customer has waited, roughly: "12 min", "5 h", "3 d". */
export function waitedFor(since: Date, now: Date): string {
  return formatDuration((now.getTime() - since.getTime()) / 1000, { rough: true });
}

/** Edits (insert, delete, replace) from one word to another: how near a typo is to what was meant. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** editDistanceWithin's two rows of the table, side by side. */
let rows = new Int32Array(128);

/**
 * editDistance when it is at most `max`, otherwise `max + 1`: only the cells within `max` of the diagonal
 * are computed, and it stops at the first row already past `max`. Checking every environment variable
 * against every name of ours at each start cost 16 ms with the full table.
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  // Two rows reused from call to call (grown when a longer word comes): no array made per row or call.
  if (rows.length < 2 * (b.length + 1)) rows = new Int32Array(4 * (b.length + 1));
  const width = b.length + 1;
  let previous = 0;
  let row = width;
  for (let j = 0; j <= b.length; j++) rows[previous + j] = j <= max ? j : over;
  for (let i = 1; i <= a.length; i++) {
    rows.fill(over, row, row + width);
    if (i <= max) rows[row] = i;
    let least = rows[row]!;
    const code = a.charCodeAt(i - 1);
    for (let j = Math.max(1, i - max); j <= Math.min(b.length, i + max); j++) {
      const cost = Math.min(
        rows[previous + j]! + 1,
        rows[row + j - 1]! + 1,
        rows[previous + j - 1]! + (code === b.charCodeAt(j - 1) ? 0 : 1),
      );
      rows[row + j] = Math.min(cost, over);
      if (rows[row + j]! < least) least = rows[row + j]!;
    }
    if (least > max) return over;
    [previous, row] = [row, previous];
  }
  return Math.min(rows[previous + b.length]!, over);
}

/**
 * The candidate nearest a typo, within `maxEdits` edits (the first listed on a tie); null when none is
 * that near. Candidates longer or shorter by more than `maxEdits` are not measured.
 */
export function closestWord(word: string, candidates: Iterable<string>, maxEdits: number): string | null {
  let best: string | null = null;
  let bestDistance = maxEdits + 1;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - word.length) > maxEdits) continue;
    const d = editDistanceWithin(word, candidate, maxEdits);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
