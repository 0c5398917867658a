/**
 * /ticket list of every status with a priority and a category, below thousands of newer tickets that have
 * neither (the old site's form writes "normal" "general" tickets over and over, as on the shop's table): each
 * status is read on its own index and the two merged newest first. The page is exactly what the tickets hold
 * (open and closed interleaved by date, deep pages, the last one), checked against the tickets themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlTicketStore } from '../../adapters/mysql/mysql-ticket-store.ts';
import type { ListRequest } from '../../src/domain/command.ts';
import { CATEGORIES, PRIORITIES, type Category, type Priority } from '../../src/domain/ticket.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

const TICKETS = 8_000;
/** The newest tickets, above the history: the old site's form, always normal and general. */
const FORM_FROM = 6_001;
const PAGE = 20;
let db: TestDatabase;
let store: MysqlTicketStore;

/** Ticket n's facts; two tickets share each second of creation now and then (the order is then by number). */
function ticketOf(n: number): { priority: Priority; category: Category; status: 'open' | 'closed'; at: number } {
  const form = n >= FORM_FROM;
  return {
    priority: form ? 'normal' : PRIORITIES[n % PRIORITIES.length]!,
    category: form ? 'general' : CATEGORIES[(n * 7) % CATEGORIES.length]!,
    status: n % 3 === 0 ? 'open' : 'closed',
    at: Date.UTC(2024, 0, 1) + Math.floor(n / 2) * 60_000,
  };
}

/** What a list must show: the tickets of that priority and category, newest first (by date, then number). */
function expected(priority: Priority | null, category: Category | null): number[] {
  const ids: number[] = [];
  for (let n = 1; n <= TICKETS; n++) {
    const t = ticketOf(n);
    if ((!priority || t.priority === priority) && (!category || t.category === category)) ids.push(n);
  }
  return ids.sort((a, b) => ticketOf(b).at - ticketOf(a).at || b - a);
}

beforeAll(async () => {
  db = await createTestDatabase('list_filters');
  // One statement: 8,000 short rows.
  const rows = Array.from({ length: TICKETS }, (_, i) => {
    const t = ticketOf(i + 1);
    const at = new Date(t.at);
    return [
      i + 1,
      1,
      `client${i + 1}@example.fr`,
      `Ticket ${i + 1}`,
      t.status,
      t.priority,
      t.category,
      'web',
      1,
      at,
      at,
      at,
    ];
  });
  await db.query(
    'INSERT INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, triaged, created_at, updated_at, last_message_at) VALUES ?',
    [rows],
  );
  store = new MysqlTicketStore(db.database);
}, 120_000);

afterAll(async () => {
  await db?.drop();
});

const list = (priority: Priority | null, category: Category | null, page = 1) =>
  store.list({ status: 'all', priority, category, words: [], page } satisfies ListRequest, PAGE);
const ids = (page: { items: { ticketId: number }[] }) => page.items.map((i) => i.ticketId);

describe('/ticket list all with a priority and a category, below newer tickets of neither', () => {
  it('lists both statuses newest first, page after page, to the last one', async () => {
    const all = expected('urgent', 'billing');
    expect(all.length).toBe(300);
    const first = await list('urgent', 'billing');
    expect(ids(first)).toEqual(all.slice(0, PAGE));
    expect(new Set(first.items.map((i) => i.status))).toEqual(new Set(['open', 'closed']));
    expect(first.items.every((i) => i.priority === 'urgent' && i.category === 'billing')).toBe(true);
    expect(first.hasMore).toBe(true);
    expect(ids(await list('urgent', 'billing', 7))).toEqual(all.slice(6 * PAGE, 7 * PAGE));
    const last = await list('urgent', 'billing', 15);
    expect(ids(last)).toEqual(all.slice(14 * PAGE));
    expect(last.hasMore).toBe(false);
    expect(await list('urgent', 'billing', 16)).toEqual({ items: [], hasMore: false });
  });

  it('does the same with a priority alone or a category alone', async () => {
    expect(ids(await list('low', null, 3))).toEqual(expected('low', null).slice(2 * PAGE, 3 * PAGE));
    expect(ids(await list(null, 'complaint', 2))).toEqual(expected(null, 'complaint').slice(PAGE, 2 * PAGE));
    // The form's own tickets are there too, above the history.
    expect(ids(await list('normal', 'general'))).toEqual(expected('normal', 'general').slice(0, PAGE));
  });
});
