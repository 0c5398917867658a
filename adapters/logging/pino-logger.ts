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
        censor: '***',
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
