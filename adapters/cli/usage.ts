/**
 * Every command's usage lines, in a module that loads nothing: `ticketrelay --help` and
 * `ticketrelay NAME --help` answer from here without loading the commands (and their SDKs). Each
 * command module takes its own lines from COMMAND_USAGE, so there is one text to keep current.
 */
import { ROLE_NAMES } from '../../src/roles/role.ts';

/** Usage lines of the commands cli.ts runs itself: "npx ticketrelay NAME …  what it does". */
export const BUILTIN_USAGE: Readonly<Record<string, readonly string[]>> = {
  demo: ['npx ticketrelay demo [--no-console]  the sample emails through intake and triage, then the /ticket console'],
  ingest: [
    'npx ticketrelay ingest PATH… [--json] [--verbose]  take .eml files, folders, maildirs, mbox files, or - (stdin)',
  ],
  services: [
    'npx ticketrelay services up|down|status  the project-local MariaDB, Redis and Dovecot under .data/ (spamd too when named: up spamd)',
  ],
  db: [
    "npx ticketrelay db migrate  create or update ticketrelay's own tables",
    "npx ticketrelay db create-legacy  create the shop's legacy tables in a development database",
  ],
  outbox: [
    'npx ticketrelay outbox send  send acknowledgements and replies still waiting, now (without waiting for their retry times)',
    'npx ticketrelay outbox retry  put the emails given up in the last 7 days (a refused login, a server that said no) back, and send them',
    'npx ticketrelay outbox status  what waits to be sent, since when and why (exit 1 when something waits or failed)',
  ],
};

const ABOUT = 'ticketrelay — the support desk in your mailbox and your chat';
const ENVIRONMENT = `Configuration comes from the environment (see .env.example). With no DATABASE_URL and REDIS_URL the
project-local services are used and started when needed.`;

/** Usage lines of the commands in commands.ts, in the order the help lists them. */
export const COMMAND_USAGE = {
  start: [`npx ticketrelay start [--roles ${ROLE_NAMES.join(',')}]  run the service: every role, or those named`],
  status: ['npx ticketrelay status  what each running ticketrelay process is doing (mailboxes, queues)'],
  triage: [
    "npx ticketrelay triage train  train the triage model on data/triage/ and agents' corrections",
    'npx ticketrelay triage explain N  the stored triage decision of ticket N and its reasons',
    'npx ticketrelay triage classify FILE.eml… [--json]  what triage would decide for these emails (nothing stored)',
  ],
  jobs: [
    'npx ticketrelay jobs failed [--json]  triage jobs that failed for good: ticket, attempts, error',
    'npx ticketrelay jobs retry ID…|--all  put failed triage jobs back in the queue',
  ],
  discord: ['npx ticketrelay discord register  register /ticket with Discord (in DISCORD_GUILD_ID, or globally)'],
  console: [
    'npx ticketrelay console [--as USER [--key KEY]]  type /ticket commands in a terminal (exit or Ctrl-D to leave)',
  ],
  command: [
    'npx ticketrelay command "/ticket list open" [--as USER [--key KEY]] [--json]  run one command and print its answer (exit 1 when refused)',
  ],
  agents: [
    'npx ticketrelay agents add NAME --role agent|manager --staff-id N [--slack U…|--slack-email a@b] [--discord ID|--discord-role ID] [--console USER]  register or update an agent',
    'npx ticketrelay agents list | agents remove NAME  who may work tickets from chat',
  ],
  digest: [
    'npx ticketrelay digest --now [--channel slack:C123] [--day YYYY-MM-DD] [--print]  post the daily digest now (--print: show it, post nothing)',
  ],
  export: [
    'npx ticketrelay export --format csv|xlsx --from DAY --to DAY [--out FILE]  tickets with their triage and times',
  ],
} as const satisfies Record<string, readonly string[]>;

export function isKnownCommand(name: string): boolean {
  return Object.hasOwn(BUILTIN_USAGE, name) || Object.hasOwn(COMMAND_USAGE, name);
}

/** --help or -h among a command's options (not after "--", where it would be an argument). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export function usageOf(name: string): readonly string[] {
  if (Object.hasOwn(BUILTIN_USAGE, name)) return BUILTIN_USAGE[name] ?? [];
  return Object.hasOwn(COMMAND_USAGE, name) ? COMMAND_USAGE[name as keyof typeof COMMAND_USAGE] : [];
}

export function helpText(): string {
  const lines = [...Object.values(BUILTIN_USAGE).flat(), ...Object.values(COMMAND_USAGE).flat()];
  return `${ABOUT}\n\nUsage:\n${formatUsage(lines)}\n\n${ENVIRONMENT}`;
}

/** Past this width a synopsis gets a line of its own and its description goes below, in the column. */
const SYNOPSIS_MAX = 44;

/**
 * Usage lines ("synopsis  description", two spaces between) as two columns: every description starts
 * in the same column, at least two spaces after its synopsis.
 */
export function formatUsage(lines: readonly string[]): string {
  const rows = lines.map((line) => {
    const gap = line.indexOf('  ');
    return gap === -1
      ? { synopsis: line.trim(), description: '' }
      : { synopsis: line.slice(0, gap).trim(), description: line.slice(gap).trim() };
  });
  const column =
    Math.min(
      SYNOPSIS_MAX,
      Math.max(0, ...rows.filter((r) => r.synopsis.length <= SYNOPSIS_MAX).map((r) => r.synopsis.length)),
    ) + 2;
  return rows
    .map(({ synopsis, description }) => {
      if (!description) return `  ${synopsis}`;
      if (synopsis.length + 2 > column) return `  ${synopsis}\n  ${' '.repeat(column)}${description}`;
      return `  ${synopsis.padEnd(column)}${description}`;
    })
    .join('\n');
}
