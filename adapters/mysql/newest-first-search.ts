/**
 * A search by words, newest tickets first, for the chat's /ticket list (subject and address) and the old
 * pages' search (subject, address and text). InnoDB's FULLTEXT index reads every ticket that has each word,
 * whatever the LIMIT (85,000 for "frein" on the shop's table: seconds), where a walk down the created_at
 * index checks the words in each ticket and stops at the page's last match (a few thousand tickets for a
 * common word, the whole table for a rare one). Which way is cheaper depends on how common the words are:
 *  1. the newest WINDOW tickets of the filters are checked first: a common word fills the page there, and
 *     when they are all the filters keep, the count is exact;
 *  2. otherwise SAMPLE tickets from four stretches of the older history say how common all the words are
 *     together (the walk's length) and each on its own (what the FULLTEXT index would read);
 *  3. the cheaper way: the walk goes on below the window (keyset: from its last ticket), or null tells the
 *     caller to ask its FULLTEXT index.
 * Every statement has `?` placeholders; the conditions come from wordMatch (word-match.ts).
 */
import type { SqlRunner } from './legacy-sync.ts';
import { readTally } from './ticket-tally.ts';

/** A condition with its parameters. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface NewestFirstSearch {
  /** Conditions on support_ticket `t` (the filters, the keyset of a deep page), with their parameters. */
  readonly filters: readonly string[];
  readonly params: readonly unknown[];
  /** Every word, on a ticket row named `row` (and `x`, its support_ticket_text row, when `text`). */
  readonly matchesAll: (row: string) => SqlCondition;
  /** Each word as the FULLTEXT index looks it up (a list of tickets each); none: the index cannot serve. */
  readonly terms: (row: string) => readonly SqlCondition[];
  /** The words are looked for in the ticket's text too (support_ticket_text, joined as `x`). */
  readonly text: boolean;
  readonly offset: number;
  readonly limit: number;
}

export interface NewestFirstPage {
  /** The page's tickets, newest first: at most `limit`, from `offset`. */
  readonly ids: number[];
  /** Every ticket of the filters was looked at: `matched` is their exact number. */
  readonly exact: boolean;
  readonly matched: number;
  /** The share of the filters' tickets that have all the words (exact or estimated). */
  readonly share: number;
}

/** The newest tickets looked at first. */
export const SEARCH_WINDOW = 2_000;
/** Tickets across the older history whose share of matches decides between walking on and the FULLTEXT index. */
const SEARCH_SAMPLE = 1_000;
const STRETCHES = 4;
/**
 * What a ticket costs the FULLTEXT index (one entry of a word's list, joined to the ticket) against one
 * ticket walked (an index entry, the row, LIKE then REGEXP on its columns): about the same, 5 to 15 µs each
 * on 160,000 tickets adopted from a million legacy rows at load 14 (README, "At the shop's size").
 */
const FULLTEXT_TO_WALK_COST = 1;
/**
 * Tickets the FULLTEXT index lists quickly whatever the walk would cost (the old pages' search's rule: about
 * 10 µs each when the index is not in memory, on the shop's table; far less when it is).
 */
const FULLTEXT_QUICK = 20_000;

type Row = Record<string, unknown>;
/**
 * Tickets walked without a filter: subject and address read from the (created_at, ticket_id, subject, customer_email)
 * index alone (migration 0025). MariaDB plans ORDER BY … LIMIT on the narrower created_at index and reads each
 * ticket's row: 83,514 tickets walked in 312 ms on the shop's table, 75 ms from this index. With a filter
 * (a status, a priority) the planner's choice stands: the filter's own index may list far fewer tickets.
 */
const WORDS_INDEX = 'FORCE INDEX (idx_ticket_created_words)';
const KEYSET = '(t.created_at < ? OR (t.created_at = ? AND t.ticket_id < ?))';
/** A ticket at or above an edge (the window): the created_at range the index reads. */
const FROM_EDGE = 't.created_at >= ? AND (t.created_at > ? OR t.ticket_id >= ?)';

function where(conditions: readonly string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/** A page of a words search walked newest first, or null when the FULLTEXT index is the cheaper way. */
export async function searchNewestFirst(run: SqlRunner, search: NewestFirstSearch): Promise<NewestFirstPage | null> {
  const rows = async (sql: string, params: readonly unknown[]) => (await run(sql, params)) as Row[];
  const wanted = search.offset + search.limit;
  const textJoin = (row: string) =>
    search.text ? `LEFT JOIN support_ticket_text x ON x.ticket_id = ${row}.ticket_id` : '';
  const flags = (row: string) => {
    const all = search.matchesAll(row);
    const terms = search.terms(row);
    return {
      sql: [`${all.sql} AS m`, ...terms.map((term, i) => `${term.sql} AS m${i}`)].join(', '),
      params: [...all.params, ...terms.flatMap((term) => term.params)],
    };
  };
  const termCount = search.terms('w').length;
  const ticketTable = `support_ticket t ${search.filters.length === 0 ? WORDS_INDEX : ''}`;
  const columns = 't.ticket_id, t.created_at, t.subject, t.customer_email';
  // 1. The newest tickets of the filters, each with whether it has all the words and each word. Their edge
  // first, on the index alone: as one ORDER BY … LIMIT 2,000 the optimizer chose to sort the whole table
  // (500 ms on 160,000 tickets), as a range down to the edge it reads the index.
  const [windowEdge] = await rows(
    `SELECT t.created_at, t.ticket_id FROM support_ticket t ${where(search.filters)}
      ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT 1 OFFSET ?`,
    [...search.params, SEARCH_WINDOW - 1],
  );
  const windowFlags = flags('w');
  const window = await rows(
    `SELECT w.ticket_id, w.created_at, ${windowFlags.sql}
       FROM (SELECT ${columns} FROM ${ticketTable}
              ${where([...search.filters, ...(windowEdge ? [FROM_EDGE] : [])])}) w ${textJoin('w')}
      ORDER BY w.created_at DESC, w.ticket_id DESC`,
    [
      ...windowFlags.params,
      ...search.params,
      ...(windowEdge ? [windowEdge['created_at'], windowEdge['created_at'], windowEdge['ticket_id']] : []),
    ],
  );
  const found = window.filter((r) => Number(r['m']) === 1).map((r) => Number(r['ticket_id']));
  const share = found.length / Math.max(1, window.length);
  if (!windowEdge) return { ids: found.slice(search.offset, wanted), exact: true, matched: found.length, share };
  if (found.length >= wanted)
    return { ids: found.slice(search.offset, wanted), exact: false, matched: found.length, share };

  // 2. How common the words are below the window: four stretches of the history, from the oldest ticket to the window's last.
  const edge = window[window.length - 1]!;
  const edgeAt = edge['created_at'] instanceof Date ? edge['created_at'] : new Date(String(edge['created_at']));
  const [oldest] = await rows('SELECT MIN(created_at) AS at FROM support_ticket', []);
  const oldestAt = oldest?.['at'] instanceof Date ? oldest['at'].getTime() : edgeAt.getTime();
  const points = Array.from(
    { length: STRETCHES },
    (_, k) => new Date(edgeAt.getTime() - ((edgeAt.getTime() - oldestAt) * (k + 0.5)) / STRETCHES),
  );
  const sampleFlags = flags('s');
  const sums = [
    'COALESCE(SUM(m), 0) AS m',
    ...Array.from({ length: termCount }, (_, i) => `COALESCE(SUM(m${i}), 0) AS m${i}`),
  ];
  const [sample] = await rows(
    `SELECT COUNT(*) AS n, ${sums.join(', ')} FROM (
       SELECT ${sampleFlags.sql} FROM (${points
         .map(
           () =>
             `(SELECT ${columns} FROM ${ticketTable} ${where([...search.filters, 't.created_at <= ?'])}
                ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ${Math.ceil(SEARCH_SAMPLE / STRETCHES)})`,
         )
         .join(' UNION ALL ')}) s ${textJoin('s')}) f`,
    [...sampleFlags.params, ...points.flatMap((at) => [...search.params, at])],
  );
  const sampled = Number(sample?.['n'] ?? 0);
  // A history with few tickets of the filters: the window's share speaks for it too.
  const inSample = sampled >= 100;
  const looked = inSample ? sampled : window.length + sampled;
  const allShare = (Number(sample?.['m'] ?? 0) + (inSample ? 0 : found.length)) / looked;
  const remaining = wanted - found.length;
  if (termCount > 0) {
    // The walk's length down to the page's last match (a share of 0 in the sample: below one in `looked`),
    // against the tickets the FULLTEXT index lists for each word, across every ticket.
    const walkRows = remaining / Math.max(allShare, 1 / (2 * looked));
    const tally = await readTally(run);
    const tickets = Math.max(tally.open + tally.closed, window.length);
    let fulltextRows = 0;
    for (let i = 0; i < termCount; i++) {
      const inWindow = window.filter((r) => Number(r[`m${i}`]) === 1).length;
      // Those of the window, and the sample's share of the rest.
      fulltextRows +=
        inWindow + (Number(sample?.[`m${i}`] ?? 0) / Math.max(1, sampled)) * Math.max(0, tickets - window.length);
    }
    // A few thousand tickets with the words: the index lists them at once (and a search counts them exactly).
    if (fulltextRows <= FULLTEXT_QUICK || fulltextRows * FULLTEXT_TO_WALK_COST < walkRows) return null;
  }

  // 3. The walk goes on below the window, stopping at the page's last match.
  const all = search.matchesAll('t');
  const walked = await rows(
    `SELECT t.ticket_id FROM ${ticketTable} ${textJoin('t')}
      ${where([...search.filters, KEYSET, all.sql])}
      ORDER BY t.created_at DESC, t.ticket_id DESC LIMIT ? OFFSET ?`,
    [
      ...search.params,
      edgeAt,
      edgeAt,
      Number(edge['ticket_id']),
      ...all.params,
      wanted - Math.max(search.offset, found.length),
      Math.max(0, search.offset - found.length),
    ],
  );
  return {
    ids: [...found.slice(search.offset), ...walked.map((r) => Number(r['ticket_id']))],
    exact: false,
    matched: found.length + walked.length,
    share: allShare,
  };
}

/** The keyset condition of a deep page (after the previous page's last ticket), on support_ticket `t`. */
export function afterTicket(after: { readonly createdAt: Date; readonly ticketId: number }): SqlCondition {
  return { sql: KEYSET, params: [after.createdAt, after.createdAt, after.ticketId] };
}

/** Every condition at once (none: always true). */
export function allOf(conditions: readonly SqlCondition[]): SqlCondition {
  return conditions.length
    ? { sql: conditions.map((c) => `(${c.sql})`).join(' AND '), params: conditions.flatMap((c) => c.params) }
    : { sql: '1', params: [] };
}
