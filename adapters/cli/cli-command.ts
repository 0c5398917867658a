/** What a subcommand is (registered in commands.ts), the exit codes they share, and how they word a mistyped option. */
import { closestWord } from '../../src/domain/wording.ts';

export type Say = (line: string) => void;

export interface CliCommand {
  /** Lines for the help, each starting with "npx ticketrelay NAME". */
  readonly usage: readonly string[];
  run(args: readonly string[], say: Say): Promise<number>;
}

/** sysexits.h: a mail server retries a delivery that ends with 75. */
export const EX_TEMPFAIL = 75;
export const EX_USAGE = 64;

/**
 * node:util parseArgs' error for an option the command does not have, or a value it cannot take, as
 * one sentence with the option probably meant ("--fromat": did you mean --format?), found among the
 * options its usage text names. Null for any other error.
 */
export function optionProblem(error: unknown, usage: string): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return null;
  const message = error instanceof Error ? error.message.split('.')[0]! : String(error);
  const given = /'(--?[\w-]+)/.exec(message)?.[1];
  const known = [...new Set(usage.match(/--[a-z][\w-]*/g) ?? [])];
  const near = given ? closestWord(given, known, 2) : null;
  return `${message}${near ? `; did you mean ${near}?` : '.'}`;
}
