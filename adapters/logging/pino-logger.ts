/** The one pino logger; children per component. Secrets are redacted by path wherever they appear. */
import { pino, type Logger as PinoLogger } from 'pino';

export type AppLogger = PinoLogger;

export function createLogger(options: { level: string; destination?: number }): AppLogger {
  return pino(
    {
      level: options.level,
      base: { app: 'ticketrelay' },
      redact: {
        paths: ['password', 'pass', 'token', 'secret', '*.password', '*.pass', '*.token', '*.secret', '*.auth', 'auth', 'url', '*.url'],
        // A URL keeps its address (where a server listens, which host is down) and loses what may be a secret in it.
        censor: (value, path) => (path[path.length - 1] === 'url' ? censorUrl(value) : '***'),
      },
      serializers: { err: serializeError },
    },
    pino.destination({ dest: options.destination ?? 2, sync: false }),
  );
}

/**
 * pino's error serializer, except that a cause whose text the message already quotes is not appended
 * again (our errors say "The triage queue cannot be reached: <cause>"; pino made that
 * "…: <cause>: <cause>"). The cause's own stack is still logged under "cause".
 */
function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as { message?: string } | undefined;
  if (error instanceof Error && out && typeof out === 'object') {
    const cause = error.cause instanceof Error ? error.cause.message : typeof error.cause === 'string' ? error.cause : null;
    if (cause !== null && error.message.includes(cause)) out.message = error.message;
  }
  return out;
}

/** Path segments this long with a digit in them are taken for tokens (a webhook's secret, an API key). */
const TOKEN_SEGMENT = /^(?=[^/]*\d)[\w.~%-]{16,}$/;

/**
 * A URL as the log may show it: scheme, host, port and path, with the credentials before the "@",
 * the query's values and any token-like path segment replaced by "***". Anything else (not a string,
 * not a URL) is hidden whole.
 */
function censorUrl(value: unknown): string {
  if (typeof value !== 'string') return '***';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '***';
  }
  const segments = url.pathname.split('/');
  const masked = segments.map((s) => (TOKEN_SEGMENT.test(s) ? '***' : s));
  if (!url.username && !url.password && !url.search && !url.hash && masked.every((s, i) => s === segments[i])) return value;
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`).join('&');
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}${masked.join('/')}${query ? `?${query}` : ''}`;
}
