import type { HeaderMap, InboundEmail } from './inbound-email.ts';

/**
 * Tells mail written by software from mail written by a person, so that automatic mail never gets an
 * automatic answer (mail loops) and never opens a ticket by itself.
 */

export type AutomatedKind =
  'bounce' | 'auto_reply' | 'list' | 'report' | 'loop' | 'bulk' | 'notification' | 'challenge';

export interface AutomatedVerdict {
  readonly kind: AutomatedKind;
  /**
   * Which rule decided, stable across versions (`bounce.dsn`, `auto_reply.subject`, `list.x_ml` …): what
   * counts, dashboards and tests key on. Always `<kind>.<signal>`.
   */
  readonly code: string;
  /** The evidence, as a person would check it in the raw email, e.g. "Auto-Submitted: auto-replied". */
  readonly reason: string;
}

export type AutomatedMailInput = Pick<
  InboundEmail,
  'headers' | 'from' | 'contentType' | 'reportType' | 'messageId' | 'deliveryReport' | 'subject'
> &
  Partial<Pick<InboundEmail, 'text' | 'replyTo'>>;

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
  if (loop !== null) return loop;

  const mime = mimeType(email.contentType);
  const reportType = effectiveReportType(email);
  const isReport = mime === 'multipart/report';

  if (isReport && reportType === 'delivery-status') {
    return verdict('bounce', 'bounce.dsn', 'multipart/report; report-type=delivery-status');
  }
  const failed = nonEmptyValues(headers, 'x-failed-recipients')[0];
  if (failed !== undefined)
    return verdict('bounce', 'bounce.x_failed_recipients', evidence('X-Failed-Recipients', failed));

  const report = email.deliveryReport;
  if (report !== null) {
    const firstFailed = report.failedRecipients[0];
    if (firstFailed !== undefined) {
      return verdict('bounce', 'bounce.report', `delivery report: failed for ${clip(firstFailed)}`);
    }
    if (report.action !== null && DSN_ACTIONS.has(report.action.toLowerCase())) {
      return verdict('bounce', 'bounce.report', `delivery report: Action: ${clip(report.action.toLowerCase())}`);
    }
  }

  const from = email.from?.address ?? '';
  // A local part is at most 64 characters (RFC 5321): the patterns below never look at more.
  const local = from === '' ? '' : localPart(from).slice(0, 128);
  if (from !== '' && BOUNCE_LOCAL_PARTS.has(local)) {
    return verdict('bounce', 'bounce.mailer_daemon', `From ${clip(from)}`);
  }
  const subject = email.subject.slice(0, 300);
  const text = (email.text ?? '').slice(0, TEXT_SCAN_CHARS);
  // "From: MAILER-DAEMON <>" (Exchange's NDRs) or no From at all: a bounce whose sender the parser could
  // not read, told apart from a person's broken email by the daemon's name or what the report says.
  if (from === '') {
    const rawFrom = (headers.get('from')?.[0] ?? '').slice(0, 300);
    const nullPath = isNullPath(headers.get('return-path')?.[0] ?? '');
    if (
      DAEMON_NAME.test(rawFrom) ||
      nullPath ||
      STRONG_BOUNCE_SUBJECT.test(subject) ||
      weakSubjectBounce(subject, text)
    ) {
      return verdict('bounce', 'bounce.no_sender', rawFrom.trim() === '' ? 'no From line' : evidence('From', rawFrom));
    }
  }

  const ses = sesNotification(text);
  if (ses !== null) return ses;

  if (isReport) {
    const type = reportType === null ? 'multipart/report' : `multipart/report; report-type=${clip(reportType)}`;
    return verdict(
      'report',
      reportType === 'feedback-report'
        ? 'report.arf'
        : reportType === 'disposition-notification'
          ? 'report.mdn'
          : 'report.other',
      type,
    );
  }
  if (report !== null) {
    if (report.enclosedHeaders?.includes('x-hmxmroriginalrecipient')) {
      return verdict('report', 'report.hotmail_abuse', 'abuse report: enclosed message with X-HmXmrOriginalRecipient');
    }
    return verdict('report', 'report.disposition', `disposition report: ${clip(report.action ?? 'no action')}`);
  }

  const autoSubmitted = autoSubmittedValue(headers);
  if (autoSubmitted === 'auto-replied')
    return verdict('auto_reply', 'auto_reply.auto_submitted', 'Auto-Submitted: auto-replied');

  const precedence = precedenceValue(headers);
  if (precedence === 'auto_reply' || precedence === 'auto-reply') {
    return verdict('auto_reply', 'auto_reply.precedence', `Precedence: ${precedence}`);
  }

  const suppress = nonEmptyValues(headers, 'x-auto-response-suppress')[0];
  if (suppress !== undefined)
    return verdict('auto_reply', 'auto_reply.x_auto_response_suppress', evidence('X-Auto-Response-Suppress', suppress));

  for (const [name, label] of AUTO_REPLY_HEADERS) {
    // Presence is the signal (values vary: "yes", an address, a date); only an explicit "no" is not.
    const value = headers.get(name)?.find((v) => !isNegative(v));
    if (value !== undefined)
      return verdict('auto_reply', `auto_reply.${name.replace(/-/g, '_')}`, evidence(label, value));
  }
  const vendor = vendorAutoReply(headers);
  if (vendor !== null) return vendor;

  // A null sender is what RFC 3834 and Sieve vacation ask auto-replies to use too, so it only means
  // "bounce" once nothing more specific (report type, an explicit auto-reply header) has spoken.
  const returnPath = headers.get('return-path')?.[0];
  if (returnPath !== undefined && isNullPath(returnPath)) {
    // Exchange's out-of-office goes out with a null sender and no header of its own: its subject tells.
    if (AUTO_REPLY_SUBJECT.test(subject))
      return verdict('auto_reply', 'auto_reply.subject', `${evidence('Subject', subject)} (Return-Path: <>)`);
    return verdict('bounce', 'bounce.null_sender', 'Return-Path: <>');
  }

  if (autoSubmitted !== null)
    return verdict('auto_reply', 'auto_reply.auto_submitted', `Auto-Submitted: ${clip(autoSubmitted)}`);

  const list = listEvidence(headers, local, subject);
  if (list !== null) return list;
  if (precedence === 'list') return verdict('list', 'list.precedence', 'Precedence: list');
  if (precedence === 'bulk' || precedence === 'junk')
    return verdict('bulk', 'bulk.precedence', `Precedence: ${precedence}`);

  const display = (email.from?.name ?? '').slice(0, 200);
  const systemSender = SYSTEM_LOCAL_PART.test(local) || DAEMON_NAME.test(display);
  if (STRONG_BOUNCE_SUBJECT.test(subject)) return verdict('bounce', 'bounce.subject', evidence('Subject', subject));
  if ((systemSender && BOUNCE_TEXT.test(text)) || weakSubjectBounce(subject, text)) {
    return verdict(
      'bounce',
      'bounce.text',
      `${evidence('Subject', subject)}; the text is a mail server's delivery failure`,
    );
  }
  if (AUTO_REPLY_SUBJECT.test(subject))
    return verdict('auto_reply', 'auto_reply.subject', evidence('Subject', subject));
  if (CHALLENGE_SUBJECT.test(subject) || CHALLENGE_TEXT.test(text)) {
    return verdict(
      'challenge',
      'challenge.confirm_sender',
      `${evidence('Subject', subject)}; asks the sender to prove they are human`,
    );
  }
  if (VIRUS_SUBJECT.test(subject) && (systemSender || VIRUS_SENDER.test(local) || VIRUS_TEXT.test(text))) {
    return verdict(
      'notification',
      'notification.antivirus',
      `${evidence('Subject', subject)}; an antivirus gateway's notice`,
    );
  }
  if (NO_REPLY_LOCAL_PART.test(local) && !hasUsableReplyTo(email, from)) {
    return verdict('notification', 'notification.no_reply', `From ${clip(from)}, with no Reply-To a person reads`);
  }
  return null;
}

// The body is looked at only this far: every phrase the rules look for sits in the first lines.
const TEXT_SCAN_CHARS = 4 * 1024;

/** Display names and addresses of mail servers' own senders ("Mail Delivery Subsystem", "MAILER-DAEMON"). */
const DAEMON_NAME =
  /mailer[-_ ]?daemon|mail[- ]delivery[- ](subsystem|system|service)|\bpostmaster\b|mail administrator|system administrator|mail ?system/i;
const SYSTEM_LOCAL_PART =
  /^(mailer[-_]?daemon|mail[-_]?daemon|mdaemon|postmaster|post_master|ndr|bounces?|smtp|mailadmin|mail|mailsystem|mailman|imss|e500_smtp_mail_service|.*antivirus.*|.*virus.*|mailscanner|amavis[d]?|administrator|root|nobody|system)$/;
/** Subjects only a mail server writes, anchored at the start (a customer's "Fwd: Undeliverable…" is not). */
const STRONG_BOUNCE_SUBJECT =
  /^\s*(undeliverable( mail)?\s*[:-]|undelivered mail|undeliverable message|mail delivery failed|mail delivery failure|delivery status notification|returned mail\b|failure notice\b|non ?remis\s*:|non distribu|unzustellbar|nicht zustellbar|non recapitabile|no se puede entregar|onbestelbaar|mail could not be delivered|message could not be delivered|nondeliverable|non-delivery|delivery notification: delivery has failed|warning: could not send message|delayed mail|mail delivery warning|delivery (failure|warning) notification|message delivery (failure|delay)|undelivered message|error during delivery|mail system error|notice of delivery failure|配信エラー|未配達|メール配信失敗|returned to sender)/i;
/** Subjects a customer could write as well ("Delivery failed" about a parcel): a bounce only with the text's word. */
const WEAK_BOUNCE_SUBJECT =
  /(delivery (failure|failed|problem|error|report)|not delivered|could not (be )?deliver|delivery has failed|non remis|returned|undeliver|fehlgeschlagen|échec de (la )?remise|échec de distribution)/i;
/** "Fwd:" and its translations ("TR:", "WG:", "Doorst:", "RV:", "ENC:", "I:"): a person passing a message on. */
const FORWARD_PREFIX = /^\s*(fwd?|fw|tr|wg|doorst|rv|enc|i)\s*(\[\d+\])?\s*:/i;
/** Lines a reply or a forward quotes ("> …"). */
const QUOTED_LINE = /^[ \t]*>.*$/gm;

/**
 * A subject a customer could write, backed by a mail server's words in the text: a bounce, unless a person
 * forwards one ("Fwd: Returned mail: …") or the server's words are only in lines the person quotes.
 */
function weakSubjectBounce(subject: string, text: string): boolean {
  if (!WEAK_BOUNCE_SUBJECT.test(subject) || FORWARD_PREFIX.test(subject)) return false;
  return BOUNCE_TEXT.test(text.replace(QUOTED_LINE, ''));
}

/** What mail servers write in a bounce's text, never a person about a parcel. */
const BOUNCE_TEXT =
  /(this is the mail system at host|i'm sorry to have to inform you that your message|your message (could not|cannot|can't|was not able to) be delivered|message could not be delivered|could not be delivered to (one or more|the following)|delivery to the following recipients? (failed|has been delayed)|following address(es)? (failed|had permanent fatal errors)|permanent fatal errors|this is the qmail-send program|your message did not reach some or all|delivery has failed to these recipients|the original message was received at|mail delivery software|smtp error from remote|unrouteable address|recipient address rejected|mailbox (unavailable|is full|full|not found)|user unknown|unknown user|no such (user|recipient|mailbox)|host or domain name not found|diagnostic-code:|final-recipient:|remote-mta:|delivery failed for|message was not delivered|failed to deliver to|undeliverable to|could not deliver (the )?message|votre message n'a pas pu (être|etre) (délivré|delivre|remis)|ihre nachricht konnte nicht zugestellt)/i;
const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic|matische|matisch)?[ -]?(reply|response|answer|antwort|antwoord)\b|autoreply\b|auto[- ]?respon|r[ée]ponse automatique|abwesenheitsnotiz|abwesend\s*:|respuesta autom[áa]tica|risposta automatica|resposta autom[áa]tica|odpowied[źz] automatyczna|automatiskt svar|automaattinen vastaus|autom[āa]tisk[āa] atbilde\s*:|[āa]rpus biroja[^:\n]{0,40}:|automatick[áa] odpov[ěe]ď|otomatik yan[ıi]t|自動応答|自動返信|自动回复|自動回覆|out of (the )?office( auto ?reply)?\s*:|out of office auto ?reply|absence\s*:|abwesenheit\s*:|vacation( reply| message|\s*:)|on vacation\s*:|(i am|i'm) (currently )?(out of (the )?office|away|on (vacation|holiday|leave))|(auto:\s*)?[^:]{1,80} is out of (the )?office\b|.{1,80} est absent(e)?\.?$)/i;
const CHALLENGE_SUBJECT =
  /(please confirm your (e-?mail|message)|confirm(ation)? (required|needed)? ?(to|for) (deliver|your message)|verify (your|that you are)|sender verification|spam ?arrest|\bboxbe\b|is awaiting your (confirmation|verification)|message (is )?(held|waiting) for (your )?(verification|confirmation)|challenge[- ]response|authenticate your (e-?mail|message))/i;
const CHALLENGE_TEXT =
  /(spamarrest\.com|boxbe\.com\/|choicemail|mailblocks|to (have|get) your message delivered,? please (click|reply|confirm|verify)|i use a challenge[- ]response|please (click|reply)[^.\n]{0,60}to (verify|confirm) (that )?you are (a )?(human|real|not a (spammer|robot))|(have|get) your (e-?mail )?address added to (the recipient'?s|my|our|his|her) (allowed|approved|safe|white)[ -]?(senders? )?list|this (e-?mail )?(account|mailbox|address) is protected by [^.\n]{1,60}\.\s+please (click|reply|confirm|verify))/i;
const VIRUS_SUBJECT =
  /(virus|malware|quarantin|infected|banned (content|file|attachment)|blocked (attachment|content|file|message)|attachment (blocked|removed|stripped)|content (filter|violation)|security alert|mail ?scanner|antivirus|symantec|mcafee|sophos|trend ?micro|interscan|scanmail)/i;
const VIRUS_SENDER =
  /(virus|antivirus|scan|amavis|imss|symantec|mcafee|sophos|clamav|trend|quarantine|security|admin|postmaster)/;
const VIRUS_TEXT =
  /(quarantin|(was|is|were) infected|virus (was )?(found|detected)|banned (content|file|attachment)|has been (blocked|removed|stripped|deleted|quarantined))/i;
/** Senders nobody reads: a notification, never a ticket (carriers' "post_master" gateways too). */
const NO_REPLY_LOCAL_PART =
  /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|dont[-_.]?reply|ne[-_.]?pas[-_.]?r[ée]pondre|nepasrepondre|post_master|no[-_.]?response|noreply[-_.+].*|.*[-_.+]no[-_.]?reply|notifications?|notify|alerts?|automailer|auto[-_.]?mail(er)?)$/;

function verdict(kind: AutomatedKind, code: string, reason: string): AutomatedVerdict {
  return { kind, code, reason };
}

/** A Reply-To that names someone who reads: not itself a no-reply or daemon address. */
function hasUsableReplyTo(email: AutomatedMailInput, from: string): boolean {
  for (const r of email.replyTo ?? []) {
    const l = localPart(r.address);
    if (r.address !== from && !NO_REPLY_LOCAL_PART.test(l) && !BOUNCE_LOCAL_PARTS.has(l)) return true;
  }
  return false;
}

const VENDOR_AUTO_REPLY_HEADERS = [
  ['x-ms-exchange-generated-message-source', 'X-MS-Exchange-Generated-Message-Source', 'auto_reply.exchange_generated'],
  ['x-ms-exchange-inbox-rules-loop', 'X-MS-Exchange-Inbox-Rules-Loop', 'auto_reply.exchange_rules_loop'],
  ['x-autogenerated', 'X-AutoGenerated', 'auto_reply.x_autogenerated'],
  ['x-auto-generated', 'X-Auto-Generated', 'auto_reply.x_autogenerated'],
  ['x-vacation', 'X-Vacation', 'auto_reply.x_vacation'],
  ['x-precedence', 'X-Precedence', 'auto_reply.x_precedence'],
  ['x-cr-hashedpuzzle', 'X-CR-HashedPuzzle', 'auto_reply.x_cr'],
] as const;

function vendorAutoReply(headers: HeaderMap): AutomatedVerdict | null {
  const apple = headers.get('x-apple-action')?.[0];
  if (apple !== undefined && /vacation|auto/i.test(apple)) {
    return verdict('auto_reply', 'auto_reply.apple_vacation', evidence('X-Apple-Action', apple));
  }
  for (const [name, label, code] of VENDOR_AUTO_REPLY_HEADERS) {
    const value = headers.get(name)?.find((v) => !isNegative(v) && v.trim() !== '');
    if (value === undefined) continue;
    // X-Precedence is also written "bulk" by some list servers: only its auto-reply values count here.
    if (name === 'x-precedence' && !/auto|vacation/i.test(value)) continue;
    if (name === 'x-cr-hashedpuzzle') continue; // Outlook writes it on ordinary mail too
    return verdict('auto_reply', code, evidence(label, value));
  }
  const messageClass = headers.get('x-post-messageclass')?.[0];
  if (messageClass !== undefined && /autoresponder/i.test(messageClass)) {
    return verdict('auto_reply', 'auto_reply.x_post_messageclass', evidence('X-POST-MessageClass', messageClass));
  }
  const mailer = headers.get('x-mailer')?.[0];
  if (mailer !== undefined && /\b(vacation|autoresponder|auto-?reply)\b/i.test(mailer)) {
    return verdict('auto_reply', 'auto_reply.x_mailer', evidence('X-Mailer', mailer));
  }
  return null;
}

const FML_HEADERS = ['x-ml-name', 'x-ml-count', 'x-mlserver', 'x-ml-info', 'x-ml-address'] as const;

function listEvidence(headers: HeaderMap, local: string, subject: string): AutomatedVerdict | null {
  for (const [name, label] of LIST_HEADERS) {
    const value = headers.get(name)?.[0];
    if (value !== undefined) return verdict('list', `list.${name.replace(/-/g, '_')}`, evidence(label, value));
  }
  for (const name of FML_HEADERS) {
    const value = headers.get(name)?.[0];
    if (value !== undefined)
      return verdict(
        'list',
        'list.x_ml',
        evidence(
          name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()),
          value,
        ),
      );
  }
  if (/^\s*loop alert\b/i.test(subject)) return verdict('list', 'list.loop_alert', evidence('Subject', subject));
  const mailman = headers.get('x-mailman-version')?.[0] ?? headers.get('x-list-administrivia')?.[0];
  if (mailman !== undefined) return verdict('list', 'list.mailman', evidence('X-Mailman-Version', mailman));
  for (const [name, value] of headers) {
    if (name.startsWith('x-sympa') || (name === 'x-loop' && /sympa/i.test(value[0] ?? ''))) {
      return verdict('list', 'list.sympa', evidence(name, value[0] ?? ''));
    }
  }
  const loop = headers.get('x-loop')?.[0];
  if (loop !== undefined) return verdict('list', 'list.x_loop', evidence('X-Loop', loop));
  for (const name of [
    'mailing-list',
    'x-mailing-list',
    'x-list',
    'x-listserver',
    'x-listprocessor-version',
    'x-ecartis-version',
    'x-majordomo',
  ]) {
    const value = headers.get(name)?.[0];
    if (value !== undefined)
      return verdict('list', name === 'x-majordomo' ? 'list.majordomo' : 'list.header', evidence(name, value));
  }
  if (
    /^(majordomo|listserv|listproc|mailman|sympa|ecartis|lyris|fml)$/.test(local) ||
    /^owner-.+|.+-(request|owner|bounces?|admin)$/.test(local)
  ) {
    return verdict(
      'list',
      /majordomo/.test(local)
        ? 'list.majordomo'
        : /sympa/.test(local)
          ? 'list.sympa'
          : /mailman|-bounces?$|-request$/.test(local)
            ? 'list.mailman'
            : 'list.sender',
      `From ${clip(local)}@…, a list manager's address`,
    );
  }
  return null;
}

/**
 * Amazon SES's bounce and complaint notifications, as SNS delivers them by email: JSON in text/plain
 * (`"notificationType":"Bounce"`), bare or inside SNS's envelope (`"Type":"Notification","Message":"…"`).
 */
function sesNotification(text: string): AutomatedVerdict | null {
  const head = text.trimStart();
  if (!head.startsWith('{') || !/notificationType|"Type"\s*:\s*"Notification"/.test(head)) return null;
  const type = /\\?"notificationType\\?"\s*:\s*\\?"(Bounce|Complaint|Delivery)/i.exec(head)?.[1]?.toLowerCase();
  if (type === 'bounce') return verdict('bounce', 'bounce.ses_json', 'Amazon SES bounce notification (JSON)');
  if (type === 'complaint')
    return verdict('report', 'report.ses_complaint', 'Amazon SES complaint notification (JSON)');
  if (type === 'delivery') return verdict('report', 'report.ses_delivery', 'Amazon SES delivery notification (JSON)');
  return null;
}

function loopEvidence(email: AutomatedMailInput, ownDomain: string): AutomatedVerdict | null {
  const marker = email.headers.get('x-ticketrelay-ticket');
  if (marker !== undefined && marker.length > 0) {
    return verdict('loop', 'loop.marker', evidence('X-Ticketrelay-Ticket', marker[0] ?? ''));
  }
  const domain = ownDomain.trim().replace(/^@/, '').toLowerCase();
  if (domain === '') return null;
  const raw = email.messageId ?? email.headers.get('message-id')?.[0] ?? null;
  if (raw === null) return null;
  const id = stripBrackets(raw).toLowerCase();
  const prefix = 'ticketrelay.';
  const suffix = `@${domain}`;
  if (id.length > prefix.length + suffix.length && id.startsWith(prefix) && id.endsWith(suffix)) {
    return verdict('loop', 'loop.message_id', `Message-ID: <${clip(id)}>`);
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
  const head = value
    .slice(0, MAX_REASON_VALUE + 1)
    .replace(/\s+/g, ' ')
    .trim();
  return head.length > MAX_REASON_VALUE ? `${head.slice(0, MAX_REASON_VALUE)}…` : head;
}
