/**
 * `ingest -` when the service's lmtp role runs (LMTP_LISTEN set): the piped email handed to it, from a
 * bundle of its own (dist/handover.cjs) that holds this, handover.ts and the two variables it reads:
 * no configuration schema, database client, parser or queue is loaded for an email the service takes.
 * bin/ticketrelay.mjs runs it first for a pipe; null (not a pipe, no LMTP_LISTEN, nothing answering)
 * and the email is taken in this process (ingest-entry.ts), as without the service.
 */
import { pipeTarget } from '../../src/lmtp-target.ts';
import { EX_TEMPFAIL } from './cli-command.ts';
import { handOver } from './handover.ts';

/** `ingest -` or `ingest - --json`: what a mail server's pipe runs. */
export function isPipe(args: readonly string[]): boolean {
  return args[0] === '-' && args.slice(1).every((a) => a === '--json');
}

/** The exit code once the service answered, or null when this process must take the email itself. */
export async function handOverPipe(argv: readonly string[]): Promise<number | null> {
  const [command, ...args] = argv;
  if (command !== 'ingest' || !isPipe(args)) return null;
  const target = pipeTarget(process.env);
  if (!target) return null;
  try {
    return await handOver(target, { json: args.includes('--json') });
  } catch (error) {
    // Not expected (handOver answers every failure with a reply code): the mail server keeps the email and retries.
    process.stderr.write(
      `ticketrelay: the email could not be handed to the service: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return EX_TEMPFAIL;
  }
}

export { handOverPipe as main };
