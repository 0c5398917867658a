/**
 * `ticketrelay ingest PATH…`: every email found goes through the intake service, several at a time,
 * with a progress bar on a terminal and a summary at the end (or one JSON object with --json).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { terminalText } from '../../src/domain/encode.ts';
import { describeError, isAppError } from '../../src/domain/errors.ts';
import { createIntakeApp } from '../../src/intake-app.ts';
import { ensureLocalServices } from '../local-services/index.ts';
import { EX_TEMPFAIL, EX_USAGE, type Say } from './cli-command.ts';
import { EX_NOINPUT, personLogger } from './command-line.ts';
import type { IntakeService } from '../../src/services/ingest-email.ts';
import { describeResult, type IntakeResult } from '../../src/services/intake-result.ts';
import { countEmails, emailsFrom, type EmailItem } from '../files/email-sources.ts';
import { formatSummary, type IngestSummary } from './ingest-summary.ts';

export { formatSummary, type IngestSummary } from './ingest-summary.ts';

/**
 * `ticketrelay ingest PATH…`: on the intake alone (src/intake-app.ts), not the whole app. The
 * project-local services are started first when the config relies on them, as for every command.
 */
export async function ingestCommand(args: readonly string[], say: Say): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
    },
  });
  if (positionals.length === 0) {
    say(
      'Usage: npx ticketrelay ingest PATH… [--json] [--verbose]   (PATH: .eml file, folder, maildir, mbox, or - for stdin)',
    );
    return EX_USAGE;
  }
  // A path that is not there is a typo, not a rejected email: say so before touching anything.
  const missing = positionals.filter((p) => p !== '-' && !existsSync(p));
  if (missing.length > 0) {
    say(
      `Nothing was taken: ${missing.map((p) => `"${p}"`).join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist. Give .eml files, folders, maildirs, mbox files, or - for stdin.`,
    );
    return EX_NOINPUT;
  }
  const config = loadConfig();
  // One message piped in by a mail server: parsed in this thread, no parser threads to start.
  const single = positionals.length === 1 && positionals[0] === '-';
  const logger = personLogger(config);
  await ensureLocalServices(config, (line) => logger.info({ component: 'services' }, line));
  // The parser, the queue (and its Redis connection) and the mail sender load while the database
  // answers: a new ticket needs all three, and the pipe's time is mostly waiting for replies.
  const app = await createIntakeApp(config, { logger, parser: single ? 'inline' : 'threads', shortLived: single });
  try {
    const summary = await runIngest(app.intake, {
      paths: positionals,
      concurrency: values.concurrency ? Math.max(1, Number(values.concurrency) || 1) : config.intake.concurrency,
      maxBytes: config.intake.messageMaxBytes,
      verbose: values.verbose,
      progress: process.stderr.isTTY && !values.json ? process.stderr : null,
      ...(values.verbose && !values.json
        ? { onResult: (source: string, line: string) => process.stdout.write(`${source}: ${terminalText(line)}\n`) }
        : {}),
    });
    await app.outbox.deliverPending();
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`${formatSummary(summary)}\n`);
    if (summary.failed > 0) return EX_TEMPFAIL;
    // A single message piped in by a mail server: a rejected one goes back to its sender (EX_DATAERR).
    if (single && summary.rejected === 1) return 65;
    return 0;
  } finally {
    await app.close();
  }
}

export interface IngestOptions {
  readonly paths: readonly string[];
  readonly concurrency: number;
  readonly maxBytes: number;
  readonly verbose: boolean;
  readonly progress: NodeJS.WriteStream | null;
  readonly stdin?: NodeJS.ReadableStream;
  /** Called with each email's outcome line (the human output), and the outcome when there is one. */
  readonly onResult?: (source: string, line: string, result?: IntakeResult) => void;
}

export async function runIngest(intake: IntakeService, options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const summary: IngestSummary = {
    total: 0,
    created: 0,
    replies: 0,
    duplicates: 0,
    automated: 0,
    rejected: 0,
    failed: 0,
    seconds: 0,
  };
  if (options.verbose) summary.messages = [];
  const expected = options.progress && !options.paths.includes('-') ? await countEmails(options.paths) : 0;
  const bar = expected > 1 && options.progress ? new ProgressBar(options.progress, expected) : null;

  const inFlight = new Set<Promise<void>>();
  const takeOne = async (item: EmailItem) => {
    const source = { kind: item.name === 'stdin' ? 'stdin' : 'file', name: item.name };
    try {
      let result: IntakeResult;
      if ('raw' in item) result = await intake.ingest(item.raw, source);
      else if ('tooLarge' in item) result = await intake.rejectOversized(item.tooLarge, options.maxBytes, source);
      else
        result = { outcome: 'rejected', messageId: null, reason: `cannot read it: ${item.unreadable}`, keptAt: null };
      count(summary, result);
      summary.messages?.push({ source: item.name, ...result });
      options.onResult?.(item.name, describeResult(result), result);
    } catch (error) {
      summary.failed++;
      const retryable = isAppError(error) ? error.retryable : false;
      summary.messages?.push({ source: item.name, outcome: 'failed', error: describeError(error), retryable });
      options.onResult?.(
        item.name,
        `not taken (${retryable ? 'temporary failure, run again later' : 'error'}): ${describeError(error)}`,
      );
    }
    summary.total++;
    bar?.update(summary);
  };

  for await (const item of emailsFrom(options.paths, {
    maxBytes: options.maxBytes,
    ...(options.stdin ? { stdin: options.stdin } : {}),
  })) {
    const p = takeOne(item).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  bar?.done();
  summary.seconds = Math.round((performance.now() - started) / 10) / 100;
  return summary;
}

function count(summary: IngestSummary, result: IntakeResult): void {
  switch (result.outcome) {
    case 'created':
      summary.created++;
      break;
    case 'reply':
      summary.replies++;
      break;
    case 'duplicate':
      summary.duplicates++;
      break;
    case 'automated':
      summary.automated++;
      break;
    case 'rejected':
      summary.rejected++;
      break;
    case 'spam':
      summary.spam = (summary.spam ?? 0) + 1;
      break;
  }
}

class ProgressBar {
  #last = 0;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: number,
  ) {}

  update(s: IngestSummary): void {
    const now = Date.now();
    if (now - this.#last < 100 && s.total < this.total) return;
    this.#last = now;
    const width = 30;
    const filled = Math.min(width, Math.round((s.total / this.total) * width));
    this.out.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${s.total}/${this.total}  new ${s.created} · replies ${s.replies} · dup ${s.duplicates} · auto ${s.automated} · rejected ${s.rejected}${s.failed ? ` · failed ${s.failed}` : ''}`,
    );
  }

  done(): void {
    this.out.write('\n');
  }
}
