/**
 * Who holds a claim (an email being sent, an SLA alert being posted): "host:pid:start". A claim whose
 * owner died is freed at once when a process of the same host starts (the pid no longer runs, or runs
 * as another process started since); one of another host runs out by its lease.
 */
import os from 'node:os';

const PROCESS_STARTED_AT = Date.now();

/** "host:pid:start": a pid is reused after a restart (pid 1 in a container), the start time is not. */
export function claimOwner(host: string, pid: number, startedAt: number): string {
  return `${host.slice(0, 80)}:${pid}:${startedAt.toString(36)}`;
}

/** This process's name on its claims. */
export const thisProcessOwner = (): string => claimOwner(os.hostname(), process.pid, PROCESS_STARTED_AT);

/** The LIKE pattern of the claims made on this host. */
export const thisHostPattern = (): string =>
  `${os
    .hostname()
    .slice(0, 80)
    .replace(/[\\%_]/g, '\\$&')}:%`;

/** Whether the process that made this claim (on this host) still runs. */
export function ownerRuns(owner: string, isRunning: (pid: number) => boolean): boolean {
  const [pid, started] = owner.split(':').slice(-2);
  if (Number(pid) === process.pid) return started === PROCESS_STARTED_AT.toString(36);
  return Number.isInteger(Number(pid)) && isRunning(Number(pid));
}

export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Of these owners (claims of this host), the ones whose process is gone. */
export function goneOwners(owners: readonly string[], isRunning: (pid: number) => boolean = processRuns): string[] {
  const me = thisProcessOwner();
  return owners.filter((owner) => owner !== me && !ownerRuns(owner, isRunning));
}
