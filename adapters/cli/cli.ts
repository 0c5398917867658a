/**
 * The `ticketrelay` command. Each subcommand builds only what it needs; every error a person can
 * cause ends with one clear sentence and a non-zero exit, never a stack trace.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_SERVICES,
  servicesDown,
  servicesStatus,
  servicesUp,
  type LocalServiceName,
} from '../local-services/index.ts';
import { createLegacyTables, openDatabase, runMigrations } from '../mysql/database.ts';
import { loadConfig, PROJECT_ROOT, redactUrl, type Config } from '../../src/config.ts';
import { terminalText } from '../../src/domain/encode.ts';
import type { App } from '../../src/main.ts';
import { buildApp } from './build-app.ts';
import { ensureLocalServices } from '../local-services/index.ts';
import { describeOutbox, OUTBOX_FAILED_DAYS } from '../../src/services/deliver-outbox.ts';
import { COMMANDS, EX_TEMPFAIL, EX_USAGE } from './commands.ts';
import { formatUsage, helpText, isKnownCommand, usageOf } from './usage.ts';
import { personLogger, runCommandLine } from './command-line.ts';

import { formatSummary, runIngest } from './ingest-command.ts';
import { ingest } from './ingest-entry.ts';

export function main(argv: readonly string[]): Promise<number> {
  return runCommandLine(argv, (command, rest, say) => {
    switch (command) {
      case 'services':
        return servicesCommand(rest, say);
      case 'db':
        return dbCommand(rest, say);
      case 'ingest':
        return ingest(rest, say);
      case 'demo':
        return demoCommand(rest, say);
      case 'outbox':
        return outboxCommand(rest, say);
      case undefined:
      case 'help':
      case '--help':
      case '-h': {
        // "help ingest": that command's usage, as "ingest --help" gives it.
        const topic = command === 'help' ? rest[0] : undefined;
        if (topic !== undefined && isKnownCommand(topic)) {
          process.stdout.write(`Usage:\n${formatUsage(usageOf(topic))}\n`);
          return Promise.resolve(0);
        }
        process.stdout.write(`${helpText()}\n`);
        return Promise.resolve(command === undefined ? EX_USAGE : 0);
      }
      default: {
        const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
        if (load) return load().then((c) => c.run(rest, say));
        say(`Unknown command "${command}". Run "npx ticketrelay help" for the list of commands.`);
        return Promise.resolve(EX_USAGE);
      }
    }
  });
}

async function servicesCommand(args: readonly string[], say: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { quiet: { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  const named = positionals.slice(1);
  const unknown = named.filter((n) => !(['mariadb', 'redis', 'dovecot', 'spamd'] as readonly string[]).includes(n));
  if (unknown.length > 0) {
    say(
      `Unknown service ${unknown.join(', ')}: the local services are mariadb, redis, dovecot and spamd (SpamAssassin, started only when named).`,
    );
    return EX_USAGE;
  }
  const services: LocalServiceName[] = named.length > 0 ? (named as LocalServiceName[]) : [...DEFAULT_SERVICES];
  const log = values.quiet ? () => undefined : say;
  switch (positionals[0]) {
    case 'up': {
      const endpoints = await servicesUp({ dataDir: config.dataDir, services, log });
      if (!values.quiet) {
        say(`DATABASE_URL=${redactUrl(endpoints.databaseUrl)}  (the default when unset)`);
        say(`REDIS_URL=${endpoints.redisUrl}  (the default when unset)`);
        if (services.includes('dovecot'))
          say(`IMAP: ${endpoints.imap.host}:${endpoints.imap.port} (Dovecot, for tests)`);
        if (services.includes('spamd')) say(`SPAM_FILTER=${endpoints.spamFilterUrl}  (SpamAssassin's spamd)`);
      }
      return 0;
    }
    case 'down':
      await servicesDown({ dataDir: config.dataDir, services, log });
      return 0;
    case 'status': {
      const status = await servicesStatus({ dataDir: config.dataDir, services, log });
      for (const s of status)
        process.stdout.write(`${s.name.padEnd(8)} ${s.running ? 'running' : 'stopped'}  ${s.endpoint}  ${s.detail}\n`);
      return status.every((s) => s.running) ? 0 : 3;
    }
    default:
      say('Usage: npx ticketrelay services up|down|status [mariadb redis dovecot spamd]');
      return EX_USAGE;
  }
}

async function dbCommand(args: readonly string[], say: (line: string) => void): Promise<number> {
  const config = loadConfig();
  const sub = args[0];
  if (sub !== 'migrate' && sub !== 'create-legacy') {
    say('Usage: npx ticketrelay db migrate | db create-legacy');
    return EX_USAGE;
  }
  await ensureLocalServices(config, say);
  const database = openDatabase({ url: config.database.url, poolSize: 2 });
  try {
    if (sub === 'migrate') {
      await runMigrations(database);
      say(`ticketrelay's tables are up to date in "${database.name}" (${redactUrl(config.database.url)}).`);
    } else {
      await createLegacyTables(database);
      say(`Created ___xtr_customer and ___xtr_msg in "${database.name}".`);
    }
    return 0;
  } finally {
    await database.close();
  }
}

async function outboxCommand(args: readonly string[], say: (line: string) => void): Promise<number> {
  if (args[0] !== 'send' && args[0] !== 'status' && args[0] !== 'retry') {
    say('Usage: npx ticketrelay outbox send | outbox retry | outbox status');
    return EX_USAGE;
  }
  const app = await buildApp(loadConfig());
  try {
    if (args[0] === 'retry') {
      const again = await app.outbox.retryFailed();
      say(
        `${again} email${again === 1 ? '' : 's'} given up in the last ${OUTBOX_FAILED_DAYS} days put back in the outbox.`,
      );
    }
    if (args[0] === 'send' || args[0] === 'retry') {
      // Everything waiting, now: the operator has just fixed what kept it (their retry times are not waited for).
      const sent = await app.outbox.deliverPending({ now: true });
      say(`${sent} email${sent === 1 ? '' : 's'} sent.`);
    }
    const state = await app.outbox.state();
    say(describeOutbox(state, new Date()) || 'The outbox is empty: every acknowledgement and reply has gone out.');
    // Acknowledgements held by the breaker wait for a reset, not for the mail server.
    const breaker = await app.spam.breakerState();
    if (breaker.tripped)
      say(
        `Automatic mail is stopped since ${breaker.trippedAt!.toISOString()} (${breaker.reason ?? 'the hourly cap was hit'}): acknowledgements wait until "npx ticketrelay breaker reset"; replies still go.`,
      );
    // Scripts and monitoring: 0 when nothing waits, 1 when something does or failed.
    return state.pending > 0 || state.failed > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

async function demoCommand(args: readonly string[], say: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { 'no-console': { type: 'boolean', default: false } } });
  const config: Config = loadConfig();
  say('ticketrelay demo: local MariaDB and Redis under .data/; the sample emails of examples/ go through intake, the');
  say(
    'triage worker classifies them, and the console opens for the /ticket commands agents use in Slack and Discord.\n',
  );
  const app = await buildApp(config, { logger: personLogger(config) });
  let worker: { stop(): Promise<void> } | null = null;
  try {
    const examples = path.join(PROJECT_ROOT, 'examples');
    process.stdout.write('1. Intake — each sample email and what became of it:\n');
    const created: number[] = [];
    const summary = await runIngest(app.intake, {
      paths: [examples],
      concurrency: 1,
      maxBytes: config.intake.messageMaxBytes,
      verbose: false,
      progress: null,
      onResult: (source, line, result) => {
        if (result?.outcome === 'created') created.push(result.ticketId);
        process.stdout.write(`   ${path.basename(source).padEnd(42)} ${terminalText(line)}\n`);
      },
    });
    await app.outbox.deliverPending();
    process.stdout.write(`\n   ${formatSummary(summary)}\n`);
    if (summary.created > 0) {
      process.stdout.write(
        `   Acknowledgements were written to ${path.relative(process.cwd(), config.smtp.outboxDir) || config.smtp.outboxDir}/ (no SMTP_URL set).\n`,
      );
    } else {
      process.stdout.write(
        '   Every sample was taken before: nothing new (drop your own .eml files in with "npx ticketrelay ingest FILE…").\n',
      );
    }

    process.stdout.write('\n2. Triage — the worker classifies every ticket (category, priority, and why):\n');
    const { startWorkerRole } = await import('../../src/roles/worker.ts');
    worker = await startWorkerRole(app);
    // Tickets left untriaged by an earlier run (Redis was down) are swept up too.
    const waiting = await app.stores.triage.untriagedTicketIds(new Date(Date.now() + 60_000), 1_000_000);
    const pending = [...new Set([...created, ...waiting])];
    const triaged = await waitForTriage(app, pending, 20_000);
    for (const t of triaged) {
      process.stdout.write(
        `   #${String(t.ticketId).padEnd(5)} ${t.priority.padEnd(7)} ${t.category.padEnd(11)} ${terminalText(t.subject, { lines: false }).slice(0, 60)}\n`,
      );
    }
    if (triaged.length < pending.length) {
      process.stdout.write(
        `   ${pending.length - triaged.length} ticket(s) not triaged yet (is Redis up? "npx ticketrelay services status").\n`,
      );
    }
    if (pending.length === 0) process.stdout.write('   (every ticket was triaged before: nothing new)\n');

    process.stdout.write('\n3. The console — the same /ticket commands as in Slack and Discord:\n');
    const { consoleCaller, renderReply, runConsole } = await import('../console/console-repl.ts');
    const { caller } = await consoleCaller({ as: null, localDatabase: config.database.local, agents: app.agents });
    const colour = Boolean(process.stdout.isTTY);
    const list = await app.commands.run(caller, '/ticket list open');
    process.stdout.write(`${renderReply(list, colour)}\n\n`);
    if (!values['no-console'] && process.stdin.isTTY && process.stdout.isTTY) {
      say(
        'Try "/ticket view N", "/ticket reply N Thanks, it ships today", "/ticket close N", "/ticket stats today", "help". "exit" or Ctrl-D leaves.',
      );
      await runConsole({ commands: app.commands, caller, filesDir: path.join(config.dataDir, 'exports') });
    } else {
      say(
        'Open it yourself with "npx ticketrelay console", or run one command: npx ticketrelay command "/ticket stats today"',
      );
    }
    return summary.failed > 0 ? EX_TEMPFAIL : 0;
  } finally {
    await worker?.stop();
    await app.close();
  }
}

/** The triage decisions of these tickets, once the worker has made them (or what there is at the deadline). */
async function waitForTriage(app: App, ticketIds: readonly number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = ticketIds.length === 0 ? [] : await triageResults(app, ticketIds);
    if (rows.length >= ticketIds.length || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function triageResults(app: App, ticketIds: readonly number[]) {
  const stored = await Promise.all(
    [...ticketIds].sort((a, b) => a - b).map((id) => app.stores.triage.storedDecision(id)),
  );
  return stored
    .filter((t) => t !== null && t.triaged)
    .map((t) => ({ ticketId: t!.ticketId, priority: t!.priority, category: t!.category, subject: t!.subject }));
}
