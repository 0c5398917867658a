#!/usr/bin/env node
// Runs the compiled JavaScript under dist/ (bin/build.mjs; `npm ci` builds it), rebuilding first the files
// changed since: a process loads no transpiler, and each command only the SDKs it uses (lazy imports).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, isBuilt } from './build.mjs';

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
    process.stderr.write(
      `ticketrelay: ${envFile} cannot be read: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(78);
  }
  // A file named by TICKETRELAY_ENV_FILE is production's: never the development database by default (a typo in the name).
  if (named && !process.env.DATABASE_URL) {
    process.stderr.write(
      `ticketrelay: ${envFile} sets no DATABASE_URL (nor does the environment): name the shop's database there; the project-local development database is not used with a configuration file.\n`,
    );
    process.exit(78);
  }
}

let entry = '../dist/adapters/cli/entry.js';
if (!isBuilt()) {
  try {
    // Said on a terminal only: a mail server would send a pipe's standard error back with a bounce.
    build({
      log: (line) => {
        if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
      },
    });
  } catch (error) {
    // No TypeScript to build with (an install without dev dependencies and no dist/): the sources run
    // through tsx's loader, as before the build existed. Slower to start, the same behaviour.
    process.stderr.write(
      `ticketrelay: dist/ cannot be built (${error instanceof Error ? error.message : String(error)}); running the TypeScript sources through tsx.\n`,
    );
    (await import('tsx/esm/api')).register();
    entry = '../adapters/cli/entry.ts';
  }
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
