import { extractMessageIds } from './delivery-report.ts';

/** A Message-ID header value as stored: the first <id> without brackets, at most 250 characters. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const id = extractMessageIds(value)[0] ?? value.replace(/[<>\s]/g, '');
  return id ? id.slice(0, 250) : null;
}
