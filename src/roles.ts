/**
 * The roles one process can run (`ticketrelay start --roles a,b`): part of the composition root, like
 * main.ts. Each starter builds what its role needs on the shared App and returns a handle that stops
 * it, finishing work in flight.
 */
import type { App } from './main.ts';

export const ROLE_NAMES = ['intake', 'worker', 'bots', 'scheduler', 'http'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface RunningRole {
  readonly name: RoleName;
  /** Lines for `ticketrelay status`: what it is doing, what it waits for. */
  describe(): string[];
  /** Stops taking new work, finishes what is in flight, closes its connections. */
  stop(): Promise<void>;
}

export type RoleStarter = (app: App) => Promise<RunningRole>;

const starters: Partial<Record<RoleName, () => Promise<RoleStarter>>> = {
  intake: async () => (await import('../adapters/imap/intake-role.ts')).startIntakeRole,
  worker: async () => (await import('../jobs/worker.ts')).startWorkerRole,
  bots: async () => (await import('../adapters/chat/bots-role.ts')).startBotsRole,
};

export function isRoleName(name: string): name is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(name);
}

/** The starter of a role, or null when this build does not have it yet. */
export async function roleStarter(name: RoleName): Promise<RoleStarter | null> {
  const load = starters[name];
  return load ? load() : null;
}
