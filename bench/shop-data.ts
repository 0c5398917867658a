/**
 * What the benchmarks' data generators share: the shop's customers (their names, their addresses, the
 * ___xtr_customer rows), what they write about, and deterministic random numbers. Same inputs, same data on every machine, so a
 * database generated once and reused (bench:commands, bench:scale) is the one a new run would build.
 */
import type { Pool } from 'mysql2/promise';

/** Random numbers in [0, 1), the same sequence for the same seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random number in [0, 1) for row n and a salt, with no state: a generator can start at any row. */
export function rowRandom(n: number, salt: number): number {
  let t = (n * 0x9e3779b1 + salt * 0x85ebca6b) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d);
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b);
  return ((t ^ (t >>> 16)) >>> 0) / 4294967296;
}

export const FIRST_NAMES = [
  'jean',
  'marie',
  'pierre',
  'anne',
  'luc',
  'sophie',
  'paul',
  'julie',
  'marc',
  'claire',
  'thomas',
  'emma',
  'leo',
  'lina',
  'hugo',
  'nadia',
  'karim',
  'ines',
] as const;

export const LAST_NAMES = [
  'dupont',
  'martin',
  'bernard',
  'petit',
  'durand',
  'leroy',
  'moreau',
  'simon',
  'laurent',
  'lefebvre',
  'michel',
  'garcia',
  'roux',
  'fournier',
  'girard',
  'bonnet',
] as const;

/** What customers write about, in English (the subjects' second half, the web form's issue). */
export const ISSUES = [
  'not delivered',
  'wrong part',
  'refund request',
  'invoice missing',
  'damaged on arrival',
  'does not fit',
  'question',
  'late delivery',
  'return label',
  'payment failed',
  'double charged',
  'compatibility',
  'warranty claim',
  'missing screws',
  'cancel order',
] as const;

/** Customer n of a generated shop: its first name, last name and address, all derived from n. */
export interface CustomerNames {
  first(n: number): string;
  last(n: number): string;
  /** `first.lastN@example.com`: unique per customer. */
  email(n: number): string;
}

/** Customers named from these lists: customer n is first[n mod F] and last[⌊n / F⌋ mod L]. */
export function customerNames(
  first: readonly string[] = FIRST_NAMES,
  last: readonly string[] = LAST_NAMES,
): CustomerNames {
  const names: CustomerNames = {
    first: (n) => first[n % first.length]!,
    last: (n) => last[Math.floor(n / first.length) % last.length]!,
    email: (n) => `${names.first(n)}.${names.last(n)}${n}@example.com`,
  };
  return names;
}

/** Writes customers `from`…`to` (their cst_id is n) into ___xtr_customer, active, `batch` rows per INSERT. */
export async function writeCustomers(
  pool: Pick<Pool, 'query'>,
  names: CustomerNames,
  from: number,
  to: number,
  batch: number,
): Promise<void> {
  for (let start = from; start <= to; start += batch) {
    const rows = [];
    for (let n = start; n < Math.min(start + batch, to + 1); n++)
      rows.push([n, names.email(n), names.first(n), names.last(n), '1']);
    await pool.query('INSERT INTO ___xtr_customer (cst_id, cst_mail, cst_fname, cst_name, cst_activ) VALUES ?', [rows]);
  }
}
