#!/usr/bin/env node
/**
 * The build a process runs: src/, adapters/ and jobs/ compiled to JavaScript under dist/ (the same
 * tree, `.ts` → `.js`, import specifiers rewritten), their other files (migrations, DDL, manifests)
 * copied beside them. A production process then loads plain JavaScript: no transpiler at run time.
 *
 * Each file is compiled on its own with TypeScript's transpileModule (the types are checked by
 * `npm run typecheck`, not here), so a build after a change redoes only the files that changed and
 * takes well under a second; a full build of a fresh clone takes a few. Every file is written under
 * a temporary name and renamed, so processes racing to build (tests starting several at once) each
 * see whole files and write the same bytes.
 *
 * `npm ci` runs it (the `prepare` script); bin/ticketrelay.mjs runs it when dist/ is missing or older
 * than a source. `node bin/build.mjs` builds by hand; `--check` exits 1 when dist/ is stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'adapters', 'jobs'];

/** Every source file with the dist/ file it becomes. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.d.ts')) {
        const rel = path.relative(ROOT, full);
        files.push({
          source: full,
          target: path.join(DIST, entry.name.endsWith('.ts') ? rel.replace(/\.ts$/, '.js') : rel),
        });
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return files;
}

/** The files whose dist/ counterpart is missing or older than the source. */
function staleFiles(files) {
  return files.filter(({ source, target }) => {
    try {
      return statSync(target).mtimeMs < statSync(source).mtimeMs;
    } catch {
      return true;
    }
  });
}

/**
 * True when dist/ holds a current build: every source has its output, none is newer than it, and
 * no output remains of a source since removed (the manifest lists what the last build wrote).
 * A few milliseconds: one stat per file.
 */
export function isBuilt() {
  const files = sourceFiles();
  if (staleFiles(files).length > 0) return false;
  try {
    const manifest = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8'));
    return manifest.files === files.length;
  } catch {
    return false;
  }
}

/**
 * Compiles what changed. Returns the number of files written; throws when TypeScript is not
 * installed (a production install without dev dependencies and without a build: the caller says so).
 */
export function build({ log = () => undefined } = {}) {
  const files = sourceFiles();
  const stale = staleFiles(files);
  let ts = null;
  if (stale.some(({ source }) => source.endsWith('.ts'))) {
    ts = createRequire(path.join(ROOT, 'package.json'))('typescript');
  }
  const options = ts && {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    verbatimModuleSyntax: true,
    rewriteRelativeImportExtensions: true,
    esModuleInterop: true,
    sourceMap: false,
  };
  if (stale.length > 0) log(`ticketrelay: building dist/ (${stale.length} of ${files.length} files changed)…`);
  for (const { source, target } of stale) {
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    if (source.endsWith('.ts')) {
      const { outputText, diagnostics } = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: options,
        fileName: source,
        reportDiagnostics: true,
      });
      const errors = (diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (errors.length > 0) {
        throw new Error(
          `${path.relative(ROOT, source)}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, ' ')}`,
        );
      }
      writeFileSync(temporary, outputText);
    } else {
      writeFileSync(temporary, readFileSync(source));
    }
    renameSync(temporary, target);
  }
  // What a removed or renamed source left behind would still be importable: remove it.
  const wanted = new Set(files.map((f) => f.target));
  const prune = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) prune(full);
      else if (!wanted.has(full) && !full.endsWith('.tmp')) rmSync(full, { force: true });
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(DIST, dir))) prune(path.join(DIST, dir));
  const manifest = path.join(DIST, '.build.json');
  mkdirSync(DIST, { recursive: true });
  writeFileSync(
    `${manifest}.${process.pid}.tmp`,
    `${JSON.stringify({ files: files.length, builtAt: new Date().toISOString() })}\n`,
  );
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
  return stale.length;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const built = isBuilt();
    process.stdout.write(
      built ? 'dist/ is up to date.\n' : 'dist/ is missing or older than the sources: run "node bin/build.mjs".\n',
    );
    process.exitCode = built ? 0 : 1;
  } else {
    const started = performance.now();
    const written = build({ log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(
      `dist/: ${written} file${written === 1 ? '' : 's'} written in ${Math.round(performance.now() - started)} ms.\n`,
    );
  }
}
