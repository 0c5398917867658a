/**
 * Who is asking, and whether the request may be routed at all: the request-target checked as sent
 * (before any URL parsing), the bearer token compared in constant time, and the client's address
 * (X-Forwarded-For believed only from a trusted proxy).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { ApiScope, ApiToken } from '../../src/config.ts';

/**
 * Why this request-target may not be routed, or null. It must be origin-form: a single "/" first
 * (`//host/…` is read as a host by `new URL`, and slips past a proxy's path rule), no "." or ".."
 * segment (plain or percent-encoded: a proxy's rule and our router would not see the same path),
 * and well-formed percent-encoding of UTF-8 (not a 500 later).
 */
export function requestTargetProblem(target: string): string | null {
  if (!target.startsWith('/') || target.startsWith('//'))
    return 'The request-target must be a path starting with a single "/".';
  const path = target.split(/[?#]/, 1)[0] ?? '';
  if (/%(?![0-9a-f]{2})/i.test(target))
    return 'The address holds a "%" that is not followed by two hexadecimal digits: encode it as %25.';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'The address holds percent-encoding that is not valid UTF-8.';
  }
  const segments = [...path.split('/'), ...decoded.split(/[/\\]/)];
  if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s)))
    return 'The path holds a "." or ".." segment: send the path as it is meant, without them.';
  return null;
}

export type Authentication =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'token'; readonly token: ApiToken };

/** The Authorization header against the configured tokens; every token is compared, in constant time. */
export function authenticate(header: string | undefined, tokens: readonly ApiToken[]): Authentication {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) return { kind: 'invalid', reason: 'The Authorization header must be "Bearer <token>".' };
  const given = digest(match[1]!);
  let found: ApiToken | null = null;
  for (const token of tokens) {
    // Digests of equal length: timingSafeEqual neither throws nor tells the token's length.
    if (timingSafeEqual(given, digest(token.token)) && found === null) found = token;
  }
  return found
    ? { kind: 'token', token: found }
    : { kind: 'invalid', reason: "The token is not one of this server's API tokens." };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function hasScope(token: ApiToken, scope: ApiScope): boolean {
  return token.scopes.includes(scope);
}

/**
 * The client's address: the TCP peer, or, when the peer is a trusted proxy, the right-most address of
 * X-Forwarded-For that is not itself a trusted proxy (what a client writes at the left is not believed).
 */
export function createClientAddress(trustedProxies: readonly string[]): (req: http.IncomingMessage) => string {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/');
    const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(address!, family);
    else trusted.addSubnet(address!, Number(bits), family);
  }
  const isTrusted = (address: string) => {
    const plain = unmapped(address);
    const family = isIP(plain);
    return family !== 0 && trusted.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (req) => {
    const peer = unmapped(req.socket.remoteAddress ?? 'unknown');
    if (trustedProxies.length === 0 || !isTrusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = unmapped(hops[i]!.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1'));
      if (isIP(hop) === 0) return peer; // a malformed hop: the proxy's own address is all we can trust
      if (!isTrusted(hop)) return hop;
    }
    return peer;
  };
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
