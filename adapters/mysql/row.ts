/** Reading mysql2's rows: one place for the conversions every store needs, and one query with its error translation. */
import type mysql from 'mysql2/promise';
import { toAppError, type QueryBudget } from './database.ts';

export type Row = mysql.RowDataPacket;

/** The rows of one query; a failure becomes the AppError toAppError makes, saying what was being done. */
export async function queryRows(
  pool: mysql.Pool,
  sql: string,
  params: unknown[],
  doing: string,
  budget: QueryBudget | null = null,
): Promise<Row[]> {
  try {
    const [rows] = await pool.query<Row[]>(sql, params);
    return rows;
  } catch (error) {
    throw toAppError(error, doing, budget);
  }
}

export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

export function asDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : asDate(value);
}

export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** A column of space-separated ids (in_reply_to, references_ids, cc_addresses) as a list. */
export function splitIds(value: unknown): string[] {
  return typeof value === 'string' && value ? value.split(/\s+/).filter(Boolean) : [];
}

/** A count of 0 for each key (every priority, every category), filled in from a GROUP BY. */
export function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}
