import type { HeaderMap, InboundEmail } from './inbound-email.ts';

/**
 * Tells mail written by software from mail written by a person, so that automatic mail never gets an
 * automatic answer (mail loops) and never opens a ticket by itself.
 */

export type AutomatedKind = 'bounce' | 'auto_reply' | 'list' | 'report' | 'loop' | 'bulk';

export interface AutomatedVerdict {
  readonly kind: AutomatedKind;
  /** The evidence, as a person would check it in the raw email, e.g. "Auto-Submitted: auto-replied". */
  readonly reason: string;
}

export type AutomatedMailInput = Pick<
  InboundEmail,
  'headers' | 'from' | 'contentType' | 'reportType' | 'messageId' | 'deliveryReport' | 'subject'
>;

// Reasons end up in logs and the audit trail: a hostile 2 MB header must not travel with them.
const MAX_REASON_VALUE = 120;

const BOUNCE_LOCAL_PARTS = new Set(['mailer-daemon', 'mailer_daemon', 'mailerdaemon', 'postmaster']);

const AUTO_REPLY_HEADERS = [
  ['x-autoreply', 'X-Autoreply'],
  ['x-autorespond', 'X-Autorespond'],
  ['x-autoresponder', 'X-Autoresponder'],
  ['x-autoreply-from', 'X-AutoReply-From'],
  ['x-mail-autoreply', 'X-Mail-Autoreply'],
] as const;

const LIST_HEADERS = [
  ['list-id', 'List-Id'],
  ['list-unsubscribe', 'List-Unsubscribe'],
  ['list-post', 'List-Post'],
] as const;

// RFC 3464 actions. An MDN's dispositions (displayed, deleted, dispatched, processed, denied) are not
// here, which is what tells a read receipt from a delivery report when the adapter found only the part.
const DSN_ACTIONS = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);

export function classifyAutomated(email: AutomatedMailInput, ownDomain: string): AutomatedVerdict | null {
  const { headers } = email;

  // Our own mail coming back would otherwise be answered by us, forever.
  const loop = loopEvidence(email, ownDomain);
  if (loop !== null) return { kind: 'loop', reason: loop };

  const mime = mimeType(email.contentType);
  const reportType = effectiveReportType(email);
  const isReport = mime === 'multipart/report';

  if (isReport && reportType === 'delivery-status') {
    return { kind: 'bounce', reason: 'multipart/report; report-type=delivery-status' };
  }
  const failed = nonEmptyValues(headers, 'x-failed-recipients')[0];
  if (failed !== undefined) return { kind: 'bounce', reason: evidence('X-Failed-Recipients', failed) };

  const report = email.deliveryReport;
  if (report !== null) {
    const firstFailed = report.failedRecipients[0];
    if (firstFailed !== undefined) {
      return { kind: 'bounce', reason: `delivery report: failed for ${clip(firstFailed)}` };
    }
    if (report.action !== null && DSN_ACTIONS.has(report.action.toLowerCase())) {
      return { kind: 'bounce', reason: `delivery report: Action: ${clip(report.action.toLowerCase())}` };
    }
  }

  const from = email.from?.address ?? '';
  if (from !== '' && BOUNCE_LOCAL_PARTS.has(localPart(from))) {
    return { kind: 'bounce', reason: `From ${clip(from)}` };
  }

  if (isReport) {
    return {
      kind: 'report',
      reason: reportType === null ? 'multipart/report' : `multipart/report; report-type=${clip(reportType)}`,
    };
  }
  if (report !== null) {
    return { kind: 'report', reason: `disposition report: ${clip(report.action ?? 'no action')}` };
  }

  const autoSubmitted = autoSubmittedValue(headers);
  if (autoSubmitted === 'auto-replied') return { kind: 'auto_reply', reason: 'Auto-Submitted: auto-replied' };

  const precedence = precedenceValue(headers);
  if (precedence === 'auto_reply' || precedence === 'auto-reply') {
    return { kind: 'auto_reply', reason: `Precedence: ${precedence}` };
  }

  const suppress = nonEmptyValues(headers, 'x-auto-response-suppress')[0];
  if (suppress !== undefined) return { kind: 'auto_reply', reason: evidence('X-Auto-Response-Suppress', suppress) };

  for (const [name, label] of AUTO_REPLY_HEADERS) {
    // Presence is the signal (values vary: "yes", an address, a date); only an explicit "no" is not.
    const value = headers.get(name)?.find((v) => !isNegative(v));
    if (value !== undefined) return { kind: 'auto_reply', reason: evidence(label, value) };
  }

  // A null sender is what RFC 3834 and Sieve vacation ask auto-replies to use too, so it only means
  // "bounce" once nothing more specific (report type, an explicit auto-reply header) has spoken.
  const returnPath = headers.get('return-path')?.[0];
  if (returnPath !== undefined && isNullPath(returnPath)) return { kind: 'bounce', reason: 'Return-Path: <>' };

  if (autoSubmitted !== null) return { kind: 'auto_reply', reason: `Auto-Submitted: ${clip(autoSubmitted)}` };

  for (const [name, label] of LIST_HEADERS) {
    const value = headers.get(name)?.[0];
    if (value !== undefined) return { kind: 'list', reason: evidence(label, value) };
  }
  if (precedence === 'list') return { kind: 'list', reason: 'Precedence: list' };
  if (precedence === 'bulk' || precedence === 'junk') return { kind: 'bulk', reason: `Precedence: ${precedence}` };

  // The subject ("Out of office", "Absence") is deliberately not evidence: people write such subjects too,
  // and a customer silenced by mistake is worse than one more header-less auto-reply.
  return null;
}

function loopEvidence(email: AutomatedMailInput, ownDomain: string): string | null {
  const marker = email.headers.get('x-ticketrelay-ticket');
  if (marker !== undefined && marker.length > 0) {
    return evidence('X-Ticketrelay-Ticket', marker[0] ?? '');
  }
  const domain = ownDomain.trim().replace(/^@/, '').toLowerCase();
  if (domain === '') return null;
  const raw = email.messageId ?? email.headers.get('message-id')?.[0] ?? null;
  if (raw === null) return null;
  const id = stripBrackets(raw).toLowerCase();
  const prefix = 'ticketrelay.';
  const suffix = `@${domain}`;
  if (id.length > prefix.length + suffix.length && id.startsWith(prefix) && id.endsWith(suffix)) {
    return `Message-ID: <${clip(id)}>`;
  }
  return null;
}

function mimeType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The adapter normally fills reportType; a raw Content-Type with parameters is read as a fallback. */
function effectiveReportType(email: AutomatedMailInput): string | null {
  if (email.reportType !== null) {
    const value = unquote(email.reportType.trim().toLowerCase());
    return value === '' ? null : value;
  }
  const lower = email.contentType.slice(0, 1024).toLowerCase();
  const at = lower.indexOf('report-type=');
  if (at === -1) return null;
  const rest = lower.slice(at + 'report-type='.length);
  const end = rest.search(/[;\s]/);
  const value = unquote(end === -1 ? rest : rest.slice(0, end));
  return value === '' ? null : value;
}

/** "auto-replied" from "Auto-Submitted: Auto-Replied; owner-email=x"; null when absent or "no". */
function autoSubmittedValue(headers: HeaderMap): string | null {
  const values = headers.get('auto-submitted');
  if (values === undefined) return null;
  let other: string | null = null;
  for (const value of values) {
    const token = firstToken(value);
    if (token === 'no') continue;
    if (token === 'auto-replied') return token;
    // An empty Auto-Submitted is malformed, but only software ever writes this header at all.
    other ??= token === '' ? '(empty)' : token;
  }
  return other;
}

function precedenceValue(headers: HeaderMap): string | null {
  const value = headers.get('precedence')?.[0];
  if (value === undefined) return null;
  const token = firstToken(value);
  return token === '' ? null : token;
}

/** Lower-cased first token of a structured header value, before any parameter or comment. */
function firstToken(value: string): string {
  const head = value.trimStart().slice(0, 256).toLowerCase();
  const end = head.search(/[\s;(]/);
  return end === -1 ? head : head.slice(0, end);
}

function nonEmptyValues(headers: HeaderMap, name: string): string[] {
  return (headers.get(name) ?? []).filter((value) => value.trim() !== '');
}

function isNegative(value: string): boolean {
  const token = firstToken(value);
  return token === 'no' || token === 'false' || token === '0';
}

function isNullPath(value: string): boolean {
  // "<>" and "< >" both occur; anything with an address between the brackets is a real sender.
  const trimmed = value.trim();
  if (trimmed === '') return false;
  if (!trimmed.startsWith('<') || !trimmed.endsWith('>')) return false;
  return trimmed.slice(1, -1).trim() === '';
}

function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at === -1 ? address : address.slice(0, at)).trim().toLowerCase();
}

function stripBrackets(value: string): string {
  let id = value.trim();
  if (id.startsWith('<')) id = id.slice(1);
  if (id.endsWith('>')) id = id.slice(0, -1);
  return id.trim();
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).trim() : value;
}

function evidence(label: string, value: string): string {
  const shown = clip(value);
  return shown === '' ? label : `${label}: ${shown}`;
}

function clip(value: string): string {
  const head = value.slice(0, MAX_REASON_VALUE + 1).replace(/\s+/g, ' ').trim();
  return head.length > MAX_REASON_VALUE ? `${head.slice(0, MAX_REASON_VALUE)}…` : head;
}
