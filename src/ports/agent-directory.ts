import type { Caller } from '../domain/command.ts';
import type { IdentityPlatform } from '../domain/platform.ts';

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

export type { IdentityPlatform } from '../domain/platform.ts';
export type IdentityKind = 'user' | 'email' | 'role';

/** How a person is recognised: slack/user U123 · slack/email a@b · discord/user 123 · discord/role 456 · console/user jean. */
export interface AgentIdentity {
  readonly platform: IdentityPlatform;
  readonly kind: IdentityKind;
  readonly value: string;
}

export interface AgentDefinition {
  readonly name: string;
  /** Omitted: a new agent is an agent; an existing one keeps its role. */
  readonly role?: AgentRole | undefined;
  readonly staffId: number | null;
  /** How the agent signs replies ("Zoé Lemaître"); omitted or null: an existing agent keeps theirs. */
  readonly fullName?: string | null;
  readonly identities: readonly AgentIdentity[];
}

export interface ListedAgent extends Agent {
  readonly active: boolean;
  readonly identities: readonly AgentIdentity[];
}

/**
 * The directory plus what `ticketrelay agents`, the agents file and the console's first run need to
 * manage agents. `upsert` adds the identities given to those an agent keeps (`keepExisting`: an agent
 * that exists is left as it is); `remove` deactivates (the audit trail keeps naming them).
 */
export interface AgentRegistry extends AgentDirectory {
  upsert(definition: AgentDefinition, options?: { keepExisting?: boolean }): Promise<Agent>;
  list(): Promise<ListedAgent[]>;
  remove(name: string): Promise<void>;
}
