/**
 * The roles one process can run (`ticketrelay start --roles a,b`): part of the composition root, like
 * main.ts. Each starter builds what its role needs on the shared App and returns a handle that stops
 * it, finishing work in flight.
 */
import { ROLE_NAMES, type RoleName, type RoleStarter } from './role.ts';

export { ROLE_NAMES, type RoleName };

const starters: Partial<Record<RoleName, () => Promise<RoleStarter>>> = {
  intake: async () => (await import('./intake.ts')).startIntakeRole,
  worker: async () => (await import('./worker.ts')).startWorkerRole,
  bots: async () => (await import('./bots.ts')).startBotsRole,
  scheduler: async () => (await import('./scheduler.ts')).startSchedulerRole,
  http: async () => (await import('./http.ts')).startHttpRole,
  lmtp: async () => (await import('./lmtp.ts')).startLmtpRole,
};

export function isRoleName(name: string): name is RoleName {
  return (ROLE_NAMES as readonly string[]).includes(name);
}

/** The starter of a role, or null when this build does not have it yet. */
export async function roleStarter(name: RoleName): Promise<RoleStarter | null> {
  const load = starters[name];
  return load ? load() : null;
}
