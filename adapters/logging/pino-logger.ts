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
      serializers: { err: pino.stdSerializers.err },
    },
    pino.destination({ dest: options.destination ?? 2, sync: false }),
  );
}
