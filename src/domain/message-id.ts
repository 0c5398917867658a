import { randomBytes } from 'node:crypto';
import { extractMessageIds } from './delivery-report.ts';

/** A Message-ID header value as stored: the first <id> without brackets, at most 250 characters. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const id = extractMessageIds(value)[0] ?? value.replace(/[<>\s]/g, '');
  return id ? id.slice(0, 250) : null;
}

/**
 * Whether a stored id can go in an In-Reply-To or References header: a real Message-ID (local@domain),
 * not the content hash ("sha256:…") that stands in for an email that came without one.
 */
export function isHeaderMessageId(id: string): boolean {
  return /^[^\s<>@]+@[^\s<>@]+$/.test(id);
}

/** <ticketrelay.83.9f2c…@shop.example>: ours, recognisable when it comes back. */
export function newMessageId(domain: string, ticketId: number | null): string {
  return `ticketrelay.${ticketId ?? 'x'}.${Date.now().toString(36)}.${randomBytes(6).toString('hex')}@${domain}`;
}
