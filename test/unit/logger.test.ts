import { openSync, readFileSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/logging/pino-logger.ts';

async function logged(
  count: number,
  write: (log: ReturnType<typeof createLogger>) => void,
): Promise<Array<Record<string, unknown>>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketrelay-log-'));
  const file = path.join(dir, 'log.jsonl');
  const fd = openSync(file, 'w');
  try {
    const log = createLogger({ level: 'info', destination: fd });
    write(log);
    // The destination writes asynchronously: wait for the lines (a second at most).
    for (let i = 0; i < 100 && readFileSync(file, 'utf8').split('\n').length <= count; i++)
      await new Promise((r) => setTimeout(r, 10));
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
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
    expect(messages).toEqual([
      'The triage queue cannot be reached: redis connection is connecting',
      'enqueue failed: redis connection is connecting',
    ]);
  });

  it('never writes a password, token or URL with credentials', async () => {
    const [line] = await logged(1, (log) =>
      log.info({ password: 'hunter2', token: 'xoxb-1', redis: { url: 'redis://:pw@host' } }, 'config'),
    );
    expect(JSON.stringify(line)).not.toMatch(/hunter2|xoxb-1|:pw@/);
  });

  it('shows the address a server listens on, and still no credentials or token in a URL', async () => {
    const lines = await logged(3, (log) => {
      log.info({ url: 'http://127.0.0.1:8080' }, 'HTTP server listening');
      log.warn(
        {
          database: { url: 'mysql://shop:s3cret-pass@db.internal:3306/shop' },
          url: 'imaps://support%40shop.example:imap-pw@mail.example/INBOX',
        },
        'cannot connect',
      );
      log.info(
        { url: 'https://hooks.slack.com/services/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?token=xoxp-42' },
        'webhook',
      );
    });
    expect(lines[0]).toMatchObject({ url: 'http://127.0.0.1:8080', msg: 'HTTP server listening' });
    expect(lines[1]).toMatchObject({
      url: 'imaps://***@mail.example/INBOX',
      database: { url: 'mysql://***@db.internal:3306/shop' },
    });
    expect((lines[2]!['url'] as string).startsWith('https://hooks.slack.com/services/')).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/s3cret-pass|imap-pw|support%40shop|aBcD3fGh1jKlMn0pQrStUvWx|xoxp-42/);
  });
});

describe('the log on a terminal', () => {
  it('is one readable line an event, secrets still hidden, a stack only for errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketrelay-log-'));
    const file = path.join(dir, 'log.txt');
    const fd = openSync(file, 'w');
    try {
      const log = createLogger({ level: 'info', destination: fd, human: true });
      log
        .child({ component: 'intake' })
        .warn({ ticketId: 5, mailbox: 'support', password: 'hunter2' }, 'mailbox waits for the database');
      log.error({ err: new Error('connection refused') }, 'triage failed');
      for (let i = 0; i < 100 && readFileSync(file, 'utf8').split('\n').length < 3; i++)
        await new Promise((r) => setTimeout(r, 10));
      const text = readFileSync(file, 'utf8');
      const [first, second] = text.split('\n');
      expect(first).toMatch(
        /^\d\d:\d\d:\d\d WARN  intake: mailbox waits for the database {2}ticketId=5 mailbox=support password=\*\*\*$/,
      );
      expect(second).toMatch(/^\d\d:\d\d:\d\d ERROR triage failed — connection refused$/);
      expect(text).toMatch(/\n\s+at /); // the error's stack follows it
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('{"level"');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
