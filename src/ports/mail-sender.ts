/** An email we send: an acknowledgement or an agent's reply, threaded on the customer's email. */
export interface OutgoingEmail {
  readonly messageId: string;
  readonly from: { readonly address: string; readonly name: string };
  readonly to: string;
  readonly cc?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  /** The envelope sender (SMTP MAIL FROM) when it is not `from`: a per-message return path (VERP). */
  readonly envelopeFrom?: string;
  /** Extra headers (Auto-Submitted, X-Auto-Response-Suppress, X-Ticketrelay-Ticket…). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Delivers one email. Resolves once the server (or the outbox folder) accepted it; throws AppError
 * 'smtp.*' with `retryable` set for a temporary refusal or an unreachable server.
 */
export interface MailSender {
  send(email: OutgoingEmail): Promise<{ readonly response: string }>;
}
