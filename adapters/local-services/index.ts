/**
 * Project-local development services: MariaDB, Redis and Dovecot IMAP, started on 127.0.0.1 on
 * their own ports with every file (data, config, logs, pid files, sockets) under one data folder
 * (the project's `.data/`). They never touch the system instances Debian's packages install.
 *
 * Layout under `dataDir`:
 *   mariadb/  my.cnf  data/  mariadb.sock  mariadbd.pid  mariadb.log  bootstrap.done
 *   redis/    redis.conf  redis.pid  redis.log  (and redis' own files: it is its `dir`)
 *   dovecot/  dovecot.conf  run/master.pid  state/  home/<user>/Maildir  dovecot.log  dovecot-start.log
 *   .services.lock   (held while a `servicesUp` / `servicesDown` changes something)
 *
 * `servicesUp` is idempotent and cheap when everything already runs: it reads the pid files,
 * checks that those processes live, and that the ports answer with the expected protocol.
 */
import {
  HOST,
  type LocalEndpoints,
  type LocalServiceName,
  type LocalServiceStatus,
  type LocalServicesOptions,
  SERVICES,
} from './definitions.ts';
import { startDovecot } from './dovecot.ts';
import { type Binaries, ensureInstalled, findBinaries, missingBinaryError } from './install.ts';
import { bootstrapMariadb, mariadbBootstrapped, startMariadb } from './mariadb.ts';
import {
  type Inspection,
  copyEndpoints,
  exists,
  inspect,
  normaliseOptions,
  pidOf,
  portInUseError,
  removeFile,
  stopService,
  throwIfAnyFailed,
  waitUntilReady,
  withLock,
} from './process.ts';
import { startRedis } from './redis.ts';
import { startSpamd } from './spamd.ts';

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Starts the project-local services a config relies on (those whose URL is not set), so that every
 * command works on a fresh checkout with no configuration. The CLI calls it before it builds the app
 * (this may run apt-get, so it is the CLI's business and never createApp's).
 */
export async function ensureLocalServices(
  config: {
    readonly database: { readonly local: boolean };
    readonly redis: { readonly local: boolean };
    readonly dataDir: string;
  },
  log: (line: string) => void,
  extra: readonly LocalServiceName[] = [],
): Promise<void> {
  const wanted: LocalServiceName[] = [...extra];
  if (config.database.local) wanted.push('mariadb');
  if (config.redis.local) wanted.push('redis');
  if (wanted.length === 0) return;
  await servicesUp({ dataDir: config.dataDir, services: [...new Set(wanted)], log });
}

export async function servicesUp(options: LocalServicesOptions): Promise<LocalEndpoints> {
  const { dataDir, services, log } = normaliseOptions(options);
  if (services.length === 0) return copyEndpoints();

  // Fast path, without the lock: everything requested already runs and is ours.
  const quick = await Promise.all(services.map((name) => inspect(SERVICES[name], dataDir)));
  if (quick.every((state) => state.kind === 'running')) {
    const bootstrapped = services.includes('mariadb')
      ? await mariadbBootstrapped(dataDir, pidOf(quick, services, 'mariadb'))
      : true;
    if (bootstrapped) {
      quick.forEach((state, index) => {
        const def = SERVICES[services[index] as LocalServiceName];
        log(`${def.name}: already running on ${HOST}:${def.port} (pid ${String(state.pid)})`);
      });
      return copyEndpoints();
    }
  }

  return withLock(dataDir, log, async () => {
    const states = await Promise.all(services.map((name) => inspect(SERVICES[name], dataDir)));

    const foreign = services.filter((_, index) => states[index]?.kind === 'foreign');
    if (foreign.length > 0) throw portInUseError(foreign, dataDir);

    const toStart = services.filter((_, index) => states[index]?.kind === 'stopped');
    const binaries = await ensureInstalled(toStart, log);

    const results = await Promise.allSettled(
      services.map(async (name, index) => {
        const def = SERVICES[name];
        const state = states[index] as Inspection;
        if (state.kind === 'running' || state.kind === 'unresponsive') {
          const pid = state.pid as number;
          if (state.kind === 'unresponsive') {
            log(`${name}: pid ${pid} is running but ${HOST}:${def.port} does not answer yet; waiting`);
            await waitUntilReady(def, dataDir, async () => pid, Date.now(), 'unresponsive');
          }
          if (name === 'mariadb' && !(await mariadbBootstrapped(dataDir, pid))) {
            const found = await findBinaries('mariadb');
            if (found === null) throw missingBinaryError('mariadb');
            await bootstrapMariadb(dataDir, found, pid);
          }
          log(`${name}: already running on ${HOST}:${def.port} (pid ${pid})`);
          return;
        }
        if (state.stalePid !== null) {
          log(`${name}: removing stale pid file (pid ${state.stalePid} is not running)`);
        }
        await removeFile(def.pidFile(dataDir));
        const bins = binaries.get(name);
        if (bins === undefined) throw missingBinaryError(name);
        const startedAt = Date.now();
        const pid = await START[name](dataDir, bins, log);
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        log(`${name}: started on ${HOST}:${def.port} (pid ${pid}, ${seconds} s)`);
      }),
    );
    throwIfAnyFailed(results, 'services.start_failed', 'Some local services did not start');
    return copyEndpoints();
  });
}

export async function servicesDown(options: LocalServicesOptions): Promise<void> {
  const { dataDir, services, log } = normaliseOptions(options);
  if (services.length === 0) return;
  if (!(await exists(dataDir))) {
    for (const name of services) log(`${name}: not running`);
    return;
  }
  await withLock(dataDir, log, async () => {
    const results = await Promise.allSettled(services.map((name) => stopService(SERVICES[name], dataDir, log)));
    throwIfAnyFailed(results, 'services.stop_failed', 'Some local services did not stop');
  });
}

export async function servicesStatus(options: LocalServicesOptions): Promise<LocalServiceStatus[]> {
  const { dataDir, services } = normaliseOptions(options);
  return Promise.all(
    services.map(async (name): Promise<LocalServiceStatus> => {
      const def = SERVICES[name];
      const state = await inspect(def, dataDir);
      const where = `${HOST}:${def.port}`;
      let detail: string;
      switch (state.kind) {
        case 'running':
          detail = `pid ${String(state.pid)}, answering on ${where}`;
          break;
        case 'unresponsive':
          detail = `pid ${String(state.pid)} is alive but ${where} does not answer (starting up, or hung: see ${def.logFiles(dataDir).join(', ')})`;
          break;
        case 'foreign':
          detail = `not running; ${where} is used by another process that is not ours (no live pid file in ${def.dir(dataDir)})`;
          break;
        case 'stopped':
          detail =
            state.stalePid === null ? 'not running' : `not running (stale pid file: pid ${state.stalePid} is gone)`;
          break;
      }
      return { name, running: state.kind === 'running', pid: state.pid, endpoint: def.endpoint, detail };
    }),
  );
}

type Starter = (dataDir: string, bins: Binaries, log: (line: string) => void) => Promise<number>;

const START: Readonly<Record<LocalServiceName, Starter>> = {
  mariadb: startMariadb,
  redis: startRedis,
  dovecot: startDovecot,
  spamd: startSpamd,
};

export {
  DEFAULT_SERVICES,
  LOCAL_ENDPOINTS,
  type LocalEndpoints,
  type LocalServiceName,
  type LocalServicesOptions,
  type LocalServiceStatus,
} from './definitions.ts';
