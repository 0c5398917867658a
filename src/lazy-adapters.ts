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

/** Loads once, on the first call; a failed load is tried again on the next call. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };
}

/** BullmqTriageQueue, with bullmq and ioredis loaded on the first enqueue. */
export class LazyTriageQueue implements TriageQueue {
  readonly #get: () => Promise<TriageQueue & { close(): Promise<void> }>;
  #loaded: (TriageQueue & { close(): Promise<void> }) | null = null;

  constructor(options: { redisUrl: string; prefix?: string }) {
    this.#get = once(async () => {
      const { BullmqTriageQueue } = await import('../adapters/queue/bullmq-triage-queue.ts');
      return (this.#loaded = new BullmqTriageQueue(options));
    });
  }

  /** Loads it now, in the background (a long-running process: the first ticket should not wait for it). */
  preload(): void {
    this.#get().catch(() => undefined);
  }

  async enqueueTriage(ticketId: number): Promise<void> {
    await (await this.#get()).enqueueTriage(ticketId);
  }

  async close(): Promise<void> {
    await this.#loaded?.close();
  }
}

/** NodemailerMailSender, with nodemailer loaded for the first email sent (or written to the outbox folder). */
export class LazyMailSender implements MailSender {
  readonly #get: () => Promise<MailSender & { close(): void }>;
  #loaded: (MailSender & { close(): void }) | null = null;

  constructor(options: { smtpUrl: string | null; outboxDir: string }) {
    this.#get = once(async () => {
      const { NodemailerMailSender } = await import('../adapters/smtp/nodemailer-mail-sender.ts');
      return (this.#loaded = new NodemailerMailSender(options));
    });
  }

  preload(): void {
    this.#get().catch(() => undefined);
  }

  async send(email: OutgoingEmail): Promise<{ readonly response: string }> {
    return (await this.#get()).send(email);
  }

  close(): void {
    this.#loaded?.close();
  }
}

/**
 * The email parser, loaded on the first email: a pool of parser threads (ParsePoolEmailParser) for a
 * process that takes many, or mailparser in the main thread (`inline`) for one that takes a single
 * email and exits (the mail server's pipe), where starting a thread would cost more than the parse.
 */
export class LazyEmailParser implements EmailParser {
  readonly #get: () => Promise<EmailParser & { close?(): Promise<void> }>;
  #loaded: (EmailParser & { close?(): Promise<void> }) | null = null;

  constructor(options: MailparserOptions & { readonly inline: boolean }) {
    const { inline, ...parserOptions } = options;
    this.#get = once(async () => {
      if (inline) {
        const { MailparserEmailParser } = await import('../adapters/mailparser/mailparser-email-parser.ts');
        return (this.#loaded = new MailparserEmailParser(parserOptions));
      }
      const { ParsePoolEmailParser } = await import('../adapters/mailparser/parse-pool.ts');
      return (this.#loaded = new ParsePoolEmailParser(parserOptions));
    });
  }

  preload(): void {
    this.#get().catch(() => undefined);
  }

  async parse(raw: Uint8Array): Promise<InboundEmail> {
    return (await this.#get()).parse(raw);
  }

  async close(): Promise<void> {
    await this.#loaded?.close?.();
  }
}
