import type { InboundEmail } from '../domain/inbound-email.ts';

/**
 * Turns a raw RFC 5322 message into an InboundEmail. Attachments are stored by the parser as it
 * reads them (addressed by sha256, oversized parts dropped with a note), so memory stays bounded.
 * Throws AppError 'email.unparseable' (not retryable) when the message cannot be read at all.
 */
export interface EmailParser {
  parse(raw: Uint8Array): Promise<InboundEmail>;
}
