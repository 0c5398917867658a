import { senderAuthenticated, type AuthenticationResults } from './spam.ts';

/**
 * What our own mail server said about who sent an email: the Authentication-Results header (RFC 8601)
 * it wrote, recognised by its authserv-id (spam.ts's trustedAuthenticationResults parses and picks it:
 * one parser serves the spam rules and this). Any other instance of the header was written by someone
 * on the way, possibly the sender, and says nothing.
 *
 * - `pass`: DMARC passed, or (no DMARC result) an aligned SPF or DKIM pass for the From domain;
 * - `fail`: DMARC failed, or SPF failed with no DKIM pass;
 * - `unknown`: no trusted header, or nothing conclusive in it (the mail server does not check).
 */
export type SenderAuthentication = 'pass' | 'fail' | 'unknown';

export function senderAuthentication(
  auth: AuthenticationResults | null,
  fromAddress: string | null,
): SenderAuthentication {
  if (!auth) return 'unknown';
  const dmarc = auth.results.find((r) => r.method === 'dmarc');
  if (dmarc) return dmarc.result === 'pass' ? 'pass' : dmarc.result === 'fail' ? 'fail' : 'unknown';
  if (fromAddress && senderAuthenticated(auth, fromAddress).authenticated) return 'pass';
  const spfFailed = auth.results.some((r) => r.method === 'spf' && r.result === 'fail');
  const dkimPassed = auth.results.some((r) => r.method === 'dkim' && r.result === 'pass');
  return spfFailed && !dkimPassed ? 'fail' : 'unknown';
}
