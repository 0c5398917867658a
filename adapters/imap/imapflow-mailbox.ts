/**
 * MailboxConnector on imapflow. One connection per session, the folder opened read-write, IDLE
 * driven by hand (auto-IDLE only starts after a quiet spell; we want new mail within a second).
 * imapflow's errors become AppErrors naming the mailbox, never carrying its password.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { MailboxConfig } from '../../src/config.ts';
import { AppError, describeError } from '../../src/domain/errors.ts';
import { normalizeMessageId } from '../../src/domain/message-id.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { MailboxConnector, MailboxMessage, MailboxSession } from '../../src/ports/mailbox.ts';

export class ImapflowMailboxConnector implements MailboxConnector {
  readonly account: string;
  readonly #mailbox: MailboxConfig;
  readonly #log: Logger;
  readonly #connectTimeoutMs: number;

  constructor(mailbox: MailboxConfig, options: { logger: Logger; connectTimeoutMs?: number }) {
    this.#mailbox = mailbox;
    this.account = `${mailbox.user}@${mailbox.host}:${mailbox.port}/${mailbox.folder}`.slice(0, 255);
    this.#log = options.logger.child({ component: 'imap', mailbox: mailbox.name });
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  }

  async open(): Promise<MailboxSession> {
    const m = this.#mailbox;
    const client = new ImapFlow(this.#clientOptions());
    // Errors after connect arrive as 'error' events; the session's next command rejects with them.
    client.on('error', (error: unknown) => this.#log.warn({ err: redact(error, m.password) }, 'IMAP connection error'));
    try {
      await client.connect();
    } catch (error) {
      client.close();
      throw toAppError(error, m);
    }
    try {
      const opened = await client.mailboxOpen(m.folder);
      if (m.after === 'move') await ensureFolder(client, m.processedFolder);
      return new ImapflowSession(client, m, Number(opened.uidValidity), this.#log);
    } catch (error) {
      await client.logout().catch(() => client.close());
      throw toAppError(error, m);
    }
  }

  #clientOptions(): ImapFlowOptions {
    const m = this.#mailbox;
    return {
      host: m.host,
      port: m.port,
      secure: m.secure,
      // Plain text only when explicitly allowed (loopback); otherwise STARTTLS is required.
      ...(m.secure ? {} : { doSTARTTLS: m.allowPlain ? (m.starttls ? undefined : false) : true }),
      auth: { user: m.user, pass: m.password },
      logger: imapLogger(this.#log, m.password),
      disableAutoIdle: true,
      connectionTimeout: this.#connectTimeoutMs,
      greetingTimeout: this.#connectTimeoutMs,
      // IDLE is refreshed well within the 29 minutes servers allow.
      maxIdleTime: 10 * 60_000,
      missingIdleCommand: 'NOOP',
      clientInfo: { name: 'ticketrelay' },
    } satisfies ImapFlowOptions;
  }
}

class ImapflowSession implements MailboxSession {
  readonly uidValidity: number;
  readonly canIdle: boolean;
  readonly #client: ImapFlow;
  readonly #mailbox: MailboxConfig;
  readonly #log: Logger;
  #changed = false;
  #wake: (() => void) | null = null;
  #closed: Error | null = null;
  #quarantineReady = false;

  constructor(client: ImapFlow, mailbox: MailboxConfig, uidValidity: number, log: Logger) {
    this.#client = client;
    this.#mailbox = mailbox;
    this.#log = log;
    this.uidValidity = uidValidity;
    this.canIdle = client.capabilities.has('IDLE');
    client.on('exists', () => this.#poke());
    client.on('close', () => {
      this.#closed ??= new AppError('imap.unreachable', `mailbox "${mailbox.name}": the IMAP connection closed`, {
        retryable: true,
      });
      this.#poke();
    });
  }

  #poke(): void {
    this.#changed = true;
    this.#wake?.();
  }

  async listUidsAfter(afterUid: number): Promise<number[]> {
    this.#check();
    const uids = await this.#run(() => this.#client.search({ uid: `${afterUid + 1}:*` }, { uid: true }));
    // "N:*" always matches the highest UID, even below N.
    return (uids || []).filter((uid) => uid > afterUid).sort((a, b) => a - b);
  }

  async describe(uids: readonly number[]): Promise<MailboxMessage[]> {
    if (uids.length === 0) return [];
    const found: MailboxMessage[] = [];
    await this.#run(async () => {
      for await (const message of this.#client.fetch(
        uidSet(uids),
        { uid: true, size: true, headers: ['message-id'] },
        { uid: true },
      )) {
        const header = message.headers?.toString('utf8') ?? '';
        const value = /^message-id:([\s\S]*)$/im.exec(header.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? null;
        found.push({ uid: message.uid, messageId: normalizeMessageId(value), size: message.size ?? 0 });
      }
    });
    return found.sort((a, b) => a.uid - b.uid);
  }

  async *download(uids: readonly number[]): AsyncIterable<{ uid: number; source: Uint8Array }> {
    if (uids.length === 0) return;
    this.#check();
    try {
      for await (const message of this.#client.fetch(uidSet(uids), { uid: true, source: true }, { uid: true })) {
        if (message.source) yield { uid: message.uid, source: message.source };
      }
    } catch (error) {
      throw toAppError(error, this.#mailbox);
    }
  }

  async markDone(uids: readonly number[]): Promise<void> {
    if (uids.length === 0 || this.#mailbox.after === 'none') return;
    if (this.#mailbox.after === 'seen') {
      await this.#run(() => this.#client.messageFlagsAdd(uidSet(uids), ['\\Seen'], { uid: true }));
    } else {
      await this.#run(() => this.#client.messageMove(uidSet(uids), this.#mailbox.processedFolder, { uid: true }));
    }
  }

  async quarantine(uids: readonly number[]): Promise<void> {
    if (uids.length === 0) return;
    if (!this.#quarantineReady) {
      await this.#run(() => ensureFolder(this.#client, this.#mailbox.quarantineFolder));
      this.#quarantineReady = true;
    }
    await this.#run(() => this.#client.messageMove(uidSet(uids), this.#mailbox.quarantineFolder, { uid: true }));
  }

  async waitForChange(maxWaitMs: number, signal: AbortSignal): Promise<void> {
    this.#check();
    if (this.#changed) {
      this.#changed = false;
      return;
    }
    // IDLE runs until the next command breaks it; new mail arrives as an 'exists' event meanwhile.
    const idling = this.canIdle
      ? this.#client.idle().catch((error: unknown) => this.#log.debug({ err: error }, 'IDLE ended with an error'))
      : null;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
    this.#changed = false;
    // The next command (a search) breaks IDLE; without one, leave it running until close.
    void idling;
    this.#check();
  }

  async close(): Promise<void> {
    if (this.#closed) {
      this.#client.close();
      return;
    }
    this.#closed = new Error('closed');
    await this.#client.logout().catch(() => this.#client.close());
  }

  #check(): void {
    if (this.#closed) throw this.#closed;
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    this.#check();
    try {
      return await command();
    } catch (error) {
      throw toAppError(error, this.#mailbox);
    }
  }
}

/** "1:5,9,12:14" from ascending-or-not UIDs: a long backlog is a few ranges, not thousands of numbers. */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (let i = 1; i <= sorted.length; i++) {
    const uid = sorted[i];
    if (uid !== undefined && prev !== undefined && uid === prev + 1) {
      prev = uid;
      continue;
    }
    if (start !== undefined && prev !== undefined) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  return parts.join(',');
}

async function ensureFolder(client: ImapFlow, folder: string): Promise<void> {
  try {
    await client.mailboxCreate(folder);
  } catch (error) {
    // ALREADYEXISTS (or a server that says so in words) is what we want.
    const code = (error as { serverResponseCode?: unknown }).serverResponseCode;
    if (
      code === 'ALREADYEXISTS' ||
      /exist/i.test(describeError(error)) ||
      /exist/i.test(String((error as { responseText?: unknown }).responseText ?? ''))
    )
      return;
    throw error;
  }
}

/** imapflow's errors → AppError: 'imap.auth_failed' and 'imap.tls_unavailable' (not retryable: the config must change) or 'imap.unreachable' (retryable). */
export function toAppError(error: unknown, mailbox: MailboxConfig): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as {
    code?: unknown;
    authenticationFailed?: unknown;
    responseText?: unknown;
    serverResponseCode?: unknown;
  };
  const where = `mailbox "${mailbox.name}" (${mailbox.user} at ${mailbox.host}:${mailbox.port})`;
  if (e.authenticationFailed === true || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new AppError(
      'imap.auth_failed',
      `${where}: the server refused the user name or password. Check the user name and password in ${mailbox.envPrefix}URL (URL-encoded); the other mailboxes go on.`,
      {
        cause: error,
        details: { mailbox: mailbox.name },
      },
    );
  }
  const code = typeof e.code === 'string' ? e.code : '';
  const text = redactText(
    typeof e.responseText === 'string' && e.responseText ? e.responseText : describeError(error),
    mailbox.password,
  );
  if (/does not support STARTTLS/i.test(text)) {
    return new AppError(
      'imap.tls_unavailable',
      `${where}: the server offers no STARTTLS, and the password is not sent in clear text. Use imaps:// in ${mailbox.envPrefix}URL, or on a trusted network only set ${mailbox.envPrefix}ALLOW_PLAIN=true.`,
      {
        cause: error,
        details: { mailbox: mailbox.name },
      },
    );
  }
  const cause =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `the host "${mailbox.host}" cannot be resolved`
      : code === 'ECONNREFUSED'
        ? `nothing listens on ${mailbox.host}:${mailbox.port}`
        : code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'ETIMEDOUT'
          ? `no answer from ${mailbox.host}:${mailbox.port} (timeout)`
          : text;
  return new AppError('imap.unreachable', `${where}: ${cause}`, {
    cause: error,
    retryable: true,
    details: { mailbox: mailbox.name, code },
  });
}

/** imapflow logs through ours: its chatter at debug, its warnings and errors as they are. */
function imapLogger(log: Logger, password: string): NonNullable<ImapFlowOptions['logger']> {
  const fields = (entry: unknown): Record<string, unknown> => {
    const rest = { ...((entry && typeof entry === 'object' ? entry : {}) as Record<string, unknown>) };
    delete rest['msg'];
    delete rest['cid'];
    return redactFields(rest, password);
  };
  // An entry with no message of its own (a failed command) is named by its error and the server's answer.
  const message = (entry: unknown) => {
    const e = (entry && typeof entry === 'object' ? entry : {}) as { msg?: unknown; err?: unknown };
    if (typeof e.msg === 'string' && e.msg) return redactText(e.msg, password);
    if (e.err instanceof Error) {
      const answer = (e.err as { responseText?: unknown }).responseText;
      return redactText(
        `IMAP client: ${e.err.message}${typeof answer === 'string' && answer ? ` (server: ${answer})` : ''}`,
        password,
      );
    }
    return 'IMAP client';
  };
  return {
    trace: () => undefined,
    debug: (entry: unknown) => log.debug(fields(entry), message(entry)),
    info: (entry: unknown) => log.debug(fields(entry), message(entry)),
    warn: (entry: unknown) => log.warn(fields(entry), message(entry)),
    error: (entry: unknown) => log.error(fields(entry), message(entry)),
    fatal: (entry: unknown) => log.error(fields(entry), message(entry)),
  };
}

function redactFields(fields: Record<string, unknown>, password: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (/pass|auth|token|secret/i.test(k)) out[k] = '***';
    else if (typeof v === 'string') out[k] = redactText(v, password);
    else if (v instanceof Error) out[k] = redactText(v.message, password);
    else out[k] = v;
  }
  return out;
}

function redactText(text: string, password: string): string {
  return password && text.includes(password) ? text.split(password).join('***') : text;
}

function redact(error: unknown, password: string): unknown {
  return error instanceof Error ? new Error(redactText(error.message, password)) : error;
}
