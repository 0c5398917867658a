/**
 * The MySQL/MariaDB connection: one mysql2 pool, drizzle on top, the migrations, and the one
 * function that turns mysql2's errors into AppErrors.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { AppError } from '../../src/domain/errors.ts';

/**
 * drizzle on the pool. Built on first use: drizzle-orm is ~130 modules, and a process that only
 * queries through the pool (every command, intake) never loads it. Without the relational schema:
 * nothing uses db.query; tables are imported from schema.ts where a query names them.
 */
export type Db = MySql2Database;
const requireFromHere = createRequire(import.meta.url);

export interface Database {
  readonly db: Db;
  readonly pool: mysql.Pool;
  /** The database name in the URL. */
  readonly name: string;
  /** The time budget of each statement on this pool, or null. */
  readonly budget: QueryBudget | null;
  close(): Promise<void>;
}

/**
 * A time budget on every statement of a pool's connections (a session setting made as each connection
 * opens, before any query of ours): MariaDB's max_statement_time stops any statement, MySQL 8's
 * max_execution_time stops SELECTs. Over budget, toAppError says 'db.timeout'.
 */
export interface QueryBudget {
  readonly ms: number;
  /** The setting that gives it, named when a query goes over it. */
  readonly variable: string;
}

export function openDatabase(options: {
  url: string;
  poolSize: number;
  queryBudget?: QueryBudget;
  /**
   * A process that runs one command and exits: rows are read by mysql2's generic parser instead of one it
   * compiles (new Function) for each query's columns, which costs more than the few rows it then reads.
   */
  shortLived?: boolean;
}): Database {
  const url = new URL(options.url);
  const pool = mysql.createPool({
    uri: options.url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: options.poolSize,
    waitForConnections: true,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: false,
    connectTimeout: 10_000,
    enableKeepAlive: true,
    // Intake sends a transaction's deferred writes and its COMMIT in one round trip. Every statement
    // is built by drizzle with bound parameters; no SQL is ever assembled from input.
    multipleStatements: true,
    disableEval: options.shortLived === true,
  });
  // A pool whose server went away emits 'error' on idle connections; the next query reports it.
  pool.on('connection', (conn) => {
    conn.on('error', () => undefined);
    const budget = options.queryBudget;
    if (budget) {
      // Queued on the connection before the query it was opened for: that query already runs within budget.
      // mysql2 reads the server's flavour from its handshake (the integration test checks the budget holds).
      const mariadb = (conn as unknown as { _isMariaDB?: boolean })._isMariaDB !== false;
      const sql = mariadb ? 'SET SESSION max_statement_time = ?' : 'SET SESSION max_execution_time = ?';
      const value = mariadb ? budget.ms / 1000 : Math.round(budget.ms);
      // A failure here shows on the next query; the callback keeps it from being an unhandled error.
      (conn as unknown as { query(sql: string, values: unknown[], callback: () => void): void }).query(
        sql,
        [value],
        () => undefined,
      );
    }
  });
  let db: Db | null = null;
  return {
    get db() {
      db ??= (requireFromHere('drizzle-orm/mysql2') as typeof import('drizzle-orm/mysql2')).drizzle(pool, {
        mode: 'default',
      });
      return db;
    },
    pool,
    name: decodeURIComponent(url.pathname.replace(/^\//, '')),
    budget: options.queryBudget ?? null,
    close: () => pool.end(),
  };
}

const MIGRATIONS = path.join(import.meta.dirname, 'migrations');
const LEGACY_DDL = path.join(import.meta.dirname, 'legacy-ddl.sql');

/**
 * Creates or updates our own tables (never the legacy ones). Every command calls it at start: when
 * the newest migration is applied already (drizzle's own test: a migration runs when its journal
 * time is after the last one recorded), one query answers and drizzle's migrator is not loaded.
 *
 * The migrations run on a connection of their own in READ COMMITTED: a statement of ours that reads the
 * legacy tables (0015's INSERT … SELECT … JOIN ___xtr_msg) then reads them as a consistent snapshot, where
 * REPEATABLE READ takes a shared next-key lock on every legacy row it reads and holds it to the commit, so
 * the old site's UPDATE of such a row waits (or fails on innodb_lock_wait_timeout). The connection is
 * closed after, not handed back to the pool with that setting.
 */
export async function runMigrations(database: Database): Promise<void> {
  try {
    if (await migrationsApplied(database)) return;
    const [{ drizzle }, { migrate }] = await Promise.all([
      import('drizzle-orm/mysql2'),
      import('drizzle-orm/mysql2/migrator'),
    ]);
    const conn = await database.pool.getConnection();
    try {
      await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await migrate(drizzle(conn, { mode: 'default' }), { migrationsFolder: MIGRATIONS });
    } finally {
      conn.destroy();
    }
  } catch (error) {
    throw toAppError(error, 'running the migrations');
  }
}

async function migrationsApplied(database: Database): Promise<boolean> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number }[];
  };
  const newest = Math.max(...journal.entries.map((e) => e.when));
  try {
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
      'SELECT MAX(created_at) AS last FROM __drizzle_migrations',
    );
    const last = rows[0]?.['last'];
    return last !== null && last !== undefined && Number(last) >= newest;
  } catch (error) {
    // No migration table yet: a new database, drizzle creates it. Anything else is said by drizzle's run.
    if ((error as { code?: unknown }).code === 'ER_NO_SUCH_TABLE') return false;
    throw error;
  }
}

/** Which of the two legacy tables exist in this database. */
export async function legacyTablesPresent(database: Database): Promise<string[]> {
  try {
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('___xtr_msg', '___xtr_customer')",
    );
    return rows.map((r) => String(r['name']));
  } catch (error) {
    throw toAppError(error, 'connecting to the database');
  }
}

/** Creates the legacy tables in a development database; refused when either exists already. */
export async function createLegacyTables(database: Database): Promise<void> {
  const present = await legacyTablesPresent(database);
  if (present.length > 0) {
    throw new AppError(
      'db.legacy_exists',
      `Refused: ${present.join(' and ')} already exist in database "${database.name}". The legacy tables are never altered or re-created; nothing was changed.`,
    );
  }
  const ddl = await readFile(LEGACY_DDL, 'utf8');
  const statements = ddl
    .split('\n')
    .map((line) => line.replace(/\s--\s.*$/, '').replace(/^--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const statement of statements) await database.pool.query(statement);
}

/**
 * mysql2 (possibly wrapped by drizzle) → AppError. Never includes the connection URL. `budget`: the
 * pool's, named when a query went over it (DB_QUERY_BUDGET_MS when not given).
 */
export function toAppError(error: unknown, doing: string, budget?: QueryBudget | null): AppError {
  if (error instanceof AppError) return error;
  const inner = findMysqlError(error);
  const code = inner?.code ?? '';
  const message = inner?.sqlMessage ?? inner?.message ?? (error instanceof Error ? error.message : String(error));
  if (code === 'ER_DUP_ENTRY') {
    if (/uq_message_message_id|uq_spam_message_id/.test(message))
      return new AppError('email.duplicate', 'This email was already taken.', { cause: error });
    return new AppError('db.conflict', `A concurrent change conflicted while ${doing}; try again.`, {
      cause: error,
      retryable: true,
    });
  }
  // MariaDB's 1969 (ER_STATEMENT_TIMEOUT) has no name in mysql2; MySQL's is ER_QUERY_TIMEOUT (3024).
  if (inner?.errno === 1969 || code === 'ER_QUERY_TIMEOUT' || code === 'ER_STATEMENT_TIMEOUT') {
    return new AppError(
      'db.timeout',
      `The database stopped a query that went over its time budget (${budget ? `${budget.variable}, ${budget.ms} ms` : 'DB_QUERY_BUDGET_MS'}) while ${doing}: narrow the request (a shorter period, a narrower search) and try again${budget ? `, or raise ${budget.variable}` : ''}.`,
      { cause: error },
    );
  }
  if (code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT') {
    return new AppError('db.conflict', `The database reported a lock conflict while ${doing}; try again.`, {
      cause: error,
      retryable: true,
    });
  }
  if (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|PROTOCOL_CONNECTION_LOST|PROTOCOL_SEQUENCE_TIMEOUT|ER_CON_COUNT_ERROR|ER_SERVER_SHUTDOWN|ER_SERVER_GONE_ERROR|ER_CLIENT_INTERACTION_TIMEOUT)$/.test(
      code,
    ) ||
    /Pool is closed|connect ETIMEDOUT|Connection lost/i.test(message)
  ) {
    return new AppError(
      'db.unavailable',
      `The database cannot be reached (${code || 'connection lost'}) while ${doing}. Check DATABASE_URL and that the server is running.`,
      { cause: error, retryable: true },
    );
  }
  if (code === 'ER_DBACCESS_DENIED_ERROR') {
    // The login itself worked: this user may not use that database (or, on MariaDB, it does not exist).
    const name = /to database '([^']*)'/i.exec(message)?.[1];
    return new AppError(
      'db.access_denied',
      `The user in DATABASE_URL may not use the database${name ? ` "${name}"` : ''} (${code}) while ${doing}: check the database name at the end of DATABASE_URL, that it exists, and that the user has rights on it (GRANT ALL ON \`${name ?? 'NAME'}\`.* TO …).`,
      { cause: error },
    );
  }
  if (code === 'ER_ACCESS_DENIED_ERROR') {
    return new AppError(
      'db.access_denied',
      `The database refused the login (${code}) while ${doing}. Check the user and password in DATABASE_URL.`,
      { cause: error },
    );
  }
  if (code === 'ER_BAD_DB_ERROR') {
    const name = /Unknown database '([^']*)'/i.exec(message)?.[1];
    const subject = name ? `The database "${name}" named in DATABASE_URL` : 'The database named in DATABASE_URL';
    return new AppError(
      'db.unknown_database',
      `${subject} does not exist (${doing}). Correct the name at the end of DATABASE_URL, or create it: CREATE DATABASE \`${name ?? 'NAME'}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci.`,
      { cause: error },
    );
  }
  if (code === 'ER_NO_SUCH_TABLE') {
    return new AppError(
      'db.missing_table',
      `A table is missing while ${doing}: ${message}. Run "npx ticketrelay db migrate" (and, in a development database, "npx ticketrelay db create-legacy").`,
      { cause: error },
    );
  }
  return new AppError(
    'db.error',
    `The database failed while ${doing}: ${code ? `${code}: ` : ''}${message}`.slice(0, 1000),
    { cause: error },
  );
}

function findMysqlError(
  error: unknown,
): { code?: string; errno?: number; sqlMessage?: string; message?: string } | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (
      typeof current === 'object' &&
      current !== null &&
      'code' in current &&
      typeof (current as { code: unknown }).code === 'string'
    ) {
      return current as { code?: string; sqlMessage?: string; message?: string };
    }
    // A server error mysql2 has no name for (MariaDB's own numbers) still has its errno.
    if (
      typeof current === 'object' &&
      current !== null &&
      typeof (current as { errno?: unknown }).errno === 'number' &&
      'sqlMessage' in current
    ) {
      return current as { errno?: number; sqlMessage?: string; message?: string };
    }
    current = current instanceof Error ? current.cause : null;
  }
  return null;
}
