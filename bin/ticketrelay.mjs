#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a change and a run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The configuration of a process started without it (a mail server's pipe, cron, a shell): the file
// named by TICKETRELAY_ENV_FILE, else the project's .env when there is one. Variables already set win.
const named = process.env.TICKETRELAY_ENV_FILE;
const envFile = named || path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.env');
if (named && !existsSync(named)) {
  process.stderr.write(`ticketrelay: TICKETRELAY_ENV_FILE names ${named}, which does not exist.\n`);
  process.exit(78); // EX_CONFIG
}
if (existsSync(envFile)) {
  try {
    process.loadEnvFile(envFile);
  } catch (error) {
    process.stderr.write(`ticketrelay: ${envFile} cannot be read: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(78);
  }
  // A file named by TICKETRELAY_ENV_FILE is production's: never the development database by default (a typo in the name).
  if (named && !process.env.DATABASE_URL) {
    process.stderr.write(`ticketrelay: ${envFile} sets no DATABASE_URL (nor does the environment): name the shop's database there; the project-local development database is not used with a configuration file.\n`);
    process.exit(78);
  }
}

register();
const { main } = await import('../adapters/cli/cli.ts');
process.exitCode = await main(process.argv.slice(2));
