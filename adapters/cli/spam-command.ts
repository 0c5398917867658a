/**
 * `ticketrelay spam list [--page N] [--json]`: the emails held as spam. `ticketrelay spam release ID`:
 * take one as if it had just arrived (it becomes a ticket). `ticketrelay breaker status|reset`: the
 * breaker that stops all automatic mail once the hourly cap is hit, and letting mail go again.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../src/config.ts';
import { createApp } from '../../src/main.ts';
import { formatHeldSpam } from '../../src/services/review-spam.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_USAGE, optionProblem, type CliCommand } from './cli-command.ts';

const SPAM_USAGE = 'Usage: npx ticketrelay spam list [--page N] [--json] | spam release ID';
const BREAKER_USAGE = 'Usage: npx ticketrelay breaker status|reset';

function quietLogger(config: Config) {
  return createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' });
}

/** Who released or reset, for the record: the operating-system user at the terminal. */
function operator(): string {
  return `cli:${os.userInfo().username}`;
}

export const spamCommand: CliCommand = {
  usage: [
    'npx ticketrelay spam list [--page N] [--json]  the emails held as spam (no ticket, no acknowledgement)',
    'npx ticketrelay spam release ID       take a held email as if it had just arrived: it becomes a ticket',
  ],
  async run(args, say) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: { page: { type: 'string' }, json: { type: 'boolean', default: false } },
      });
    } catch (error) {
      say(optionProblem(error, SPAM_USAGE) ?? SPAM_USAGE);
      return EX_USAGE;
    }
    const { positionals, values } = parsed;
    const [sub, id, ...extra] = positionals;
    const page = values.page === undefined ? 1 : Number(values.page);
    if (!Number.isInteger(page) || page < 1) {
      say('--page takes a page number, e.g. --page 2');
      return EX_USAGE;
    }
    if ((sub !== 'list' && sub !== 'release') || (sub === 'list' && id !== undefined) || extra.length > 0) {
      say(SPAM_USAGE);
      return EX_USAGE;
    }
    const spamId = sub === 'release' ? Number(/^#?(\d{1,12})$/.exec(id ?? '')?.[1] ?? NaN) : 0;
    if (sub === 'release' && !Number.isInteger(spamId)) {
      say(
        `Give the number of one held email, as "npx ticketrelay spam list" shows it, e.g. "npx ticketrelay spam release 12".`,
      );
      return EX_USAGE;
    }
    const config = loadConfig();
    const app = await createApp(config, { logger: quietLogger(config) });
    try {
      if (sub === 'list') {
        const { items, total, pageSize } = await app.spam.list(page);
        if (values.json) {
          process.stdout.write(`${JSON.stringify({ total, page, items })}\n`);
          return 0;
        }
        process.stdout.write(
          `${formatHeldSpam(items, total, page, pageSize)
            .replaceAll('"/ticket spam release ID"', '"npx ticketrelay spam release ID"')
            .replace(/"\/ticket spam page (\d+)"/, '"npx ticketrelay spam list --page $1"')}\n`,
        );
        return 0;
      }
      const released = await app.spam.release(spamId, operator());
      await app.outbox.idle();
      process.stdout.write(`${released.text}\n`);
      return released.ok ? 0 : 1;
    } finally {
      await app.close();
    }
  },
};

export const breakerCommand: CliCommand = {
  usage: [
    'npx ticketrelay breaker status|reset  automatic mail stopped when its hourly cap is hit; reset lets it go again',
  ],
  async run(args, say) {
    const [sub, ...extra] = args;
    if ((sub !== 'status' && sub !== 'reset') || extra.length > 0) {
      say(BREAKER_USAGE);
      return EX_USAGE;
    }
    const config = loadConfig();
    const app = await createApp(config, { logger: quietLogger(config) });
    try {
      if (sub === 'status') {
        const state = await app.spam.breakerState();
        process.stdout.write(
          state.tripped
            ? `Automatic mail is stopped since ${state.trippedAt!.toISOString()}: ${state.reason ?? 'the hourly cap was hit'}. Acknowledgements wait; agents' replies still go. Once the cause is dealt with: npx ticketrelay breaker reset\n`
            : `Automatic mail goes (at most ${config.intake.ackMaxTotalPerHour} an hour, ACK_MAX_TOTAL_PER_HOUR).\n`,
        );
        return state.tripped ? 1 : 0;
      }
      process.stdout.write(`${await app.spam.resetBreaker(operator())}\n`);
      // What waited goes now.
      await app.outbox.deliverPending({ now: true });
      return 0;
    } finally {
      await app.close();
    }
  },
};
