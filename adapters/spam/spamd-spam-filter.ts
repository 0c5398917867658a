/**
 * SpamFilter on SpamAssassin's spamd, over its own protocol (SPAMC/1.5, what `spamc` speaks): one TCP
 * connection per email, `SYMBOLS` with the raw bytes, and the answer's `Spam: True ; 1002.7 / 5.0`
 * line and rule names. No dependency: the protocol is a header block and a body.
 */
import net from 'node:net';
import { AppError } from '../../src/domain/errors.ts';
import type { SpamFilter, SpamFilterVerdict } from '../../src/ports/spam-filter.ts';

/** spamc's own default: larger emails are not scanned (spam is small; a 50 MB attachment would tie spamd up). */
export const SPAMD_MAX_BYTES = 512 * 1024;
const ANSWER_MAX_BYTES = 64 * 1024;

export class SpamdSpamFilter implements SpamFilter {
  readonly name: string;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMs: number;

  constructor(options: { host: string; port: number; timeoutMs?: number }) {
    this.#host = options.host;
    this.#port = options.port;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.name = `spamd ${options.host}:${options.port}`;
  }

  check(raw: Uint8Array): Promise<SpamFilterVerdict> {
    // As spamc does: not scanned, taken as it is (the mail server's own verdict headers still count).
    if (raw.byteLength > SPAMD_MAX_BYTES)
      return Promise.resolve({ spam: false, score: 0, threshold: 0, rules: ['NOT_SCANNED_TOO_LARGE'] });
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.#host, port: this.#port });
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (why: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        reject(
          new AppError('spam.filter_unavailable', `The spam filter (${this.name}, SPAM_FILTER) ${why}`, {
            retryable: true,
            ...(cause === undefined ? {} : { cause }),
          }),
        );
      };
      socket.setTimeout(this.#timeoutMs, () => fail(`did not answer within ${this.#timeoutMs / 1000} s.`));
      socket.once('error', (error: NodeJS.ErrnoException) =>
        fail(`cannot be reached (${error.code ?? error.message}).`, error),
      );
      socket.once('connect', () => {
        socket.write(`SYMBOLS SPAMC/1.5\r\nContent-length: ${raw.byteLength}\r\n\r\n`);
        socket.end(raw);
      });
      socket.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > ANSWER_MAX_BYTES) return fail('sent an answer far too long for a verdict.');
        chunks.push(chunk);
      });
      socket.once('end', () => {
        if (settled) return;
        const verdict = parseSpamdAnswer(Buffer.concat(chunks).toString('latin1'));
        if (typeof verdict === 'string') return fail(verdict);
        settled = true;
        socket.destroy();
        resolve(verdict);
      });
    });
  }
}

/** "SPAMD/1.1 0 EX_OK\r\nContent-length: 68\r\nSpam: True ; 1002.7 / 5.0\r\n\r\nGTUBE,…" → the verdict, or why it is not one. */
export function parseSpamdAnswer(answer: string): SpamFilterVerdict | string {
  const end = answer.indexOf('\r\n\r\n');
  const head = end === -1 ? answer : answer.slice(0, end);
  const body = end === -1 ? '' : answer.slice(end + 4);
  const status = /^SPAMD\/[\d.]+\s+(\d+)\s+(\S+)/.exec(head);
  if (!status) return `answered something that is not spamd's protocol (${JSON.stringify(head.slice(0, 60))}).`;
  if (status[1] !== '0') return `refused the email (${status[1]} ${status[2]}).`;
  const spam = /^Spam:\s*(true|false|yes|no)\s*;\s*(-?[\d.]+)\s*\/\s*(-?[\d.]+)/im.exec(head);
  if (!spam) return 'answered without a "Spam:" line.';
  return {
    spam: /^(true|yes)$/i.test(spam[1]!),
    score: Number(spam[2]),
    threshold: Number(spam[3]),
    rules: body
      .split(/[,\s]+/)
      .map((r) => r.trim())
      .filter((r) => /^[A-Z0-9_]+$/i.test(r))
      .slice(0, 50),
  };
}
