/**
 * What a role is (`ticketrelay start --roles a,b`), apart from the registry in roles.ts so that the
 * roles themselves can name these types without importing the registry that loads them.
 */
import type { App } from '../main.ts';

export const ROLE_NAMES = ['intake', 'worker', 'bots', 'scheduler', 'http', 'lmtp'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface RunningRole {
  readonly name: RoleName;
  /** Lines for `ticketrelay status`: what it is doing, what it waits for. */
  describe(): string[];
  /** Stops taking new work, finishes what is in flight, closes its connections. */
  stop(): Promise<void>;
}

export type RoleStarter = (app: App) => Promise<RunningRole>;
