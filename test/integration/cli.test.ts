/**
 * `ticketrelay ingest` as a mail server or an operator runs it: a real child process, real files,
 * the JSON summary on stdout, and the exit codes a mail server acts on.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/local-services.ts';
import { eml } from './eml.ts';
import { createTestDatabase, runTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('cli');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-cli-'));
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function run(args: string[], options: { stdin?: Buffer; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runTicketrelay(args, { DATABASE_URL: db.url, REDIS_URL: LOCAL_ENDPOINTS.redisUrl, DATA_DIR: path.join(dir, 'data'), QUEUE_PREFIX: 'test-cli', ...options.env }, options.stdin ?? '');
}

describe('ticketrelay ingest', () => {
  it('takes a folder, a maildir and an mbox, and prints the summary as JSON', async () => {
    const folder = path.join(dir, 'folder');
    await mkdir(folder, { recursive: true });
    const first = eml({ from: 'cli.one@customer.example', subject: 'Brake discs' });
    await writeFile(path.join(folder, 'a.eml'), first.raw);
    await writeFile(path.join(folder, 'b.eml'), first.raw); // the same email delivered twice
    await writeFile(path.join(folder, 'c.eml'), eml({ from: 'cli.two@customer.example', inReplyTo: `<${first.messageId}>`, subject: 'Re: Brake discs' }).raw);
    const maildir = path.join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
    await writeFile(path.join(maildir, 'new', '1700000000.1.host'), eml({ from: 'cli.three@customer.example' }).raw);
    await writeFile(path.join(maildir, 'tmp', 'half-written'), 'From: x@y.example\r\n'); // never read: tmp/ is in progress
    const mbox = path.join(dir, 'archive.mbox');
    const m1 = eml({ from: 'mbox.one@customer.example', body: 'From the start, my order was wrong.\nFrom here on I want a refund.' }).raw.toString();
    const m2 = eml({ from: 'mbox.two@customer.example', headers: { 'Auto-Submitted': 'auto-replied' } }).raw.toString();
    await writeFile(mbox, `From mbox.one@customer.example Mon Jan  1 10:00:00 2024\n${m1.replace(/^From /gm, '>From ')}\n\nFrom mbox.two@customer.example Mon Jan  1 10:01:00 2024\n${m2}\n`);

    const { code, stdout, stderr } = await run(['ingest', folder, maildir, mbox, '--json']);
    expect(stderr).not.toMatch(/ticketrelay:/);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trim()) as Record<string, number>;
    expect(summary).toMatchObject({ total: 6, created: 3, replies: 1, duplicates: 1, automated: 1, rejected: 0, failed: 0 });
    const [row] = await db.query<{ msg_content: string }>("SELECT m.msg_content FROM ___xtr_msg m JOIN support_ticket t ON t.ticket_id = m.msg_id WHERE t.customer_email = 'mbox.one@customer.example'");
    expect(row!.msg_content).toMatch(/^From the start, my order was wrong\.\r?\nFrom here on/);
  });

  it('reads one message from stdin, as a mail server pipes it, with per-message outcomes under --verbose', async () => {
    const { code, stdout } = await run(['ingest', '-', '--json', '--verbose'], { stdin: eml({ from: 'piped@customer.example' }).raw });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trim()) as { created: number; messages: Array<{ outcome: string; ticketId: number }> };
    expect(summary.created).toBe(1);
    expect(summary.messages[0]).toMatchObject({ outcome: 'created', ticketId: expect.any(Number) });
  });

  it('exits 75 (try again later) when the database is down, so the mail server keeps the message', async () => {
    const { code, stderr } = await run(['ingest', '-'], { stdin: eml().raw, env: { DATABASE_URL: 'mysql://ticketrelay:s3cret-pass@127.0.0.1:1/shop' } });
    expect(code).toBe(75);
    expect(stderr).toMatch(/database cannot be reached/i);
    expect(stderr).not.toContain('s3cret-pass');
  });

  it('says what to do with a wrong command or missing path', async () => {
    const none = await run(['ingest']);
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/Usage: npx ticketrelay ingest PATH/);
    // A path that does not exist is a typo: nothing is taken (EX_NOINPUT), and nothing is recorded.
    const missing = await run(['ingest', path.join(dir, 'nope.eml'), '--json']);
    expect(missing.code).toBe(66);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`Nothing was taken: "${path.join(dir, 'nope.eml')}" does not exist.`);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });
});
