/**
 * The old pages' search and counts on more tickets than a search looks at first (6,000 here, the shop has
 * 2.25 million): a common word is found by walking the newest tickets and its total is an estimate said as
 * such; a rare word is found by the FULLTEXT indexes and counted exactly; /stats and unfiltered lists count
 * from the tally. Each answer is checked against what the tickets really hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeLegacyContent, formatLegacyDate } from '../../adapters/mysql/legacy-format.ts';
import { MysqlSupportApiStore } from '../../adapters/mysql/mysql-support-api-store.ts';
import type { TicketListQuery } from '../../src/ports/support-api-store.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

const TICKETS = 6_000;
let db: TestDatabase;
let store: MysqlSupportApiStore;

/** Ticket n: "frein" in one ticket in four (the subject or the text only), "turbocompresseur" in three texts. */
function ticketOf(n: number) {
  const brake = n % 4 === 0;
  const subject = brake && n % 8 === 0 ? `Plaquettes de frein ${n}` : `Question commande ${n}`;
  const text = `Bonjour, ${brake && n % 8 !== 0 ? 'le frein avant grince' : 'une question'}.${[1000, 3001, 5999].includes(n) ? ' Le turbocompresseur siffle.' : ''}`;
  return { subject, text, status: n % 3 === 0 ? 'open' : 'closed' };
}

beforeAll(async () => {
  db = await createTestDatabase('search_scale');
  const day0 = Date.UTC(2025, 0, 1);
  for (let from = 1; from <= TICKETS; from += 1_000) {
    const legacy: unknown[][] = [];
    const ours: unknown[][] = [];
    const texts: unknown[][] = [];
    for (let n = from; n < from + 1_000; n++) {
      const t = ticketOf(n);
      const at = new Date(day0 + n * 3_600_000);
      legacy.push([
        n,
        '1',
        formatLegacyDate(at),
        t.subject,
        composeLegacyContent(t.text, { priority: 'normal', category: 'general', created_at: formatLegacyDate(at) }),
        t.status === 'open' ? '1' : '0',
        t.status === 'open' ? '0' : '1',
      ]);
      ours.push([n, 1, `client${n}@example.fr`, t.subject, t.status, 'normal', 'general', 'web', 1, at, at, at]);
      texts.push([n, t.text]);
    }
    await db.query(
      'INSERT INTO ___xtr_msg (msg_id, msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES ?',
      [legacy],
    );
    await db.query(
      'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at) VALUES ?',
      [ours],
    );
    await db.query('INSERT INTO support_ticket_text (ticket_id, body) VALUES ?', [texts]);
  }
  store = new MysqlSupportApiStore(db.database);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

const query = (extra: Partial<TicketListQuery>): TicketListQuery => ({
  page: 1,
  limit: 20,
  status: null,
  keyword: null,
  inContent: true,
  ...extra,
});
const brakeIds = Array.from({ length: TICKETS }, (_, i) => i + 1)
  .filter((n) => n % 4 === 0)
  .reverse();

describe('the old pages’ search on more tickets than it looks at first', () => {
  it('finds a common word in the subject or the text, newest first, and says its total is an estimate', async () => {
    const first = await store.listTickets(query({ keyword: 'frein' }));
    expect(first.tickets.map((t) => t.ticketId)).toEqual(brakeIds.slice(0, 20));
    expect(first.totalExact).toBe(false);
    // 1,500 tickets have it; the estimate scales the share among the newest 2,000 (one in four) to 6,000.
    expect(first.total).toBe(1_500);
    const deep = await store.listTickets(query({ keyword: 'frein', page: 30 }));
    expect(deep.tickets.map((t) => t.ticketId)).toEqual(brakeIds.slice(580, 600));
    const both = await store.listTickets(query({ keyword: 'plaquettes frein', limit: 5 }));
    expect(both.tickets.map((t) => t.ticketId)).toEqual([6000, 5992, 5984, 5976, 5968]);
  });

  it('counts a rare word exactly, from the FULLTEXT indexes', async () => {
    const rare = await store.listTickets(query({ keyword: 'turbocompresseur' }));
    expect(rare).toMatchObject({ total: 3, totalExact: true });
    expect(rare.tickets.map((t) => t.ticketId)).toEqual([5999, 3001, 1000]);
  });

  it('finds a customer by address, exactly, without reading the tickets of every "example" address', async () => {
    const found = await store.listTickets(query({ keyword: 'Client4242@example.fr' }));
    expect(found).toMatchObject({ total: 1, totalExact: true });
    expect(found.tickets.map((t) => t.ticketId)).toEqual([4242]);
  });

  it('counts lists and /stats from the tally, as the tickets are', async () => {
    const open = await store.listTickets(query({ status: 'open', inContent: false, limit: 3 }));
    expect(open).toMatchObject({ total: TICKETS / 3, totalExact: true });
    expect(open.tickets.map((t) => t.ticketId)).toEqual([6000, 5997, 5994]);
    const all = await store.listTickets(query({ inContent: false }));
    expect(all.total).toBe(TICKETS);
    const stats = await store.contactStats(new Date(0));
    expect(stats).toMatchObject({
      total: TICKETS,
      open: TICKETS / 3,
      closed: (TICKETS * 2) / 3,
      createdSince: TICKETS,
    });
    expect(stats.byPriority.normal).toBe(TICKETS / 3);
  });
});
