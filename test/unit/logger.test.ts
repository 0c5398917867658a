import { openSync, readFileSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/logging/pino-logger.ts';

async function logged(count: number, write: (log: ReturnType<typeof createLogger>) => void): Promise<Array<Record<string, unknown>>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketrelay-log-'));
  const file = path.join(dir, 'log.jsonl');
  const fd = openSync(file, 'w');
  try {
    const log = createLogger({ level: 'info', destination: fd });
    write(log);
    // The destination writes asynchronously: wait for the lines (a second at most).
    for (let i = 0; i < 100 && readFileSync(file, 'utf8').split('\n').length <= count; i++) await new Promise((r) => setTimeout(r, 10));
    return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the log', () => {
  it('names a cause once: not again when the message already quotes it, appended when it does not', async () => {
    const cause = new Error('redis connection is connecting');
    const lines = await logged(2, (log) => {
      log.warn({ err: new Error(`The triage queue cannot be reached: ${cause.message}`, { cause }) }, 'quoted');
      log.warn({ err: new Error('enqueue failed', { cause }) }, 'not quoted');
    });
    const messages = lines.map((l) => (l['err'] as { message: string }).message);
    expect(messages).toEqual(['The triage queue cannot be reached: redis connection is connecting', 'enqueue failed: redis connection is connecting']);
  });

  it('never writes a password, token or URL with credentials', async () => {
    const [line] = await logged(1, (log) => log.info({ password: 'hunter2', token: 'xoxb-1', redis: { url: 'redis://:pw@host' } }, 'config'));
    expect(JSON.stringify(line)).not.toMatch(/hunter2|xoxb-1|:pw@/);
  });
});
