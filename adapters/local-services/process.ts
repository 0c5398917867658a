/** Processes of the project-local services: pid files, probes, spawning, stopping, the lock, small file helpers. */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppError, type ErrorCode } from '../../src/domain/errors.ts';
import { sleep } from '../../src/domain/timing.ts';
import {
  ALL_SERVICES,
  HOST,
  LOCAL_ENDPOINTS,
  LOCK_TIMEOUT_MS,
  type LocalEndpoints,
  type LocalServiceName,
  type LocalServicesOptions,
  PROBE_TIMEOUT_MS,
  type ProbeResult,
  type Protocol,
  SERVICES,
  START_TIMEOUT_MS,
  STOP_GRACE_MS,
  type ServiceDef,
} from './definitions.ts';

// ---------------------------------------------------------------------------------------------
// Inspection: pid file + process + port
// ---------------------------------------------------------------------------------------------

export interface Inspection {
  /**
   * running: our pid lives and the port answers with the right protocol.
   * unresponsive: our pid lives but the port does not answer (yet).
   * foreign: no live pid of ours, but something listens on the port.
   * stopped: no live pid of ours and the port is free.
   */
  kind: 'running' | 'unresponsive' | 'foreign' | 'stopped';
  /** Our live pid, or null. */
  pid: number | null;
  /** A pid file named a process that is gone (or is not ours any more). */
  stalePid: number | null;
}

export async function inspect(def: ServiceDef, dataDir: string): Promise<Inspection> {
  const [recorded, probe] = await Promise.all([readPidFile(def.pidFile(dataDir)), probePort(def.port, def.protocol)]);
  let pid: number | null = null;
  let stalePid: number | null = null;
  if (recorded !== null) {
    if (recorded > 0 && (await isOurProcess(recorded, def.processNames))) pid = recorded;
    else stalePid = recorded;
  }
  if (pid !== null) return { kind: probe === 'ready' ? 'running' : 'unresponsive', pid, stalePid };
  return { kind: probe === 'closed' ? 'stopped' : 'foreign', pid: null, stalePid };
}

export function pidOf(states: Inspection[], services: readonly LocalServiceName[], name: LocalServiceName): number {
  return states[services.indexOf(name)]?.pid ?? 0;
}

/** The pid in a pid file; null when there is none; 0 when the file holds garbage (stale). */
export async function readPidFile(file: string): Promise<number | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
}

export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errorCode(error) !== 'EPERM') return false;
  }
  // A zombie (exited, not yet reaped by its parent) still answers kill(pid, 0).
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (error) {
    return errorCode(error) !== 'ENOENT' || !(await exists('/proc/self/stat'));
  }
}

export async function isOurProcess(pid: number, names: readonly string[]): Promise<boolean> {
  if (!(await isAlive(pid))) return false;
  try {
    const comm = (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    return names.includes(comm);
  } catch {
    return true; // no /proc (not Linux): trust the pid file
  }
}

export function probePort(port: number, protocol: Protocol, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let connected = false;
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(connected ? 'other' : 'closed'), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      if (protocol.send !== undefined) socket.write(protocol.send);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = protocol.check(received);
      if (verdict !== undefined) finish(verdict ? 'ready' : 'other');
      else if (received.length > 4096) finish('other');
    });
    socket.once('error', () => finish(connected ? 'other' : 'closed'));
    socket.once('close', () => finish(connected ? 'other' : 'closed'));
  });
}

export async function waitUntilReady(
  def: ServiceDef,
  dataDir: string,
  currentPid: () => Promise<number | null>,
  startedAt: number,
  situation: 'starting' | 'unresponsive',
): Promise<void> {
  const deadline = startedAt + START_TIMEOUT_MS;
  for (;;) {
    if ((await probePort(def.port, def.protocol)) === 'ready') return;
    const pid = await currentPid();
    if (pid !== null && !(await isOurProcess(pid, def.processNames))) {
      throw new AppError(
        `services.${def.name}_exited`,
        `${def.name} (pid ${pid}) exited before it answered on ${HOST}:${def.port}.${await logTails(def, dataDir)}`,
        { details: { service: def.name, pid } },
      );
    }
    if (Date.now() > deadline) {
      const hint = situation === 'unresponsive' ? ' Stop it with `services down` and try again.' : '';
      throw new AppError(
        'services.start_timeout',
        `${def.name} did not answer on ${HOST}:${def.port} within ${START_TIMEOUT_MS / 1000} s` +
          `${pid === null ? '' : ` (pid ${pid})`}.${hint}${await logTails(def, dataDir)}`,
        { retryable: true, details: { service: def.name, port: def.port } },
      );
    }
    await sleep(100);
  }
}

export function portInUseError(names: readonly LocalServiceName[], dataDir: string): AppError {
  const lines = names.map((name) => {
    const def = SERVICES[name];
    return `${HOST}:${def.port} (${name}) is already in use by a process that is not our ${name} (no live pid file at ${def.pidFile(dataDir)}). Find it with: ss -ltnp 'sport = :${def.port}'`;
  });
  return new AppError(
    'services.port_in_use',
    `${lines.join('\n')}\nStop that process (or the other checkout's services) first; ticketrelay will not use someone else's server.`,
    { details: { services: [...names], ports: names.map((name) => SERVICES[name].port) } },
  );
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function osUserName(): string {
  return os.userInfo().username;
}

/** Starts a long-running server in its own session, stdout and stderr appended to `logFile`. */
export async function spawnDetached(
  command: string,
  args: readonly string[],
  cwd: string,
  logFile: string,
): Promise<number> {
  const handle = await fs.open(logFile, 'a');
  try {
    await handle.write(`--- ${path.basename(command)} ${args.join(' ')} ${new Date().toISOString()}\n`);
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', handle.fd, handle.fd] });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<unknown>((resolve) => child.once('error', resolve));
      throw new AppError('services.spawn_failed', `Could not start ${command}: ${String(error)}`, { cause: error });
    }
    child.on('error', () => undefined);
    child.unref();
    return pid;
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Stopping
// ---------------------------------------------------------------------------------------------

export async function stopService(def: ServiceDef, dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = def.pidFile(dataDir);
  const pid = await readPidFile(pidFile);
  if (pid === null) {
    log(`${def.name}: not running`);
    return;
  }
  if (pid === 0 || !(await isOurProcess(pid, def.processNames))) {
    await removeFile(pidFile);
    log(`${def.name}: not running (removed stale pid file for pid ${pid})`);
    return;
  }
  const startedAt = Date.now();
  signal(pid, 'SIGTERM');
  let killed = false;
  if (!(await waitForExit(pid, def.processNames, STOP_GRACE_MS))) {
    log(`${def.name}: pid ${pid} did not stop within ${STOP_GRACE_MS / 1000} s; sending SIGKILL`);
    signal(pid, 'SIGKILL');
    killed = true;
    if (!(await waitForExit(pid, def.processNames, 5_000))) {
      throw new AppError('services.stop_failed', `${def.name} (pid ${pid}) survived SIGKILL.`, {
        details: { service: def.name, pid },
      });
    }
  }
  // The servers delete their own pid file on a clean exit, but not when killed.
  if ((await readPidFile(pidFile)) === pid) await removeFile(pidFile);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  log(`${def.name}: stopped (pid ${pid}, ${seconds} s${killed ? ', killed' : ''})`);
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (errorCode(error) !== 'ESRCH') throw error;
  }
}

export async function waitForExit(pid: number, names: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isOurProcess(pid, names)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Lock: one process at a time changes the services of a data folder
// ---------------------------------------------------------------------------------------------

/** Serialises this process's own calls, so a lock file naming our pid is always stale. */
export let inProcessQueue: Promise<unknown> = Promise.resolve();

export function withLock<T>(dataDir: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const run = inProcessQueue.then(() => withFileLock(dataDir, log, work));
  inProcessQueue = run.catch(() => undefined);
  return run;
}

export async function withFileLock<T>(
  dataDir: string,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  await fs.mkdir(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, '.services.lock');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const owner = await readPidFile(lockFile);
    if (owner === null) continue; // released between our two calls
    if (owner === 0 || owner === process.pid || !(await isAlive(owner))) {
      await removeFile(lockFile);
      continue;
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'services.locked',
        `Another process (pid ${owner}) has been starting or stopping the local services for too long (lock ${lockFile}).`,
        { retryable: true, details: { pid: owner } },
      );
    }
    if (!announced) {
      log(`services: waiting for another process (pid ${owner}) that is starting or stopping them`);
      announced = true;
    }
    await sleep(200);
  }
  try {
    return await work();
  } finally {
    await removeFile(lockFile);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

export function normaliseOptions(options: LocalServicesOptions): {
  dataDir: string;
  services: LocalServiceName[];
  log: (line: string) => void;
} {
  if (!path.isAbsolute(options.dataDir)) {
    throw new AppError(
      'services.invalid_options',
      `dataDir must be an absolute path, got ${JSON.stringify(options.dataDir)}.`,
    );
  }
  const unknown = options.services.filter((name) => !ALL_SERVICES.includes(name));
  if (unknown.length > 0) {
    throw new AppError(
      'services.invalid_options',
      `Unknown local services: ${unknown.join(', ')} (known: ${ALL_SERVICES.join(', ')}).`,
    );
  }
  const services = ALL_SERVICES.filter((name) => options.services.includes(name));
  return { dataDir: path.resolve(options.dataDir), services, log: options.log };
}

export function copyEndpoints(): LocalEndpoints {
  return { ...LOCAL_ENDPOINTS, imap: { ...LOCAL_ENDPOINTS.imap } };
}

export function throwIfAnyFailed(results: PromiseSettledResult<unknown>[], code: ErrorCode, summary: string): void {
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  throw new AppError(
    code,
    `${summary}:\n${errors.map((error) => (error instanceof Error ? error.message : String(error))).join('\n\n')}`,
    {
      cause: errors[0],
    },
  );
}

export async function logTails(def: ServiceDef, dataDir: string): Promise<string> {
  const parts: string[] = [];
  for (const file of def.logFiles(dataDir)) {
    const text = await readTail(file, 8192);
    if (text.trim() !== '') parts.push(`\nLast lines of ${file}:\n${lastLines(text, 20)}`);
  }
  return parts.join('');
}

export async function readTail(file: string, bytes: number): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export async function removeFile(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
