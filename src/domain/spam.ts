/**
 * Spam and sender authentication, as our mail server reports them in the headers it writes:
 * SpamAssassin's X-Spam-Flag / X-Spam-Status, rspamd's X-Spam / X-Spamd-Result / X-Rspamd-Action, and
 * Authentication-Results (RFC 8601). Pure rules, no I/O.
 *
 * Anyone can write any header into a message, so what says "spam" is believed whoever wrote it (a
 * sender marking their own mail as spam harms nobody but them), while what says "authenticated" is
 * believed only from the Authentication-Results instance our own server wrote: the topmost one
 * carrying the trusted authserv-id (SPAM_TRUSTED_AUTHSERV_ID). Our server prepends its instance above
 * anything the message came with; instances further down with the same id were written by someone
 * else and are ignored, as are instances of any other authserv-id.
 */
import type { HeaderMap } from './inbound-email.ts';

export interface SpamVerdict {
  /** Short and stable, for the record and the digest: 'x-spam-flag', 'rspamd-action', 'dmarc-reject', 'spamd'. */
  readonly code: string;
  /** One sentence for agents: what said so. */
  readonly reason: string;
}

/** One method's result in an Authentication-Results header (spf, dkim, dmarc…), with its properties. */
export interface AuthResult {
  readonly method: string;
  readonly result: string;
  /** ptype.property → value, lower-cased: header.from, header.d, smtp.mailfrom, policy.dmarc… */
  readonly properties: Readonly<Record<string, string>>;
  /** The text of the comments of this result, lower-cased (OpenDMARC and Gmail put "p=REJECT" there). */
  readonly comment: string;
}

export interface AuthenticationResults {
  readonly authservId: string;
  readonly results: readonly AuthResult[];
}

/**
 * The Authentication-Results our own server wrote: the topmost instance whose authserv-id is
 * `trustedId`. Null when none is trusted (no SPAM_TRUSTED_AUTHSERV_ID) or our server wrote none.
 */
export function trustedAuthenticationResults(
  headers: HeaderMap,
  trustedId: string | null,
): AuthenticationResults | null {
  if (!trustedId) return null;
  const wanted = trustedId.trim().toLowerCase();
  for (const value of headers.get('authentication-results') ?? []) {
    const parsed = parseAuthenticationResults(value);
    if (parsed && parsed.authservId === wanted) return parsed;
  }
  return null;
}

/** RFC 8601's `authserv-id [version] *( ";" resinfo )`, leniently: real servers bend the grammar. */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const parts = splitOutsideComments(value.slice(0, 8_192), ';');
  const head =
    stripComments(parts[0] ?? '')
      .trim()
      .split(/\s+/)[0]
      ?.toLowerCase() ?? '';
  if (!head) return null;
  const results: AuthResult[] = [];
  for (const part of parts.slice(1)) {
    const bare = stripComments(part);
    const m = /^\s*([a-z0-9_-]+)\s*=\s*([a-z]+)/i.exec(bare);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const p of bare.matchAll(/\b([a-z]+)\.([a-z0-9_-]+)\s*=\s*("[^"]*"|[^\s;]+)/gi)) {
      properties[`${p[1]!.toLowerCase()}.${p[2]!.toLowerCase()}`] = p[3]!.replace(/^"|"$/g, '').toLowerCase();
    }
    results.push({
      method: m[1]!.toLowerCase(),
      result: m[2]!.toLowerCase(),
      properties,
      comment: commentsOf(part).toLowerCase(),
    });
  }
  return { authservId: head, results };
}

/**
 * What the mail server's headers say about spam, or null when they say nothing against the message.
 * `auth`: our own server's Authentication-Results (see trustedAuthenticationResults).
 */
export function upstreamSpamVerdict(headers: HeaderMap, auth: AuthenticationResults | null): SpamVerdict | null {
  const first = (name: string) => headers.get(name) ?? [];
  for (const flag of first('x-spam-flag')) {
    if (/^\s*yes\b/i.test(flag))
      return { code: 'x-spam-flag', reason: 'the mail server marked it as spam (X-Spam-Flag: YES)' };
  }
  for (const status of first('x-spam-status')) {
    if (/^\s*yes\b/i.test(status))
      return { code: 'x-spam-status', reason: `the mail server marked it as spam (X-Spam-Status: ${cut(status)})` };
  }
  for (const spam of first('x-spam')) {
    if (/^\s*(yes|true)\b/i.test(spam)) return { code: 'x-spam', reason: 'rspamd marked it as spam (X-Spam: yes)' };
  }
  for (const action of first('x-rspamd-action')) {
    if (/^\s*(reject|add header|rewrite subject)\s*$/i.test(action))
      return {
        code: 'rspamd-action',
        reason: `rspamd's verdict is "${action.trim().toLowerCase()}" (X-Rspamd-Action)`,
      };
  }
  for (const result of first('x-spamd-result')) {
    // "default: True [16.20 / 15.00]; SYMBOL(1.0)[…]": True is rspamd's own spam verdict for the message.
    const m = /^\s*[a-z0-9_-]+\s*:\s*(true|false)\s*\[\s*(-?[\d.]+)\s*\/\s*(-?[\d.]+)\s*\]/i.exec(result);
    if (m && m[1]!.toLowerCase() === 'true')
      return { code: 'x-spamd-result', reason: `rspamd scored it ${m[2]} of ${m[3]} (X-Spamd-Result)` };
  }
  const dmarc = auth?.results.find((r) => r.method === 'dmarc');
  if (dmarc && dmarc.result === 'fail') {
    const policy = dmarcPolicy(dmarc);
    if (policy === 'reject' || policy === 'quarantine') {
      const domain = dmarc.properties['header.from'];
      return {
        code: `dmarc-${policy}`,
        reason: `DMARC failed${domain ? ` for ${domain}` : ''} and its owner asks to ${policy} such mail (Authentication-Results of ${auth!.authservId})`,
      };
    }
  }
  return null;
}

/** The domain owner's published policy as the server reports it: policy.dmarc=, or p= in a comment. */
function dmarcPolicy(dmarc: AuthResult): string | null {
  const property = dmarc.properties['policy.dmarc'] ?? dmarc.properties['policy.published-domain-policy'];
  if (property) return property;
  const m = /\b(?:p|policy)\s*=\s*(reject|quarantine|none)\b/.exec(dmarc.comment);
  return m?.[1] ?? null;
}

/**
 * Whether our server authenticated mail from `address`'s domain: DMARC pass for it, or SPF or DKIM
 * pass for it (or a parent or subdomain of it, as DMARC's relaxed alignment allows). A pass for
 * another domain says nothing about this address (an attacker's own domain passes; the Reply-To he
 * names does not).
 */
export function senderAuthenticated(
  auth: AuthenticationResults,
  address: string,
): { readonly authenticated: boolean; readonly how: string } {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const aligned = (other: string | undefined) => {
    const d = (other ?? '').replace(/^.*@/, '').toLowerCase();
    return d !== '' && (d === domain || domain.endsWith(`.${d}`) || d.endsWith(`.${domain}`));
  };
  for (const r of auth.results) {
    if (r.result !== 'pass') continue;
    if (r.method === 'dmarc' && aligned(r.properties['header.from']))
      return { authenticated: true, how: `dmarc=pass for ${domain}` };
    if (r.method === 'dkim' && (aligned(r.properties['header.d']) || aligned(r.properties['header.i'])))
      return { authenticated: true, how: `dkim=pass for ${domain}` };
    if (r.method === 'spf' && aligned(r.properties['smtp.mailfrom']))
      return { authenticated: true, how: `spf=pass for ${domain}` };
  }
  const seen = auth.results.map((r) => `${r.method}=${r.result}`).join(' ') || 'no results';
  return { authenticated: false, how: `${auth.authservId} did not authenticate ${domain} (${seen})` };
}

/** Providers that ignore dots in the local part of their mailboxes. */
const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The mailbox an address reaches, for the caps: lower case, without a +tag, without dots at providers
 * that ignore them (victim+1@, Victim+2@ and v.ictim@gmail.com are one person's inbox).
 */
export function normalisedMailbox(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  let local = lower.slice(0, at);
  let domain = lower.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (DOTLESS_DOMAINS.has(domain)) local = local.replaceAll('.', '');
  return `${local}@${domain}`;
}

function cut(value: string): string {
  const v = value.replace(/\s+/g, ' ').trim();
  return v.length > 80 ? `${v.slice(0, 79)}…` : v;
}

/** Splits on `sep` where it is outside (possibly nested) comments and quoted strings. */
function splitOutsideComments(value: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === '"' && depth === 0) quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')' && depth > 0) depth--;
    else if (!quoted && depth === 0 && c === sep) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

function commentsOf(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '(') {
      depth++;
      out += ' ';
    } else if (c === ')' && depth > 0) depth--;
    else if (depth > 0) out += c;
  }
  return out;
}
