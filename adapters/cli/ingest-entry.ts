/**
 * `ticketrelay ingest`, on its own: what bin/ticketrelay.mjs runs for that command, from a bundle of
 * its own (dist/ingest.cjs, bin/build.mjs), so that a mail server's pipe, one process per email,
 * reads and compiles the intake and nothing else. `ingest -` is first handed to the service's lmtp
 * role when one answers (handover.ts); otherwise, and for every other `ingest`, the email is taken
 * here (ingest-command.ts), in the same command line as every other command (command-line.ts).
 */
import { loadConfig } from '../../src/config.ts';
import type { Say } from './cli-command.ts';
import { runCommandLine } from './command-line.ts';

export function main(argv: readonly string[]): Promise<number> {
  return runCommandLine(argv, (command, rest, say) => {
    if (command !== 'ingest') throw new Error(`ingest-entry runs "ingest", not "${String(command)}"`);
    return ingest(rest, say);
  });
}

/** `ingest ARGS…` (cli.ts runs the same). */
export async function ingest(args: readonly string[], say: Say): Promise<number> {
  // The mail server's pipe, with the service's lmtp role running: handed over.
  if (args[0] === '-' && args.slice(1).every((a) => a === '--json')) {
    const config = loadConfig();
    const exit = await (await import('./handover.ts')).handOver(config, { json: args.includes('--json') });
    if (exit !== null) return exit;
    return (await import('./ingest-command.ts')).ingestCommand(args, say, config);
  }
  return (await import('./ingest-command.ts')).ingestCommand(args, say);
}
