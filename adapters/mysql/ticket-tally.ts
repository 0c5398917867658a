/**
 * Ticket counts from support_ticket_tally, which triggers on support_ticket keep (migration 0004): at
 * most 2,560 rows to read whatever the number of tickets, where a COUNT(*) over support_ticket reads
 * every ticket (4.1 s for the 850,000 adopted from the shop's table). Both the chat's
 * /ticket stats and the old API's /stats and unfiltered lists count this way.
 */
import { CATEGORIES, PRIORITIES, type Category, type Priority, type TicketStatus } from '../../src/domain/ticket.ts';
import type { SqlRunner } from './legacy-sync.ts';

export interface TallyTotals {
  readonly open: number;
  readonly closed: number;
  readonly openByPriority: Record<Priority, number>;
  readonly openByCategory: Record<Category, number>;
}

/** What a count may be filtered on and still be read from the tally. */
export interface TallyFilter {
  readonly status?: TicketStatus | null;
  readonly priority?: Priority | null;
  readonly category?: Category | null;
}

export async function readTally(run: SqlRunner): Promise<TallyTotals> {
  const rows = (await run(
    'SELECT status, priority, category, SUM(tickets) AS n FROM support_ticket_tally GROUP BY status, priority, category',
    [],
  )) as Record<string, unknown>[];
  let open = 0;
  let closed = 0;
  const openByPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
  const openByCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const r of rows) {
    const n = Number(r['n']);
    if (r['status'] === 'closed') {
      closed += n;
      continue;
    }
    open += n;
    openByPriority[r['priority'] as Priority] += n;
    openByCategory[r['category'] as Category] += n;
  }
  return { open, closed, openByPriority, openByCategory };
}

/** The number of tickets with that status, priority and category (each optional). */
export async function tallyCount(run: SqlRunner, filter: TallyFilter): Promise<number> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const column of ['status', 'priority', 'category'] as const) {
    const value = filter[column];
    if (value) {
      where.push(`${column} = ?`);
      params.push(value);
    }
  }
  const rows = (await run(
    `SELECT COALESCE(SUM(tickets), 0) AS n FROM support_ticket_tally${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
    params,
  )) as Record<string, unknown>[];
  return Number(rows[0]?.['n'] ?? 0);
}

/**
 * Tickets created at or after `since`: the whole hours from support_ticket_hourly (the triggers of migration
 * 0025), the rest of since's own hour from the created_at index. A COUNT of the range read every ticket of it
 * (90,000 in a day of the old site's form on the shop's table: 31 ms); this reads at most an hour of them.
 */
export async function countCreatedSince(run: SqlRunner, since: Date): Promise<number> {
  const hour = new Date(Math.ceil(since.getTime() / 3_600_000) * 3_600_000);
  const [partial, whole] = (await Promise.all([
    run('SELECT COUNT(*) AS n FROM support_ticket WHERE created_at >= ? AND created_at < ?', [since, hour]),
    run('SELECT COALESCE(SUM(tickets), 0) AS n FROM support_ticket_hourly WHERE hour >= ?', [hour]),
  ])) as Record<string, unknown>[][];
  return Number(partial?.[0]?.['n'] ?? 0) + Number(whole?.[0]?.['n'] ?? 0);
}
