/**
 * The `lmtp` role: the mail server hands each email to the running service over LMTP (RFC 2033), on
 * loopback TCP or a Unix socket (LMTP_LISTEN), the way it delivers to Dovecot or Cyrus: no process
 * started per email. Every email goes through the same IntakeService as `ingest -` and the mailboxes
 * (loop guard, caps, dedupe by Message-ID unchanged). The answer, one per recipient as LMTP wants:
 * - 250 only once the email's rows are committed (a duplicate is a 250 too: it is stored already);
 * - 451 on a temporary failure (the database unreachable…): the mail server keeps the email and retries;
 * - 552 for an email over MESSAGE_MAX_BYTES (SIZE is announced, so a client that declares its size is
 *   refused at MAIL FROM), 554 for one that can never be taken (no sender, unreadable): both recorded
 *   as rejected, as intake records them, and the mail server bounces them.
 */
import { chmod, unlink } from 'node:fs/promises';
import net from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { LmtpListen } from '../lmtp-target.ts';
import { AppError, describeError, isAppError } from '../domain/errors.ts';
import type { App } from '../main.ts';
import { greetAtOnce } from './greet-at-once.ts';
import type { RoleStarter, RunningRole } from './role.ts';
import type { IntakeResult } from '../services/intake-result.ts';

/** How often acknowledgements still waiting are retried (as the intake role does). */
const OUTBOX_EVERY_MS = 30_000;
/** On stop, connections still open (the mail server caches them) are closed after this long. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface LmtpFrontEnd {
  /** "127.0.0.1:2424" or "unix:/run/ticketrelay/lmtp.sock". */
  readonly address: string;
  readonly port: number | null;
  readonly counts: { taken: number; rejected: number; deferred: number };
  /** Stops listening, lets the emails being stored finish (and get their answer), closes the socket. */
  close(): Promise<void>;
}

/** An SMTP-level refusal: smtp-server answers it with this code, once per recipient. */
function refusal(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/** The 250 line: for the mail server's log, and the outcome in brackets for `ingest -` handing over (handover.ts). */
function acceptedLine(result: IntakeResult): string {
  switch (result.outcome) {
    case 'created':
      return `OK: ticket #${result.ticketId} opened [created]`;
    case 'reply':
      return `OK: added to ticket #${result.ticketId} [reply]`;
    case 'duplicate':
      return 'OK: already taken before [duplicate]';
    case 'automated':
      return `OK: automatic mail recorded (${result.kind}) [automated]`;
    default:
      return 'OK';
  }
}

export async function startLmtpServer(app: App, options: { listen?: LmtpListen } = {}): Promise<LmtpFrontEnd> {
  const listenOn = options.listen ?? app.config.lmtp.listen;
  if (!listenOn) {
    throw new AppError(
      'config.invalid',
      'The lmtp role needs LMTP_LISTEN: unix:/run/ticketrelay/lmtp.sock, or host:port such as 127.0.0.1:2424.',
    );
  }
  const log = app.logger.child({ component: 'lmtp' });
  const maxBytes = app.config.intake.messageMaxBytes;
  const counts = { taken: 0, rejected: 0, deferred: 0 };
  const inFlight = new Set<Promise<unknown>>();

  const take = async (raw: Buffer | null, size: number, session: SMTPServerSession): Promise<string> => {
    const source = { kind: 'lmtp', name: `lmtp ${session.id}` };
    let result: IntakeResult;
    try {
      result =
        raw === null ? await app.intake.rejectOversized(size, maxBytes, source) : await app.intake.ingest(raw, source);
    } catch (error) {
      counts.deferred++;
      // Nothing was committed: the mail server keeps the email and delivers it again later. An error
      // that is not known to be temporary is deferred too: a bounce would lose the email for good.
      log.warn(
        { err: describeError(error), session: session.id, retryable: isAppError(error) && error.retryable },
        'email deferred (451): not stored',
      );
      throw refusal(451, `Temporary failure, the email was not stored: ${describeError(error)}; try again later`);
    }
    if (result.outcome === 'rejected') {
      counts.rejected++;
      if (raw === null) throw refusal(552, `Message too big: ${result.reason}`);
      throw refusal(554, `The email cannot be taken: ${result.reason}`);
    }
    counts.taken++;
    return acceptedLine(result);
  };

  const server = new SMTPServer({
    lmtp: true,
    name: 'ticketrelay',
    banner: 'ticketrelay LMTP',
    size: maxBytes,
    // A loopback or Unix socket for the local mail server: no login, no TLS to negotiate.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    // The client is the local mail server: its name is known, a reverse DNS lookup would only delay each delivery.
    disableReverseLookup: true,
    logger: false,
    closeTimeout: CLOSE_TIMEOUT_MS,
    onData(
      stream: SMTPServerDataStream,
      session: SMTPServerSession,
      callback: (error?: Error | null, message?: string) => void,
    ) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit nothing more is kept in memory: the email is refused, its size recorded.
        if (size <= maxBytes) chunks.push(chunk);
        else chunks.length = 0;
      });
      stream.once('error', (error: unknown) =>
        callback(refusal(451, `The email could not be read: ${describeError(error)}`)),
      );
      stream.once('end', () => {
        const oversized = stream.sizeExceeded || size > maxBytes;
        const job = take(oversized ? null : Buffer.concat(chunks, size), size, session);
        inFlight.add(job);
        job
          .then(
            (line) => callback(null, line),
            (error: Error) => callback(error),
          )
          .finally(() => inFlight.delete(job));
      });
    },
  });
  // No early-talker wait before the greeting: the clients are the local mail server and the pipe's hand-over.
  greetAtOnce(server);
  server.on('error', (error) => log.warn({ err: describeError(error) }, 'LMTP connection error'));

  const address =
    'path' in listenOn
      ? `unix:${listenOn.path}`
      : `${listenOn.host.includes(':') ? `[${listenOn.host}]` : listenOn.host}:${listenOn.port}`;
  try {
    await listen(server, listenOn);
  } catch (error) {
    throw new AppError(
      'lmtp.listen_failed',
      `The lmtp role cannot listen on ${address} (LMTP_LISTEN): ${describeError(error)}`,
      { cause: error },
    );
  }
  const bound = server.server.address();
  const port = bound && typeof bound === 'object' ? bound.port : null;
  log.info({ address: port && !('path' in listenOn) ? `${listenOn.host}:${port}` : address }, 'LMTP listening');
  return {
    address:
      port && !('path' in listenOn)
        ? `${listenOn.host.includes(':') ? `[${listenOn.host}]` : listenOn.host}:${port}`
        : address,
    port,
    counts,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      if ('path' in listenOn) await unlink(listenOn.path).catch(() => undefined);
    },
  };
}

/**
 * Listens on TCP, or on a Unix socket: a socket file left by a process that died (nothing answers
 * on it) is removed first; one another process still answers on is an error, not taken over.
 * The socket is made group-writable (0660) so that the mail server's user can be given access by group.
 */
async function listen(server: SMTPServer, on: LmtpListen): Promise<void> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.server.once('error', onError);
      const done = () => {
        server.server.off('error', onError);
        resolve();
      };
      if ('path' in on) server.listen(on.path, done);
      else server.listen(on.port, on.host, done);
    });
  if (!('path' in on)) return attempt();
  try {
    await attempt();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || (await answers(on.path))) throw error;
    await unlink(on.path);
    await attempt();
  }
  await chmod(on.path, 0o660);
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

export const startLmtpRole: RoleStarter = async (app): Promise<RunningRole> => {
  const front = await startLmtpServer(app);
  const log = app.logger.child({ component: 'lmtp' });
  const outboxTimer = setInterval(() => {
    app.outbox
      .deliverPending()
      .catch((error: unknown) => log.warn({ err: error }, 'outbox pass failed; the next one retries'));
  }, OUTBOX_EVERY_MS);
  outboxTimer.unref();
  return {
    name: 'lmtp',
    describe: () => [
      `lmtp: listening on ${front.address}; ${front.counts.taken} taken, ${front.counts.rejected} refused (5xx), ${front.counts.deferred} deferred (4xx)`,
    ],
    async stop() {
      clearInterval(outboxTimer);
      await front.close();
    },
  };
};
