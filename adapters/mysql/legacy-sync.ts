/**
 * The old site keeps working on the same tables: it creates tickets from its web form, closes and
 * reopens them, and edits priority and category in the metadata block. The legacy row is the truth we
 * share with it; support_ticket is our indexed copy. This module keeps the copy true:
 * - adoption: a ticket the old site created gets its support_ticket row (at once when someone names
 *   its number; otherwise the background pass finds it within a sweep);
 * - reconciliation: before a ticket is changed or read on its own, and in the background pass for the
 *   lists, the flags and the block the old site may have changed win over our copy, and the change is
 *   in the audit trail as the old site's.
 * One implementation for every caller (agents' commands, intake, the old module's API, the worker's
 * sweep), whatever it runs its SQL on: a pool, a connection, or intake's commit group.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolConnection } from 'mysql2/promise';
import type { LegacySync, LegacySyncPass } from '../../src/ports/legacy-sync.ts';
import { decodeHtmlText } from '../../src/domain/encode.ts';
import {
  CATEGORIES,
  cutText,
  PRIORITIES,
  type Category,
  type Priority,
  type TicketStatus,
} from '../../src/domain/ticket.ts';
import { AdoptionPace } from './adoption-pace.ts';
import { METADATA_MARKER, parseLegacyContent, parseLegacyDate, parseMetadataBlock } from './legacy-format.ts';

/** How much of a ticket's text support_ticket_text keeps for the search (migration 0015). */
export const TICKET_TEXT_CHARS = 20_000;

/** Runs one statement: the rows of a SELECT, the result header of a write. */
export type SqlRunner = (sql: string, params: readonly unknown[]) => Promise<unknown>;

export function runnerOf(q: Pick<PoolConnection, 'query'>): SqlRunner {
  return async (sql, params) => (await q.query(sql, params as unknown[]))[0];
}

type Row = Record<string, unknown>;
const rows = async (run: SqlRunner, sql: string, params: readonly unknown[]) => (await run(sql, params)) as Row[];

/** What the legacy row of a number holds. */
export type LegacyRead =
  | { readonly found: 'none' }
  | { readonly found: 'reply'; readonly parentId: number }
  /** Reviews, legal documents, redirects (JSON with a "type" key, no metadata block): not tickets. */
  | { readonly found: 'other' }
  | { readonly found: 'ticket'; readonly ticket: LegacyTicket };

export interface LegacyTicket {
  readonly ticketId: number;
  readonly customerId: number;
  /** The customer's address, trimmed and lowercased ('' when the row has none). */
  readonly email: string;
  readonly subject: string;
  readonly createdAt: Date;
  readonly status: TicketStatus;
  readonly priority: Priority;
  readonly category: Category;
  readonly orderNumber: string | null;
  /** The customer's text (before the block, decoded), as support_ticket_text keeps it for the search. */
  readonly text: string;
}

// The old site's form and its staff wrote French words too.
const PRIORITY_WORDS: Readonly<Record<string, Priority>> = {
  urgente: 'urgent',
  critique: 'urgent',
  haute: 'high',
  eleve: 'high',
  elevee: 'high',
  important: 'high',
  importante: 'high',
  normale: 'normal',
  moyenne: 'normal',
  medium: 'normal',
  basse: 'low',
  faible: 'low',
};
const CATEGORY_WORDS: Readonly<Record<string, Category>> = {
  general: 'general',
  generale: 'general',
  autre: 'general',
  other: 'general',
  question: 'general',
  information: 'general',
  technique: 'technical',
  tech: 'technical',
  facturation: 'billing',
  facture: 'billing',
  paiement: 'billing',
  payment: 'billing',
  invoice: 'billing',
  reclamation: 'complaint',
  reclamations: 'complaint',
  plainte: 'complaint',
  litige: 'complaint',
  idee: 'suggestion',
  amelioration: 'suggestion',
  // The old contact page's own choices.
  order: 'general',
  commande: 'general',
  commercial: 'general',
  product: 'technical',
  produit: 'technical',
};

function fold(value: unknown): string {
  return typeof value === 'string'
    ? value
        .trim()
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
    : '';
}

/** A priority the block names, in our words or the old site's ("haute"); null when it names none we know. */
export function legacyPriority(value: unknown): Priority | null {
  const v = fold(value);
  return (PRIORITIES as readonly string[]).includes(v) ? (v as Priority) : (PRIORITY_WORDS[v] ?? null);
}

/** A category the block names, in our words or the old site's ("réclamation"); null when it names none we know. */
export function legacyCategory(value: unknown): Category | null {
  const v = fold(value);
  return (CATEGORIES as readonly string[]).includes(v) ? (v as Category) : (CATEGORY_WORDS[v] ?? null);
}

/** Open or closed, as the old site's flags say; null for flags it never writes (both 0, both 1). */
export function flagStatus(open: unknown, close: unknown): TicketStatus | null {
  if (String(close) === '1' && String(open) !== '1') return 'closed';
  if (String(open) === '1' && String(close) !== '1') return 'open';
  return null;
}

export async function readLegacyTicket(run: SqlRunner, ticketId: number): Promise<LegacyRead> {
  const [row] = await rows(
    run,
    `SELECT m.msg_cst_id, m.msg_ord_id, m.msg_date, m.msg_subject, m.msg_content, m.msg_parent_id, m.msg_open, m.msg_close, c.cst_mail
       FROM ___xtr_msg m LEFT JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id
      WHERE m.msg_id = ? LIMIT 1`,
    [ticketId],
  );
  if (!row) return { found: 'none' };
  return legacyRead(run, ticketId, row);
}

/** What a legacy row (with its customer's cst_mail) holds: a reply, something else, or a ticket. */
async function legacyRead(run: SqlRunner, ticketId: number, row: Row): Promise<LegacyRead> {
  const parent = String(row['msg_parent_id'] ?? '').trim();
  if (parent && parent !== '0' && /^\d+$/.test(parent)) return { found: 'reply', parentId: Number(parent) };
  const { metadata, text } = parseLegacyContent(String(row['msg_content'] ?? ''));
  if (!metadata) return { found: 'other' };
  const createdAt =
    parseLegacyDate(String(row['msg_date'] ?? '')) ??
    (typeof metadata['created_at'] === 'string' ? parseLegacyDate(metadata['created_at']) : null) ??
    (await neighbourDate(run, ticketId)) ??
    new Date();
  return {
    found: 'ticket',
    ticket: {
      ticketId,
      customerId: Number(row['msg_cst_id']) || 0,
      email: String(row['cst_mail'] ?? '')
        .trim()
        .toLowerCase()
        .slice(0, 255),
      // Ours are HTML-escaped (the old back office prints the column as HTML): read back as typed.
      subject: decodeHtmlText(String(row['msg_subject'] ?? '')).trim(),
      createdAt,
      status: flagStatus(row['msg_open'], row['msg_close']) ?? 'open',
      priority: legacyPriority(metadata['priority']) ?? 'normal',
      category: legacyCategory(metadata['category']) ?? 'general',
      orderNumber:
        typeof row['msg_ord_id'] === 'string' && row['msg_ord_id'].trim()
          ? row['msg_ord_id'].trim().slice(0, 64)
          : null,
      text: cutText(text, TICKET_TEXT_CHARS),
    },
  };
}

/** A row without a date: the ids follow time, so the date of the row written just before it says when, near enough. */
async function neighbourDate(run: SqlRunner, ticketId: number): Promise<Date | null> {
  const [row] = await rows(
    run,
    "SELECT msg_date FROM ___xtr_msg WHERE msg_id < ? AND msg_date IS NOT NULL AND msg_date <> '' ORDER BY msg_id DESC LIMIT 1",
    [ticketId],
  );
  return row ? parseLegacyDate(String(row['msg_date'])) : null;
}

/**
 * A ticket the old site created gets its row of ours (triaged: the web form gave its priority and
 * category). Idempotent; anything that is not a ticket is only reported.
 */
export async function adoptLegacyTicket(run: SqlRunner, ticketId: number): Promise<LegacyRead> {
  const read = await readLegacyTicket(run, ticketId);
  if (read.found !== 'ticket') return read;
  await insertAdopted(run, [read.ticket]);
  return read;
}

/**
 * Our rows for tickets the old site created, in one statement. The thread's last message says whether
 * an open ticket's customer waits for us (/ticket list waiting): one query for all of them.
 */
async function insertAdopted(run: SqlRunner, tickets: readonly LegacyTicket[]): Promise<void> {
  if (tickets.length === 0) return;
  const last = new Map<number, Row>();
  for (const r of await rows(
    run,
    // The parents are text: compared as text, so the index on msg_parent_id serves.
    'SELECT msg_id, msg_parent_id, msg_cnfa_id, msg_date FROM ___xtr_msg WHERE msg_parent_id IN (?)',
    [tickets.map((t) => String(t.ticketId))],
  )) {
    const parent = Number(r['msg_parent_id']);
    if (Number(r['msg_id']) > Number(last.get(parent)?.['msg_id'] ?? 0)) last.set(parent, r);
  }
  const values = tickets.map((t) => {
    const reply = last.get(t.ticketId);
    const lastAt = (reply && parseLegacyDate(String(reply['msg_date'] ?? ''))) || t.createdAt;
    const staffLast = reply !== undefined && !['', '0'].includes(String(reply['msg_cnfa_id'] ?? '').trim());
    // When the old site closed it is not known: no closing time (resolution figures leave it out).
    return [
      t.ticketId,
      t.customerId,
      t.email,
      cutText(t.subject, 500),
      t.status,
      t.priority,
      t.category,
      'legacy',
      t.orderNumber,
      1,
      t.createdAt,
      lastAt,
      lastAt,
      null,
      t.status === 'open' && !staffLast ? lastAt : null,
    ];
  });
  await run(
    `INSERT IGNORE INTO support_ticket (ticket_id, customer_id, customer_email, subject, status, priority, category, source, order_number, triaged, created_at, updated_at, last_message_at, closed_at, awaiting_reply_since)
     VALUES ?`,
    [values],
  );
  // Their text, for the old pages' search by words of the message, as intake keeps it for ours: from the
  // rows already read (an INSERT … SELECT read them again, and held shared locks on the old site's rows).
  await run('INSERT IGNORE INTO support_ticket_text (ticket_id, body) VALUES ?', [
    tickets.map((t) => [t.ticketId, t.text]),
  ]);
}

/**
 * Our copy of one ticket made to agree with what the old site did to its row: the flags (closed or
 * reopened there) and the block's priority and category. Returns what changed, recorded in the audit
 * trail as the old site's doing; null when the ticket has no row of ours. `lock`: the caller's
 * transaction locks both rows first (true: it changes both), or only ours ('ours': the background pass,
 * which reads the legacy row as committed and leaves it free for the old site's writes).
 */
export async function reconcileTicket(
  run: SqlRunner,
  ticketId: number,
  options: { lock: boolean | 'ours'; at: Date },
): Promise<string[] | null> {
  if (options.lock === 'ours')
    await run('SELECT ticket_id FROM support_ticket WHERE ticket_id = ? FOR UPDATE', [ticketId]);
  const lock = options.lock === true ? ' FOR UPDATE' : '';
  const [row] = await rows(
    run,
    `SELECT t.status, t.priority, t.category, x.msg_open, x.msg_close, SUBSTRING_INDEX(x.msg_content, ?, -1) AS block, LOCATE(?, x.msg_content) > 0 AS has_block
       FROM support_ticket t JOIN ___xtr_msg x ON x.msg_id = t.ticket_id
      WHERE t.ticket_id = ?${lock}`,
    [METADATA_MARKER, METADATA_MARKER, ticketId],
  );
  if (!row) return null;
  const changes: string[] = [];
  const sets: string[] = [];
  const params: unknown[] = [];
  const status = flagStatus(row['msg_open'], row['msg_close']);
  if (status && status !== row['status']) {
    sets.push('status = ?', 'closed_at = ?');
    params.push(status, status === 'closed' ? options.at : null);
    changes.push(status === 'closed' ? 'closed' : 'reopened');
  }
  if (Number(row['has_block']) === 1) {
    const block = parseMetadataBlock(String(row['block'] ?? ''));
    const priority = block ? legacyPriority(block['priority']) : null;
    const category = block ? legacyCategory(block['category']) : null;
    if (priority && priority !== row['priority']) {
      sets.push('priority = ?', 'priority_confidence = NULL'); // the old site's choice, not triage's
      params.push(priority);
      changes.push(`priority ${String(row['priority'])} → ${priority}`);
    }
    if (category && category !== row['category']) {
      sets.push('category = ?', 'category_confidence = NULL');
      params.push(category);
      changes.push(`category ${String(row['category'])} → ${category}`);
    }
  }
  if (sets.length === 0) return changes;
  await run(`UPDATE support_ticket SET ${sets.join(', ')}, updated_at = ? WHERE ticket_id = ?`, [
    ...params,
    options.at,
    ticketId,
  ]);
  for (const change of changes) {
    const type = change === 'closed' || change === 'reopened' ? change : 'changed_on_old_site';
    await run('INSERT INTO support_event (ticket_id, type, actor, details, created_at) VALUES (?, ?, ?, ?, ?)', [
      ticketId,
      type,
      'the old site',
      JSON.stringify({ change }),
      options.at,
    ]);
  }
  return changes;
}

/**
 * One ticket as the old site has it now, before it is read or changed on its own: reconciled when it
 * has a row of ours, adopted when it has not. What the number is when it is no ticket.
 */
export async function bringInLine(
  run: SqlRunner,
  ticketId: number,
  options: { lock: boolean; at: Date },
): Promise<{ readonly found: 'ticket'; readonly changed: boolean } | Exclude<LegacyRead, { found: 'ticket' }>> {
  const changes = await reconcileTicket(run, ticketId, options);
  if (changes) return { found: 'ticket', changed: changes.length > 0 };
  const read = await adoptLegacyTicket(run, ticketId);
  return read.found === 'ticket' ? { found: 'ticket', changed: true } : read;
}

/**
 * The block's marker in a row, compared byte for byte as parseLegacyContent finds it: LOCATE under the
 * table's utf8mb4_unicode_ci compared collation weights, and was most of a pass's time on 50,000 rows.
 */
const HAS_MARKER = 'LOCATE(CAST(? AS BINARY), CAST(x.msg_content AS BINARY)) > 0';

/** Ids below the pass's position looked at again each time: a row the old site committed late is still found. */
const RESCAN = 200;
const POSITION = 'legacy_adoption';

type PoolLike = { getConnection(): Promise<PoolConnection> };

/**
 * The old site's new tickets adopted: at most `chunk` legacy ids read per call, from where the last
 * call stopped (kept in support_sync_state, a little below, for rows committed late).
 */
export async function adoptNewLegacyTickets(
  pool: PoolLike,
  options: {
    at?: Date;
    chunk?: number;
    /** Only the newest rows, or those after this id: a pass that must stay quick (the history is the background pass's). */
    newest?: number;
    after?: number;
    /** Read in steps at this pace (the background pass); without it, the chunk at once. */
    pace?: AdoptionPace;
  } = {},
): Promise<{ adopted: number; position: number; top: number }> {
  const at = options.at ?? new Date();
  const chunk = options.chunk ?? 50_000;
  const conn = await pool.getConnection();
  const run = runnerOf(conn);
  try {
    const [state] = await rows(run, 'SELECT position FROM support_sync_state WHERE name = ?', [POSITION]);
    const [top] = await rows(run, 'SELECT COALESCE(MAX(msg_id), 0) AS top FROM ___xtr_msg', []);
    const highest = Number(top?.['top'] ?? 0);
    const position = Number(state?.['position'] ?? 0);
    const from = Math.max(
      0,
      position - RESCAN,
      options.newest === undefined ? 0 : highest - options.newest,
      options.after ?? 0,
    );
    const to = Math.min(highest, from + chunk);
    // The rows and their customers' addresses in one read per step; our rows for all of them in one insert
    // per batch (one ticket at a time cost three round trips each: an hour and a half on the shop's table).
    // The background pass goes in paced steps (adoption-pace.ts): the old site writes meanwhile.
    let adopted = 0;
    for (let next = from; next < to;) {
      const end = Math.min(to, next + (options.pace?.step ?? chunk));
      const started = performance.now();
      const candidates = await rows(
        run,
        `SELECT x.msg_id, x.msg_cst_id, x.msg_ord_id, x.msg_date, x.msg_subject, x.msg_content, x.msg_parent_id, x.msg_open, x.msg_close, c.cst_mail
           FROM ___xtr_msg x LEFT JOIN support_ticket t ON t.ticket_id = x.msg_id LEFT JOIN ___xtr_customer c ON c.cst_id = x.msg_cst_id
          WHERE x.msg_id > ? AND x.msg_id <= ? AND t.ticket_id IS NULL
            AND (x.msg_parent_id IS NULL OR TRIM(x.msg_parent_id) IN ('', '0')) AND ${HAS_MARKER}
          ORDER BY x.msg_id`,
        [next, end, METADATA_MARKER],
      );
      for (let i = 0; i < candidates.length; i += ADOPT_BATCH) {
        const tickets: LegacyTicket[] = [];
        for (const c of candidates.slice(i, i + ADOPT_BATCH)) {
          const read = await legacyRead(run, Number(c['msg_id']), c);
          if (read.found === 'ticket') tickets.push(read.ticket);
        }
        await insertAdopted(run, tickets);
        adopted += tickets.length;
      }
      const rest = options.pace?.after(end - next, performance.now() - started) ?? 0;
      next = end;
      if (rest > 0 && next < to) await sleep(rest);
    }
    // The position moves only over ground covered: not past a history the quick pass skipped.
    const covered = from <= Math.max(0, position - RESCAN);
    if (covered) {
      await run(
        'INSERT INTO support_sync_state (name, position, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE position = GREATEST(position, VALUES(position)), updated_at = VALUES(updated_at)',
        [POSITION, to, at],
      );
    }
    return { adopted, position: covered ? to : position, top: highest };
  } finally {
    conn.release();
  }
}

/** Tickets adopted per insert by a pass (each its own short statement: the old site's writes go between). */
const ADOPT_BATCH = 500;

const adopting = new WeakMap<object, Promise<unknown>>();
/** Per pool, the newest legacy id the last quick pass saw: the next one reads only what came since. */
const quickSeen = new WeakMap<object, number>();
/** Rows a quick pass before a list looks at, at most. */
const QUICK_ROWS = 2_000;

/**
 * adoptNewLegacyTickets before a list or a count, so the old site's new web-form tickets are there
 * without a worker running: a look at the newest rows only (a millisecond or two), the history being
 * adopted by the worker's background pass. Calls at the same time share one pass. A failure is left
 * to the list's own query to report.
 */
export async function adoptBeforeListing(pool: PoolLike): Promise<void> {
  let pass = adopting.get(pool);
  if (!pass) {
    const seen = quickSeen.get(pool);
    pass = adoptNewLegacyTickets(pool, {
      chunk: QUICK_ROWS,
      newest: QUICK_ROWS,
      ...(seen === undefined ? {} : { after: seen - RESCAN }),
    })
      .then((done) => quickSeen.set(pool, done.top))
      .catch(() => undefined)
      .finally(() => adopting.delete(pool));
    adopting.set(pool, pass);
  }
  await pass;
}

/** Tickets one pass compares for a reopening, at most (a cycle over the 2.25 million of the shop's table: 90 passes). */
const RECONCILE_CLOSED_TICKETS = 25_000;
const RECONCILE_POSITION = 'legacy_reconcile_closed';

/**
 * Every open ticket the old site closed or edited brought in line, and the closed ones it reopened among
 * the next `closedSlice` tickets by number (the next ones at the next pass, round and round). Comparing
 * every closed ticket at every pass read 2 million legacy rows by primary key each time on the shop's table
 * (the open ones are a few thousand), and made the adoption of its history slower at each pass. A ticket
 * read or changed on its own is brought in line at once whatever its slice (bringInLine).
 */
export async function reconcileChangedTickets(
  pool: PoolLike,
  options: { at?: Date; closedSlice?: number; pace?: AdoptionPace } = {},
): Promise<number> {
  const at = options.at ?? new Date();
  const slice = Math.max(1, options.closedSlice ?? RECONCILE_CLOSED_TICKETS);
  const conn = await pool.getConnection();
  const run = runnerOf(conn);
  try {
    const [state] = await rows(run, 'SELECT position FROM support_sync_state WHERE name = ?', [RECONCILE_POSITION]);
    // Which of our copies disagree with their legacy row (a priority in the old site's words, "haute",
    // is read again each pass and found to agree: a few rows). Compared byte for byte: our tables and the
    // shop's may have different collations (the database's default when each was created).
    // The block's words are mapped to ours in SQL, as legacyPriority/legacyCategory do: "haute" agrees
    // with high (a shop whose form writes French words would otherwise reconcile every open ticket at
    // every pass: two minutes a pass for 7,000 of them). A word we do not know agrees with our value.
    const block = 'SUBSTRING_INDEX(x.msg_content, ?, -1)';
    const priority = wordsToOurs(`JSON_VALUE(${block}, '$.priority')`, PRIORITIES, PRIORITY_WORDS);
    const category = wordsToOurs(`JSON_VALUE(${block}, '$.category')`, CATEGORIES, CATEGORY_WORDS);
    const differing = await rows(
      run,
      `SELECT t.ticket_id FROM support_ticket t JOIN ___xtr_msg x ON x.msg_id = t.ticket_id
        WHERE t.status = 'open'
          AND (x.msg_close = '1' OR COALESCE(${priority.sql}, t.priority) COLLATE utf8mb4_bin <> t.priority COLLATE utf8mb4_bin
               OR COALESCE(${category.sql}, t.category) COLLATE utf8mb4_bin <> t.category COLLATE utf8mb4_bin)`,
      [METADATA_MARKER, ...priority.params, METADATA_MARKER, ...category.params],
    );
    // The closed ones of the slice, in paced steps (each a primary-key read of the legacy row per ticket).
    let from = Number(state?.['position'] ?? 0);
    let wrapped = false;
    for (let left = slice; left > 0 && !wrapped;) {
      const step = Math.min(left, options.pace?.step ?? left);
      const started = performance.now();
      // The step's last ticket: a walk of the primary key (no gap in the numbers makes a pass idle).
      const [edge] = await rows(
        run,
        'SELECT ticket_id FROM support_ticket WHERE ticket_id > ? ORDER BY ticket_id LIMIT 1 OFFSET ?',
        [from, step - 1],
      );
      // Past the last ticket: the next pass starts again from the first.
      const to = edge ? Number(edge['ticket_id']) : 4_294_967_295;
      differing.push(
        ...(await rows(
          run,
          `SELECT t.ticket_id FROM support_ticket t JOIN ___xtr_msg x ON x.msg_id = t.ticket_id
            WHERE t.ticket_id > ? AND t.ticket_id <= ? AND t.status = 'closed' AND x.msg_open = '1' AND x.msg_close <> '1'`,
          [from, to],
        )),
      );
      left -= step;
      from = to;
      wrapped = !edge;
      const rest = options.pace?.after(step, performance.now() - started) ?? 0;
      if (rest > 0 && left > 0 && !wrapped) await sleep(rest);
    }
    await run(
      'INSERT INTO support_sync_state (name, position, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position), updated_at = VALUES(updated_at)',
      [RECONCILE_POSITION, wrapped ? 0 : from, at],
    );
    let reconciled = 0;
    for (const r of differing) {
      // Our row locked, the old site's read without a lock (a consistent read, taken once our row is ours:
      // what the old site committed meanwhile is what we read); a change it makes after is the next pass's.
      await conn.query('START TRANSACTION');
      try {
        if ((await reconcileTicket(run, Number(r['ticket_id']), { lock: 'ours', at }))?.length) reconciled++;
        await conn.query('COMMIT');
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
    return reconciled;
  } finally {
    conn.release();
  }
}

/**
 * `CASE expr WHEN word THEN ours … END` for a block's value: our own words and the old site's, compared
 * as the shop's collation does (case and accents aside: "Élevée" is "elevee"), trimmed; NULL otherwise.
 */
function wordsToOurs(
  expr: string,
  ours: readonly string[],
  words: Readonly<Record<string, string>>,
): { sql: string; params: unknown[] } {
  const pairs = [...ours.map((v) => [v, v] as const), ...Object.entries(words)];
  return {
    sql: `(CASE CONVERT(TRIM(${expr}) USING utf8mb4) COLLATE utf8mb4_unicode_ci ${pairs.map(() => 'WHEN ? THEN ?').join(' ')} ELSE NULL END)`,
    params: pairs.flat(),
  };
}

/** Per pool, the paces of its background passes, one per kind of step (what they learnt of the database carries over). */
const paces = new WeakMap<object, { adoption: AdoptionPace; reconcile: AdoptionPace }>();

/** The background pass: adoption in paced steps, then reconciliation. */
export async function syncLegacyTickets(
  pool: PoolLike,
  options: { at?: Date; chunk?: number } = {},
): Promise<{ adopted: number; reconciled: number; position: number; top: number }> {
  let pace = paces.get(pool);
  if (!pace) paces.set(pool, (pace = { adoption: new AdoptionPace(), reconcile: new AdoptionPace() }));
  const adoption = await adoptNewLegacyTickets(pool, { ...options, pace: pace.adoption });
  const reconciled = await reconcileChangedTickets(pool, { ...options, pace: pace.reconcile });
  return { ...adoption, reconciled };
}

/** The LegacySync port on a database: one background pass (adoption, then reconciliation) per call. */
export class MysqlLegacySync implements LegacySync {
  readonly #pool: PoolLike;

  constructor(database: { readonly pool: PoolLike }) {
    this.#pool = database.pool;
  }

  syncOnce(): Promise<LegacySyncPass> {
    return syncLegacyTickets(this.#pool);
  }
}
