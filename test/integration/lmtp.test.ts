/**
 * The lmtp role, spoken to by a real LMTP client on a raw socket, as Postfix's lmtp transport does:
 * one reply per recipient after the data, 250 only once the rows are committed, 451 when the
 * database cannot be reached (the mail server keeps the email), 552/554 for an email that can never
 * be taken (recorded as rejected).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { startLmtpServer, type LmtpFrontEnd } from '../../src/roles/lmtp.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { loadConfig } from '../../src/config.ts';
import { parseLmtpListen } from '../../src/lmtp-target.ts';
import { createApp, type App } from '../../src/main.ts';
import { eml } from './eml.ts';
import {
  commandEnv,
  createTestApp,
  createTestDatabase,
  runTicketrelay,
  type TestApp,
  type TestDatabase,
} from './harness.ts';

/** A minimal LMTP client (RFC 2033): every reply of the server, as "code text" lines, per command. */
class LmtpClient {
  readonly #socket: net.Socket;
  #buffer = '';
  #waiters: Array<() => void> = [];
  readonly #lines: string[] = [];

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let at: number;
      while ((at = this.#buffer.indexOf('\r\n')) !== -1) {
        this.#lines.push(this.#buffer.slice(0, at));
        this.#buffer = this.#buffer.slice(at + 2);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async connect(to: { port: number } | { path: string }): Promise<{ client: LmtpClient; greeting: string[] }> {
    const socket = 'path' in to ? net.connect(to.path) : net.connect(to.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new LmtpClient(socket);
    return { client, greeting: await client.replies(1) };
  }

  /** The next `count` replies (a multi-line reply "250-…" … "250 …" is one, returned whole). */
  async replies(count: number, timeoutMs = 90_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const out: string[] = [];
    while (out.length < count) {
      const end = this.#lines.findIndex((l) => /^\d{3} /.test(l) || /^\d{3}$/.test(l));
      if (end !== -1) {
        out.push(this.#lines.splice(0, end + 1).join('\n'));
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`expected ${count} replies, got ${out.length}: ${JSON.stringify(out)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return out;
  }

  async command(line: string, replies = 1): Promise<string[]> {
    this.#socket.write(`${line}\r\n`);
    return this.replies(replies);
  }

  /** DATA, the message dot-stuffed, the final dot: one reply per accepted recipient. */
  async data(raw: Buffer, recipients: number): Promise<string[]> {
    const [go] = await this.command('DATA');
    if (!go?.startsWith('354')) return [go ?? ''];
    const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    this.#socket.write(Buffer.from(`${text}${text.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1'));
    return this.replies(recipients);
  }

  /** One whole transaction: MAIL FROM, each RCPT TO, DATA. */
  async deliver(raw: Buffer, recipients: readonly string[], from = 'bounce@relay.example'): Promise<string[]> {
    await this.command('LHLO mx.test');
    await this.command(`MAIL FROM:<${from}>`);
    for (const r of recipients) await this.command(`RCPT TO:<${r}>`);
    return this.data(raw, recipients.length);
  }

  async quit(): Promise<void> {
    this.#socket.end('QUIT\r\n');
    await new Promise((resolve) => this.#socket.once('close', resolve));
  }
}

const codes = (replies: readonly string[]) => replies.map((r) => Number(r.slice(0, 3)));

// The first email loads the parser threads: seconds on a loaded 2-core machine, not the usual 2 s.
vi.setConfig({ testTimeout: 120_000 });

let db: TestDatabase;
let app: TestApp;
let front: LmtpFrontEnd;

beforeAll(async () => {
  db = await createTestDatabase('lmtp');
  app = await createTestApp(db, { MESSAGE_MAX_BYTES: '64KB', ACK_ENABLED: 'false' });
  front = await startLmtpServer(app, { listen: { host: '127.0.0.1', port: 0 } });
}, 60_000);

afterAll(async () => {
  await front?.close();
  await app?.close();
  await db?.drop();
});

describe('the lmtp role', () => {
  it("greets at once: no smtp-server early-talker wait (100 ms) before each connection's greeting", async () => {
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const { client, greeting } = await LmtpClient.connect({ port: front.port! });
      waits.push(performance.now() - started);
      expect(greeting[0]).toMatch(/^220 /);
      await client.quit();
    }
    // smtp-server's own init waits 100 ms before every greeting; the quickest of five shows whether it is gone.
    expect(Math.min(...waits)).toBeLessThan(100);
  });

  it('answers 250 for the recipient only once the ticket rows are committed', async () => {
    const { client, greeting } = await LmtpClient.connect({ port: front.port! });
    expect(greeting[0]).toMatch(/^220 .*LMTP/);
    const lhlo = await client.command('LHLO mx.test');
    expect(lhlo[0]).toContain(`SIZE ${64 * 1024}`); // the limit is announced
    const mail = eml({
      from: 'Lucie Martin <lucie.lmtp@customer.example>',
      subject: 'Rétroviseur cassé à la livraison',
    });
    await client.command('MAIL FROM:<lucie.lmtp@customer.example>');
    await client.command('RCPT TO:<support@ticketrelay.test>');
    const replies = await client.data(mail.raw, 1);
    // Read at the moment the 250 arrived: the rows are there already, nothing is still being written.
    const rows = await db.query<{ ticket_id: number; kind: string }>(
      'SELECT ticket_id, kind FROM support_message WHERE message_id = ?',
      [mail.messageId],
    );
    expect(codes(replies)).toEqual([250]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.kind).toBe('ticket');
    expect(replies[0]).toContain(`ticket #${rows[0]?.ticket_id}`);
    const [legacy] = await db.query<{ msg_subject: string }>('SELECT msg_subject FROM ___xtr_msg WHERE msg_id = ?', [
      rows[0]?.ticket_id,
    ]);
    expect(legacy?.msg_subject).toBe('Rétroviseur cassé à la livraison');
    await client.quit();
  });

  it('answers once per recipient in a multi-recipient transaction, and stores the email once', async () => {
    const { client } = await LmtpClient.connect({ port: front.port! });
    const mail = eml({
      from: 'paul.multi@customer.example',
      subject: 'Deux adresses',
      to: 'support@ticketrelay.test, billing@ticketrelay.test',
    });
    const replies = await client.deliver(mail.raw, [
      'support@ticketrelay.test',
      'billing@ticketrelay.test',
      'sales@ticketrelay.test',
    ]);
    expect(codes(replies)).toEqual([250, 250, 250]);
    const rows = await db.query('SELECT 1 FROM support_message WHERE message_id = ?', [mail.messageId]);
    expect(rows).toHaveLength(1);
    // The same email delivered again (the mail server retried after a lost connection): 250, still one ticket.
    const again = await client.deliver(mail.raw, ['support@ticketrelay.test']);
    expect(codes(again)).toEqual([250]);
    expect(again[0]).toContain('already taken');
    expect(
      await db.query('SELECT 1 FROM support_ticket WHERE customer_email = ?', ['paul.multi@customer.example']),
    ).toHaveLength(1);
    await client.quit();
  });

  it('refuses an email over MESSAGE_MAX_BYTES with 552 per recipient, records it, and takes the next one on the same connection', async () => {
    const { client } = await LmtpClient.connect({ port: front.port! });
    // Declared in MAIL FROM: refused before any byte is sent.
    await client.command('LHLO mx.test');
    const declared = await client.command(`MAIL FROM:<big@customer.example> SIZE=${10 * 1024 * 1024}`);
    expect(codes(declared)).toEqual([552]);
    await client.command('RSET');
    const big = eml({
      from: 'big.sender@customer.example',
      subject: 'Photos',
      body: `${'x'.repeat(76)}\n`.repeat(2_000),
    });
    const before = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM support_message WHERE kind = 'rejected'");
    const replies = await client.deliver(
      big.raw,
      ['support@ticketrelay.test', 'billing@ticketrelay.test'],
      'big.sender@customer.example',
    );
    expect(codes(replies)).toEqual([552, 552]);
    expect(replies[0]).toMatch(/larger than the 64 KB limit/);
    const after = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM support_message WHERE kind = 'rejected'");
    expect(Number(after[0]?.n)).toBe(Number(before[0]?.n) + 1);
    expect(
      await db.query('SELECT 1 FROM support_ticket WHERE customer_email = ?', ['big.sender@customer.example']),
    ).toEqual([]);
    const next = eml({ from: 'small.sender@customer.example' });
    expect(codes(await client.deliver(next.raw, ['support@ticketrelay.test']))).toEqual([250]);
    await client.quit();
  });

  it('refuses with 554 an email that can never be taken (no sender), and keeps its bytes', async () => {
    const { client } = await LmtpClient.connect({ port: front.port! });
    const orphan = eml({ from: null, subject: 'Sans expéditeur' });
    const replies = await client.deliver(orphan.raw, ['support@ticketrelay.test']);
    expect(codes(replies)).toEqual([554]);
    expect(replies[0]).toMatch(/cannot be taken/);
    const rows = await db.query<{ kind: string }>('SELECT kind FROM support_message WHERE message_id = ?', [
      orphan.messageId,
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['rejected']);
    await client.quit();
  });

  it('listens on a Unix socket (LMTP_LISTEN=unix:…), replacing a socket file left by a dead process', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-lmtp-'));
    const socketPath = path.join(dir, 'lmtp.sock');
    const listen = parseLmtpListen(`unix:${socketPath}`);
    expect(listen).toEqual({ path: socketPath });
    // A stale socket file: a server killed (SIGKILL) without removing it.
    const dead = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`,
    ]);
    await new Promise<void>((resolve) => dead.stdout.once('data', () => resolve()));
    dead.kill('SIGKILL');
    await new Promise((resolve) => dead.once('exit', resolve));
    expect((await stat(socketPath)).isSocket()).toBe(true);
    const onSocket = await startLmtpServer(app, { listen: listen! });
    try {
      expect(onSocket.address).toBe(`unix:${socketPath}`);
      expect((await stat(socketPath)).mode & 0o777).toBe(0o660);
      const { client } = await LmtpClient.connect({ path: socketPath });
      const mail = eml({ from: 'unix.socket@customer.example' });
      expect(codes(await client.deliver(mail.raw, ['support@ticketrelay.test']))).toEqual([250]);
      expect(await db.query('SELECT 1 FROM support_message WHERE message_id = ?', [mail.messageId])).toHaveLength(1);
      await client.quit();
    } finally {
      await onSocket.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ingest - with the lmtp role running (LMTP_LISTEN set): the piped email is handed to the service', () => {
  const pipeEnv = () => ({ ...commandEnv(db, app), LOG_LEVEL: 'silent' });

  it('exits 0 once the service stored it, with the same summary as in-process', async () => {
    const mail = eml({ from: 'piped.over@customer.example', subject: 'Par le tuyau' });
    const before = front.counts.taken;
    const { code, stdout, stderr } = await runTicketrelay(
      ['ingest', '-', '--json'],
      { ...pipeEnv(), LMTP_LISTEN: `127.0.0.1:${front.port}` },
      mail.raw,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({ total: 1, created: 1, failed: 0 });
    expect(front.counts.taken).toBe(before + 1); // taken by the service, not by the piped process
    const rows = await db.query<{ kind: string }>('SELECT kind FROM support_message WHERE message_id = ?', [
      mail.messageId,
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['ticket']);
    const again = await runTicketrelay(
      ['ingest', '-', '--json'],
      { ...pipeEnv(), LMTP_LISTEN: `127.0.0.1:${front.port}` },
      mail.raw,
    );
    expect(JSON.parse(again.stdout.trim())).toMatchObject({ duplicates: 1 });
  });

  it('exits 65 for an email the service refuses for good, and takes the email itself when nothing answers on LMTP_LISTEN', async () => {
    const refused = await runTicketrelay(
      ['ingest', '-'],
      { ...pipeEnv(), LMTP_LISTEN: `127.0.0.1:${front.port}` },
      eml({ from: null }).raw,
    );
    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(/answered: 554 The email cannot be taken/);
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const nobody = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const mail = eml({ from: 'no.service@customer.example' });
    const taken = await runTicketrelay(
      ['ingest', '-', '--json'],
      { ...pipeEnv(), LMTP_LISTEN: `127.0.0.1:${nobody}` },
      mail.raw,
    );
    expect(taken.code).toBe(0);
    expect(JSON.parse(taken.stdout.trim())).toMatchObject({ created: 1 });
    expect(await db.query('SELECT 1 FROM support_message WHERE message_id = ?', [mail.messageId])).toHaveLength(1);
  });
});

describe('the lmtp role with the database unreachable', () => {
  let down: App;
  let downFront: LmtpFrontEnd;
  let dataDir: string;

  beforeAll(async () => {
    // A port where nothing listens: the shared MariaDB keeps running for everyone else.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-lmtp-down-'));
    const config = loadConfig({
      DATABASE_URL: `mysql://ticketrelay:nothing@127.0.0.1:${closedPort}/ticketrelay_test_lmtp_down`,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      DATA_DIR: dataDir,
      QUEUE_PREFIX: 'test-lmtp-down',
      LOG_LEVEL: 'silent',
    });
    down = await createApp(config, { logger: createLogger({ level: 'silent' }), prepare: false });
    downFront = await startLmtpServer(down, { listen: { host: '127.0.0.1', port: 0 } });
  }, 60_000);

  afterAll(async () => {
    await downFront?.close();
    await down?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 451 for every recipient (the mail server keeps the email and retries), and stays up', async () => {
    const { client } = await LmtpClient.connect({ port: downFront.port! });
    const mail = eml({ from: 'retry.later@customer.example' });
    const replies = await client.deliver(mail.raw, ['support@ticketrelay.test', 'billing@ticketrelay.test']);
    expect(codes(replies)).toEqual([451, 451]);
    expect(replies[0]).toMatch(/not stored.*database cannot be reached.*try again later/i);
    expect(replies[0]).not.toContain('nothing@'); // the password in DATABASE_URL is never said
    // The connection and the role are still there for the next attempt.
    expect(codes(await client.command('NOOP'))).toEqual([250]);
    await client.quit();
    expect(downFront.counts.deferred).toBe(1);
  });

  it('makes a piped `ingest -` handed to it exit 75, so that the mail server keeps the email', async () => {
    const { code, stderr } = await runTicketrelay(
      ['ingest', '-'],
      {
        DATABASE_URL: 'mysql://u:p@127.0.0.1:1/ticketrelay_test_unused',
        REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
        DATA_DIR: dataDir,
        LMTP_LISTEN: `127.0.0.1:${downFront.port}`,
      },
      eml({ from: 'pipe.retry@customer.example' }).raw,
    );
    expect(code).toBe(75);
    expect(stderr).toMatch(/answered: 451 Temporary failure/);
  });
});
