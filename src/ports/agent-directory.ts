import type { Caller } from '../domain/command.ts';

export type AgentRole = 'agent' | 'manager';

export interface Agent {
  readonly id: number;
  readonly name: string;
  /** How the agent signs replies to customers ("Zoé Lemaître"); null: by `name`. */
  readonly fullName?: string | null;
  /** Written to the legacy rows' msg_cnfa_id; null when none was given (such an agent cannot reply). */
  readonly staffId: number | null;
  readonly role: AgentRole;
}

/**
 * Who is an agent. A caller is recognised by its platform identity: Slack user id or profile email,
 * Discord user id or one of its role ids, console user name. Inactive agents are not found.
 */
export interface AgentDirectory {
  /** The agent this caller is, or null for someone who is not registered. */
  forCaller(caller: Caller): Promise<Agent | null>;
  /** An active agent by name (case-insensitive), for "assign N @name". */
  byName(name: string): Promise<Agent | null>;
}
