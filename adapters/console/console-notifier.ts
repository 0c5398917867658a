/**
 * ChatNotifier on the terminal and the log: until Slack or Discord is configured, an escalation is a
 * line on stdout ("⚠ ticket #83 escalated: …") and an info log entry. Never throws.
 */
import { terminalText } from '../../src/domain/encode.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { ChatNotifier, TicketNotice } from '../../src/ports/chat-notifier.ts';

export class ConsoleNotifier implements ChatNotifier {
  readonly #write: (line: string) => void;
  readonly #log: Logger;

  constructor(options: { logger: Logger; write?: (line: string) => void }) {
    this.#log = options.logger.child({ component: 'console-notifier' });
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  async notify(notice: TicketNotice): Promise<void> {
    const head = `${notice.kind === 'escalation' ? '⚠ ' : ''}ticket #${notice.ticketId} ${notice.kind === 'new' ? 'new' : notice.kind === 'reply' ? 'reply' : notice.kind === 'sla' ? 'SLA' : notice.kind === 'assignment' ? 'assignment' : 'escalated'}: "${oneLine(notice.subject)}" from ${oneLine(notice.customer)} [${notice.priority}, ${notice.category}]`;
    try {
      this.#write([head, ...notice.lines.map((l) => `    ${oneLine(l)}`)].join('\n'));
    } catch {
      // A closed stdout must not fail the job that announced the ticket.
    }
    this.#log.info(
      { ticketId: notice.ticketId, kind: notice.kind, priority: notice.priority, category: notice.category },
      `ticket ${notice.kind} announced`,
    );
  }
}

/** Customers' words on one line, without their escape sequences or controls. */
function oneLine(text: string): string {
  return terminalText(text, { lines: false }).replace(/\s+/g, ' ').trim().slice(0, 300);
}
