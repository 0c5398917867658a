/**
 * The CLI runs from one bundled file (dist/ticketrelay.cjs) with V8's code cache of the previous run of
 * the same command (dist/cache/): the first run writes it, the next ones read it, and V8 refusing it
 * would show as the file written again.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTicketrelay } from './harness.ts';

const DIST = path.resolve(import.meta.dirname, '../../dist');

describe('the bundled CLI', () => {
  it('keeps the code it compiled for a command, and the next run of that command takes it as it is', async () => {
    const { bundle } = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8')) as { bundle: string | null };
    expect(bundle, 'esbuild bundled the CLI (the global setup builds dist/)').toMatch(/^[0-9a-f]{16}$/);
    expect(statSync(path.join(DIST, 'ticketrelay.cjs')).size).toBeGreaterThan(1_000_000);
    const cache = path.join(DIST, 'cache', `${bundle}-services.bin`);
    rmSync(cache, { force: true });

    const first = await runTicketrelay(['services', 'status', 'mariadb'], {});
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^mariadb +running +mysql:\/\/127\.0\.0\.1:33306/);
    const written = statSync(cache);
    expect(written.size).toBeGreaterThan(10_000);

    const second = await runTicketrelay(['services', 'status', 'mariadb'], {});
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Accepted by V8: not written again (a refused cache is replaced by this run's).
    expect(statSync(cache).ino).toBe(written.ino);
  });

  it('answers help from the usage text alone, the bundle unread and no cache written', async () => {
    const { bundle } = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8')) as { bundle: string };
    const cache = path.join(DIST, 'cache', `${bundle}-help.bin`);
    rmSync(cache, { force: true });
    const help = await runTicketrelay(['help', 'ingest'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n.*ingest/);
    expect(() => statSync(cache)).toThrow();
  });
});
