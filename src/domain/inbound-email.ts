/**
 * An email as the intake sees it, whatever its source (IMAP, .eml file, mbox, web form).
 * Built by a parser adapter; the core never sees a parser's own types.
 */

export interface MailAddress {
  /** Lower-cased address, e.g. "jane@example.com". */
  readonly address: string;
  /** Display name as decoded, possibly empty. */
  readonly name: string;
}

/** Header names are lower-cased; a header that appears several times keeps every value, in order. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export interface InboundAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** Size in bytes of the decoded content (as far as it was read, for a dropped part). */
  readonly size: number;
  /** sha256 (hex) of the content; null when the part was not kept. */
  readonly sha256: string | null;
  /** Why the part was not kept, when it was not. */
  readonly dropped?: 'oversized';
}

/** What a delivery or disposition report says, when the email is one. */
export interface DeliveryReport {
  /** Addresses the report says could not be reached (Final-Recipient / X-Failed-Recipients). */
  readonly failedRecipients: readonly string[];
  /** Message-IDs of the original message found in the report's attached headers, without <>. */
  readonly originalMessageIds: readonly string[];
  /** 'failed' | 'delayed' | 'delivered' | 'displayed' … as the report states it, lower-cased. */
  readonly action: string | null;
  /** Each recipient the report names, with its own Action and Status (RFC 3464), when it gives them. */
  readonly recipients?: readonly ReportedRecipient[];
  /** Lower-cased header names of the enclosed original (message/rfc822, text/rfc822-headers), at most 100. */
  readonly enclosedHeaders?: readonly string[];
}

export interface ReportedRecipient {
  readonly address: string;
  readonly action: string | null;
  /** "5.1.1", "4.2.2" … as the report states it. */
  readonly status: string | null;
  /** The remote server's words ("smtp; 550 5.1.1 user unknown"), cut short. */
  readonly diagnostic: string | null;
}

export interface InboundEmail {
  /** Message-ID without angle brackets, or null when the email has none. */
  readonly messageId: string | null;
  /** Message-IDs (no angle brackets) from In-Reply-To. */
  readonly inReplyTo: readonly string[];
  /** Message-IDs (no angle brackets) from References, oldest first. */
  readonly references: readonly string[];
  readonly from: MailAddress | null;
  readonly replyTo: readonly MailAddress[];
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly subject: string;
  readonly date: Date | null;
  readonly headers: HeaderMap;
  /** Top-level MIME type, lower-cased, e.g. "multipart/report". */
  readonly contentType: string;
  /** The report-type parameter of a multipart/report, lower-cased, e.g. "delivery-status". */
  readonly reportType: string | null;
  /** The body as plain text: the text part, or text made from the HTML part. Not yet stripped of quotes. */
  readonly text: string;
  readonly attachments: readonly InboundAttachment[];
  readonly deliveryReport: DeliveryReport | null;
  /**
   * Message-IDs in the head of an enclosed message (message/rfc822, text/rfc822-headers) of an email that
   * is not a report: a plain-text bounce that returns the original. Read only once the email is a bounce.
   */
  readonly enclosedMessageIds?: readonly string[];
  /** Notes for the record: dropped parts, unknown charsets, broken structure. */
  readonly notes: readonly string[];
  /** Size in bytes of the raw message. */
  readonly rawSize: number;
  /** sha256 (hex) of the headers and body, used as the identity of an email that has no Message-ID. */
  readonly contentHash: string;
}

/** First value of a header, or undefined. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  return headers.get(name.toLowerCase())?.[0];
}
