/**
 * `ticketrelay sla preview --from "2026-03-27 17:40" --minutes 240 [--calendar business|24/7] [--holidays FR-67]`:
 * the deadline the business calendar gives, and why (the open stretches used, the closed days crossed,
 * the DST changes). Reads BUSINESS_CALENDAR_FILE; needs no database.
 * `ticketrelay sla check`: one pass of the SLA checker now (what the worker does every SLA_CHECK_SECONDS).
 */
import { parseArgs } from 'node:util';
import {
  BusinessCalendar,
  HOLIDAY_REGIONS,
  MAX_BUSINESS_MINUTES,
  explainDeadline,
  formatLocal,
  instantOf,
  isLocalDate,
  type HolidayRegion,
} from '../../src/domain/business-calendar.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/main.ts';
import { loadCalendar } from '../files/sla-files.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_USAGE, optionProblem, type CliCommand } from './cli-command.ts';

const USAGE =
  'Usage: npx ticketrelay sla preview --from "YYYY-MM-DD HH:MM" --minutes N [--calendar business|24/7] [--holidays FR|FR-57|FR-67|FR-68|none]\n       npx ticketrelay sla check|recompute';

export const slaCommand: CliCommand = {
  usage: [
    'npx ticketrelay sla preview --from "2026-03-27 17:40" --minutes 240 [--calendar business|24/7] [--holidays FR-67]  the deadline the business calendar gives, and why',
    'npx ticketrelay sla check  one pass of the SLA clocks now: alerts due are posted (the worker does it every SLA_CHECK_SECONDS)',
    "npx ticketrelay sla recompute  choose open tickets' policies again from SLA_POLICIES_FILE (a policy change otherwise applies to new tickets only)",
  ],
  async run(args, say) {
    const [sub, ...rest] = args;
    if (sub === 'preview') return preview(rest, say);
    if (sub === 'check') return check(say, false);
    if (sub === 'recompute') return check(say, true);
    say(`${sub ? `"${sub}" is not an sla command. ` : ''}${USAGE}`);
    return EX_USAGE;
  },
};

async function preview(args: readonly string[], say: (line: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        from: { type: 'string' },
        minutes: { type: 'string' },
        calendar: { type: 'string', default: 'business' },
        holidays: { type: 'string' },
      },
    }));
  } catch (error) {
    say(`${optionProblem(error, USAGE) ?? (error instanceof Error ? error.message : String(error))}\n${USAGE}`);
    return EX_USAGE;
  }
  const minutes = Number(values.minutes);
  if (
    values.minutes === undefined ||
    !/^\d+(\.\d+)?$/.test(values.minutes.trim()) ||
    !(minutes > 0) ||
    minutes > MAX_BUSINESS_MINUTES
  ) {
    say(
      `--minutes: business minutes, a number > 0 and at most ${MAX_BUSINESS_MINUTES} (a year)${values.minutes === undefined ? '' : ` (got "${values.minutes}")`}.\n${USAGE}`,
    );
    return EX_USAGE;
  }
  if (values.calendar !== 'business' && values.calendar !== '24/7') {
    say(
      `--calendar: "business" (BUSINESS_CALENDAR_FILE, or Mon–Fri 09:00–18:00 with France's holidays) or "24/7" (got "${values.calendar}").`,
    );
    return EX_USAGE;
  }
  if (values.holidays !== undefined && !(HOLIDAY_REGIONS as readonly string[]).includes(values.holidays)) {
    say(
      `--holidays: one of ${HOLIDAY_REGIONS.join(', ')} (FR-57, FR-67 and FR-68 add Alsace-Moselle's Good Friday and 26 December); got "${values.holidays}".`,
    );
    return EX_USAGE;
  }
  const config = loadConfig();
  let calendar = await loadCalendar(config);
  if (values.holidays)
    calendar = new BusinessCalendar({ ...calendar.spec, holidays: values.holidays as HolidayRegion });
  if (values.calendar === '24/7') calendar = BusinessCalendar.alwaysOpen(calendar.timeZone);
  const zone = calendar.timeZone;
  let from = new Date();
  if (values.from !== undefined) {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})$/.exec(values.from.trim());
    if (!m || !isLocalDate(m[1]!) || Number(m[2]) > 23 || Number(m[3]) > 59) {
      say(
        `--from: a local date and time in ${zone}, "YYYY-MM-DD HH:MM" such as "2026-03-27 17:40" (got "${values.from}").`,
      );
      return EX_USAGE;
    }
    from = instantOf(m[1]!, Number(m[2]) * 60 + Number(m[3]), zone);
  }
  const deadline = calendar.addBusinessMinutes(from, minutes);
  const lines = [
    `Calendar: ${calendar.always ? '24/7' : `${calendar.name} (${zone}, holidays ${calendar.spec.holidays})`}`,
    `From:     ${formatLocal(from, zone)}`,
    `Target:   ${minutes} ${calendar.always ? 'minutes' : 'business minutes'}`,
    `Deadline: ${formatLocal(deadline.due, zone)}`,
    'Why:',
    ...explainDeadline(calendar, deadline).map((l) => `  ${l}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function check(say: (line: string) => void, recompute: boolean): Promise<number> {
  const config = loadConfig();
  const app = await createApp(config, {
    logger: createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' }),
  });
  try {
    const { createSlaService } = await import('../../src/roles/sla-setup.ts');
    const service = await createSlaService(app);
    if (recompute)
      say(
        `SLA: ${await service.markOpenForCheck(true)} open ticket(s) get their policy chosen again; each deadline that moves is in the audit trail.`,
      );
    const total = { checked: 0, posted: 0, deferred: 0 };
    // Passes until nothing is left to look at now (a pass takes at most a batch).
    for (let i = 0; i < 10_000; i++) {
      const pass = await service.checkOnce();
      total.checked += pass.checked;
      total.posted += pass.posted;
      total.deferred += pass.deferred;
      if (pass.checked === 0 || !recompute) break;
    }
    say(
      `SLA: ${total.checked} ticket(s) checked, ${total.posted} alert(s) posted${total.deferred ? `, ${total.deferred} waiting for business hours` : ''}.`,
    );
    return 0;
  } finally {
    await app.close();
  }
}
