/**
 * `ticketrelay digest --now [--channel slack:C123] [--day YYYY-MM-DD] [--print] [--retake]`: post a digest
 * on demand (once per channel and day, like the schedule: a second run says it was posted already),
 * or print its text without posting.
 */
import { parseArgs } from 'node:util';
import { createDigestService } from '../../src/roles/digest-service.ts';
import { loadConfig } from '../../src/config.ts';
import { assertDay, parseChannel } from '../../src/services/build-digest.ts';
import { addDays } from '../../src/domain/digest.ts';
import { terminalText } from '../../src/domain/encode.ts';
import { buildApp } from './build-app.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_TEMPFAIL, EX_USAGE, optionProblem, type CliCommand } from './cli-command.ts';
import { COMMAND_USAGE } from './usage.ts';

const USAGE =
  'Usage: npx ticketrelay digest --now [--channel slack:C123|discord:123] [--day YYYY-MM-DD] [--print] [--retake]';

export const digestCommand: CliCommand = {
  usage: COMMAND_USAGE.digest,
  async run(args, say) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          now: { type: 'boolean', default: false },
          print: { type: 'boolean', default: false },
          retake: { type: 'boolean', default: false },
          channel: { type: 'string', multiple: true },
          day: { type: 'string' },
        },
      }));
    } catch (error) {
      say(`${optionProblem(error, USAGE) ?? (error instanceof Error ? error.message : String(error))}\n${USAGE}`);
      return EX_USAGE;
    }
    if (!values.now && !values.print) {
      say(USAGE);
      return EX_USAGE;
    }
    for (const c of values.channel ?? []) {
      if (!parseChannel(c)) {
        say(`"${c}" is not a channel: write slack:C0123456789 or discord:123456789012345678.`);
        return EX_USAGE;
      }
    }
    const config = loadConfig();
    const app = await buildApp(config, {
      logger: createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' }),
    });
    try {
      const { service, channels: configured } = await createDigestService(app);
      const day = values.day ? assertDay(values.day) : service.reportedDay();
      // Today is allowed (figures so far); a day to come has nothing to report.
      const today = addDays(service.reportedDay(), 1);
      if (day > today) {
        say(
          `${day} has not started yet in ${config.digest.timezone} (today is ${today}): give today or a past day with --day.`,
        );
        return EX_USAGE;
      }
      if (values.print) {
        const post = await service.compose(day);
        // The chat markup (*bold*) is for Slack and Discord; a terminal shows the plain text.
        process.stdout.write(`${post.textIn({ escape: (t) => terminalText(t, { lines: false }), bold: (t) => t })}\n`);
        // --print shows the digest and posts nothing, with or without --now (as the usage says).
        return 0;
      }
      const channels = values.channel?.length ? values.channel : configured;
      if (channels.length === 0) {
        say(
          'No channel to post to: set SLACK_DIGEST_CHANNELS or DISCORD_DIGEST_CHANNELS, or name one with --channel slack:C123.',
        );
        return EX_USAGE;
      }
      if (values.retake)
        for (const c of channels)
          if (await service.forget(c, day)) say(`${c}: the unconfirmed attempt for ${day} was forgotten.`);
      const outcomes = await service.post(day, channels);
      for (const o of outcomes) {
        if (o.outcome === 'posted') say(`${o.channel}: digest for ${day} posted (${o.messageRef}).`);
        else if (o.outcome === 'already_posted')
          say(
            `${o.channel}: the digest for ${day} was posted already${o.messageRef ? ` (${o.messageRef})` : ''}; nothing sent.`,
          );
        else say(`${o.channel}: not posted — ${o.detail}`);
      }
      const failed = outcomes.filter(
        (o) => o.outcome === 'failed' || o.outcome === 'uncertain' || o.outcome === 'busy',
      );
      if (failed.length === 0) return 0;
      return failed.some((o) => o.outcome === 'busy' || (o.outcome === 'failed' && o.retryable)) ? EX_TEMPFAIL : 1;
    } finally {
      await app.close();
    }
  },
};
