/**
 * `ticketrelay triage train | explain N | classify FILE.eml… [--json]`: train the model on the shipped
 * labelled set and agents' corrections; show why a stored ticket was triaged as it was; try triage on
 * emails that are not stored (rules can be tested before they go live).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../src/config.ts';
import { terminalText } from '../../src/domain/encode.ts';
import { describeError } from '../../src/domain/errors.ts';
import { formatWhen } from '../../src/domain/command.ts';
import { classifyAutomated } from '../../src/domain/automated-mail.ts';
import { cleanSubject, findOrderNumber, type Category } from '../../src/domain/ticket.ts';
import { reasonLines } from '../../src/domain/triage/explain.ts';
import { trainModel, type TrainingExample } from '../../src/domain/triage/model.ts';
import { toTrainingExample } from '../../src/domain/triage/dataset.ts';
import { buildApp } from './build-app.ts';
import { emailsFrom } from '../files/email-sources.ts';
import { buildClassifier, loadLabelledSet, saveModel } from '../files/triage-files.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { MailparserEmailParser } from '../mailparser/mailparser-email-parser.ts';
import { COMMAND_USAGE } from './usage.ts';

import { EX_USAGE, type CliCommand, type Say } from './cli-command.ts';

const USAGE =
  'Usage: npx ticketrelay triage train | triage explain N | triage classify FILE.eml… [--json] [--from ADDRESS] [--mailbox NAME]';

export const triageCommand: CliCommand = {
  usage: COMMAND_USAGE.triage,
  async run(args, say) {
    const { positionals, values } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        mailbox: { type: 'string' },
        from: { type: 'string' },
        'no-corrections': { type: 'boolean', default: false },
      },
    });
    const [sub, ...rest] = positionals;
    const config = loadConfig();
    switch (sub) {
      case 'train':
        return train(config, say, !values['no-corrections']);
      case 'explain':
        return explain(config, rest, say);
      case 'classify':
        return classify(config, rest, say, {
          json: values.json,
          mailbox: values.mailbox ?? null,
          from: values.from ?? null,
        });
      default:
        say(USAGE);
        return EX_USAGE;
    }
  },
};

async function train(config: Config, say: Say, withCorrections: boolean): Promise<number> {
  const { emails, problems } = await loadLabelledSet();
  for (const p of problems) say(`skipped ${p}`);
  const examples: TrainingExample[] = emails.map(toTrainingExample);
  let corrections = 0;
  if (withCorrections) {
    const app = await buildApp(config, { logger: quietLogger(config) });
    try {
      for (const t of await app.stores.triage.correctedTickets()) {
        // An agent's correction is first-hand evidence about this shop's mail: it counts twice.
        for (const copy of [1, 2]) {
          examples.push({
            id: `ticket-${t.ticketId}-${copy}`,
            subject: t.subject,
            body: t.text,
            labels: { category: t.category, priority: t.priority },
          });
        }
        corrections++;
      }
    } finally {
      await app.close();
    }
  }
  if (examples.length === 0) {
    say(
      'No labelled emails in data/triage/ and no corrections: nothing to train on. Restore data/triage/labelled-*.jsonl from the repository.',
    );
    return 1;
  }
  const started = Date.now();
  const model = trainModel(examples);
  await saveModel(model, config.triage.modelFile);
  say(
    `Trained ${model.version} on ${emails.length} labelled emails and ${corrections} corrected ticket${corrections === 1 ? '' : 's'} in ${Date.now() - started} ms.`,
  );
  say(
    `Saved to ${path.relative(process.cwd(), config.triage.modelFile) || config.triage.modelFile}; workers started from now on use it (restart running ones).`,
  );
  return 0;
}

async function explain(config: Config, args: readonly string[], say: Say): Promise<number> {
  const n = Number((args[0] ?? '').replace(/^#/, ''));
  if (args.length !== 1 || !Number.isInteger(n) || n <= 0) {
    say('Usage: npx ticketrelay triage explain N   (N: the ticket number, e.g. 83)');
    return EX_USAGE;
  }
  const app = await buildApp(config, { logger: quietLogger(config) });
  try {
    const stored = await app.stores.triage.storedDecision(n);
    if (!stored) {
      say(`There is no ticket #${n}. Check the number (it is the one shown as "ticket #N").`);
      return 1;
    }
    if (!stored.triaged) {
      say(
        `Ticket #${n} has not been triaged yet. Start a worker ("npx ticketrelay start --roles worker"); it also picks up tickets left untriaged.`,
      );
      return 1;
    }
    const out = [
      `ticket #${n}: "${terminalText(stored.subject, { lines: false })}" from ${terminalText(stored.customerEmail, { lines: false })}`,
      ...reasonLines(stored).map((l) => `  ${l}`),
      `  model ${stored.modelVersion ?? 'unknown'}, triaged ${stored.triagedAt ? formatWhen(stored.triagedAt, config.digest.timezone) : '?'}${stored.escalatedAt ? `, escalated ${formatWhen(stored.escalatedAt, config.digest.timezone)}` : ''}`,
    ];
    if (stored.corrected) out.push('  an agent corrected the category or priority: triage keeps theirs');
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

async function classify(
  config: Config,
  files: readonly string[],
  say: Say,
  options: { json: boolean; mailbox: string | null; from: string | null },
): Promise<number> {
  if (files.length === 0) {
    say('Usage: npx ticketrelay triage classify FILE.eml… [--json] [--from ADDRESS] [--mailbox NAME]');
    return EX_USAGE;
  }
  let mailboxCategory: Category | null = null;
  if (options.mailbox) {
    const mailbox = config.imap.mailboxes.find((m) => m.name === options.mailbox);
    if (!mailbox) {
      say(
        `No mailbox named "${options.mailbox}" is configured (IMAP_MAILBOXES). Configured: ${config.imap.mailboxes.map((m) => m.name).join(', ') || 'none'}.`,
      );
      return EX_USAGE;
    }
    mailboxCategory = mailbox.category;
  }
  const { classifier, source } = await buildClassifier(config.triage);
  if (!options.json) {
    say(`model ${classifier.modelVersion} (${source})`);
    // A rules file replaces the built-in rules as a whole (safety, legal, fraud…): said, so that a file of one rule is not a surprise.
    say(
      config.triage.rulesFile
        ? `rules: ${config.triage.rulesFile} (TRIAGE_RULES_FILE; it replaces the built-in rules as a whole: start from a copy of examples/triage-rules.json)`
        : 'rules: the built-in set (examples/triage-rules.json shows them; TRIAGE_RULES_FILE replaces them)',
    );
  }
  // Attachments the parser stores go to a folder of their own, removed afterwards: nothing is kept.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-classify-'));
  const parser = new MailparserEmailParser({
    attachmentDir: scratch,
    attachmentMaxBytes: config.intake.attachmentMaxBytes,
  });
  let failures = 0;
  try {
    // The same sources as ingest: .eml files, folders, maildirs, mbox files, - for stdin.
    for await (const item of emailsFrom(files, { maxBytes: config.intake.messageMaxBytes })) {
      const file = item.name;
      try {
        if ('unreadable' in item) throw new Error(item.unreadable);
        if ('tooLarge' in item)
          throw new Error(`larger than MESSAGE_MAX_BYTES (${item.tooLarge} bytes): intake would not read it either`);
        const email = await parser.parse(item.raw);
        // What intake would do first: automatic mail and mail without a sender never become tickets.
        const automated = classifyAutomated(email, config.mail.messageIdDomain);
        const noSender = !email.from && email.replyTo.length === 0 && !email.headers.get('sender');
        if (automated || noSender) {
          const why = automated
            ? `automated mail (${automated.code}: ${automated.reason})`
            : 'no sender (no From, Reply-To or Sender)';
          if (options.json)
            process.stdout.write(`${JSON.stringify({ file, subject: email.subject, wouldOpenTicket: false, why })}\n`);
          else
            process.stdout.write(
              `${file}: "${terminalText(email.subject, { lines: false })}"  → intake would not open a ticket: ${why}\n`,
            );
          continue;
        }
        const subject = cleanSubject(email.subject);
        const decision = classifier.classify({
          subject,
          body: email.text,
          customerEmail: options.from ?? email.from?.address ?? null,
          mailboxCategory,
          orderNumber: findOrderNumber(`${email.subject}\n${email.text}`),
        });
        // Nothing to read: the decision is the model's prior, not a judgement of this email.
        const empty = !subject.trim() && !email.text.trim();
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ file, subject, ...decision, ...(empty ? { warning: 'no subject and no text: the decision is a guess' } : {}) })}\n`,
          );
        } else {
          process.stdout.write(
            `${file}: "${terminalText(subject, { lines: false })}"${decision.escalateBecause ? `  → would be escalated (${decision.escalateBecause})` : ''}${empty ? '  (no subject and no text: the decision is a guess)' : ''}\n${reasonLines(
              decision,
            )
              .map((l) => `  ${l}`)
              .join('\n')}\n`,
          );
        }
      } catch (error) {
        failures++;
        const message = describeError(error);
        if (options.json) process.stdout.write(`${JSON.stringify({ file, error: message })}\n`);
        else say(`${file}: ${message}`);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return failures > 0 ? 1 : 0;
}

function quietLogger(config: Config) {
  return createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' });
}
