#!/usr/bin/env node
// Runs the compiled JavaScript under dist/ (bin/build.mjs; `npm ci` builds it), rebuilding first the files
// changed since: a process loads no transpiler, and each command only the SDKs it uses (lazy imports).
// What runs is a bundle, one file with V8's code cache: dist/handover.cjs for a mail server's pipe with the
// lmtp role set (LMTP_LISTEN), dist/ingest.cjs for `ingest`, dist/ticketrelay.cjs for everything else; the
// per-file tree when esbuild is not installed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build as buildDist, BUNDLES, CODE_CACHE_DIR, currentBuild } from './build.mjs';

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

let build = currentBuild();
let entry = '../dist/adapters/cli/entry.js';
if (!build) {
  try {
    // Said on a terminal only: a mail server would send a pipe's standard error back with a bounce.
    await buildDist({
      log: (line) => {
        if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
      },
    });
    build = currentBuild();
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
const args = process.argv.slice(2);
/** Set by loadBundle when this run's compiled code is to be kept for the next. */
let saveCodeCache = null;
// Help is answered by entry.js from the usage text alone, before anything else loads: from the per-file
// tree, that is one small module to compile instead of the bundle to read.
const help = args[0] === 'help' || asksForHelp(args);
const bundled = (name) => (typeof build?.bundles?.[name] === 'string' && !help ? build.bundles[name] : null);
// A mail server's pipe (`ingest -`) with the service's lmtp role set (LMTP_LISTEN): handed over from the
// smallest bundle, which loads nothing else; when nothing answers there (null), the email is taken below.
let handedOver = null;
const handOverTried =
  args[0] === 'ingest' && args[1] === '-' && Boolean(process.env.LMTP_LISTEN) && bundled('handover');
if (handOverTried) {
  handedOver = await loadBundle(BUNDLES.handover.file, bundled('handover'), 'handover').main(args);
  saveCodeCache?.();
  saveCodeCache = null;
}
if (handedOver !== null) process.exitCode = handedOver;
else {
  // `ingest` runs from a bundle of its own (the intake alone: a mail server's pipe starts one process per email).
  const name = args[0] === 'ingest' ? 'ingest' : 'ticketrelay';
  const { main } = bundled(name) ? loadBundle(BUNDLES[name].file, bundled(name), args[0]) : await import(entry);
  process.exitCode = await main(args, { handOverTried: Boolean(handOverTried) });
  // Not for a command misspelt or misused (EX_USAGE): its cache would be of little, under a name never used again.
  if (process.exitCode !== 64) saveCodeCache?.();
}

/** As adapters/cli/usage.ts says it: --help or -h before a lone `--`. */
function asksForHelp(list) {
  const end = list.indexOf('--');
  return (end === -1 ? list : list.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * A bundle (dist/ticketrelay.cjs, or dist/ingest.cjs for `ingest`), compiled with V8's code cache of an earlier run of the same
 * command when there is one: Node 20 keeps none by itself (module.enableCompileCache came in 22.1),
 * and compiling the bundle's functions anew is most of a short command's CPU. The cache is the code
 * V8 compiled while the command ran, saved at its end when it had none (or V8 refused it: another
 * Node). One per command (`ingest`, `command`…): each compiles other functions. Where dist/ cannot be
 * written (an installation owned by another user) the command runs the same, without it.
 */
function loadBundle(file, hash, command) {
  const name = /^[a-z][a-z-]{0,30}$/.test(command ?? '') ? command : 'other';
  const cacheFile = path.join(CODE_CACHE_DIR, `${hash}-${name}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'latin1')}\n})`,
    {
      filename: file,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  if (cachedData === undefined || script.cachedDataRejected) {
    saveCodeCache = () => {
      try {
        mkdirSync(CODE_CACHE_DIR, { recursive: true });
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        // read-only: the next run compiles again
      }
    };
  }
  return module.exports;
}
