/**
 * Subcommands that live in files of their own. Each builds only what it needs; cli.ts dispatches to
 * them and lists their usage lines in its help. Modules load on use, so `ticketrelay ingest` never
 * pays for discord.js.
 */
import type { CliCommand } from './cli-command.ts';

export { EX_TEMPFAIL, EX_USAGE, type CliCommand, type Say } from './cli-command.ts';

export const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  start: async () => (await import('./start-command.ts')).startCommand,
  status: async () => (await import('./start-command.ts')).statusCommand,
  triage: async () => (await import('./triage-command.ts')).triageCommand,
  jobs: async () => (await import('./jobs-command.ts')).jobsCommand,
  discord: async () => (await import('./discord-command.ts')).discordCommand,
  console: async () => (await import('./console-command.ts')).consoleCommand,
  command: async () => (await import('./console-command.ts')).commandCommand,
  agents: async () => (await import('./agents-command.ts')).agentsCommand,
  digest: async () => (await import('./digest-command.ts')).digestCommand,
  export: async () => (await import('./export-command.ts')).exportCommand,
  spam: async () => (await import('./spam-command.ts')).spamCommand,
  breaker: async () => (await import('./spam-command.ts')).breakerCommand,
  sla: async () => (await import('./sla-command.ts')).slaCommand,
  templates: async () => (await import('./templates-command.ts')).templatesCommand,
  assignment: async () => (await import('./assignment-command.ts')).assignmentCommand,
};
