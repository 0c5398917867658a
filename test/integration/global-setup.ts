import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { servicesUp } from '../../adapters/local-services/index.ts';

/**
 * The tests talk to real services: the project's own script starts them (and installs them if needed).
 * dist/ (the per-file tree and the CLI's bundle) is brought up to date once here, as `npm ci` would:
 * otherwise the first `ticketrelay` processes of several test files would each bundle the changed sources.
 */
export default async function setup(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [path.join(root, 'bin', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  await servicesUp({
    dataDir: path.join(root, '.data'),
    services: ['mariadb', 'redis', 'dovecot'],
    log: (line) => process.stderr.write(`[services] ${line}\n`),
  });
}
