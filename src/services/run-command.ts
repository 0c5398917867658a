/** The /ticket command service: one grammar, one set of checks and effects, for every platform. */
import type { Caller, CommandReply, TicketAction, TicketSummary } from '../domain/command.ts';
import type { AgentDirectory } from '../ports/agent-directory.ts';
import type { Logger } from '../ports/logger.ts';
import type { TicketStore } from '../ports/ticket-store.ts';
import type { OutboxDelivery } from './deliver-outbox.ts';

export interface CommandServiceDeps {
  readonly store: TicketStore;
  readonly agents: AgentDirectory;
  /** Sends the reply rows written by `reply` after their transaction committed. */
  readonly outbox: OutboxDelivery;
  readonly logger: Logger;
}

export class CommandService {
  readonly #deps: CommandServiceDeps;
  constructor(deps: CommandServiceDeps) {
    this.#deps = deps;
  }

  /** One line as typed: "/ticket list open urgent page 2" (the leading "/ticket" optional). Never throws for the caller's mistakes. */
  run(caller: Caller, text: string): Promise<CommandReply> {
    void caller;
    void text;
    void this.#deps;
    return Promise.resolve({ ok: false, text: 'The /ticket commands are not ready yet; try again later.', ephemeral: true });
  }

  /** A button press: the same checks and effects as the typed command. */
  runAction(caller: Caller, action: Exclude<TicketAction, 'reply'>, ticketId: number): Promise<CommandReply> {
    return this.run(caller, `${action === 'assign_me' ? 'assign' : action} ${ticketId}${action === 'assign_me' ? ' me' : ''}`);
  }

  /** Autocomplete: open tickets whose number starts with `prefix` (or whose subject contains it), newest first. */
  suggestTickets(prefix: string, limit: number): Promise<readonly TicketSummary[]> {
    void prefix;
    void limit;
    return Promise.resolve([]);
  }
}
