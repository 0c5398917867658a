/**
 * mysql2's callback API for the hot paths (intake, the outbox): no stack is captured per query, as the
 * promise wrapper does at a measurable cost (a third of the Node thread in bench:intake).
 */
import type { PoolConnection as CorePoolConnection, Pool as CorePool } from 'mysql2';

export type { CorePool, CorePoolConnection };

export function getConnection(pool: CorePool): Promise<CorePoolConnection> {
  return new Promise((resolve, reject) => pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))));
}

export function connQuery(conn: CorePoolConnection, sql: string, params: readonly unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) =>
    conn.query(sql, params as unknown[], (error, result) => (error ? reject(error) : resolve(result))),
  );
}

export function poolQuery(pool: CorePool, sql: string, params: readonly unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) =>
    pool.query(sql, params as unknown[], (error, result) => (error ? reject(error) : resolve(result))),
  );
}
