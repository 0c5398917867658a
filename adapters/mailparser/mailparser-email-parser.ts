/**
 * EmailParser on mailparser's streaming MailParser. The raw message is fed in 64 KiB slices so a
 * 60 MB email never holds the event loop; attachments stream to disk while their sha256 is taken,
 * and a part over the cap is drained without being kept.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { MailParser } from 'mailparser';
import type { AddressObject, AttachmentStream, HeaderLines, MessageText } from 'mailparser';
import { AppError } from '../../src/domain/errors.ts';
import type {
  DeliveryReport,
  InboundAttachment,
  InboundEmail,
  MailAddress,
  ReportedRecipient,
} from '../../src/domain/inbound-email.ts';
import {
  extractMessageIds,
  headerNamesOfBlock,
  messageIdsFromHeaderBlock,
  readDeliveryStatus,
} from '../../src/domain/delivery-report.ts';
import type { EmailParser } from '../../src/ports/email-parser.ts';
import { htmlToPlainText } from './html-text.ts';

export interface MailparserOptions {
  /** Folder where attachments are stored as <sha256[0..2]>/<sha256>. */
  readonly attachmentDir: string;
  /** Parts larger than this are dropped (with a note); the email is kept. */
  readonly attachmentMaxBytes: number;
  /** A parse that takes longer than this is abandoned as unparseable. */
  readonly timeoutMs?: number;
}

const SLICE = 64 * 1024;
/** An attachment up to this size is read into memory before it is stored; a larger one streams to disk. */
const IN_MEMORY_MAX = 1024 * 1024;
const STORED_FILES_REMEMBERED = 10_000;
/** Parts read into memory for what they say (delivery reports, returned headers). */
const REPORT_PART_MAX = 64 * 1024;
const REPORT_PART_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'text/rfc822-headers',
  'message/rfc822',
  'message/global-headers',
  'message/disposition-notification',
]);
/** Bodies larger than this are cut (a note says so): MEDIUMTEXT holds 16 MB, and no agent reads more. */
const TEXT_MAX_CHARS = 1_000_000;

export class MailparserEmailParser implements EmailParser {
  readonly #options: Required<MailparserOptions>;
  /** Folders already made: two mkdir calls per attachment were a measurable share of intake. */
  readonly #madeDirs = new Set<string>();
  /** Attachment files known to be stored (bounded): the same logo is not written again. */
  readonly #storedFiles = new Set<string>();

  constructor(options: MailparserOptions) {
    this.#options = { timeoutMs: 30_000, ...options };
  }

  async parse(raw: Uint8Array): Promise<InboundEmail> {
    const notes: string[] = [];
    const attachments: InboundAttachment[] = [];
    const reportParts: { contentType: string; text: string }[] = [];
    const parser = new MailParser({
      keepDeliveryStatus: true,
      skipTextToHtml: true,
      // HTML becomes text by our converter (html-text.ts), for every HTML-only email alike: mailparser's
      // ran table cells together ("PartQtyFilter2") and costs more.
      skipHtmlToText: true,
      skipImageLinks: true,
      skipTextLinks: true,
      checksumAlgo: false,
      maxHtmlLengthToParse: 2 * 1024 * 1024,
    });
    let headerLines: HeaderLines = [];
    let text: MessageText | null = null;
    const pending: Promise<void>[] = [];

    parser.on('headerLines', (lines: HeaderLines) => {
      if (headerLines.length === 0) headerLines = lines;
    });
    parser.on('data', (part: AttachmentStream | MessageText) => {
      if (part.type === 'text') {
        text = part;
        return;
      }
      pending.push(this.#takeAttachment(part, attachments, reportParts, notes));
    });

    const done = new Promise<void>((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
    });
    Readable.from(slices(raw)).pipe(parser);

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`parsing took longer than ${this.#options.timeoutMs} ms`)),
        this.#options.timeoutMs,
      );
    });
    try {
      await Promise.race([done.then(() => Promise.all(pending)), timeout]);
    } catch (cause) {
      parser.destroy();
      throw new AppError(
        'email.unparseable',
        `The email could not be parsed: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause, retryable: false },
      );
    } finally {
      clearTimeout(timer);
    }

    const finalText = text as MessageText | null;
    const headers = headerMap(headerLines);
    if (finalText?.textConversionError)
      notes.push(`HTML body could not be turned into text: ${finalText.textConversionError.message}`);
    let bodyText = finalText?.text ?? '';
    // Outlook writes "[cid:image001.jpg@01DB4513.1C2D3E40]" in the text part where an inline image (a
    // logo, a photo pasted in) sits: noise for the agent, and quoted back to the customer.
    if (bodyText.includes('[cid:'))
      bodyText = bodyText
        .replace(/^[ \t]*\[cid:[^\]\s]{1,200}\][ \t]*\r?\n?/gm, '')
        .replace(/ ?\[cid:[^\]\s]{1,200}\]/g, '');
    // An email with no text part is read from its HTML (mailparser is told not to convert it), and so is
    // one whose text part is blank (" ", a lone newline, or only such placeholders beside the HTML).
    if (!/\S/.test(bodyText) && finalText?.html)
      bodyText = htmlToPlainText(finalText.html.slice(0, TEXT_MAX_CHARS * 2));
    if (bodyText.length > TEXT_MAX_CHARS) {
      notes.push(`body cut to ${TEXT_MAX_CHARS} characters (it had ${bodyText.length})`);
      bodyText = bodyText.slice(0, TEXT_MAX_CHARS);
    }
    if (bodyText.includes('\uFFFD')) notes.push('some characters could not be decoded (unknown or wrong charset)');
    const ctype = contentTypeOf(headers);
    const from = firstAddress(parser.from);
    const subject = (parser.subject ?? '').replace(/[\r\n]+/g, ' ').trim();
    const date = parser.date instanceof Date && !Number.isNaN(parser.date.getTime()) ? parser.date : null;
    // mailparser renders a message/rfc822 part sent inline (Content-Disposition: inline) into the text and
    // hands no part for it: its header block is read from the raw email instead (old Hotmail abuse reports).
    if (ctype.type.startsWith('multipart/') && !reportParts.some((p) => p.contentType === 'message/rfc822')) {
      const inline = inlineEnclosedHeaders(raw);
      if (inline !== null) reportParts.push({ contentType: 'message/rfc822', text: inline });
    }
    const deliveryReport = buildDeliveryReport(ctype, headers, reportParts);
    const enclosedMessageIds =
      deliveryReport === null
        ? [
            ...new Set(
              reportParts
                .filter((p) => !p.contentType.endsWith('delivery-status'))
                .flatMap((p) => messageIdsFromHeaderBlock(p.text)),
            ),
          ].slice(0, 20)
        : [];
    const messageId = cleanId(parser.messageId);
    return {
      messageId,
      inReplyTo: extractMessageIds(parser.inReplyTo ?? ''),
      references: extractMessageIds(toArray(parser.references).join(' ')),
      from,
      replyTo: addresses(parser.replyTo),
      to: addresses(parser.to),
      cc: addresses(parser.cc),
      subject,
      date,
      headers,
      contentType: ctype.type,
      reportType: ctype.reportType,
      text: bodyText.replace(/\r\n?/g, '\n'),
      attachments,
      deliveryReport,
      ...(enclosedMessageIds.length > 0 ? { enclosedMessageIds } : {}),
      notes,
      rawSize: raw.byteLength,
      contentHash: contentHash(headerLines, raw),
    };
  }

  /** Whether a content-addressed file is already there (remembered, or found on disk). */
  async #stored(target: string): Promise<boolean> {
    if (this.#storedFiles.has(target)) return true;
    try {
      await access(target);
    } catch {
      return false;
    }
    this.#rememberStored(target);
    return true;
  }

  #rememberStored(target: string): void {
    if (this.#storedFiles.size >= STORED_FILES_REMEMBERED) this.#storedFiles.clear();
    this.#storedFiles.add(target);
  }

  async #ensureDir(dir: string): Promise<void> {
    if (this.#madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.#madeDirs.add(dir);
  }

  async #takeAttachment(
    part: AttachmentStream,
    attachments: InboundAttachment[],
    reportParts: { contentType: string; text: string }[],
    notes: string[],
  ): Promise<void> {
    const contentType = (part.contentType || 'application/octet-stream').toLowerCase();
    const filename = (part.filename ?? '').slice(0, 255) || defaultName(contentType);
    const max = this.#options.attachmentMaxBytes;
    const hash = createHash('sha256');
    const dir = this.#options.attachmentDir;
    // A part is held in memory up to IN_MEMORY_MAX, and only a larger one streams to a file as it is
    // read: a small part whose content is already stored (a logo in every signature) costs no file.
    let held: Buffer[] | null = [];
    let tmp: string | null = null;
    let file: ReturnType<typeof createWriteStream> | null = null;
    let dropped = false;
    let size = 0;
    const keepText = REPORT_PART_TYPES.has(contentType);
    const textChunks: Buffer[] = [];
    let textSize = 0;
    try {
      for await (const chunk of part.content as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (keepText && textSize < REPORT_PART_MAX) {
          textChunks.push(chunk);
          textSize += chunk.length;
        }
        if (dropped) continue;
        if (size > max) {
          dropped = true;
          held = null;
          file?.destroy();
          file = null;
          continue;
        }
        hash.update(chunk);
        if (held) {
          held.push(chunk);
          if (size <= IN_MEMORY_MAX) continue;
          await this.#ensureDir(path.join(dir, 'tmp'));
          tmp = path.join(dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
          file = createWriteStream(tmp);
          for (const c of held.splice(0)) file.write(c);
          held = null;
        }
        if (file && !file.write(chunk)) await new Promise<void>((r) => file?.once('drain', () => r()));
      }
      if (keepText)
        reportParts.push({
          contentType,
          text: Buffer.concat(textChunks).subarray(0, REPORT_PART_MAX).toString('utf8'),
        });
      if (dropped) {
        if (tmp) await rm(tmp, { force: true });
        notes.push(
          `attachment "${filename}" (${formatBytes(size)}) was not kept: larger than the ${formatBytes(max)} limit`,
        );
        attachments.push({ filename, contentType, size, sha256: null, dropped: 'oversized' });
        return;
      }
      const sha256 = hash.digest('hex');
      const target = path.join(dir, sha256.slice(0, 2), sha256);
      if (held) {
        if (!(await this.#stored(target))) {
          await this.#ensureDir(path.join(dir, 'tmp'));
          tmp = path.join(dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
          await writeFile(tmp, Buffer.concat(held));
        }
      } else {
        await new Promise<void>((resolve, reject) =>
          file?.end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
      }
      if (tmp) {
        await this.#ensureDir(path.dirname(target));
        await rename(tmp, target);
        this.#rememberStored(target);
      }
      attachments.push({ filename, contentType, size, sha256 });
    } catch (error) {
      this.#madeDirs.clear(); // a folder removed meanwhile is made again for the next email
      this.#storedFiles.clear();
      file?.destroy();
      if (tmp) await rm(tmp, { force: true });
      throw error;
    } finally {
      part.release?.();
    }
  }
}

/**
 * The identity of an email with no Message-ID: its header lines, less those each relay adds on the
 * way (so a second delivery by another route is still the same email), and its body bytes.
 */
const TRACE_HEADERS = new Set([
  'received',
  'return-path',
  'delivered-to',
  'x-original-to',
  'x-received',
  'authentication-results',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'received-spf',
  'x-spam-status',
  'x-spam-score',
  'x-spam-flag',
  'x-virus-scanned',
  'dkim-signature',
  'x-google-dkim-signature',
  'x-gm-message-state',
]);
function contentHash(lines: HeaderLines, raw: Uint8Array): string {
  const hash = createHash('sha256');
  for (const { key, line } of lines)
    if (!TRACE_HEADERS.has(key.toLowerCase())) hash.update(line.replace(/\r\n/g, '\n')).update('\n');
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  const start = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : buf.length;
  return hash.update(buf.subarray(start)).digest('hex');
}

function* slices(raw: Uint8Array): Generator<Buffer> {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < buf.length; i += SLICE) yield buf.subarray(i, i + SLICE);
}

/** Raw header lines → lower-cased name → unfolded values, in order. */
function headerMap(lines: HeaderLines): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    const value = (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
    const name = key.toLowerCase();
    const list = map.get(name);
    if (list) list.push(value);
    else map.set(name, [value]);
  }
  return map;
}

function contentTypeOf(headers: Map<string, string[]>): { type: string; reportType: string | null } {
  const value = headers.get('content-type')?.[0] ?? 'text/plain';
  const type = (value.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  const report = /report-type\s*=\s*"?([a-z0-9._-]+)/i.exec(value);
  return { type, reportType: report?.[1]?.toLowerCase() ?? null };
}

function buildDeliveryReport(
  ctype: { type: string; reportType: string | null },
  headers: Map<string, string[]>,
  parts: { contentType: string; text: string }[],
): DeliveryReport | null {
  const failedHeader = (headers.get('x-failed-recipients') ?? [])
    .flatMap((v) => v.split(/[,\s]+/))
    .map((a) => a.trim().toLowerCase())
    .filter((a) => a.includes('@'));
  if (ctype.type !== 'multipart/report' && failedHeader.length === 0 && parts.length === 0) return null;
  const failed = new Set(failedHeader);
  const ids: string[] = [];
  const recipients: ReportedRecipient[] = [];
  const enclosed = new Set<string>();
  let action: string | null = null;
  for (const part of parts) {
    if (part.contentType.endsWith('delivery-status')) {
      const status = readDeliveryStatus(part.text);
      for (const r of status.failedRecipients) failed.add(r);
      recipients.push(...status.recipients);
      action ??= status.action;
    } else {
      ids.push(...messageIdsFromHeaderBlock(part.text));
      if (part.contentType !== 'message/disposition-notification')
        for (const name of headerNamesOfBlock(part.text)) enclosed.add(name);
    }
  }
  // Hotmail's old abuse reports: a message/rfc822 whose enclosed headers carry the complainant's address.
  const abuse = enclosed.has('x-hmxmroriginalrecipient');
  if (ctype.type !== 'multipart/report' && failed.size === 0 && !abuse) return null;
  return {
    failedRecipients: [...failed],
    originalMessageIds: [...new Set(ids)],
    action,
    recipients: recipients.slice(0, 100),
    enclosedHeaders: [...enclosed].slice(0, 100),
  };
}

/**
 * The header block of the first message/rfc822 part marked inline, read from the raw email (its first
 * REPORT_PART_MAX bytes): the part's own headers, a blank line, then the enclosed message's headers.
 */
function inlineEnclosedHeaders(raw: Uint8Array): string | null {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, REPORT_PART_MAX)).toString('latin1');
  const part = /^content-type:[ \t]*message\/rfc822\b[^\n]*\n(?:(?:[ \t][^\n]*|[!-9;-~]+:[^\n]*)\n)*?\r?\n/im.exec(
    head,
  );
  if (part === null) return null;
  const partHeaders = part[0].toLowerCase();
  if (!/content-disposition:[ \t]*inline/.test(partHeaders)) return null;
  const rest = head.slice(part.index + part[0].length);
  const end = rest.search(/\r?\n\r?\n/);
  const block = end === -1 ? rest : rest.slice(0, end);
  return /^[!-9;-~]+:/.test(block) ? block : null;
}

function cleanId(value: string | undefined): string | null {
  if (!value) return null;
  const ids = extractMessageIds(value);
  const id = ids[0] ?? value.replace(/[<>\s]/g, '');
  return id ? id.slice(0, 250) : null;
}

function toArray(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return Array.isArray(value) ? value : [value];
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  for (const obj of value ? (Array.isArray(value) ? value : [value]) : []) {
    for (const entry of obj.value) {
      for (const a of entry.group ?? [entry]) {
        const address = (a.address ?? '').trim().toLowerCase();
        if (/^[^@\s]+@[^@\s]+$/.test(address))
          out.push({ address: address.slice(0, 255), name: (a.name ?? '').trim().slice(0, 255) });
      }
    }
  }
  return out;
}

function firstAddress(value: AddressObject | undefined): MailAddress | null {
  return addresses(value)[0] ?? null;
}

function defaultName(contentType: string): string {
  if (contentType === 'message/rfc822') return 'message.eml';
  if (contentType.endsWith('delivery-status')) return 'delivery-status.txt';
  return 'attachment';
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
