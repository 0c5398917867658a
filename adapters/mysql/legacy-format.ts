/**
 * The shop's row format in ___xtr_msg and ___xtr_customer: how a ticket's text and its metadata block
 * are written into msg_content, how msg_date is written, which column a phone number goes to. The old
 * site reads and writes these rows, so the format is fixed by it. It is this adapter's business: the
 * ports speak domain records (a ticket's text and its facts), the stores turn them into rows here.
 */
import { decodeHtmlText, htmlSafeJson, htmlText } from '../../src/domain/encode.ts';
import { parseShopDate, type Category, type Priority } from '../../src/domain/ticket.ts';
import type { NewTicket } from '../../src/ports/intake-store.ts';

/** The line the old site looks for: everything after it in msg_content is a JSON object. */
export const METADATA_MARKER = '--- MÉTADONNÉES ---';

export interface TicketMetadata {
  readonly priority: Priority;
  readonly category: Category;
  readonly created_at: string;
  readonly [key: string]: unknown;
}

/**
 * msg_content of a ticket row: the customer's text, then the metadata block the old site reads. The
 * old back office prints it as HTML, so both are HTML-safe: the text escaped, the JSON with `<` as
 * \u003c (it still parses to the same values).
 */
export function composeLegacyContent(text: string, metadata: TicketMetadata): string {
  return `${htmlText(text.trimEnd())}\n\n${METADATA_MARKER}\n${htmlSafeJson(metadata)}`;
}

/**
 * msg_content of a ticket intake opens: its text and, in the block, what the old site's pages show of
 * it (priority, category, where it came from), plus `triaged: false` and `ticketrelay: 1`, which tell the
 * old site and our legacy pass who wrote the row. The web form's keys are as the old backend wrote them:
 * the category the page sent kept verbatim when it is not one of ours, the vehicle as sent, which choices
 * are the customer's, and the customer id the page claimed when it was not the sender's (so nobody
 * wonders where it went).
 */
export function newTicketContent(ticket: NewTicket): string {
  const form = ticket.webForm;
  const choice = ticket.customerChoice;
  return composeLegacyContent(ticket.text, {
    priority: ticket.priority,
    category: ticket.category,
    created_at: formatLegacyDate(ticket.at),
    source: ticket.source,
    status: 'open',
    language: ticket.language,
    order_number: ticket.orderNumber,
    ...(ticket.phone ? { phone: ticket.phone } : {}),
    ...(ticket.linkedTicketId != null ? { linked_ticket: ticket.linkedTicketId } : {}),
    message_id: ticket.messageId,
    attachments: (ticket.attachments ?? []).map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
    triaged: false,
    ticketrelay: 1,
    ...(form
      ? {
          ...(form.categoryAsSent ? { form_category: form.categoryAsSent } : {}),
          ...(form.vehicleInfo ? { vehicle_info: form.vehicleInfo } : {}),
          ...(choice?.priority || choice?.category
            ? {
                chosen_by_customer: [
                  ...(choice.priority ? ['priority'] : []),
                  ...(choice.category ? ['category'] : []),
                ],
              }
            : {}),
          ...(form.sourcePage ? { source_page: form.sourcePage } : {}),
          ...(form.customerIdNotTaken != null ? { customer_id_not_taken: String(form.customerIdNotTaken) } : {}),
        }
      : {}),
  });
}

/**
 * The same row with another metadata block: the text before the marker stays byte for byte (a row the
 * old site wrote is not rewritten), the block is written HTML-safe. A row without a block gets one.
 */
export function replaceLegacyMetadata(content: string, metadata: TicketMetadata): string {
  const at = content.lastIndexOf(METADATA_MARKER);
  const head = at < 0 ? `${content.trimEnd()}\n\n` : content.slice(0, at);
  return `${head}${METADATA_MARKER}\n${htmlSafeJson(metadata)}`;
}

/** msg_content of a reply row (a customer's, an agent's): HTML-safe text. */
export function legacyReplyContent(text: string): string {
  return htmlText(text);
}

/** The text of a reply row as written: what we escaped is decoded (rows the old site wrote rarely hold those entities). */
export function legacyReplyText(content: string): string {
  return decodeHtmlText(content);
}

/** Split msg_content into the text (decoded: see legacyReplyText) and its metadata (null when there is no readable block). */
export function parseLegacyContent(content: string): { text: string; metadata: Record<string, unknown> | null } {
  const at = content.lastIndexOf(METADATA_MARKER);
  if (at < 0) return { text: decodeHtmlText(content), metadata: null };
  return {
    text: decodeHtmlText(content.slice(0, at).trimEnd()),
    metadata: parseMetadataBlock(content.slice(at + METADATA_MARKER.length)),
  };
}

/** The JSON object that follows the marker; null when it is not one. */
export function parseMetadataBlock(json: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(json.trim());
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * msg_date is text. The shop wrote 'Y-m-j H:i:s' (day not padded) and later ISO-8601; we write
 * ISO-8601 in UTC, to the second, always.
 */
export function formatLegacyDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** msg_date read back: either format the shop wrote (see parseShopDate); null when the text is neither. */
export function parseLegacyDate(value: string | null | undefined): Date | null {
  return parseShopDate(value);
}

/** Which legacy column a phone number goes to: cst_gsm for a French mobile (06, 07, +33 6, 0033 7), cst_tel otherwise. */
export function phoneColumn(phone: string): 'cst_gsm' | 'cst_tel' {
  const digits = phone.replace(/[^\d+]/g, '');
  return /^(?:0[67]|\+33[67]|0033[67])\d{8}$/.test(digits) ? 'cst_gsm' : 'cst_tel';
}
