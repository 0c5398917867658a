/**
 * The shipped model: trained from data/triage/ the first time (seconds of CPU), then loaded from the
 * copy kept beside the model file, so that later starts do not hold the event loop for training.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrTrainModel } from '../../adapters/files/triage-files.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the shipped triage model', () => {
  it('is trained once, then loaded from its kept copy, the same model; a damaged copy is trained again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-model-'));
    dirs.push(dir);
    const modelFile = path.join(dir, 'triage-model.json');
    // Training runs in a thread of its own: the event loop keeps answering (timers tick) meanwhile.
    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 20);
    const first = await loadOrTrainModel(modelFile).finally(() => clearInterval(ticker));
    expect(first.source).toMatch(/trained at startup in \d+ ms/);
    const trainedMs = Number(/in (\d+) ms/.exec(first.source)![1]);
    expect(longestGap).toBeLessThan(Math.min(1_000, trainedMs / 2));
    const kept = (await readdir(dir)).filter((f) => f.startsWith('triage-shipped-'));
    expect(kept).toHaveLength(1);
    const second = await loadOrTrainModel(modelFile);
    expect(second.source).toContain(`trained earlier, ${kept[0]}`);
    expect(second.model.version).toBe(first.model.version);
    expect(
      second.model.predict('Facture en double', "Bonjour, j'ai été débité deux fois pour la commande 2024121830."),
    ).toEqual(
      first.model.predict('Facture en double', "Bonjour, j'ai été débité deux fois pour la commande 2024121830."),
    );
    await writeFile(path.join(dir, kept[0]!), '{"not a model"');
    expect((await loadOrTrainModel(modelFile)).source).toMatch(/trained at startup/);
  }, 60_000);
});
