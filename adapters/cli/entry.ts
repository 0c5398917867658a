/**
 * What bin/ticketrelay.mjs runs: the help answered from usage.ts alone (nothing else loads, so it
 * prints in the time node takes to start); `ingest` to ingest-entry.ts (the intake alone, handed to
 * the running lmtp role when there is one); every other command goes to cli.ts, loaded only then.
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
  // The mail server's pipe and every other ingest: the intake alone (bin/ticketrelay.mjs runs the same from dist/ingest.cjs).
  if (command === 'ingest') return (await import('./ingest-entry.ts')).main(argv);
  return (await import('./cli.ts')).main(argv);
}
