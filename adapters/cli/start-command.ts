/**
 * `ticketrelay start [--roles …]`: runs the roles in one process until SIGTERM or SIGINT, then stops
 * each (work in flight finishes), closes the queues and the database, and exits 0.
 * `ticketrelay status`: what every running process is doing, from the status board in Redis.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { buildApp } from './build-app.ts';
import { ROLE_NAMES, type RoleName, type RunningRole } from '../../src/roles/role.ts';
import { isRoleName, roleStarter } from '../../src/roles/index.ts';
import { downBotsRole } from '../../src/roles/bots.ts';
import { StatusBoard } from '../queue/status-board.ts';
import { EX_USAGE, type CliCommand } from './cli-command.ts';
import { COMMAND_USAGE } from './usage.ts';

const STATUS_EVERY_MS = 5_000;

/** After a clean stop, how long the process may linger before it exits anyway. */
const EXIT_GRACE_MS = 1_000;

export const startCommand: CliCommand = {
  usage: COMMAND_USAGE.start,
  async run(args, say) {
    const { values } = parseArgs({ args: [...args], options: { roles: { type: 'string' } } });
    const requested =
      values.roles === undefined
        ? [...ROLE_NAMES]
        : values.roles
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean);
    if (requested.length === 0) {
      // An empty --roles (an unset variable in a unit file) must not quietly mean "everything".
      say(`--roles names no role. Name some (${ROLE_NAMES.join(', ')}), or leave --roles out to run them all.`);
      return EX_USAGE;
    }
    const unknown = requested.filter((r) => !isRoleName(r));
    if (unknown.length > 0 || requested.length === 0) {
      say(
        `Unknown role${unknown.length === 1 ? '' : 's'} "${unknown.join('", "')}". The roles are: ${ROLE_NAMES.join(', ')}.`,
      );
      return EX_USAGE;
    }
    let roles = [...new Set(requested)] as RoleName[];
    // Listening from here, so that a SIGTERM while the roles start (a restart at the wrong moment)
    // still ends cleanly: the roles finish starting, then stop at once.
    let received: NodeJS.Signals | null = null;
    let wake: (() => void) | null = null;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        say(`${signal} again: exiting without waiting.`);
        process.exit(1);
      }
      received = signal;
      say(`${signal}: finishing work in flight…`);
      wake?.();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    let app;
    try {
      app = await buildApp(loadConfig());
    } catch (error) {
      // Nothing runs yet: a signal must not be swallowed by our handler while the error is said.
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      throw error;
    }
    const config = app.config;
    // Every role by default, but lmtp only where LMTP_LISTEN says where (named in --roles, it must be set).
    if (values.roles === undefined && config.lmtp.listen === null) roles = roles.filter((r) => r !== 'lmtp');
    const log = app.logger.child({ component: 'start' });
    const running: RunningRole[] = [];
    const board = new StatusBoard({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix });
    const startedAt = new Date().toISOString();
    const stop = async () => {
      for (const role of [...running].reverse()) {
        await role
          .stop()
          .catch((error: unknown) => log.error({ err: error, role: role.name }, 'role did not stop cleanly'));
      }
      await board.remove();
      board.close();
      await app.close();
    };
    try {
      for (const name of roles) {
        const starter = await roleStarter(name);
        if (!starter) {
          if (values.roles) throw new Error(`the role "${name}" is not available in this build`);
          log.warn({ role: name }, 'role not available in this build: skipped');
          continue;
        }
        try {
          running.push(await starter(app));
        } catch (error) {
          // A chat platform refused its token (said in one log line by the role): with other roles to
          // run, that role is down and they go on; alone, there is nothing to run.
          if (!(name === 'bots' && roles.length > 1 && isAppError(error) && error.code === 'chat.token_refused'))
            throw error;
          running.push(downBotsRole('down: token refused'));
          continue;
        }
        log.info({ role: name }, 'role started');
      }
    } catch (error) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await stop();
      throw error;
    }
    const publish = () =>
      board.publish({ roles: running.map((r) => r.name), startedAt, lines: running.flatMap((r) => r.describe()) });
    await publish();
    const timer = setInterval(() => void publish(), STATUS_EVERY_MS);
    if (!received) {
      say(
        `ticketrelay running: ${running.map((r) => r.name).join(', ') || 'no role'} (pid ${process.pid}). Stop with Ctrl-C or SIGTERM.`,
      );
      await new Promise<void>((resolve) => (wake = resolve));
    }
    clearInterval(timer);
    try {
      await stop();
      say('ticketrelay stopped: work in flight finished, connections closed.');
      // Everything of ours is closed. A library still retrying a Redis that went away (BullMQ's lock
      // timer, ioredis's reconnect) must not keep the process alive after SIGTERM.
      setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
      return 0;
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      return 1;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};

export const statusCommand: CliCommand = {
  usage: COMMAND_USAGE.status,
  async run() {
    const config = loadConfig();
    const board = new StatusBoard({ redisUrl: config.redis.url, prefix: config.redis.queuePrefix });
    try {
      const entries = await board.list();
      if (entries === null) {
        process.stdout.write('Redis cannot be reached: no process status available.\n');
        return 3;
      }
      if (entries.length === 0) {
        process.stdout.write('No ticketrelay process is running (start one with "npx ticketrelay start").\n');
        return 3;
      }
      for (const e of entries) {
        process.stdout.write(`${e.id}  roles: ${e.roles.join(', ') || 'none'}  since ${e.startedAt}\n`);
        for (const line of e.lines) process.stdout.write(`  ${line}\n`);
      }
      return 0;
    } finally {
      board.close();
    }
  },
};
