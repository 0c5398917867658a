/**
 * Subcommands that live in files of their own. Each builds only what it needs; cli.ts dispatches to
 * them and lists their usage lines in its help. Modules load on use, so `ticketrelay ingest` never
 * pays for discord.js.
 */
export type Say = (line: string) => void;

export interface CliCommand {
  /** Lines for the help, each starting with "npx ticketrelay NAME". */
  readonly usage: readonly string[];
  run(args: readonly string[], say: Say): Promise<number>;
}

export const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  start: async () => (await import('./start-command.ts')).startCommand,
  status: async () => (await import('./start-command.ts')).statusCommand,
  triage: async () => (await import('./triage-command.ts')).triageCommand,
  jobs: async () => (await import('./jobs-command.ts')).jobsCommand,
  discord: async () => (await import('./discord-command.ts')).discordCommand,
};

/** sysexits.h: a mail server retries a delivery that ends with 75. */
export const EX_TEMPFAIL = 75;
export const EX_USAGE = 64;
