/** What a subcommand is (registered in commands.ts), and the exit codes they share. */
export type Say = (line: string) => void;

export interface CliCommand {
  /** Lines for the help, each starting with "npx ticketrelay NAME". */
  readonly usage: readonly string[];
  run(args: readonly string[], say: Say): Promise<number>;
}

/** sysexits.h: a mail server retries a delivery that ends with 75. */
export const EX_TEMPFAIL = 75;
export const EX_USAGE = 64;
