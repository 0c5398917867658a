/**
 * What every `ticketrelay` command runs in: help for a known command, one clear sentence and a
 * non-zero exit for every error a person can cause (never a stack trace), and quiet ends when the
 * output's reader goes away. cli.ts runs every command in it; ingest-entry.ts, the mail server's pipe
 * in a bundle of its own, runs `ingest` alone in it.
 */
import type { Config } from '../../src/config.ts';
import { describeError, isAppError } from '../../src/domain/errors.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_TEMPFAIL, EX_USAGE, optionProblem, type Say } from './cli-command.ts';
import { asksForHelp, formatUsage, isKnownCommand, usageOf } from './usage.ts';

/** sysexits.h: an input file did not exist; the output could not be written; the configuration is wrong. */
export const EX_NOINPUT = 66;
export const EX_CONFIG = 78;
const EX_IOERR = 74;

/** The command's exit code from `run`, or from the error it threw (said on standard error). */
export async function runCommandLine(
  argv: readonly string[],
  run: (command: string | undefined, rest: readonly string[], say: Say) => Promise<number>,
): Promise<number> {
  exitQuietlyWhenOutputCloses();
  const [command, ...rest] = argv;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    if (command !== undefined && isKnownCommand(command) && asksForHelp(rest)) {
      process.stdout.write(`Usage:\n${formatUsage(usageOf(command))}\n`);
      return 0;
    }
    return await run(command, rest, say);
  } catch (error) {
    // Output cut short by its reader (a pipeline into head) is no failure.
    if (isClosedOutput(error)) return 0;
    const usageError = await misuse(error, command);
    if (usageError) {
      say(`ticketrelay: ${usageError}`);
      return EX_USAGE;
    }
    say(`ticketrelay: ${describeError(error)}`);
    // EX_CONFIG: a mail server piping a message in keeps it and retries, rather than bouncing it.
    if (isAppError(error) && error.code === 'config.invalid') return EX_CONFIG;
    return isAppError(error) && error.retryable ? EX_TEMPFAIL : 1;
  }
}

/**
 * An option the command does not have, or a value it cannot take (node:util parseArgs' errors): the
 * sentence, with the option probably meant ("--role": did you mean --roles?) from the command's usage.
 */
async function misuse(error: unknown, command: string | undefined): Promise<string | null> {
  const known = command !== undefined && isKnownCommand(command);
  const problem = optionProblem(error, known ? usageOf(command).join(' ') : '');
  if (problem === null) return null;
  return `${problem} (${known ? `"npx ticketrelay ${command} --help" lists its options` : '"npx ticketrelay help" lists the commands'})`;
}

let outputWatched = false;

/**
 * Output piped into a reader that stops early (`… | head -1`) fails with EPIPE on the next write: the
 * command ends there, quietly and with 0, as Unix tools do, instead of crashing on an unhandled
 * 'error' event. Work in flight stops with it (an email half stored is rolled back and taken again
 * on the next run).
 */
function exitQuietlyWhenOutputCloses(): void {
  if (outputWatched) return;
  outputWatched = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: unknown) => {
      if (isClosedOutput(error)) process.exit(0);
      if (stream === process.stdout)
        process.stderr.write(`ticketrelay: the output could not be written: ${describeError(error)}\n`);
      process.exit(EX_IOERR);
    });
  }
}

function isClosedOutput(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EPIPE';
}

/** For commands a person watches: their own output says what happened; the log adds only warnings. */
export function personLogger(config: Config) {
  return createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' });
}
