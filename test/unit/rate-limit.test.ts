/** The sliding-window limiter behind the API's, the web form's and the commands' limits. */
import { describe, expect, it } from 'vitest';
import { limitCommands, LocalRateGate, RateLimiter } from '../../src/domain/rate-limit.ts';
import type { Caller, CommandReply } from '../../src/domain/command.ts';

const perMinute = (limit: number) => ({ limit, windowMs: 60_000, text: `${limit}/min` });

describe('RateLimiter', () => {
  it('allows the limit, refuses the next with the time to wait, and counts each key apart', () => {
    let now = 60_000 * 100;
    const limiter = new RateLimiter([perMinute(2)], () => now);
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toEqual({ rate: perMinute(2), retryAfterSeconds: 60 });
    expect(limiter.take('b')).toBeNull();
    now += 30_000;
    expect(limiter.take('a')?.retryAfterSeconds).toBe(30);
  });

  it('does not allow twice the limit across a window boundary (sliding window)', () => {
    let now = 60_000 * 100 + 59_000;
    const limiter = new RateLimiter([perMinute(10)], () => now);
    for (let i = 0; i < 10; i++) expect(limiter.take('a')).toBeNull();
    now += 2_000; // a new fixed window, but the last minute already holds 10
    expect(limiter.take('a')).not.toBeNull();
    now += 45_000; // most of the previous window has slid out
    expect(limiter.take('a')).toBeNull();
  });

  it('enforces every window of a key, and check() counts nothing', () => {
    const now = 3_600_000 * 10;
    const limiter = new RateLimiter([perMinute(5), { limit: 1, windowMs: 3_600_000, text: '1/hour' }], () => now);
    expect(limiter.check('a')).toBeNull();
    expect(limiter.check('a')).toBeNull();
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')?.rate.text).toBe('1/hour');
  });

  it('answers a caller over the command limit with a refusal, without running the command', async () => {
    let ran = 0;
    const reply: CommandReply = { ok: true, ephemeral: true, text: 'done' };
    const commands = {
      run: async (_caller: Caller) => (ran++, reply),
      runAction: async (_caller: Caller) => (ran++, reply),
    };
    limitCommands(commands, new RateLimiter([perMinute(1)]));
    expect(await commands.run({ platform: 'slack', userId: 'U1' })).toBe(reply);
    const refused = await commands.runAction({ platform: 'slack', userId: 'U1' });
    expect(refused).toMatchObject({ ok: false, ephemeral: true });
    expect(refused.text).toMatch(/^Too many commands \(at most 1\/min each\): try again in \d+ s\.$/);
    expect(await commands.run({ platform: 'slack', userId: 'U2' })).toBe(reply);
    expect(ran).toBe(2);
  });
});

describe('LocalRateGate', () => {
  it('counts every check only when all pass, and names the one that refused', async () => {
    let now = 60_000 * 1000;
    const gate = new LocalRateGate(() => now);
    const perClient = (key: string) => ({ scope: 'client', key, rates: [perMinute(2)] });
    const total = { scope: 'total', key: 'all', rates: [perMinute(3)] };
    expect(await gate.take([perClient('a'), total])).toBeNull();
    expect(await gate.take([perClient('a'), total])).toBeNull();
    // a's third is refused by its own limit, and uses none of the total's.
    expect(await gate.take([perClient('a'), total])).toMatchObject({ scope: 'client', rate: { text: '2/min' } });
    expect(await gate.take([perClient('b'), total])).toBeNull();
    expect(await gate.take([perClient('c'), total])).toMatchObject({ scope: 'total', retryAfterSeconds: 60 });
    now += 2 * 60_000;
    expect(await gate.take([perClient('c'), total])).toBeNull();
  });
});
