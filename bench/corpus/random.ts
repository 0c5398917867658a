/**
 * The generator's seeded randomness (shop-data.ts's PRNG) with the draws it needs, and the basics every
 * part of the corpus shares.
 */
import { seededRandom } from '../shop-data.ts';

export type Lang = 'fr' | 'en';
export const CRLF = '\r\n';
export const DAY = 86_400_000;

// ---------------------------------------------------------------------------
// PRNG

export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)] as T;
  }
  hex(len: number): string {
    let s = '';
    while (s.length < len) s += ((this.next() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, len);
  }
  alnum(len: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  private pool: Buffer | null = null;
  /** Pseudo-random bytes: a slice of a 64 KiB pool drawn once (fake attachment content, n ≤ 64 KiB). */
  bytes(n: number): Buffer {
    if (!this.pool) {
      const pool = Buffer.alloc(65536);
      for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE((this.next() * 0x100000000) >>> 0, i);
      this.pool = pool;
    }
    const len = Math.min(n, this.pool.length);
    const off = this.int(this.pool.length - len + 1);
    return this.pool.subarray(off, off + len);
  }
}
