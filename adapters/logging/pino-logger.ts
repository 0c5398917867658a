/** The one pino logger; children per component. Secrets are redacted by path wherever they appear. */
import { pino, type Logger as PinoLogger } from 'pino';

export type AppLogger = PinoLogger;

/**
 * JSON lines (for a log collector), or, on a terminal, one readable line an event: a person running a
 * command reads "12:04:31 WARN  intake: … ticketId=5", not JSON. `human` defaults to "standard error
 * is a terminal and no destination was given"; redaction applies either way.
 */
export function createLogger(options: { level: string; destination?: number; human?: boolean }): AppLogger {
  const human = options.human ?? (options.destination === undefined && process.stderr.isTTY === true);
  const destination = pino.destination({ dest: options.destination ?? 2, sync: false });
  return pino(
    {
      level: options.level,
      base: { app: 'ticketrelay' },
      redact: {
        paths: [
          'password',
          'pass',
          'token',
          'secret',
          '*.password',
          '*.pass',
          '*.token',
          '*.secret',
          '*.auth',
          'auth',
          'url',
          '*.url',
        ],
        // A URL keeps its address (where a server listens, which host is down) and loses what may be a secret in it.
        censor: (value, path) => (path[path.length - 1] === 'url' ? censorUrl(value) : '***'),
      },
      serializers: { err: serializeError },
    },
    human ? { write: (line: string) => destination.write(humanLine(line)) } : destination,
  );
}

/** Keys a readable line shows in their own place, or not at all (the same in every line of a process). */
const SHOWN_APART = new Set(['level', 'time', 'msg', 'component', 'err', 'app', 'pid', 'hostname']);

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** One JSON log line as a person reads it: time, level, component, message, the other fields; an error's stack from ERROR up. */
export function humanLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, component, err } = entry;
  const fields = Object.fromEntries(Object.entries(entry).filter(([key]) => !SHOWN_APART.has(key)));
  const at = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const name = (typeof level === 'number' ? LEVEL_NAMES[level] : undefined) ?? String(level);
  const rest = Object.entries(fields)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)}`,
    )
    .join(' ');
  const error = err && typeof err === 'object' ? (err as { message?: unknown; stack?: unknown }) : null;
  const stack =
    error && typeof level === 'number' && level >= 50 && typeof error.stack === 'string'
      ? `\n${error.stack.split('\n').slice(1).join('\n')}`
      : '';
  const why = error && typeof error.message === 'string' ? ` — ${error.message}` : '';
  return `${at} ${name.padEnd(5)} ${typeof component === 'string' ? `${component}: ` : ''}${typeof msg === 'string' ? msg : ''}${why}${rest ? `  ${rest}` : ''}${stack}\n`;
}

/**
 * pino's error serializer, except that a cause whose text the message already quotes is not appended
 * again (our errors say "The triage queue cannot be reached: <cause>"; pino made that
 * "…: <cause>: <cause>"). The cause's own stack is still logged under "cause".
 */
function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as { message?: string } | undefined;
  if (error instanceof Error && out && typeof out === 'object') {
    const cause =
      error.cause instanceof Error ? error.cause.message : typeof error.cause === 'string' ? error.cause : null;
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
  if (!url.username && !url.password && !url.search && !url.hash && masked.every((s, i) => s === segments[i]))
    return value;
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`).join('&');
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}${masked.join('/')}${query ? `?${query}` : ''}`;
}
