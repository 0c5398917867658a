/**
 * Group commit for the intake's transactions on mysql2's callback connections. When several emails
 * are being stored at once, their transactions share one database transaction on one connection. The
 * emails' queries run in lock-step rounds (each round is one multi-statement round trip carrying every
 * email's next query), and all their deferred writes go with one COMMIT. Each email's rows are still
 * committed atomically: if anything in a group fails (a duplicate Message-ID, a lock conflict, an error
 * in one email's work), the whole group is rolled back and each email is stored again on its own, alone
 * in its transaction, so one email's failure never touches another's rows.
 *
 * What a transaction does is the store's (mysql-intake-store.ts): this module only runs its queries
 * (`exec`) and sends its deferred writes (`deferredWrites`) with the COMMIT.
 */
import { connQuery, getConnection, type CorePool, type CorePoolConnection } from './callback-sql.ts';
import { toAppError } from './database.ts';

export interface GroupCommitOptions {
  /** Most emails in one shared transaction. 1 turns group commit off. */
  readonly maxGroup: number;
  /** Groups stored at the same time, each on its own connection. */
  readonly parallelGroups: number;
}

const DEFAULT_GROUPING: GroupCommitOptions = { maxGroup: 32, parallelGroups: 2 };

export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** An INSERT, in parts: deferred inserts of one shape are sent as one multi-row INSERT. */
  readonly insert?: { readonly head: string; readonly rows: string; readonly tail: string };
  /**
   * Sent in the order of the group's emails (the ticket row: its number follows arrival, though a new
   * customer takes more statements to reach it than a known one).
   */
  readonly ordered?: boolean;
}

/**
 * Deferred writes → SQL. Inserts of the same shape (same table, columns and tail) become one
 * multi-row INSERT at the place of the first of them: the server parses and runs one statement
 * instead of one per row. Safe because intake's deferred inserts never depend on a later write of
 * another shape (attachments follow the message rows they point to, which come first).
 */
function commitSql(prefix: readonly string[], deferred: readonly Statement[]): { sql: string; params: unknown[] } {
  interface Slot {
    readonly insert: Statement['insert'];
    readonly sql: string;
    readonly rows: string[];
    readonly params: unknown[];
  }
  const slots: Slot[] = [];
  const byShape = new Map<string, Slot>();
  for (const { sql, params, insert } of deferred) {
    const shape = insert ? `${insert.head}\u0000${insert.tail}` : null;
    const slot = shape === null ? undefined : byShape.get(shape);
    if (slot) {
      slot.rows.push(insert!.rows);
      slot.params.push(...params);
      continue;
    }
    const fresh: Slot = { insert, sql, rows: insert ? [insert.rows] : [], params: [...params] };
    slots.push(fresh);
    if (shape !== null) byShape.set(shape, fresh);
  }
  const sql = slots.map((slot) =>
    slot.insert ? `${slot.insert.head} VALUES ${slot.rows.join(', ')}${slot.insert.tail}` : slot.sql,
  );
  return { sql: [...prefix, ...sql, 'COMMIT'].join(';\n'), params: slots.flatMap((slot) => slot.params) };
}

/** What mysql2 answers for one statement: rows for a SELECT, an OK packet for a write. */
export type StatementResult = Record<string, unknown>[] | { insertId: number; affectedRows: number };

/** How a transaction sends a query: at once (alone) or with the group's next round trip. */
export type Exec = (statement: Statement) => Promise<StatementResult>;

/** A transaction as group commit sees it: the writes it leaves for the COMMIT. */
export interface GroupedTransaction {
  deferredWrites(): readonly Statement[];
}

type Work<Tx, T> = (tx: Tx) => Promise<T>;

interface Queued<Tx> {
  readonly work: Work<Tx, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onRolledBack: (() => void) | undefined;
}

/** Runs transactions alone or in groups (see the module's comment), each built by `newTransaction`. */
export class GroupCommitter<Tx extends GroupedTransaction> {
  readonly #pool: CorePool;
  readonly #grouping: GroupCommitOptions;
  readonly #newTransaction: (exec: Exec) => Tx;
  /** What a failed transaction was doing, for its error message. */
  readonly #what: string;
  readonly #queue: Queued<Tx>[] = [];
  #activeGroups = 0;
  #pumpScheduled = false;

  constructor(
    pool: CorePool,
    newTransaction: (exec: Exec) => Tx,
    options: { readonly grouping?: Partial<GroupCommitOptions>; readonly what: string },
  ) {
    this.#pool = pool;
    this.#newTransaction = newTransaction;
    this.#grouping = { ...DEFAULT_GROUPING, ...options.grouping };
    this.#what = options.what;
  }

  transaction<T>(work: Work<Tx, T>, options: { readonly onRolledBack?: () => void } = {}): Promise<T> {
    if (this.#grouping.maxGroup <= 1) return this.#alone(work);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        work,
        resolve: resolve as (value: unknown) => void,
        reject,
        onRolledBack: options.onRolledBack,
      });
      // At the end of this turn: the emails that reached this point together form one group, in the
      // order they came (a group started at once would hold the first alone, racing the rest).
      if (!this.#pumpScheduled) {
        this.#pumpScheduled = true;
        setImmediate(() => {
          this.#pumpScheduled = false;
          this.#pump();
        });
      }
    });
  }

  /** Starts a group with whatever is waiting, while fewer than `parallelGroups` are running. */
  #pump(): void {
    while (this.#activeGroups < this.#grouping.parallelGroups && this.#queue.length > 0) {
      const entries = this.#queue.splice(0, this.#grouping.maxGroup);
      this.#activeGroups++;
      const run = entries.length === 1 ? this.#runAlone(entries[0]!) : this.#runGroup(entries);
      void run.finally(() => {
        this.#activeGroups--;
        this.#pump();
      });
    }
  }

  async #runAlone(entry: Queued<Tx>): Promise<void> {
    try {
      entry.resolve(await this.#alone(entry.work));
    } catch (error) {
      entry.reject(error);
    }
  }

  async #runGroup(entries: Queued<Tx>[]): Promise<void> {
    let conn: CorePoolConnection;
    try {
      conn = await getConnection(this.#pool);
    } catch (error) {
      const appError = toAppError(error, 'connecting to the database');
      for (const e of entries) e.reject(appError);
      return;
    }
    let results: unknown[] | null;
    try {
      results = await new CommitGroup(
        conn,
        entries.map((e) => e.work),
        this.#newTransaction,
      ).run();
    } finally {
      conn.release();
    }
    if (results) {
      entries.forEach((e, i) => e.resolve(results[i]));
      return;
    }
    // Something in the group failed and it was rolled back: each email again, on its own, one after
    // the other in the order they came (ticket numbers follow arrival; two first emails of one new
    // customer, the usual cause, then do not collide again). Each is told first, so that what the
    // rolled-back run counted (an acknowledgement about to be queued) stops counting at once, not
    // only when its own turn comes.
    for (const e of entries) e.onRolledBack?.();
    for (const e of entries) await this.#runAlone(e);
  }

  /**
   * One email, one connection, one transaction. START TRANSACTION goes with the first query, and
   * the deferred writes with the COMMIT, so a new ticket costs three or four round trips.
   */
  async #alone<T>(work: Work<Tx, T>): Promise<T> {
    let conn: CorePoolConnection;
    try {
      conn = await getConnection(this.#pool);
    } catch (error) {
      throw toAppError(error, 'connecting to the database');
    }
    let started = false;
    try {
      const tx = this.#newTransaction(async (statement) => {
        if (started) return (await connQuery(conn, statement.sql, statement.params)) as StatementResult;
        started = true;
        const results = (await connQuery(
          conn,
          `START TRANSACTION;\n${statement.sql}`,
          statement.params,
        )) as StatementResult[];
        return results[1]!;
      });
      const result = await work(tx);
      const commit = commitSql(started ? [] : ['START TRANSACTION'], tx.deferredWrites());
      await connQuery(conn, commit.sql, commit.params);
      return result;
    } catch (error) {
      await connQuery(conn, 'ROLLBACK', []).catch(() => undefined);
      throw toAppError(error, this.#what);
    } finally {
      conn.release();
    }
  }
}

/**
 * Several emails' transactions in one: each email's work runs against its own transaction,
 * whose queries are gathered; when every unfinished work is waiting on a query, the gathered queries
 * go to the server as one multi-statement round trip. `run` resolves with each work's result once
 * all are committed together, or with null once the group is rolled back (nothing of it is stored).
 */
class CommitGroup<Tx extends GroupedTransaction> {
  readonly #conn: CorePoolConnection;
  readonly #works: readonly Work<Tx, unknown>[];
  readonly #newTransaction: (exec: Exec) => Tx;
  readonly #txs: Tx[] = [];
  #pending: {
    statement: Statement;
    resolve: (r: StatementResult) => void;
    reject: (e: unknown) => void;
    owner: number;
  }[] = [];
  /** Ordered statements waiting for those of earlier emails (see Statement.ordered). */
  #held: {
    statement: Statement;
    resolve: (r: StatementResult) => void;
    reject: (e: unknown) => void;
    owner: number;
  }[] = [];
  /** Emails that sent their ordered statement, or finished without one: later ones may send theirs. */
  readonly #passed = new Set<number>();
  readonly #waiting = new Set<number>();
  #running = 0;
  #started = false;
  #failed = false;
  #flushing = false;
  #settled!: () => void;

  constructor(conn: CorePoolConnection, works: readonly Work<Tx, unknown>[], newTransaction: (exec: Exec) => Tx) {
    this.#conn = conn;
    this.#works = works;
    this.#newTransaction = newTransaction;
  }

  async run(): Promise<unknown[] | null> {
    const allDone = new Promise<void>((resolve) => (this.#settled = resolve));
    const results: unknown[] = [];
    this.#running = this.#works.length;
    this.#works.forEach((work, i) => {
      const tx = this.#newTransaction((statement) => this.#enqueue(i, statement));
      this.#txs.push(tx);
      work(tx).then(
        (value) => {
          results[i] = value;
          this.#finished(i);
        },
        () => {
          this.#failed = true;
          this.#finished(i);
        },
      );
    });
    await allDone;
    try {
      if (this.#failed) throw new Error('a transaction of the group failed');
      const commit = commitSql(
        this.#started ? [] : ['START TRANSACTION'],
        this.#txs.flatMap((tx) => tx.deferredWrites()),
      );
      await connQuery(this.#conn, commit.sql, commit.params);
      return results;
    } catch {
      await connQuery(this.#conn, 'ROLLBACK', []).catch(() => undefined);
      return null;
    }
  }

  #enqueue(owner: number, statement: Statement): Promise<StatementResult> {
    return new Promise((resolve, reject) => {
      if (this.#failed) {
        reject(new Error('the group is being rolled back'));
        return;
      }
      if (statement.ordered) this.#held.push({ statement, resolve, reject, owner });
      else this.#pending.push({ statement, resolve, reject, owner });
      this.#waiting.add(owner);
      this.#release();
      this.#maybeFlush();
    });
  }

  #finished(owner: number): void {
    this.#running--;
    this.#passed.add(owner);
    this.#release();
    this.#maybeFlush();
  }

  /** Moves held statements to the next round trip, in the emails' order, once every earlier email passed. */
  #release(): void {
    this.#held.sort((a, b) => a.owner - b.owner);
    while (this.#held.length > 0) {
      const next = this.#held[0]!;
      for (let k = 0; k < next.owner; k++) if (!this.#passed.has(k)) return;
      this.#held.shift();
      this.#pending.push(next);
      this.#passed.add(next.owner);
    }
  }

  #maybeFlush(): void {
    if (this.#flushing) return;
    if (this.#failed && this.#pending.length + this.#held.length > 0) {
      const pending = [...this.#pending, ...this.#held];
      this.#pending = [];
      this.#held = [];
      this.#waiting.clear();
      for (const p of pending) p.reject(new Error('the group is being rolled back'));
      return;
    }
    if (this.#running === 0) {
      this.#settled();
      return;
    }
    if (this.#waiting.size === this.#running && this.#pending.length > 0) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    const batch = this.#pending;
    this.#pending = [];
    this.#waiting.clear();
    // Emails whose ordered statement is still held wait on, though nothing of theirs is sent now.
    for (const h of this.#held) this.#waiting.add(h.owner);
    const prefix = this.#started ? [] : ['START TRANSACTION'];
    this.#started = true;
    const statements = [...prefix, ...batch.map((p) => p.statement.sql)];
    try {
      const answer = await connQuery(
        this.#conn,
        statements.join(';\n'),
        batch.flatMap((p) => p.statement.params),
      );
      const results = (statements.length === 1 ? [answer] : answer) as StatementResult[];
      this.#flushing = false;
      batch.forEach((p, i) => p.resolve(results[i + prefix.length]!));
    } catch (error) {
      this.#failed = true;
      this.#flushing = false;
      for (const p of batch) p.reject(error);
    }
  }
}
