/**
 * `ticketrelay assignment check [FILE]`: the assignment file (ASSIGNMENT_FILE when FILE is not given)
 * checked as the worker checks it at start — every problem with its line, then the agents it names
 * against the active agents in the database — and what it sets up, in words. Exit 1 on a problem.
 * `ticketrelay assignment drain`: one pass of the queue now (the worker does it every 30 s).
 */
import { STRATEGIES } from '../../src/domain/assignment.ts';
import { loadConfig } from '../../src/config.ts';
import { describeError } from '../../src/domain/errors.ts';
import { loadAssignmentFile } from '../files/assignment-file.ts';
import { loadCalendar } from '../files/sla-files.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { buildApp } from './build-app.ts';
import { EX_USAGE, type CliCommand } from './cli-command.ts';

const USAGE = 'Usage: npx ticketrelay assignment check [FILE]\n       npx ticketrelay assignment drain';

export const assignmentCommand: CliCommand = {
  usage: [
    'npx ticketrelay assignment check [FILE]  the assignment file (default ASSIGNMENT_FILE) checked: each problem with its line, unknown agents',
    'npx ticketrelay assignment drain  assign the queued tickets that someone can take now (the worker does it every 30 s)',
  ],
  async run(args, say) {
    const [sub, ...rest] = args;
    if (sub === 'check' && rest.length <= 1) return check(rest[0] ?? null, say);
    if (sub === 'drain' && rest.length === 0) return drain(say);
    say(`${sub ? `"${args.join(' ').slice(0, 60)}" is not an assignment command. ` : ''}${USAGE}`);
    return EX_USAGE;
  },
};

async function check(file: string | null, say: (line: string) => void): Promise<number> {
  const config = loadConfig();
  const path = file ?? config.assignment.file;
  if (!path) {
    say('No file to check: give one ("npx ticketrelay assignment check assignment.json") or set ASSIGNMENT_FILE.');
    return EX_USAGE;
  }
  let settings;
  try {
    settings = await loadAssignmentFile(path, await loadCalendar(config));
  } catch (error) {
    say(describeError(error));
    return 1;
  }
  const app = await buildApp(config, {
    logger: createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' }),
  });
  try {
    const active = new Set((await app.stores.assignment.prepare()).map((n) => n.toLowerCase()));
    const unknown = [...settings.agents.values()].filter((a) => !active.has(a.name.toLowerCase()));
    for (const a of unknown)
      say(
        `${path}: agents.${a.name}: "${a.name}" is not an active agent (add them with "npx ticketrelay agents add ${a.name} …")`,
      );
    const rule = (r: (typeof settings.rules)[number]) =>
      `${r.name}: ${r.priorities?.join('/') ?? 'any priority'} × ${r.categories?.join('/') ?? 'any category'} → ${r.strategies.join(', then ')} (roles ${r.roles.join(', ')})`;
    say(`${path}: ${unknown.length ? `${unknown.length} problem(s)` : 'valid'}.`);
    for (const r of settings.rules) say(`  rule ${rule(r)}`);
    say(`  otherwise ${rule(settings.fallback)}`);
    for (const a of settings.agents.values())
      say(
        `  agent ${a.name}: capacity ${a.capacity}, ${a.skills ? `skills ${a.skills.join(', ')}` : 'every category'}, ${a.hours ? (a.hours.always ? 'around the clock' : 'own hours') : "the shop's hours"}`,
      );
    say(`  (strategies: ${STRATEGIES.join(', ')})`);
    return unknown.length ? 1 : 0;
  } finally {
    await app.close();
  }
}

async function drain(say: (line: string) => void): Promise<number> {
  const config = loadConfig();
  const app = await buildApp(config, {
    logger: createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' }),
  });
  try {
    if (!app.assignment) {
      say('Automatic assignment is unavailable: fix ASSIGNMENT_FILE ("npx ticketrelay assignment check").');
      return 1;
    }
    await app.assignment.prepare();
    const assigned = await app.assignment.drain();
    const queue = await app.stores.assignment.queueSize();
    say(`${assigned} queued ticket(s) assigned; ${queue.count} still waiting.`);
    return 0;
  } finally {
    await app.close();
  }
}
