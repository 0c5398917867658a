/**
 * What the chat front ends need of the command service (src/services/run-command.ts): they never
 * parse a command themselves, they pass what the person typed or pressed and render the
 * CommandReply (src/domain/command.ts). Derived from the service, so there is one definition only.
 */
import { parseCommand } from '../../src/domain/command.ts';
import type { CommandService } from '../../src/services/run-command.ts';

/** The command service as the chat front ends call it. */
export type TicketCommands = Pick<
  CommandService,
  'run' | 'runAction' | 'suggestTickets' | 'suggestTemplates' | 'runTemplateReply' | 'templateAsks'
>;

/** The answer when the service itself failed (the database is down): the person can only retry. */
export const SERVICE_FAILED_TEXT =
  'Something went wrong on our side and nothing was changed; try again in a minute, and tell an administrator if it keeps happening.';

/**
 * The command that shows the next page of a list, as the service wrote it at the end of its text
 * ('More: "/ticket list open urgent page 2".'); the list view itself carries only a description of
 * its filters, which is not a command.
 */
export function nextPageCommand(text: string): string | null {
  return /More: "(\/ticket list[^"]*)"/.exec(text)?.[1] ?? null;
}

/** "open urgent tickets" → "Open urgent tickets". */
export function capitalised(text: string): string {
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}` : text;
}

/**
 * The line a confirmation button carries (CommandReply.confirm), when it is one: a confirmed assignment
 * ("assign 12 @bob confirm"). Anything else is not run: a button is no way to type other commands.
 */
export function confirmedLine(value: string): string | null {
  if (value.length > 200) return null;
  const parsed = parseCommand(value);
  return parsed.ok && parsed.command.name === 'assign' && parsed.command.confirm ? value : null;
}
