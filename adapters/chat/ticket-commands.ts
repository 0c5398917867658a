/**
 * What the chat front ends need of the command service: they never parse a command themselves, they
 * pass what the person typed or pressed and render the CommandReply.
 */
import type { CommandService } from '../../src/services/run-command.ts';

export type TicketCommands = Pick<CommandService, 'run' | 'runAction' | 'suggestTickets'>;

/** The answer when the service itself failed (the database is down): the person can only retry. */
export const SERVICE_FAILED_TEXT = 'Something went wrong on our side and nothing was changed; try again in a minute, and tell an administrator if it keeps happening.';
