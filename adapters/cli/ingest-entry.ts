/**
 * `ticketrelay ingest`, on its own: what bin/ticketrelay.mjs runs for that command, from a bundle of
 * its own (dist/ingest.cjs, bin/build.mjs), so that a mail server's pipe, one process per email,
 * reads and compiles the intake and nothing else. `ingest -` is first handed to the service's lmtp
 * role when one answers (pipe-entry.ts: bin/ticketrelay.mjs runs it from its own bundle before this
 * one, and says so with `handOverTried`); otherwise, and for every other `ingest`, the email is taken
 * here (ingest-command.ts), in the same command line as every other command (command-line.ts).
 */
import type { Say } from './cli-command.ts';
import { runCommandLine } from './command-line.ts';
import { handOverPipe } from './pipe-entry.ts';

export function main(argv: readonly string[], options: { handOverTried?: boolean } = {}): Promise<number> {
  return runCommandLine(argv, (command, rest, say) => {
    if (command !== 'ingest') throw new Error(`ingest-entry runs "ingest", not "${String(command)}"`);
    return ingest(rest, say, options);
  });
}

/** `ingest ARGS…` (cli.ts runs the same). */
export async function ingest(
  args: readonly string[],
  say: Say,
  options: { handOverTried?: boolean } = {},
): Promise<number> {
  if (!options.handOverTried) {
    const exit = await handOverPipe(['ingest', ...args]);
    if (exit !== null) return exit;
  }
  return (await import('./ingest-command.ts')).ingestCommand(args, say);
}
