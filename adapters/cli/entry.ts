/**
 * What bin/ticketrelay.mjs runs: the help answered from usage.ts alone (nothing else loads, so it
 * prints in the time node takes to start); `ingest -` handed to the running lmtp role when there is
 * one (handover.ts); every other command goes to cli.ts, loaded only then.
 */
import { asksForHelp, formatUsage, helpText, isKnownCommand, usageOf } from './usage.ts';

export async function main(argv: readonly string[]): Promise<number> {
  // `ticketrelay --help | head -1`: the reader leaving early is no failure (cli.ts says the same for the rest).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  const [command, ...rest] = argv;
  const topic = command === 'help' ? rest[0] : command;
  const plainHelp = command === 'help' || command === '--help' || command === '-h';
  if (plainHelp && (topic === undefined || topic === command || !isKnownCommand(topic))) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  if (topic !== undefined && isKnownCommand(topic) && (command === 'help' || asksForHelp(rest))) {
    process.stdout.write(`Usage:\n${formatUsage(usageOf(topic))}\n`);
    return 0;
  }
  // The mail server's pipe, with the service's lmtp role running: handed over, nothing else loaded.
  if (command === 'ingest' && rest[0] === '-' && rest.slice(1).every((a) => a === '--json')) {
    const exit = await (await import('./handover.ts')).handOver({ json: rest.includes('--json') });
    if (exit !== null) return exit;
  }
  return (await import('./cli.ts')).main(argv);
}
