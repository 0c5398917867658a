/**
 * MailSender on nodemailer: SMTP when SMTP_URL is set, otherwise each email is written as an .eml
 * file to the outbox folder (development and the demo), byte for byte what SMTP would have sent.
 * SMTP is encrypted: smtps://, or smtp:// upgraded with STARTTLS before the login (requireTLS: a
 * server, or a man in the middle, that offers no STARTTLS never gets the password). Plain text only
 * with SMTP_ALLOW_PLAIN=true (a loopback relay), as IMAP_ALLOW_PLAIN does for mailboxes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { AppError } from '../../src/domain/errors.ts';
import type { MailSender, OutgoingEmail } from '../../src/ports/mail-sender.ts';

export class NodemailerMailSender implements MailSender {
  readonly #transport: Transporter;
  readonly #outboxDir: string | null;
  #outboxReady: Promise<void> | null = null;

  constructor(options: { smtpUrl: string | null; outboxDir: string; allowPlain?: boolean }) {
    this.#outboxDir = options.smtpUrl ? null : options.outboxDir;
    const implicitTls = options.smtpUrl?.startsWith('smtps:') ?? false;
    this.#transport = options.smtpUrl
      ? nodemailer.createTransport({
          url: options.smtpUrl,
          pool: true,
          maxConnections: 2,
          logger: false,
          connectionTimeout: 15_000,
          greetingTimeout: 15_000,
          socketTimeout: 60_000,
          ...(implicitTls || options.allowPlain ? {} : { requireTLS: true }),
        } as object)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  }

  async send(email: OutgoingEmail): Promise<{ response: string }> {
    const message = {
      messageId: `<${email.messageId}>`,
      from: { address: email.from.address, name: email.from.name },
      to: email.to,
      ...(email.cc?.length ? { cc: [...email.cc] } : {}),
      subject: email.subject,
      text: email.text,
      headers: { ...email.headers },
      ...(email.envelopeFrom ? { envelope: { from: email.envelopeFrom, to: [email.to, ...(email.cc ?? [])] } } : {}),
      ...(email.inReplyTo ? { inReplyTo: `<${email.inReplyTo}>` } : {}),
      ...(email.references.length ? { references: email.references.map((id) => `<${id}>`) } : {}),
    };
    let info: { response?: string | undefined; message?: unknown };
    try {
      info = await this.#transport.sendMail(message);
    } catch (error) {
      throw toAppError(error);
    }
    if (this.#outboxDir) {
      // Once per sender: a mkdir per email was a measurable share of intake's main thread.
      this.#outboxReady ??= mkdir(this.#outboxDir, { recursive: true }).then(() => undefined);
      await this.#outboxReady;
      const file = path.join(
        this.#outboxDir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${email.messageId.replace(/[^a-zA-Z0-9.-]/g, '_').slice(0, 80)}.eml`,
      );
      await writeFile(file, info.message as Buffer);
      return { response: `written to ${file}` };
    }
    return { response: String(info.response ?? 'accepted') };
  }

  close(): void {
    this.#transport.close();
  }
}

/** nodemailer's errors → AppError. A 4xx reply, a connection problem or a refused login is worth another try; 5xx is not. */
function toAppError(error: unknown): AppError {
  const e = (error ?? {}) as { code?: string; responseCode?: number; message?: string };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const network = /^(ECONNECTION|ETIMEDOUT|ESOCKET|ECONNREFUSED|EDNS|ECONNRESET|EPROTOCOL)$/.test(e.code ?? '');
  const retryable = network || (responseCode !== null && responseCode >= 400 && responseCode < 500);
  // Our configuration, not the email, is at fault: it waits in the outbox until the operator fixes SMTP_URL.
  if (e.code === 'ETLS') {
    return new AppError(
      'smtp.tls_required',
      'The SMTP server offers no STARTTLS, so the password was not sent: use smtps:// or a server with STARTTLS in SMTP_URL, or set SMTP_ALLOW_PLAIN=true for a relay on this machine (the email waits and is sent once that is fixed).',
      { cause: error, retryable: true },
    );
  }
  if (e.code === 'EAUTH')
    return new AppError(
      'smtp.auth_failed',
      'The SMTP server refused the login: check the user and password in SMTP_URL (the email waits and is sent once they are right).',
      { cause: error, retryable: true },
    );
  const what = responseCode ? `the SMTP server answered ${responseCode}` : `SMTP ${e.code ?? 'error'}`;
  // nodemailer's messages can quote the server's reply, never our credentials.
  return new AppError(
    retryable ? 'smtp.temporary' : 'smtp.rejected',
    `The email was not sent: ${what}: ${(e.message ?? '').slice(0, 300)}`,
    { cause: error, retryable },
  );
}
