/**
 * The background adoption's pace: short steps while the database answers as quickly as it did, and it
 * gives way (smaller steps, longer rests) when its own steps slow down because someone else is busy.
 */
import { describe, expect, it } from 'vitest';
import {
  AdoptionPace,
  BUSY_REST_SHARE,
  MAX_REST_MS,
  MAX_STEP,
  MIN_STEP,
  REST_SHARE,
  STEP_TARGET_MS,
} from '../../adapters/mysql/adoption-pace.ts';

describe('the adoption pace', () => {
  it('grows its steps while they stay quick, up to a ceiling, and rests a share of each', () => {
    const pace = new AdoptionPace();
    let rest = 0;
    for (let i = 0; i < 20; i++) rest = pace.after(pace.step, pace.step * 0.005);
    expect(pace.step).toBe(MAX_STEP);
    expect(rest).toBeCloseTo(MAX_STEP * 0.005 * REST_SHARE);
  });

  it('halves a step that took longer than its target', () => {
    const pace = new AdoptionPace();
    const before = pace.step;
    pace.after(before, STEP_TARGET_MS * 2);
    expect(pace.step).toBe(Math.floor(before / 2));
  });

  it('backs off when its time per row rises: smaller steps, a longer rest', () => {
    const pace = new AdoptionPace();
    for (let i = 0; i < 5; i++) pace.after(pace.step, pace.step * 0.002);
    const step = pace.step;
    // The same step now takes four times as long per row (the old site is writing), still under its target.
    const slow = step * 0.008;
    expect(slow).toBeLessThan(STEP_TARGET_MS);
    const rest = pace.after(step, slow);
    expect(pace.step).toBe(Math.max(MIN_STEP, Math.floor(step / 2)));
    expect(rest).toBe(Math.min(MAX_REST_MS, slow * BUSY_REST_SHARE));
    // Never below the smallest step, never a rest over the ceiling.
    for (let i = 0; i < 20; i++) expect(pace.after(pace.step, 60_000)).toBe(MAX_REST_MS);
    expect(pace.step).toBe(MIN_STEP);
  });

  it('goes back to its stride once the database answers quickly again', () => {
    const pace = new AdoptionPace();
    for (let i = 0; i < 10; i++) pace.after(pace.step, 60_000);
    expect(pace.step).toBe(MIN_STEP);
    for (let i = 0; i < 30; i++) pace.after(pace.step, pace.step * 0.001);
    expect(pace.step).toBe(MAX_STEP);
  });
});
