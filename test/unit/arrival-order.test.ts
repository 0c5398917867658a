import { describe, expect, it } from 'vitest';
import { ArrivalOrder } from '../../src/domain/arrival-order.ts';

const settledWithin = async (p: Promise<void>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('ArrivalOrder', () => {
  it('lets a place go only when every earlier place has gone, whatever order they finish in', async () => {
    const order = new ArrivalOrder(10_000);
    const [a, b, c] = [order.take(), order.take(), order.take()];
    const cTurn = order.turn(c);
    expect(await settledWithin(cTurn, 20)).toBe(false);
    order.leave(b);
    expect(await settledWithin(cTurn, 20)).toBe(false);
    expect(await settledWithin(order.turn(a), 20)).toBe(true);
    order.leave(a);
    expect(await settledWithin(cTurn, 20)).toBe(true);
    order.leave(c);
    expect(await settledWithin(order.turn(order.take()), 20)).toBe(true);
  });

  it('does not hold the others up for longer than maxWaitMs when an earlier one never goes', async () => {
    const order = new ArrivalOrder(60);
    order.take(); // never leaves (an email that takes very long to read)
    const second = order.take();
    const started = Date.now();
    await order.turn(second);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
