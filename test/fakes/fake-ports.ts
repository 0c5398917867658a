/**
 * Fakes of the intake's other ports: a parser that hands back prepared emails, a triage queue, a
 * quarantine and a mail sender that record what they were given, and a logger that says nothing.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../src/domain/errors.ts';
import type { InboundEmail } from '../../src/domain/inbound-email.ts';
import type { EmailParser } from '../../src/ports/email-parser.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { MailSender, OutgoingEmail } from '../../src/ports/mail-sender.ts';
import type { Quarantine } from '../../src/ports/quarantine.ts';
import type { TriageQueue } from '../../src/ports/triage-queue.ts';

/**
 * An InboundEmail as a parser would build it: a plain-text question from Jane, unless overridden.
 * contentHash, when not given, is derived from the other fields (so that two different emails
 * without a Message-ID get different identities, and the same one the same).
 */
export function inboundEmail(overrides: Partial<InboundEmail> = {}): InboundEmail {
  const base: Omit<InboundEmail, 'contentHash'> = {
    messageId: 'CAJane.1@mail.customer.example',
    inReplyTo: [],
    references: [],
    from: { address: 'jane@customer.example', name: 'Jane Doe' },
    replyTo: [],
    to: [{ address: 'support@shop.example', name: 'Shop Support' }],
    cc: [],
    subject: 'Where is my order?',
    date: new Date('2026-01-15T09:58:00Z'),
    headers: new Map(),
    contentType: 'text/plain',
    reportType: null,
    text: 'Hello,\n\nI ordered brake pads last week and they have not arrived yet. Could you tell me where my package is?\n\nThanks,\nJane',
    attachments: [],
    deliveryReport: null,
    notes: [],
    rawSize: 0,
    ...overrides,
  };
  const rawSize = overrides.rawSize ?? base.text.length + 400;
  const contentHash =
    overrides.contentHash ??
    createHash('sha256')
      .update(
        JSON.stringify([
          base.messageId,
          base.from,
          base.subject,
          base.text,
          base.inReplyTo,
          base.references,
          [...base.headers],
        ]),
      )
      .digest('hex');
  return { ...base, rawSize, contentHash };
}

/**
 * Returns a prepared InboundEmail for the raw bytes it is given. `rawFor(email)` registers an email
 * and gives the bytes that stand for it (concurrent ingests each get their own); any other bytes get
 * what `returns()` / `fails()` set, by default an 'email.unparseable' error.
 */
export class FakeEmailParser implements EmailParser {
  readonly #registered = new Map<string, InboundEmail>();
  #next: InboundEmail | AppError;
  /** Every raw message parse() was called with. */
  readonly calls: Uint8Array[] = [];

  constructor(next: InboundEmail | AppError = unparseable('no email prepared for these bytes')) {
    this.#next = next;
  }

  /** Bytes that parse() turns into this email. */
  rawFor(email: InboundEmail): Uint8Array {
    const key = `fake-raw-${this.#registered.size + 1}`;
    this.#registered.set(key, email);
    return new TextEncoder().encode(`X-Fake-Raw: ${key}\r\nSubject: ${email.subject}\r\n\r\n${email.text}`);
  }

  /** Unregistered bytes parse into this email. */
  returns(email: InboundEmail): this {
    this.#next = email;
    return this;
  }

  /** Unregistered bytes cannot be parsed. */
  fails(message = 'the message has no header block'): this {
    this.#next = unparseable(message);
    return this;
  }

  async parse(raw: Uint8Array): Promise<InboundEmail> {
    await Promise.resolve();
    this.calls.push(raw);
    const key = /^X-Fake-Raw: (fake-raw-\d+)\r\n/.exec(new TextDecoder().decode(raw.subarray(0, 64)))?.[1];
    const registered = key === undefined ? undefined : this.#registered.get(key);
    if (registered) return registered;
    if (this.#next instanceof AppError) throw this.#next;
    return this.#next;
  }
}

function unparseable(message: string): AppError {
  return new AppError('email.unparseable', `The email cannot be read: ${message}`);
}

/** Records the tickets handed to triage; `unavailable = true` is Redis gone. */
export class RecordingTriageQueue implements TriageQueue {
  readonly enqueued: number[] = [];
  unavailable = false;

  async enqueueTriage(ticketId: number): Promise<void> {
    await Promise.resolve();
    if (this.unavailable) {
      throw new AppError('queue.unavailable', 'The triage queue cannot be reached (Redis: connect ECONNREFUSED).', {
        retryable: true,
      });
    }
    this.enqueued.push(ticketId);
  }
}

/** Keeps raw emails in memory; returns the path a file quarantine would have used. */
export class RecordingQuarantine implements Quarantine {
  readonly kept: { readonly raw: Uint8Array; readonly sha256: string; readonly path: string }[] = [];

  async keep(raw: Uint8Array, sha256: string): Promise<string> {
    await Promise.resolve();
    const path = `quarantine/${sha256}.eml`;
    this.kept.push({ raw, sha256, path });
    return path;
  }
}

/** Records what would have been sent; `failNext(n, retryable)` makes the next sends throw 'smtp.*'. */
export class RecordingMailSender implements MailSender {
  readonly sent: OutgoingEmail[] = [];
  #failures: { remaining: number; retryable: boolean } = { remaining: 0, retryable: true };

  failNext(count: number, retryable = true): void {
    this.#failures = { remaining: count, retryable };
  }

  async send(email: OutgoingEmail): Promise<{ readonly response: string }> {
    await Promise.resolve();
    if (this.#failures.remaining > 0) {
      this.#failures.remaining--;
      throw this.#failures.retryable
        ? new AppError('smtp.temporary', 'The SMTP server cannot be reached (ECONNREFUSED).', { retryable: true })
        : new AppError('smtp.rejected', '550 5.1.1 mailbox unavailable', { retryable: false });
    }
    this.sent.push(email);
    return { response: `250 2.0.0 Ok: queued as FAKE${this.sent.length}` };
  }
}

/** A logger that writes nothing. */
export class SilentLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
}

export const silentLogger: Logger = new SilentLogger();

/** A logger that keeps what it was told, for tests that check what an operator would read. */
export class RecordingLogger implements Logger {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> }[] =
    [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', message, fields });
  }
  child(): Logger {
    return this;
  }
}
