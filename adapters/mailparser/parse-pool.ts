/**
 * EmailParser that parses in worker threads (each running MailparserEmailParser), so that parsing
 * one email proceeds on another core while the main thread stores the previous ones: on 2 cores,
 * one parses while the other runs the database client and MariaDB. Same results, same errors as
 * MailparserEmailParser; a worker that dies or hangs takes only the email it was parsing with it
 * (reported as unparseable) and is replaced.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../src/domain/errors.ts';
import type { InboundEmail } from '../../src/domain/inbound-email.ts';
import type { EmailParser } from '../../src/ports/email-parser.ts';
import { MailparserEmailParser, type MailparserOptions } from './mailparser-email-parser.ts';
import type { ParseReply } from './parse-worker.ts';

export interface ParsePoolOptions extends MailparserOptions {
  /** Worker threads; default: one per core but one (the main thread's), at least 1, at most 4. */
  readonly workers?: number;
}

/** Emails handed to one worker at a time: enough to keep it busy between two messages. */
const PER_WORKER = 4;

interface Job {
  readonly id: number;
  readonly raw: Uint8Array;
  readonly resolve: (email: InboundEmail) => void;
  readonly reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
  /** Threads that died while this email was on them: the second time, it is taken as the cause. */
  crashes: number;
}

/**
 * Compiled (dist/), a worker imports its JavaScript entry. From the TypeScript sources (tests, tsx) it
 * registers tsx's loader first: a worker thread does not inherit the loader hooks of the main thread.
 */
const COMPILED = import.meta.url.endsWith('.js');
const BOOTSTRAP = COMPILED
  ? `import(require('node:worker_threads').workerData.entry);`
  : `
const { workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then(({ register }) => { register(); return import(workerData.entry); });
`;
const ENTRY = new URL(`./parse-worker.${COMPILED ? 'js' : 'ts'}`, import.meta.url).href;

class ParseWorker {
  readonly worker: Worker;
  readonly jobs = new Map<number, Job>();
  ready = false;

  constructor(
    options: MailparserOptions,
    onReply: (w: ParseWorker, reply: ParseReply) => void,
    onExit: (w: ParseWorker, error: Error) => void,
  ) {
    this.worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: ENTRY, tsx: COMPILED ? null : import.meta.resolve('tsx/esm/api'), options },
    });
    this.worker.unref();
    this.worker.on('message', (message: ParseReply | 'ready') => {
      if (message === 'ready') this.ready = true;
      else onReply(this, message);
    });
    this.worker.on('error', (error) => onExit(this, error));
    this.worker.on('exit', (code) => onExit(this, new Error(`the parser thread stopped (exit code ${code})`)));
  }
}

/** Above this size an email goes to its thread in shared memory, not copied by postMessage. */
const SHARED_ABOVE = 1024 * 1024;
const COPY_SLICE = 2 * 1024 * 1024;

/**
 * Copies a large email into a SharedArrayBuffer a slice at a time, yielding between slices:
 * postMessage would copy it in one go on the event loop (30 ms for 70 MB here, several times that
 * on a loaded machine), and the thread then reads the shared copy without another.
 */
async function toShared(raw: Uint8Array): Promise<Uint8Array> {
  const shared = new Uint8Array(new SharedArrayBuffer(raw.byteLength));
  for (let at = 0; at < raw.byteLength; at += COPY_SLICE) {
    shared.set(raw.subarray(at, Math.min(at + COPY_SLICE, raw.byteLength)), at);
    if (at + COPY_SLICE < raw.byteLength) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return shared;
}

export class ParsePoolEmailParser implements EmailParser {
  readonly #options: Required<MailparserOptions>;
  readonly #size: number;
  readonly #workers: ParseWorker[] = [];
  readonly #waiting: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Set when a thread cannot even start (no worker support, loader missing): parse here instead. */
  #inProcess: MailparserEmailParser | null = null;

  constructor(options: ParsePoolOptions) {
    const { workers, ...parserOptions } = options;
    this.#options = { timeoutMs: 30_000, ...parserOptions };
    this.#size = workers ?? Math.min(4, Math.max(1, os.availableParallelism() - 1));
  }

  parse(raw: Uint8Array): Promise<InboundEmail> {
    if (this.#closed)
      return Promise.reject(
        new AppError('email.parser_closed', 'The email parser was shut down: run the command again.', {
          retryable: true,
        }),
      );
    return new Promise((resolve, reject) => {
      const enqueue = (bytes: Uint8Array) => {
        this.#waiting.push({ id: this.#nextId++, raw: bytes, resolve, reject, crashes: 0 });
        this.#dispatch();
      };
      if (raw.byteLength <= SHARED_ABOVE || this.#inProcess) enqueue(raw);
      else toShared(raw).then(enqueue, reject);
    });
  }

  /** Stops the threads; emails being parsed are reported as a temporary failure. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
    for (const job of [...workers.flatMap((w) => [...w.jobs.values()]), ...this.#waiting.splice(0)]) {
      clearTimeout(job.timer);
      job.reject(
        new AppError('email.parser_closed', 'The email parser was shut down: run the command again.', {
          retryable: true,
        }),
      );
    }
  }

  #dispatch(): void {
    if (this.#inProcess) {
      const parser = this.#inProcess;
      for (const job of this.#waiting.splice(0)) parser.parse(job.raw).then(job.resolve, job.reject);
      return;
    }
    while (this.#waiting.length > 0) {
      let worker = this.#workers.reduce<ParseWorker | null>(
        (best, w) => (w.jobs.size < PER_WORKER && (!best || w.jobs.size < best.jobs.size) ? w : best),
        null,
      );
      if (!worker && this.#workers.length < this.#size) {
        worker = new ParseWorker(
          this.#options,
          (w, reply) => this.#onReply(w, reply),
          (w, error) => this.#onExit(w, error),
        );
        this.#workers.push(worker);
      }
      if (!worker) return;
      const job = this.#waiting.shift()!;
      worker.jobs.set(job.id, job);
      if (worker.jobs.size === 1) worker.worker.ref();
      // The thread's own timeout fires first; this one catches a thread whose event loop is stuck.
      job.timer = setTimeout(() => void this.#hung(worker, job), this.#options.timeoutMs + 5_000);
      worker.worker.postMessage({ id: job.id, raw: job.raw });
    }
  }

  #onReply(worker: ParseWorker, reply: ParseReply): void {
    const job = worker.jobs.get(reply.id);
    if (!job) return;
    worker.jobs.delete(reply.id);
    if (worker.jobs.size === 0) worker.worker.unref();
    clearTimeout(job.timer);
    if (reply.ok) job.resolve(reply.email);
    else job.reject(new AppError(reply.code, reply.message, { retryable: reply.retryable }));
    this.#dispatch();
  }

  async #hung(worker: ParseWorker, job: Job): Promise<void> {
    worker.jobs.delete(job.id);
    job.reject(
      new AppError(
        'email.unparseable',
        `The email could not be parsed: parsing took longer than ${this.#options.timeoutMs} ms`,
        { retryable: false },
      ),
    );
    await worker.worker.terminate();
  }

  /**
   * A thread that died (out of memory on a hostile email, or stopped because one hung): the emails
   * it had are tried again on a new thread; one that was on two dead threads is reported unparseable.
   */
  #onExit(worker: ParseWorker, error: Error): void {
    const index = this.#workers.indexOf(worker);
    if (index < 0) return;
    this.#workers.splice(index, 1);
    if (!worker.ready && !this.#closed) this.#inProcess = new MailparserEmailParser(this.#options);
    const again: Job[] = [];
    for (const job of worker.jobs.values()) {
      clearTimeout(job.timer);
      if (worker.ready && ++job.crashes >= 2)
        job.reject(
          new AppError('email.unparseable', `The email could not be parsed: ${error.message}`, {
            cause: error,
            retryable: false,
          }),
        );
      else again.push(job);
    }
    worker.jobs.clear();
    this.#waiting.unshift(...again);
    if (!this.#closed) this.#dispatch();
  }
}
