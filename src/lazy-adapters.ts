/**
 * Part of the composition root: adapters whose SDK loads on first use, so that a process pays only for
 * what its command does. `ticketrelay command "/ticket view 5"` never loads bullmq, mailparser or
 * nodemailer; `ingest -` of one email loads them but not exceljs. Each wrapper implements the same
 * port as the adapter it stands for and behaves exactly like it once loaded.
 */
import type { EmailParser } from './ports/email-parser.ts';
import type { MailSender, OutgoingEmail } from './ports/mail-sender.ts';
import type { TriageQueue } from './ports/triage-queue.ts';
import type { InboundEmail } from './domain/inbound-email.ts';
import type { MailparserOptions } from '../adapters/mailparser/mailparser-email-parser.ts';
import { AppError } from './domain/errors.ts';

/**
 * One adapter, loaded once, on first use (or preload); a failed load is tried again on the next use.
 * Closing waits for a load in flight and closes what it made: a short command that ends while the
 * background preload is still importing must not leave a Redis connection keeping the process alive.
 */
class Lazy<T> {
  readonly #load: () => Promise<T>;
  #loading: Promise<T> | null = null;
  #closed = false;

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  get(): Promise<T> {
    if (this.#closed)
      return Promise.reject(
        new AppError('app.closed', 'The service is shutting down: try again.', { retryable: true }),
      );
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = null;
      throw error;
    });
    return this.#loading;
  }

  preload(): void {
    this.get().catch(() => undefined);
  }

  /** The loaded adapter (waiting for a load in flight), or null when it was never loaded. */
  async close(): Promise<T | null> {
    this.#closed = true;
    return this.#loading ? this.#loading.catch(() => null) : null;
  }
}

/** BullmqTriageQueue, with bullmq and ioredis loaded on the first enqueue. */
export class LazyTriageQueue implements TriageQueue {
  readonly #adapter: Lazy<TriageQueue & { close(): Promise<void>; connectEarly(): void }>;

  constructor(options: { redisUrl: string; prefix?: string }) {
    this.#adapter = new Lazy(
      async () => new (await import('../adapters/queue/bullmq-triage-queue.ts')).BullmqTriageQueue(options),
    );
  }

  /**
   * Loads it now, in the background, and connects to Redis (a long-running process, or a pipe about to
   * store an email: the first ticket should not wait for either).
   */
  preload(): void {
    this.#adapter
      .get()
      .then((queue) => queue.connectEarly())
      .catch(() => undefined);
  }

  async enqueueTriage(ticketId: number): Promise<void> {
    await (await this.#adapter.get()).enqueueTriage(ticketId);
  }

  async close(): Promise<void> {
    await (await this.#adapter.close())?.close();
  }
}

/** NodemailerMailSender, with nodemailer loaded for the first email sent (or written to the outbox folder). */
export class LazyMailSender implements MailSender {
  readonly #adapter: Lazy<MailSender & { close(): void }>;

  constructor(options: { smtpUrl: string | null; outboxDir: string; allowPlain?: boolean }) {
    this.#adapter = new Lazy(
      async () => new (await import('../adapters/smtp/nodemailer-mail-sender.ts')).NodemailerMailSender(options),
    );
  }

  preload(): void {
    this.#adapter.preload();
  }

  async send(email: OutgoingEmail): Promise<{ readonly response: string }> {
    return (await this.#adapter.get()).send(email);
  }

  async close(): Promise<void> {
    (await this.#adapter.close())?.close();
  }
}

/**
 * The email parser, loaded on the first email: a pool of parser threads (ParsePoolEmailParser) for a
 * process that takes many, or mailparser in the main thread (`inline`) for one that takes a single
 * email and exits (the mail server's pipe), where starting a thread would cost more than the parse.
 */
export class LazyEmailParser implements EmailParser {
  readonly #adapter: Lazy<EmailParser & { close?(): Promise<void> }>;

  constructor(options: MailparserOptions & { readonly inline: boolean }) {
    const { inline, ...parserOptions } = options;
    this.#adapter = new Lazy(async () =>
      inline
        ? new (await import('../adapters/mailparser/mailparser-email-parser.ts')).MailparserEmailParser(parserOptions)
        : new (await import('../adapters/mailparser/parse-pool.ts')).ParsePoolEmailParser(parserOptions),
    );
  }

  preload(): void {
    this.#adapter.preload();
  }

  async parse(raw: Uint8Array): Promise<InboundEmail> {
    return (await this.#adapter.get()).parse(raw);
  }

  async close(): Promise<void> {
    await (await this.#adapter.close())?.close?.();
  }
}
