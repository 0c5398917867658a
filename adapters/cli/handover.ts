/**
 * `ingest -` when the service runs the lmtp role (LMTP_LISTEN set and answering): the piped email is
 * handed to it over LMTP, as Cyrus's `deliver` hands mail to its lmtpd, instead of this process
 * loading the database client, the parser and the queue to store one email. Same exit codes as the
 * in-process path: 0 once the service answered 250 (the rows are committed), 75 on a temporary
 * failure (4xx, or the connection lost mid-way: the mail server retries), 65 for an email refused
 * for good (5xx). Nothing answering on LMTP_LISTEN: null, and the caller takes the email itself.
 */
import net from 'node:net';
import type { PipeTarget } from '../../src/lmtp-target.ts';
import { EX_TEMPFAIL } from './cli-command.ts';
import { formatSummary, type IngestSummary } from './ingest-summary.ts';

const CONNECT_TIMEOUT_MS = 1_000;
/** The service answers DATA once the rows are committed; past this, the mail server may retry. */
const REPLY_TIMEOUT_MS = 120_000;
const EX_DATAERR = 65;

export async function handOver(target: PipeTarget, options: { json: boolean }): Promise<number | null> {
  const socket = await connect(target.listen);
  if (!socket) return null;
  const started = performance.now();
  const summary: IngestSummary = {
    total: 1,
    created: 0,
    replies: 0,
    duplicates: 0,
    automated: 0,
    rejected: 0,
    failed: 0,
    seconds: 0,
  };
  let reply: string;
  try {
    const raw = await readAll(process.stdin);
    reply = await deliver(socket, raw, target.recipient);
  } catch (error) {
    socket.destroy();
    reply = `451 the service stopped answering (${error instanceof Error ? error.message : String(error)})`;
  }
  const code = Number(reply.slice(0, 3));
  let exit = 0;
  if (code >= 200 && code < 300) {
    const outcome = /\[(created|reply|duplicate|automated)\]\s*$/.exec(reply)?.[1];
    if (outcome === 'created') summary.created++;
    else if (outcome === 'reply') summary.replies++;
    else if (outcome === 'duplicate') summary.duplicates++;
    else summary.automated++;
  } else if (code >= 500) {
    summary.rejected++;
    exit = EX_DATAERR;
  } else {
    summary.failed++;
    exit = EX_TEMPFAIL;
  }
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  if (exit !== 0)
    process.stderr.write(`ticketrelay: the service's lmtp role answered: ${reply.replace(/\r?\n/g, ' ')}\n`);
  process.stdout.write(`${options.json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
  return exit;
}

function connect(listen: PipeTarget['listen']): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = 'path' in listen ? net.connect(listen.path) : net.connect(listen.port, listen.host);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** One LMTP transaction (RFC 2033) for one recipient: the final reply line, e.g. "250 OK: … [created]". */
async function deliver(socket: net.Socket, raw: Buffer, recipient: string): Promise<string> {
  const replies = replyReader(socket);
  const expect = async (ok: (code: number) => boolean) => {
    const line = await replies.next();
    if (!ok(Number(line.slice(0, 3)))) throw Object.assign(new Error(line), { reply: line });
    return line;
  };
  const step = async (command: string, ok: (code: number) => boolean) => {
    socket.write(`${command}\r\n`);
    return expect(ok);
  };
  try {
    await expect((c) => c === 220);
    await step('LHLO localhost', (c) => c === 250);
    await step('MAIL FROM:<>', (c) => c === 250);
    await step(`RCPT TO:<${recipient}>`, (c) => c === 250);
    await step('DATA', (c) => c === 354);
  } catch (error) {
    const refused = (error as { reply?: string }).reply;
    if (refused) return refused; // a 4xx or 5xx before the data: the same meaning as after it
    throw error;
  }
  // Lines end in CRLF; a line starting with a dot gets another (RFC 5321 4.5.2).
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  socket.write(Buffer.from(`${text}${text.endsWith('\r\n') || text === '' ? '' : '\r\n'}.\r\n`, 'latin1'));
  const final = await replies.next();
  socket.end('QUIT\r\n');
  return final;
}

/** The server's replies, one whole reply (its last line, "250 …") at a time. */
function replyReader(socket: net.Socket): { next(): Promise<string> } {
  let buffer = '';
  const ready: string[] = [];
  let waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | null = null;
  let failed: Error | null = null;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      if (/^\d{3}-/.test(line)) continue; // a continuation line of a multi-line reply
      ready.push(line);
    }
    if (waiting && ready.length > 0) {
      waiting.resolve(ready.shift()!);
      waiting = null;
    }
  });
  const fail = (error: Error) => {
    failed = error;
    waiting?.reject(error);
    waiting = null;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed')));
  return {
    next() {
      if (ready.length > 0) return Promise.resolve(ready.shift()!);
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer in time')), REPLY_TIMEOUT_MS);
        timer.unref();
        waiting = {
          resolve: (line) => (clearTimeout(timer), resolve(line)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        };
      });
    },
  };
}
