import { describe, expect, it } from 'vitest';
import { closestWord, editDistance, editDistanceWithin } from '../../src/domain/wording.ts';

describe('editDistanceWithin', () => {
  it('is editDistance when that is at most max, max + 1 otherwise, on 20,000 random pairs', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = () => Array.from({ length: rand(12) }, () => 'ABCDE_'[rand(6)]).join('');
    for (let k = 0; k < 20_000; k++) {
      const a = word();
      const b = rand(3) === 0 ? a.slice(0, rand(a.length + 1)) + word().slice(0, 2) : word();
      const max = rand(4);
      const full = editDistance(a, b);
      expect(editDistanceWithin(a, b, max), `${a} → ${b} within ${max}`).toBe(full <= max ? full : max + 1);
    }
  });

  it('stays exact on words longer than any before (its rows grow)', () => {
    const long = 'SUPPORT_'.repeat(40);
    expect(editDistanceWithin(long, `${long.slice(0, -1)}X`, 2)).toBe(1);
    expect(editDistanceWithin(`${long}AB`, long, 2)).toBe(2);
    expect(editDistanceWithin(long, long.replaceAll('P', 'B'), 3)).toBe(4);
    expect(editDistanceWithin('DATABSE_URL', 'DATABASE_URL', 2)).toBe(1);
  });

  it('finds the variable an operator meant', () => {
    const known = ['DATABASE_URL', 'REDIS_URL', 'SUPPORT_NAME', 'SMTP_URL'];
    expect(closestWord('DATABSE_URL', known, 2)).toBe('DATABASE_URL');
    expect(closestWord('SUPORT_NAME', known, 3)).toBe('SUPPORT_NAME');
    expect(closestWord('HOME', known, 3)).toBeNull();
  });
});
