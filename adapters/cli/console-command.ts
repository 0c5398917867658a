/**
 * `ticketrelay console [--as USER]`: the /ticket commands in a terminal.
 * `ticketrelay command "/ticket list open" [--as USER] [--json]`: one command, its answer on stdout,
 * exit 0 when it was done and 1 when it was refused (a mistake or no permission): for scripts.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildApp } from './build-app.ts';
import { consoleCaller, renderReply, runConsole, saveFile, type ConsoleAgents } from '../console/console-repl.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_USAGE, type CliCommand } from './cli-command.ts';
import { COMMAND_USAGE } from './usage.ts';

function quietLogger(config: Config) {
  return createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' });
}

export const consoleCommand: CliCommand = {
  usage: COMMAND_USAGE.console,
  async run(args, say) {
    const { values } = parseArgs({ args: [...args], options: { as: { type: 'string' }, key: { type: 'string' } } });
    const config = loadConfig();
    const app = await buildApp(config, { logger: quietLogger(config) });
    try {
      const { caller, agent, registered, refused } = await consoleCaller(callerOptions(values, config, app.agents));
      if (refused) {
        say(refused);
        return 1;
      }
      if (caller.claimedBy && agent)
        say(
          `You act as ${agent.name} (${agent.role}); what you do is recorded as claimed by OS user ${caller.claimedBy}.`,
        );
      else if (registered && agent)
        say(`${agent.name} is a manager in this development database (staff id ${agent.staffId}).`);
      else if (agent) say(`You are ${agent.name} (${agent.role}).`);
      else
        say(
          `"${caller.userId}" is not a registered agent here: only help and stats will answer. Register with "npx ticketrelay agents add NAME --role agent --staff-id N --console ${caller.userId}".`,
        );
      say('Type "help" for the commands, "exit" or Ctrl-D to leave.');
      await runConsole({ commands: app.commands, caller, filesDir: path.join(config.dataDir, 'exports') });
      return 0;
    } finally {
      await app.close();
    }
  },
};

export const commandCommand: CliCommand = {
  usage: COMMAND_USAGE.command,
  async run(args, say) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { as: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const line = positionals.join(' ').trim();
    if (!line) {
      say('Usage: npx ticketrelay command "/ticket list open" [--as USER] [--json]');
      return EX_USAGE;
    }
    const config = loadConfig();
    // One command and exit: SDKs load only if it needs them (a reply loads nodemailer, a view nothing more).
    const app = await buildApp(config, { logger: quietLogger(config), lazy: true, shortLived: true });
    try {
      const { caller, agent, registered, refused } = await consoleCaller(callerOptions(values, config, app.agents));
      if (refused) {
        say(refused);
        return 1;
      }
      if (registered && agent)
        say(`${agent.name} is now a manager in this development database (staff id ${agent.staffId}).`);
      const reply = await app.commands.run(caller, line);
      const { file, ...rest } = reply;
      process.stdout.write(
        `${values.json ? JSON.stringify({ ...rest, ...(file ? { file: file.filename } : {}) }) : renderReply(reply, Boolean(process.stdout.isTTY))}\n`,
      );
      if (file) say(`Saved to ${await saveFile(file, path.join(config.dataDir, 'exports'))}`);
      return reply.ok ? 0 : 1;
    } finally {
      await app.close();
    }
  },
};

/** --as and --key (or CONSOLE_KEY) against CONSOLE_MANAGER_KEY. */
function callerOptions(
  values: { as?: string | undefined; key?: string | undefined },
  config: Config,
  agents: ConsoleAgents,
) {
  return {
    as: values.as ?? null,
    key: values.key ?? config.console.key,
    managerKey: config.console.managerKey,
    localDatabase: config.database.local,
    agents,
  };
}
