import path from 'node:path';
import { servicesUp } from '../../adapters/local-services/index.ts';

/** The tests talk to real services: the project's own script starts them (and installs them if needed). */
export default async function setup(): Promise<void> {
  const dataDir = path.resolve(import.meta.dirname, '../../.data');
  await servicesUp({
    dataDir,
    services: ['mariadb', 'redis', 'dovecot'],
    log: (line) => process.stderr.write(`[services] ${line}\n`),
  });
}
