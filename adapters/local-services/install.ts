/** Finding the services' binaries, and installing the Debian packages when they are missing (as root). */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AppError } from '../../src/domain/errors.ts';
import { type LocalServiceName, SERVICES } from './definitions.ts';
import { exists } from './process.ts';

// ---------------------------------------------------------------------------------------------
// Packages
// ---------------------------------------------------------------------------------------------

export interface Binaries {
  /** mariadb: server, installDb, client; redis: server; dovecot: server. */
  server: string;
  installDb?: string;
  client?: string;
}

export const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function which(candidates: readonly string[]): Promise<string | null> {
  const dirs = [...new Set([...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), ...SEARCH_DIRS])];
  for (const name of candidates) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      try {
        await fs.access(file, fsConstants.X_OK);
        return file;
      } catch {
        // keep looking
      }
    }
  }
  return null;
}

export async function findBinaries(name: LocalServiceName): Promise<Binaries | null> {
  switch (name) {
    case 'mariadb': {
      const [server, installDb, client] = await Promise.all([
        which(['mariadbd', 'mysqld']),
        which(['mariadb-install-db', 'mysql_install_db']),
        which(['mariadb', 'mysql']),
      ]);
      return server && installDb && client ? { server, installDb, client } : null;
    }
    case 'redis': {
      const server = await which(['redis-server']);
      return server ? { server } : null;
    }
    case 'dovecot': {
      const server = await which(['dovecot']);
      // dovecot-core alone has no IMAP server: that is dovecot-imapd's /usr/lib/dovecot/imap.
      const imap = (await exists('/usr/lib/dovecot/imap')) || (await exists('/usr/libexec/dovecot/imap'));
      return server && imap ? { server } : null;
    }
    case 'spamd': {
      const server = await which(['spamd']);
      // The rules come with the spamassassin package (spamd depends on it).
      const rules = (await exists('/usr/share/spamassassin')) || (await exists('/var/lib/spamassassin'));
      return server && rules ? { server } : null;
    }
  }
}

export function missingBinaryError(name: LocalServiceName): AppError {
  const pkg = SERVICES[name].packageName;
  return new AppError(
    'services.missing_packages',
    `${pkg} is installed incompletely: its programs were not found. Run: sudo apt-get install -y --reinstall ${pkg}`,
    {
      details: { packages: [pkg] },
    },
  );
}

export async function ensureInstalled(
  names: readonly LocalServiceName[],
  log: (line: string) => void,
): Promise<Map<LocalServiceName, Binaries>> {
  const found = new Map<LocalServiceName, Binaries>();
  const lookups = await Promise.all(names.map(async (name) => [name, await findBinaries(name)] as const));
  const missing: LocalServiceName[] = [];
  for (const [name, bins] of lookups) {
    if (bins === null) missing.push(name);
    else found.set(name, bins);
  }
  if (missing.length === 0) return found;

  const packages = missing.map((name) => SERVICES[name].packageName);
  await installPackages(packages, log);
  for (const name of missing) {
    const bins = await findBinaries(name);
    if (bins === null) throw missingBinaryError(name);
    found.set(name, bins);
  }
  return found;
}

export async function installPackages(packages: readonly string[], log: (line: string) => void): Promise<void> {
  const list = packages.join(' ');
  const command = `sudo apt-get install -y --no-install-recommends ${list}`;
  const subject = packages.length === 1 ? `${packages[0]} is` : `${packages.join(', ')} are`;
  if (process.getuid?.() !== 0) {
    throw new AppError('services.missing_packages', `${subject} not installed. Run: ${command}`, {
      details: { packages: [...packages], command },
    });
  }
  const aptGet = await which(['apt-get']);
  if (aptGet === null) {
    throw new AppError(
      'services.missing_packages',
      `${subject} not installed and apt-get is not available here; install the equivalent packages with this system's package manager.`,
      { details: { packages: [...packages] } },
    );
  }

  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = async (): Promise<void> => {
    log('packages: apt-get update');
    const result = await runStreaming(aptGet, ['-q', 'update'], env, () => undefined);
    if (result.code !== 0) {
      throw new AppError(
        'services.package_install_failed',
        `apt-get update failed (exit ${result.code}):\n${result.tail.join('\n')}`,
        {
          retryable: true,
          details: { packages: [...packages] },
        },
      );
    }
  };
  const install = (): Promise<{ code: number; tail: string[] }> => {
    log(`packages: installing ${list} with apt-get (this takes a minute)`);
    return runStreaming(
      aptGet,
      ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...packages],
      env,
      (line) => {
        const match = /^Setting up (\S+?)(?::\w+)? \(/.exec(line);
        if (match?.[1] !== undefined && packages.includes(match[1])) log(`packages: ${line.trim()}`);
      },
    );
  };

  const startedAt = Date.now();
  let updated = false;
  if (await aptListsEmpty()) {
    await update();
    updated = true;
  }
  let result = await install();
  if (result.code !== 0 && !updated) {
    log('packages: apt-get install failed; refreshing the package lists and trying again');
    await update();
    result = await install();
  }
  if (result.code !== 0) {
    throw new AppError(
      'services.package_install_failed',
      `apt-get install ${list} failed (exit ${result.code}):\n${result.tail.join('\n')}\nTry by hand: ${command}`,
      { retryable: true, details: { packages: [...packages], command } },
    );
  }
  log(`packages: installed ${list} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

export async function aptListsEmpty(): Promise<boolean> {
  try {
    const entries = await fs.readdir('/var/lib/apt/lists');
    return !entries.some((entry) => /_Packages(\.\w+)?$/.test(entry));
  } catch {
    return true;
  }
}

/** Runs a command, hands each output line to `onLine`, keeps the last lines for error messages. */
export function runStreaming(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<{ code: number; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const take = (line: string): void => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onLine(line);
    };
    createInterface({ input: child.stdout }).on('line', take);
    createInterface({ input: child.stderr }).on('line', take);
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), tail }));
  });
}
