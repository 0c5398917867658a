/**
 * `ticketrelay ingest` as a mail server or an operator runs it: a real child process, real files,
 * the JSON summary on stdout, and the exit codes a mail server acts on.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { eml } from './eml.ts';
import { closedPort, createTestDatabase, runTicketrelay, startSmtpListener, type TestDatabase } from './harness.ts';
import { serverConnection } from '../../adapters/mysql/server-connection.ts';

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

function run(
  args: string[],
  options: { stdin?: Buffer; env?: Record<string, string>; timeoutMs?: number; closeStdout?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: path.join(dir, 'data'),
    QUEUE_PREFIX: 'test-cli',
    ...options.env,
  };
  return runTicketrelay(args, env, options.stdin ?? '', {
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.closeStdout ? { closeStdout: true } : {}),
  });
}

describe('ticketrelay ingest', () => {
  it('takes a folder, a maildir and an mbox, and prints the summary as JSON', async () => {
    const folder = path.join(dir, 'folder');
    await mkdir(folder, { recursive: true });
    const first = eml({ from: 'cli.one@customer.example', subject: 'Brake discs' });
    await writeFile(path.join(folder, 'a.eml'), first.raw);
    await writeFile(path.join(folder, 'b.eml'), first.raw); // the same email delivered twice
    await writeFile(
      path.join(folder, 'c.eml'),
      eml({ from: 'cli.one@customer.example', inReplyTo: `<${first.messageId}>`, subject: 'Re: Brake discs' }).raw,
    );
    const maildir = path.join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(maildir, sub), { recursive: true });
    await writeFile(path.join(maildir, 'new', '1700000000.1.host'), eml({ from: 'cli.three@customer.example' }).raw);
    await writeFile(path.join(maildir, 'tmp', 'half-written'), 'From: x@y.example\r\n'); // never read: tmp/ is in progress
    const mbox = path.join(dir, 'archive.mbox');
    const m1 = eml({
      from: 'mbox.one@customer.example',
      body: 'From the start, my order was wrong.\nFrom here on I want a refund.',
    }).raw.toString();
    const m2 = eml({ from: 'mbox.two@customer.example', headers: { 'Auto-Submitted': 'auto-replied' } }).raw.toString();
    await writeFile(
      mbox,
      `From mbox.one@customer.example Mon Jan  1 10:00:00 2024\n${m1.replace(/^From /gm, '>From ')}\n\nFrom mbox.two@customer.example Mon Jan  1 10:01:00 2024\n${m2}\n`,
    );

    const { code, stdout, stderr } = await run(['ingest', folder, maildir, mbox, '--json']);
    expect(stderr).not.toMatch(/ticketrelay:/);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trim()) as Record<string, number>;
    expect(summary).toMatchObject({
      total: 6,
      created: 3,
      replies: 1,
      duplicates: 1,
      automated: 1,
      rejected: 0,
      failed: 0,
    });
    const [row] = await db.query<{ msg_content: string }>(
      "SELECT m.msg_content FROM ___xtr_msg m JOIN support_ticket t ON t.ticket_id = m.msg_id WHERE t.customer_email = 'mbox.one@customer.example'",
    );
    expect(row!.msg_content).toMatch(/^From the start, my order was wrong\.\r?\nFrom here on/);
  });

  it("triage explain shows when a ticket was triaged in the shop's time zone", async () => {
    const file = path.join(dir, 'explain.eml');
    await writeFile(file, eml({ from: 'explain@customer.example', subject: 'Disques de frein' }).raw);
    expect((await run(['ingest', file, '--json'])).code).toBe(0);
    const [row] = await db.query<{ ticket_id: number }>(
      "SELECT ticket_id FROM support_ticket WHERE customer_email = 'explain@customer.example'",
    );
    await db.query(
      "UPDATE support_ticket SET triaged = 1, triaged_at = '2026-12-03 10:46:00', model_version = 'lr-test' WHERE ticket_id = ?",
      [row!.ticket_id],
    );
    const explained = await run(['triage', 'explain', String(row!.ticket_id)], {
      env: { DIGEST_TIMEZONE: 'Europe/Paris' },
    });
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain('model lr-test, triaged 2026-12-03 11:46 Europe/Paris');
  });

  it('takes the files of a folder in the order their numbers say: 2.eml before 10.eml', async () => {
    const folder = path.join(dir, 'numbered');
    await mkdir(folder, { recursive: true });
    for (const n of [1, 2, 10])
      await writeFile(
        path.join(folder, `${n}.eml`),
        eml({ from: 'numbered@customer.example', subject: `Commande numéro ${n}` }).raw,
      );
    expect((await run(['ingest', folder, '--json'])).code).toBe(0);
    const rows = await db.query<{ subject: string }>(
      "SELECT subject FROM support_ticket WHERE customer_email = 'numbered@customer.example' ORDER BY ticket_id",
    );
    expect(rows.map((r) => r.subject)).toEqual(['Commande numéro 1', 'Commande numéro 2', 'Commande numéro 10']);
  });

  it('reads one message from stdin, as a mail server pipes it, with per-message outcomes under --verbose', async () => {
    const { code, stdout } = await run(['ingest', '-', '--json', '--verbose'], {
      stdin: eml({ from: 'piped@customer.example' }).raw,
    });
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trim()) as {
      created: number;
      messages: Array<{ outcome: string; ticketId: number }>;
    };
    expect(summary.created).toBe(1);
    expect(summary.messages[0]).toMatchObject({ outcome: 'created', ticketId: expect.any(Number) });
  });

  it('exits 65 for a piped email with no sender, again and again, and 0 once its From line is added', async () => {
    const email = eml({ from: null, subject: 'Piped without a sender' });
    expect((await run(['ingest', '-'], { stdin: email.raw })).code).toBe(65);
    const again = await run(['ingest', '-', '--json', '--verbose'], { stdin: email.raw });
    expect(again.code).toBe(65);
    const summary = JSON.parse(again.stdout.trim()) as { messages: Array<{ outcome: string; reason: string }> };
    expect(summary.messages[0]).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('add a From line to the file kept in the rejected folder and ingest it again'),
    });
    const fixed = await run(['ingest', '-', '--json'], {
      stdin: Buffer.concat([Buffer.from('From: piped.fixed@customer.example\r\n'), email.raw]),
    });
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout.trim())).toMatchObject({ created: 1, rejected: 0 });
    const rows = await db.query<{ kind: string }>('SELECT kind FROM support_message WHERE message_id = ?', [
      email.messageId,
    ]);
    expect(rows).toEqual([{ kind: 'ticket' }]);
  });

  it('says the size of a piped email too large for a small MESSAGE_MAX_BYTES in KB', async () => {
    const big = eml({ from: 'big@customer.example', body: 'x'.repeat(3000) });
    const { code, stdout, stderr } = await run(['ingest', '-'], { stdin: big.raw, env: { MESSAGE_MAX_BYTES: '1KB' } });
    expect(code).toBe(65);
    const size = Math.round((big.raw.byteLength / 1024) * 10) / 10;
    expect(stdout + stderr).toContain(`message of ${size} KB is larger than the 1 KB limit (MESSAGE_MAX_BYTES)`);
  });

  it('exits 75 (try again later) when the database is down, so the mail server keeps the message', async () => {
    const { code, stderr } = await run(['ingest', '-'], {
      stdin: eml().raw,
      env: { DATABASE_URL: 'mysql://ticketrelay:s3cret-pass@127.0.0.1:1/shop' },
    });
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

describe('mistakes an operator makes', () => {
  // A process that said its error but does not exit is killed at this deadline (code -1).
  const DEADLINE_MS = 20_000;

  it("a database without the shop's tables: one sentence and exit 1, not a process that never ends", async () => {
    const base = new URL(LOCAL_ENDPOINTS.testDatabaseUrl);
    const name = `${db.name}_empty`;
    const admin = await serverConnection(base.toString());
    await admin.query(`CREATE DATABASE \`${name}\``);
    try {
      base.pathname = `/${name}`;
      for (const args of [
        ['command', '/ticket stats'],
        ['ingest', '-'],
        ['start', '--roles', 'http'],
      ]) {
        const { code, stderr } = await run(args, {
          env: { DATABASE_URL: base.toString(), HTTP_PORT: '0' },
          stdin: eml().raw,
          timeoutMs: DEADLINE_MS,
        });
        expect({ args, code }).toEqual({ args, code: 1 });
        expect(stderr).toContain(
          `ticketrelay: The shop's tables ___xtr_msg and ___xtr_customer are missing in database "${name}".`,
        );
      }
    } finally {
      await admin.query(`DROP DATABASE \`${name}\``);
      await admin.end();
    }
  });

  it('a database that does not exist is named, with how to create it', async () => {
    const url = new URL(db.url);
    url.pathname = `/${db.name}_nope`;
    const { code, stderr } = await run(['db', 'migrate'], {
      env: { DATABASE_URL: url.toString() },
      timeoutMs: DEADLINE_MS,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(
      `The database "${db.name}_nope" named in DATABASE_URL does not exist (running the migrations). Correct the name at the end of DATABASE_URL, or create it: CREATE DATABASE \`${db.name}_nope\``,
    );
  });

  it('an HTTP_PORT already taken stops start with a sentence naming HTTP_PORT, and the process ends', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      // The worker role trains its model first in this fresh data folder: slow on a loaded machine, not stuck.
      const { code, stderr } = await run(['start', '--roles', 'worker,http'], {
        env: { HTTP_PORT: String(port) },
        timeoutMs: 90_000,
      });
      expect(code).toBe(1);
      expect(stderr).toContain(
        `ticketrelay: The HTTP server cannot listen on 127.0.0.1:${port}: another process uses that port. Stop it, or set HTTP_PORT to a free port.`,
      );
    } finally {
      taken.close();
    }
  }, 120_000);

  it('an export refused (the days reversed) leaves no empty file behind, and keeps the one already there', async () => {
    const folder = path.join(dir, 'exports');
    await mkdir(folder, { recursive: true });
    const kept = path.join(folder, 'kept.csv');
    await writeFile(kept, 'last month\n');
    for (const out of [path.join(folder, 'new.csv'), kept]) {
      const { code, stderr } = await run(
        ['export', '--format', 'csv', '--from', '2026-12-05', '--to', '2026-12-01', '--out', out],
        { timeoutMs: DEADLINE_MS },
      );
      expect(code).toBe(1);
      expect(stderr).toContain('The range ends (2026-12-01) before it starts (2026-12-05)');
    }
    expect(await readdir(folder)).toEqual(['kept.csv']);
    expect(await readFile(kept, 'utf8')).toBe('last month\n');
    const { code } = await run(
      ['export', '--format', 'csv', '--from', '2026-12-01', '--to', '2026-12-05', '--out', kept],
      { timeoutMs: DEADLINE_MS },
    );
    expect(code).toBe(0);
    expect(await readFile(kept, 'utf8')).toMatch(/^ticket,created_at,/);
  });

  it('start with an empty --roles refuses instead of running every role; a negative staff id is explained', async () => {
    const empty = await run(['start', '--roles', ''], { timeoutMs: DEADLINE_MS });
    expect(empty.code).toBe(64);
    expect(empty.stderr).toContain('--roles names no role.');
    const negative = await run(['agents', 'add', 'neg', '--staff-id', '-5'], { timeoutMs: DEADLINE_MS });
    expect(negative.code).toBe(64);
    expect(negative.stderr).toContain("--staff-id is the agent's staff number in the shop (a positive whole number).");
  });

  it('a database the user may not use is named as such, not as a wrong password', async () => {
    const url = new URL(db.url);
    url.pathname = '/nosuchdb_cli';
    const { code, stderr } = await run(['command', '/ticket list'], {
      env: { DATABASE_URL: url.toString() },
      timeoutMs: DEADLINE_MS,
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('The user in DATABASE_URL may not use the database "nosuchdb_cli"');
    expect(stderr).not.toContain('Check the user and password');
  });

  it('triage classify reads a folder as ingest does, and says which emails would never open a ticket', async () => {
    const examples = path.resolve(import.meta.dirname, '../../examples');
    const { code, stdout, stderr } = await run(['triage', 'classify', examples, '--json'], { timeoutMs: 120_000 });
    expect(code, stderr).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            file: string;
            wouldOpenTicket?: boolean;
            why?: string;
            category?: string;
            escalate?: boolean;
          },
      );
    expect(lines).toHaveLength(10);
    const byName = (name: string) => lines.find((l) => l.file.endsWith(name))!;
    expect(byName('08-newsletter-list.eml')).toMatchObject({
      wouldOpenTicket: false,
      why: expect.stringContaining('automated mail (list'),
    });
    expect(byName('09-bounce-delivery-status.eml')).toMatchObject({
      wouldOpenTicket: false,
      why: expect.stringContaining('bounce'),
    });
    expect(byName('05-complaint-damaged-part-en.eml')).toMatchObject({
      category: 'complaint',
      escalate: true,
      escalateBecause: expect.stringMatching(/urgent|very negative tone/),
    });
    // In words: which rules are in use, and why an email would be escalated.
    const text = await run(['triage', 'classify', path.join(examples, '05-complaint-damaged-part-en.eml')], {
      timeoutMs: 120_000,
    });
    expect(text.stderr).toContain('rules: the built-in set');
    expect(text.stdout).toMatch(/→ would be escalated \((urgent|very negative tone: sentiment -?[\d.]+ ≤ -0\.6)/);
  }, 150_000);

  it('an export to a folder that does not exist says so, and writes nothing', async () => {
    const out = path.join(dir, 'no-such-folder', 'x.csv');
    const { code, stderr } = await run(
      ['export', '--format', 'csv', '--from', '2026-12-01', '--to', '2026-12-05', '--out', out],
      { timeoutMs: DEADLINE_MS },
    );
    expect(code).toBe(73);
    expect(stderr).toContain(`Nothing was exported: ${path.dirname(out)} does not exist.`);
    expect(stderr).not.toMatch(/ENOENT|partial/);
    // A folder given as --out receives the file under its usual name.
    const into = path.join(dir, 'export-folder');
    await mkdir(into, { recursive: true });
    const inFolder = await run(
      ['export', '--format', 'csv', '--from', '2026-12-01', '--to', '2026-12-05', '--out', into],
      { timeoutMs: DEADLINE_MS },
    );
    expect(inFolder.code, inFolder.stderr).toBe(0);
    expect(await readdir(into)).toEqual(['tickets-2026-12-01_2026-12-05.csv']);
  });

  it('digest --now --print shows the digest and posts nothing, so it needs no channel', async () => {
    const { code, stdout, stderr } = await run(['digest', '--now', '--print', '--day', '2026-03-02'], {
      timeoutMs: DEADLINE_MS,
    });
    expect(stderr).not.toContain('No channel to post to');
    expect(code).toBe(0);
    expect(stdout).toContain('Support digest — 2026-03-02');
    expect(stdout).not.toContain('*'); // chat markup is for chat
    const future = await run(['digest', '--now', '--print', '--day', '2099-01-01'], { timeoutMs: DEADLINE_MS });
    expect(future.code).toBe(64);
    expect(future.stderr).toContain('2099-01-01 has not started yet');
  });

  it('outbox status says what waits to be sent, since when and why, while the mail server is away', async () => {
    const closed = await closedPort();
    const env = { SMTP_URL: `smtp://127.0.0.1:${closed}`, SMTP_ALLOW_PLAIN: 'true' };
    const file = path.join(dir, 'outbox-away.eml');
    await writeFile(
      file,
      eml({ from: 'waiting@outbox.example', subject: 'Ma commande', body: 'Bonjour, où en est ma commande ?' }).raw,
    );
    expect((await run(['ingest', file], { env, timeoutMs: DEADLINE_MS })).code).toBe(0);
    const status = await run(['outbox', 'status'], { env, timeoutMs: DEADLINE_MS });
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(
      /^1 email waiting to be sent, the oldest for .+; the mail server did not take the last one tried \(.*ECONNREFUSED.*\)\. They are tried again with backoff/m,
    );
    expect(status.stderr).toMatch(/It is: #\d+ acknowledgement to waiting@outbox\.example\./);

    // The mail server is back: "outbox send" sends it at once, without waiting for its retry time.
    const smtp = await startSmtpListener();
    try {
      const [row] = await db.query<{ due: number }>(
        "SELECT delivery_next_at > NOW(3) AS due FROM support_message WHERE kind = 'ack' AND peer_address = 'waiting@outbox.example'",
      );
      expect(Number(row!.due)).toBe(1); // backing off
      const sent = await run(['outbox', 'send'], {
        env: { SMTP_URL: smtp.url, SMTP_ALLOW_PLAIN: 'true' },
        timeoutMs: DEADLINE_MS,
      });
      expect(sent.stderr).toMatch(/^1 email sent\.$/m);
      expect((await smtp.waitFor(1))[0]!.envelopeTo).toEqual(['waiting@outbox.example']);

      // An email given up (a refusal since fixed) goes again with "outbox retry".
      await db.query(
        "UPDATE support_message SET delivery = 'failed', delivery_error = 'The SMTP server refused the login' WHERE kind = 'ack' AND peer_address = 'waiting@outbox.example'",
      );
      const retried = await run(['outbox', 'retry'], {
        env: { SMTP_URL: smtp.url, SMTP_ALLOW_PLAIN: 'true' },
        timeoutMs: DEADLINE_MS,
      });
      expect(retried.stderr).toMatch(/^1 email given up in the last 7 days put back in the outbox\.$/m);
      expect(retried.stderr).toMatch(/^1 email sent\.$/m);
      expect(retried.code).toBe(0);
      expect(await smtp.waitFor(2)).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });

  it('agents add on an existing manager, to give a chat identity, keeps her a manager and her staff id', async () => {
    const first = await run(['agents', 'add', 'claire', '--role', 'manager', '--staff-id', '31'], {
      timeoutMs: DEADLINE_MS,
    });
    expect(first.code, first.stderr).toBe(0);
    const second = await run(['agents', 'add', 'claire', '--slack', 'UCLAIRE'], { timeoutMs: DEADLINE_MS });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout + second.stderr).toContain('claire: manager, staff id 31, recognised as slack user UCLAIRE');
    expect(first.stdout + first.stderr).toContain('No chat identity given');
    // A later change of staff id keeps her Slack identity, says so, and does not claim she has none.
    const third = await run(['agents', 'add', 'claire', '--staff-id', '31'], { timeoutMs: DEADLINE_MS });
    expect(third.stdout + third.stderr).toContain('claire: manager, staff id 31, recognised as slack user UCLAIRE.');
    expect(third.stdout + third.stderr).not.toContain('No chat identity given');
    const rows = await db.query<{ role: string; staff_id: number }>(
      "SELECT role, staff_id FROM support_agent WHERE name = 'claire'",
    );
    expect(rows).toEqual([{ role: 'manager', staff_id: 31 }]);
    const fresh = await run(['agents', 'add', 'dan', '--console', 'dan'], { timeoutMs: DEADLINE_MS });
    expect(fresh.stdout + fresh.stderr).toContain('dan: agent, staff id none');
  });

  it('agents add with a full name with spaces says to give a short name and --full-name, and --full-name is kept for signatures', async () => {
    const refused = await run(['agents', 'add', 'Zoé Lemaître', '--staff-id', '9', '--console', 'zoe'], {
      timeoutMs: DEADLINE_MS,
    });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain(
      'Give a short name and sign with the full one: npx ticketrelay agents add zoe --full-name "Zoé Lemaître"',
    );
    const added = await run(
      ['agents', 'add', 'zoe', '--full-name', 'Zoé Lemaître', '--staff-id', '9', '--console', 'zoe'],
      { timeoutMs: DEADLINE_MS },
    );
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('zoe (Zoé Lemaître, who signs replies): agent, staff id 9');
    expect(await db.query("SELECT full_name FROM support_agent WHERE name = 'zoe'")).toEqual([
      { full_name: 'Zoé Lemaître' },
    ]);
  });

  it("agents add refuses another agent's chat identity instead of silently taking it from them", async () => {
    expect(
      (await run(['agents', 'add', 'bob', '--staff-id', '7', '--console', 'bob'], { timeoutMs: DEADLINE_MS })).code,
    ).toBe(0);
    const taken = await run(['agents', 'add', 'hank', '--staff-id', '8', '--console', 'bob'], {
      timeoutMs: DEADLINE_MS,
    });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(
      `console user bob is already bob's: nothing changed. If it is no longer theirs, run "npx ticketrelay agents remove bob" first`,
    );
    // The same identity in other letters is the same key in the table: refused too.
    const shouted = await run(['agents', 'add', 'hank', '--staff-id', '8', '--console', 'BOB'], {
      timeoutMs: DEADLINE_MS,
    });
    expect(shouted.code).toBe(1);
    expect(shouted.stderr).toContain("console user BOB is already bob's: nothing changed.");
    const owners = await db.query<{ name: string }>(
      "SELECT a.name FROM support_agent_identity i JOIN support_agent a ON a.id = i.agent_id WHERE i.platform = 'console' AND i.value = 'bob'",
    );
    expect(owners).toEqual([{ name: 'bob' }]);
    expect(await db.query("SELECT 1 FROM support_agent WHERE name = 'hank'")).toEqual([]);
  });
});

describe('help and pipelines', () => {
  const DEADLINE_MS = 30_000;
  const COMMAND_NAMES = [
    'demo',
    'ingest',
    'services',
    'db',
    'outbox',
    'start',
    'status',
    'triage',
    'jobs',
    'discord',
    'console',
    'command',
    'agents',
    'digest',
    'export',
  ];

  it('--help (or -h) after any command prints its usage and exits 0, doing nothing else', async () => {
    // Three processes at a time: fifteen at once on two cores, beside the rest of the suite, measured the machine, not the help.
    const results: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < COMMAND_NAMES.length; i += 3) {
      results.push(
        ...(await Promise.all(
          COMMAND_NAMES.slice(i, i + 3).map((name, j) =>
            run([name, (i + j) % 2 === 0 ? '--help' : '-h'], { timeoutMs: DEADLINE_MS }),
          ),
        )),
      );
    }
    results.forEach(({ code, stdout, stderr }, i) => {
      const name = COMMAND_NAMES[i];
      expect({ name, code, stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(stdout).toMatch(new RegExp(`^Usage:\n  npx ticketrelay ${name} `));
    });
  }, 180_000);

  it('the list of commands has its descriptions in one column, two spaces at least after the longest synopsis beside them', async () => {
    const { code, stdout } = await run(['help'], { timeoutMs: DEADLINE_MS });
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const columns = new Set<number>();
    lines.forEach((line, i) => {
      if (!line.startsWith('  npx ticketrelay ')) return;
      const beside = /^ {2}npx ticketrelay \S.*?\S {2,}(?=\S)/.exec(line);
      if (beside) columns.add(beside[0].length);
      // A synopsis too long to share its line has its description alone on the next one.
      else columns.add(/^ +(?=\S)/.exec(lines[i + 1] ?? '')?.[0].length ?? -1);
    });
    expect(columns.size).toBe(1);
    expect([...columns][0]).toBeGreaterThan('  npx ticketrelay services up|down|status'.length + 1);
  });

  it('ends quietly with 0 when its output is closed early, as by "| head -1"', async () => {
    const folder = path.join(dir, 'piped');
    await mkdir(folder, { recursive: true });
    for (const n of [1, 2, 3])
      await writeFile(
        path.join(folder, `${n}.eml`),
        eml({ from: `piped.${n}@customer.example`, subject: `Piped ${n}` }).raw,
      );
    for (const args of [
      ['help'],
      ['ingest', folder, '--verbose'],
      ['export', '--format', 'csv', '--from', '2026-01-01', '--to', '2026-12-31', '--out', '-'],
    ]) {
      const { code, stderr } = await run(args, { closeStdout: true, timeoutMs: DEADLINE_MS });
      expect({ args, code, stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });
});
