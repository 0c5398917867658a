/**
 * What a bounce says, whatever the mail server that wrote it: who could not be reached, whether for good
 * (hard: 5.x.x, "user unknown") or for now (soft: 4.x.x, "mailbox full", a delay warning), and which of
 * our emails it was (the original's Message-ID). Read from the RFC 3464 report when there is one, else
 * from Amazon SES's JSON, else from the text that Postfix, Exim, Sendmail, qmail, Exchange, Gmail, Yahoo
 * and the carriers write (with the original's headers quoted or attached).
 */
import { extractMessageIds } from './delivery-report.ts';
import type { InboundEmail } from './inbound-email.ts';

export interface BouncedRecipient {
  readonly address: string;
  /** true: the address does not work (flag it); false: try again later; null: the bounce does not say. */
  readonly hard: boolean | null;
  readonly status: string | null;
}

export interface BounceDetails {
  readonly recipients: readonly BouncedRecipient[];
  /** Message-IDs the bounce cites (the original's, then any quoted), without <>. */
  readonly originalMessageIds: readonly string[];
  /** Where the details came from, for the record: 'dsn', 'ses', 'text'. */
  readonly source: 'dsn' | 'ses' | 'text' | 'none';
}

export type BounceInput = Pick<
  InboundEmail,
  'text' | 'deliveryReport' | 'inReplyTo' | 'references' | 'from' | 'to' | 'subject'
> &
  Partial<Pick<InboundEmail, 'enclosedMessageIds'>>;

const TEXT_SCAN_CHARS = 16 * 1024;
const MAX_RECIPIENTS = 20;
const ADDRESS =
  /[A-Za-z0-9._%+'=!#$&*/?^`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+/g;
/** Words that say "try again": a delay warning, a full mailbox, a server busy for now. */
const SOFT_WORDS =
  /(delayed|delay|will (be )?retr(y|ied)|still (being )?(tried|trying|retried)|has not yet been delivered|not yet been delivered|temporar(y|ily)|try again later|mailbox (is )?full|over ?quota|quota exceeded|insufficient (system )?storage|greylist)/i;

export function bounceDetails(email: BounceInput): BounceDetails {
  const text = email.text.slice(0, TEXT_SCAN_CHARS);
  const ids = new Set<string>();
  const report = email.deliveryReport;
  for (const id of report?.originalMessageIds ?? []) ids.add(id);
  for (const id of email.enclosedMessageIds ?? []) ids.add(id);

  const ses = sesDetails(text);
  if (ses !== null) {
    for (const id of ses.ids) ids.add(id);
    return { recipients: ses.recipients, originalMessageIds: [...ids], source: 'ses' };
  }

  for (const id of quotedMessageIds(text)) ids.add(id);
  // Some gateways thread their bounce on the original (In-Reply-To): cited the same way.
  for (const id of [...email.inReplyTo, ...email.references]) ids.add(id);

  // One recipient: the bounce's own words are about it too (quota.msg says "exceeds allowed size" there).
  const single = report?.recipients?.length === 1;
  const fromReport = (report?.recipients ?? []).map((r) => ({
    address: r.address,
    hard: hardness(r.status, r.action, `${r.diagnostic ?? ''}\n${single ? text.slice(0, 4096) : ''}`),
    status: r.status,
  }));
  const seen = new Set(fromReport.map((r) => r.address));
  for (const address of report?.failedRecipients ?? []) {
    if (!seen.has(address)) {
      seen.add(address);
      fromReport.push({ address, hard: hardness(null, 'failed', text), status: null });
    }
  }
  if (fromReport.length > 0)
    return { recipients: fromReport.slice(0, MAX_RECIPIENTS), originalMessageIds: [...ids], source: 'dsn' };

  const inText = recipientsInText(text, email);
  const recipients = inText.length > 0 ? inText : screenNamesInText(text, email);
  return { recipients, originalMessageIds: [...ids], source: recipients.length > 0 || ids.size > 0 ? 'text' : 'none' };
}

/**
 * A full mailbox or a message too large for it: the address works, so never hard, even when the server
 * answers 5.x.x (552 5.2.2, "550 mailbox exceeds allowed size", "Benutzer hat zuviele Mails").
 */
const MAILBOX_FULL =
  /(mailbox (is )?full|over ?quota|quota (exceeded|exceed)|exceeded (its |the )?(disk space|storage|quota|mailbox)|mailbox (size |storage )?(limit )?exceeded|mailbox exceeds|exceeds allowed size|account is full|too many (messages|mails) on the server|zu ?viele mails|insufficient (system )?storage|max(imum)? message size|message size exceed|message (is )?too (large|big)|exceeds (the )?(maximum )?(message )?size)/i;

/**
 * 5.x.x → hard, 4.x.x → soft, except a full mailbox or a too-large message (X.2.2, X.2.3, X.3.4, or the
 * words), which is soft whatever the class; without a status, the action (delayed) or the words decide;
 * failed defaults to hard.
 */
function hardness(status: string | null, action: string | null, words: string): boolean | null {
  const m = /([245])\.(\d{1,3})\.(\d{1,3})/.exec(status ?? '');
  const code = m?.[1];
  const detail = m ? `${m[2]}.${m[3]}` : '';
  if (detail === '2.2' || detail === '2.3' || detail === '3.4' || MAILBOX_FULL.test(words.slice(0, 4096))) return false;
  if (code === '5') return true;
  if (code === '4') return false;
  if (action === 'delayed') return false;
  if (SOFT_WORDS.test(words.slice(0, 4096))) return false;
  if (action === 'failed') return true;
  return null;
}

/**
 * The original's Message-ID where the bounce quotes its headers in the text (qmail, Exim, old Sendmail
 * and Exchange put "Message-ID: <…>" of the returned message below their own words), and ids written
 * in angle brackets next to the words "message-id" anywhere.
 */
function quotedMessageIds(text: string): string[] {
  const ids: string[] = [];
  const re = /^[ \t>|]*message-id:[ \t]*(<[^>\r\n]{1,500}>|[^\s<>]{3,500}@[^\s<>]{1,255})/gim;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text)) !== null && n++ < 20) ids.push(...extractMessageIds(m[1] ?? ''));
  return ids;
}

/**
 * Failed addresses in a bounce's own words: the lines before the returned original begins that name an
 * address (Postfix "<x@y>: host … said: 550 5.1.1", Exim "  x@y\n    SMTP error … 550", qmail "<x@y>:",
 * Exchange "x@y\n#550 5.1.1 …"), less the bounce's own From and To (that is us).
 */
function recipientsInText(text: string, email: BounceInput): BouncedRecipient[] {
  const own = new Set(
    [email.from?.address, ...email.to.map((a) => a.address)].filter((a): a is string => a !== undefined),
  );
  const body = text.slice(0, originalStart(text));
  const out: BouncedRecipient[] = [];
  const seen = new Set<string>();
  const lines = body.split('\n');
  for (let i = 0; i < lines.length && out.length < MAX_RECIPIENTS; i++) {
    const line = lines[i] ?? '';
    for (const match of line.matchAll(ADDRESS)) {
      // "smtp=x@y" (Exchange), "'x@y'" (quoted): the address is what follows.
      const address = match[0]
        .toLowerCase()
        .replace(/[.]+$/, '')
        .replace(/^(smtp[=:]|rfc822[=:]|')+/, '');
      if (seen.has(address) || own.has(address) || /^(mailer-daemon|postmaster)@/.test(address)) continue;
      seen.add(address);
      // The status near the address: this line and the next three.
      const near = lines.slice(i, i + 4).join(' ');
      const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(near)?.[1] ?? null;
      const smtp = /\b([45])\d\d\b/.exec(near)?.[1];
      const hard =
        status !== null || MAILBOX_FULL.test(near)
          ? hardness(status, null, near)
          : smtp === '5'
            ? true
            : smtp === '4'
              ? false
              : hardness(null, null, body);
      out.push({ address, hard: hard ?? (SOFT_WORDS.test(body) ? false : true), status });
    }
  }
  return out;
}

/**
 * Providers that bounce with their users' bare names (AOL: "could not be delivered … to the following
 * recipients:\n\tscreenname"): each indented name under that line is an address at the daemon's domain.
 */
function screenNamesInText(text: string, email: BounceInput): BouncedRecipient[] {
  const from = email.from?.address.toLowerCase() ?? '';
  const at = from.lastIndexOf('@');
  if (at <= 0 || !/^(mailer-daemon|postmaster)$/.test(from.slice(0, at))) return [];
  const domain = from.slice(at + 1);
  const lines = text.slice(0, originalStart(text)).split('\n');
  const head = lines.findIndex((l) => /(following (recipients?|addresses)|to these recipients)[^\n]*:\s*$/i.test(l));
  if (head === -1) return [];
  const out: BouncedRecipient[] = [];
  for (const line of lines.slice(head + 1, head + 1 + MAX_RECIPIENTS)) {
    const name = /^[ \t]+([a-z0-9][a-z0-9._+-]{0,63})[ \t]*$/i.exec(line)?.[1];
    if (name === undefined) break;
    out.push({ address: `${name.toLowerCase()}@${domain}`, hard: hardness(null, 'failed', text), status: null });
  }
  return out;
}

/** Where the returned original starts in a plain-text bounce (its addresses are not the failed ones). */
function originalStart(text: string): number {
  const markers = [
    /^-{2,}\s*(original message|this is a copy of the message|the message you sent|returned message|undelivered message|below this line is a copy)/im,
    /^-{2,} ?below this line is a copy/im,
    /^(received|return-path|from|message-id|date|subject):.*\n(received|return-path|from|message-id|date|subject|to|mime-version):/im,
  ];
  let at = text.length;
  for (const re of markers) {
    const m = re.exec(text);
    if (m && m.index < at) at = m.index;
  }
  return at;
}

/** Amazon SES's notification (bare, or in SNS's envelope whose "Message" is the JSON as a string). */
function sesDetails(text: string): { recipients: BouncedRecipient[]; ids: string[] } | null {
  const head = text.trimStart();
  if (!head.startsWith('{') || !head.includes('notificationType')) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(head.slice(0, head.lastIndexOf('}') + 1));
  } catch {
    return null;
  }
  if (isObject(doc) && typeof doc['Message'] === 'string') {
    try {
      doc = JSON.parse(doc['Message']);
    } catch {
      return null;
    }
  }
  if (!isObject(doc)) return null;
  const bounce = isObject(doc['bounce']) ? doc['bounce'] : null;
  const mail = isObject(doc['mail']) ? doc['mail'] : null;
  const ids: string[] = [];
  const common = mail && isObject(mail['commonHeaders']) ? mail['commonHeaders'] : null;
  if (common && typeof common['messageId'] === 'string') ids.push(...extractMessageIds(common['messageId']));
  if (mail && Array.isArray(mail['headers'])) {
    for (const h of mail['headers'].slice(0, 100)) {
      if (
        isObject(h) &&
        typeof h['name'] === 'string' &&
        h['name'].toLowerCase() === 'message-id' &&
        typeof h['value'] === 'string'
      )
        ids.push(...extractMessageIds(h['value']));
    }
  }
  const recipients: BouncedRecipient[] = [];
  if (bounce) {
    const type = typeof bounce['bounceType'] === 'string' ? bounce['bounceType'] : '';
    const list = Array.isArray(bounce['bouncedRecipients']) ? bounce['bouncedRecipients'] : [];
    for (const r of list.slice(0, MAX_RECIPIENTS)) {
      if (!isObject(r) || typeof r['emailAddress'] !== 'string') continue;
      const address = /<([^>]+)>/.exec(r['emailAddress'])?.[1] ?? r['emailAddress'];
      const status = typeof r['status'] === 'string' ? r['status'] : null;
      const byStatus = hardness(status, null, '');
      recipients.push({
        address: address.trim().toLowerCase(),
        hard: byStatus ?? (type === 'Permanent' ? true : type === 'Transient' ? false : null),
        status,
      });
    }
  }
  return { recipients, ids };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The token of a per-message return path (VERP): outgoing mail's envelope sender is
 * `support+bounce-<token>@domain`, the token being the unguessable part of that email's Message-ID.
 */
export function verpReturnPath(supportAddress: string, messageId: string): string | null {
  const token = verpToken(messageId);
  const at = supportAddress.lastIndexOf('@');
  if (token === null || at <= 0) return null;
  return `${supportAddress.slice(0, at)}+bounce-${token}${supportAddress.slice(at)}`;
}

const OUR_ID = /^ticketrelay\.([0-9a-z]+\.[0-9a-z]+\.[0-9a-f]{8,32})@/;
const VERP_TOKEN = /\+bounce-([0-9a-z]+\.[0-9a-z]+\.[0-9a-f]{8,32})@/i;

function verpToken(messageId: string): string | null {
  return OUR_ID.exec(messageId)?.[1] ?? null;
}

/** The Message-ID of ours that a bounce sent to a VERP return path names, or null. */
export function messageIdFromVerp(recipientHeaders: readonly string[], messageIdDomain: string): string | null {
  for (const value of recipientHeaders) {
    const token = VERP_TOKEN.exec(value.slice(0, 2000))?.[1];
    if (token) return `ticketrelay.${token.toLowerCase()}@${messageIdDomain}`;
  }
  return null;
}
