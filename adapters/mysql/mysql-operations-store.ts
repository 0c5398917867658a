/**
 * OperationsStore on MySQL/MariaDB: /readyz's "SELECT 1" and /metrics' gauges (moved here from the
 * http role so that all SQL lives in adapters/mysql). Counts are grouped in the database.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { DatabaseGauges, OperationsStore } from '../../src/ports/operations-store.ts';
import { toAppError, type Database } from './database.ts';

export class MysqlOperationsStore implements OperationsStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async ping(): Promise<void> {
    await this.#database.pool.query('SELECT 1');
  }

  async gauges(triagedSince: Date): Promise<DatabaseGauges> {
    const pool = this.#database.pool;
    const q = async (sql: string, params: unknown[] = []) => {
      try {
        return (await pool.query<RowDataPacket[]>(sql, params))[0];
      } catch (error) {
        throw toAppError(error, 'counting for /metrics', this.#database.budget);
      }
    };
    const [ackRows, ticketRows, emailRows, triageRows] = await Promise.all([
      q("SELECT delivery, COUNT(*) AS n FROM support_message WHERE kind = 'ack' GROUP BY delivery"),
      q('SELECT status, COUNT(*) AS n FROM support_ticket GROUP BY status'),
      q("SELECT outcome, COUNT(*) AS n FROM support_message WHERE direction = 'inbound' GROUP BY outcome"),
      q(
        'SELECT TIMESTAMPDIFF(MICROSECOND, created_at, triaged_at) / 1e6 AS s FROM support_ticket WHERE triaged_at >= ? LIMIT 10000',
        [triagedSince],
      ),
    ]);
    const counts = (rows: RowDataPacket[], key: string, absent?: string) =>
      Object.fromEntries(
        rows.map((r) => [absent === undefined ? String(r[key]) : String(r[key] ?? absent), Number(r['n'])]),
      );
    return {
      acknowledgements: counts(ackRows, 'delivery', 'none'),
      tickets: counts(ticketRows, 'status'),
      emailsStored: counts(emailRows, 'outcome'),
      triageSeconds: triageRows.map((r) => Number(r['s'])),
    };
  }
}
