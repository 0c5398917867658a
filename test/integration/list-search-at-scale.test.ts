/**
 * /ticket list with words on more tickets than it looks at first: 30,000 of them, the newest 2,500 (the old site's
 * form writing the same subject over and over, as on the shop's table) have none of the words, so a page is
 * found below them. Common words are walked down the created_at index, rare ones found by the FULLTEXT
 * index (newest-first-search.ts, the old pages' search's own code); either way the page is exactly what the
 * tickets hold: every word matched, newest first, deep pages included. Checked against the tickets themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlTicketStore } from '../../adapters/mysql/mysql-ticket-store.ts';
import { runnerOf } from '../../adapters/mysql/legacy-sync.ts';
import { allOf, searchNewestFirst } from '../../adapters/mysql/newest-first-search.ts';
import { wordMatch } from '../../adapters/mysql/word-match.ts';
import type { ListRequest } from '../../src/domain/command.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

const TICKETS = 30_000;
/** The newest tickets, above the history: the old site's form, always the same subject. */
const FORM_FROM = 27_501;
const PAGE = 20;
let db: TestDatabase;
let store: MysqlTicketStore;

/**
 * Ticket n's subject and status: "frein" in one in two of the history, "remboursement" in one in three (the
 * FULLTEXT index would list over 20,000 tickets for the two: walking is cheaper), "turbocompresseur" in three.
 */
function ticketOf(n: number): { subject: string; status: 'open' | 'closed' } {
  const subject =
    n >= FORM_FROM
      ? `Formulaire : question sur ma commande ${n}`
      : [1_235, 2_347, 3_457].includes(n)
        ? `Turbocompresseur qui siffle ${n}`
        : `${n % 2 === 0 ? 'Plaquettes de frein' : 'Filtre à huile'} : ${n % 3 === 0 ? 'demande de remboursement' : 'retard de livraison'} ${n}`;
  return { subject, status: n % 5 === 0 ? 'open' : 'closed' };
}

/** What a list must show: the tickets whose subject has every word, newest first. */
function expected(test: (subject: string) => boolean, status: 'open' | 'closed' | null = null): number[] {
  const ids: number[] = [];
  for (let n = TICKETS; n >= 1; n--) {
    const t = ticketOf(n);
    if (test(t.subject) && (!status || t.status === status)) ids.push(n);
  }
  return ids;
}

beforeAll(async () => {
  db = await createTestDatabase('list_scale');
  const day0 = Date.UTC(2024, 0, 1);
  for (let from = 1; from <= TICKETS; from += 1_000) {
    const ours: unknown[][] = [];
    for (let n = from; n < from + 1_000; n++) {
      const t = ticketOf(n);
      const at = new Date(day0 + n * 3_600_000);
      ours.push([n, 1, `client${n}@example.fr`, t.subject, t.status, 'normal', 'general', 'web', 1, at, at, at]);
    }
    await db.query(
      'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at) VALUES ?',
      [ours],
    );
  }
  store = new MysqlTicketStore(db.database);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

const list = (words: string[], page = 1, status: ListRequest['status'] = 'all') =>
  store.list({ status, priority: null, category: null, words, page }, PAGE);
const ids = (page: { items: { ticketId: number }[] }) => page.items.map((i) => i.ticketId);
const brakeRefund = (s: string) => /\bfrein\b/.test(s) && /\bremboursement\b/.test(s);

/** Which way the shared search takes for words on the subject and address (null: the FULLTEXT index). */
async function way(words: string[], offset = 0): Promise<'walk' | 'fulltext'> {
  const each = (row: string) => words.map((w) => wordMatch([w], [`${row}.subject`, `${row}.customer_email`])!);
  const page = await searchNewestFirst(runnerOf(db.database.pool), {
    filters: [],
    params: [],
    matchesAll: (row) => allOf(each(row)),
    terms: each,
    text: false,
    offset,
    limit: PAGE + 1,
  });
  return page ? 'walk' : 'fulltext';
}

describe('/ticket list with words below the newest tickets', () => {
  it('walks on for common words: every word matched, newest first, page after page', async () => {
    const all = expected(brakeRefund);
    expect(all.length).toBe(4_583);
    expect(await way(['frein', 'remboursement'])).toBe('walk');
    const first = await list(['frein', 'remboursement']);
    expect(ids(first)).toEqual(all.slice(0, PAGE));
    expect(first.hasMore).toBe(true);
    const fifth = await list(['frein', 'remboursement'], 5);
    expect(ids(fifth)).toEqual(all.slice(4 * PAGE, 5 * PAGE));
    // The last page: what is left, and no more.
    const last = await list(['frein', 'remboursement'], 230);
    expect(ids(last)).toEqual(all.slice(229 * PAGE));
    expect(ids(last)).toHaveLength(3);
    expect(last.hasMore).toBe(false);
    // Prefixes and accents as before: "rembours" starts "remboursement", "FREIN" is "frein".
    expect(ids(await list(['FREIN', 'rembours']))).toEqual(all.slice(0, PAGE));
  });

  it('keeps the status filter while walking', async () => {
    const open = expected(brakeRefund, 'open');
    // Page 15: more than the newest 2,000 open tickets hold (250).
    const page = await list(['frein', 'remboursement'], 15, 'open');
    expect(ids(page)).toEqual(open.slice(14 * PAGE, 15 * PAGE));
    expect(page.items.every((i) => i.status === 'open')).toBe(true);
  });

  it('asks the FULLTEXT index for a rare word, with the same answer a walk would give', async () => {
    expect(await way(['turbocompresseur'])).toBe('fulltext');
    const rare = await list(['turbocompresseur']);
    expect(ids(rare)).toEqual([3_457, 2_347, 1_235]);
    expect(rare.hasMore).toBe(false);
    expect(ids(await list(['turbocompresseur', 'siffle']))).toEqual([3_457, 2_347, 1_235]);
  });

  it('walks when a word is one the FULLTEXT index cannot look up ("de", a stopword)', async () => {
    const all = expected((s) => /\bfrein\b/.test(s) && /\bde\b/.test(s));
    expect(ids(await list(['frein', 'de'], 3))).toEqual(all.slice(2 * PAGE, 3 * PAGE));
  });

  it('finds nothing without failing when no ticket has every word', async () => {
    const none = await list(['turbocompresseur', 'remboursement']);
    expect(none).toEqual({ items: [], hasMore: false });
  });
});
