import type { HeaderMap } from './inbound-email.ts';

/**
 * What our own mail server said about who sent an email: the Authentication-Results header (RFC 8601)
 * it wrote, recognised by its authserv-id. Any other instance of the header was written by someone
 * on the way, possibly the sender, and says nothing.
 *
 * - `pass`: DMARC passed, or (no DMARC result) an aligned SPF or DKIM pass for the From domain;
 * - `fail`: DMARC failed, or SPF and DKIM both failed;
 * - `unknown`: no trusted header, or nothing conclusive in it (the mail server does not check).
 */
export type SenderAuthentication = 'pass' | 'fail' | 'unknown';

export function senderAuthentication(
  headers: HeaderMap,
  fromAddress: string | null,
  trustedAuthservIds: readonly string[],
): SenderAuthentication {
  if (trustedAuthservIds.length === 0) return 'unknown';
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()).filter(Boolean));
  const fromDomain = fromAddress?.split('@').pop()?.toLowerCase() ?? null;
  // The mail server prepends its own header: the first trusted instance is the nearest one.
  for (const value of headers.get('authentication-results') ?? []) {
    const results = parseAuthenticationResults(value);
    if (!results || !trusted.has(results.authservId)) continue;
    const dmarc = results.methods.find((m) => m.method === 'dmarc');
    if (dmarc) return dmarc.result === 'pass' ? 'pass' : dmarc.result === 'fail' ? 'fail' : 'unknown';
    const aligned = (m: AuthMethod) => {
      const domain =
        m.props.get('header.d') ?? m.props.get('header.from') ?? m.props.get('smtp.mailfrom')?.split('@').pop();
      return (
        fromDomain !== null && domain !== undefined && (domain === fromDomain || fromDomain.endsWith(`.${domain}`))
      );
    };
    const spf = results.methods.filter((m) => m.method === 'spf');
    const dkim = results.methods.filter((m) => m.method === 'dkim');
    if ([...spf, ...dkim].some((m) => m.result === 'pass' && aligned(m))) return 'pass';
    if (spf.some((m) => m.result === 'fail') && !dkim.some((m) => m.result === 'pass')) return 'fail';
    return 'unknown';
  }
  return 'unknown';
}

interface AuthMethod {
  readonly method: string;
  readonly result: string;
  readonly props: ReadonlyMap<string, string>;
}

/** `mx.example; spf=pass smtp.mailfrom=a@b.example; dkim=pass header.d=b.example` (comments removed). */
function parseAuthenticationResults(value: string): { authservId: string; methods: AuthMethod[] } | null {
  const text = value
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const [head, ...rest] = text.split(';');
  const authservId = head?.trim().split(' ')[0]?.toLowerCase();
  if (!authservId) return null;
  const methods: AuthMethod[] = [];
  for (const part of rest) {
    const tokens = part.trim().split(' ').filter(Boolean);
    const first = tokens.shift();
    const m = first ? /^([a-z0-9_-]+)=([a-z]+)$/i.exec(first) : null;
    if (!m) continue;
    const props = new Map<string, string>();
    for (const token of tokens) {
      const eq = token.indexOf('=');
      if (eq > 0)
        props.set(
          token.slice(0, eq).toLowerCase(),
          token
            .slice(eq + 1)
            .replace(/^"|"$/g, '')
            .toLowerCase(),
        );
    }
    methods.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props });
  }
  return { authservId, methods };
}
