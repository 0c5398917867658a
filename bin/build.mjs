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
 * Then the CLI's bundle, dist/ticketrelay.cjs: the CLI entry and everything it reaches (ours and the
 * libraries, but the chat, IMAP and spreadsheet SDKs that only some roles load) in one file, built with
 * esbuild (installed with tsx). A process then resolves, reads and compiles one file instead of ~500,
 * and bin/ticketrelay.mjs keeps V8's compiled code of it (dist/cache/): see there. The per-file tree
 * stays: the parser and training threads start from it, and it runs when esbuild is not installed.
 *
 * `npm ci` runs it (the `prepare` script); bin/ticketrelay.mjs runs it when dist/ is missing or older
 * than a source. `node bin/build.mjs` builds by hand; `--check` exits 1 when dist/ is stale.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const SOURCE_DIRS = ['src', 'adapters', 'jobs'];
/** The CLI's bundle and the folder of V8's code caches of it (bin/ticketrelay.mjs). */
export const BUNDLE = path.join(DIST, 'ticketrelay.cjs');
/**
 * The bundles, each with its entry: the whole CLI; `ingest` alone (a mail server's pipe starts one
 * process per email: it reads and compiles the intake only, not the commands, roles and stores); and
 * the pipe's hand-over to a running lmtp role (a few kilobytes: no configuration schema, no clients).
 */
export const BUNDLES = {
  ticketrelay: { file: BUNDLE, entry: path.join(ROOT, 'adapters', 'cli', 'entry.ts') },
  ingest: { file: path.join(DIST, 'ingest.cjs'), entry: path.join(ROOT, 'adapters', 'cli', 'ingest-entry.ts') },
  handover: { file: path.join(DIST, 'handover.cjs'), entry: path.join(ROOT, 'adapters', 'cli', 'pipe-entry.ts') },
};
export const CODE_CACHE_DIR = path.join(DIST, 'cache');
const MANIFEST = path.join(DIST, '.build.json');
/**
 * Left out of the bundle, loaded from node_modules by the roles and commands that use them: big, and
 * needed by no short command (the chat bots, IMAP, exports, the lmtp role's server, the digest chart),
 * or native add-ons the SDKs load only when present.
 */
const NOT_BUNDLED = [
  '@slack/bolt',
  '@slack/web-api',
  'discord.js',
  'imapflow',
  'exceljs',
  'smtp-server',
  'pngjs',
  'zlib-sync',
  'bufferutil',
  'utf-8-validate',
];
/** A change of the installed libraries (npm ci, npm install), or of this build, makes the bundle stale too. */
const LOCKFILES = [
  path.join(ROOT, 'package-lock.json'),
  path.join(ROOT, 'node_modules', '.package-lock.json'),
  fileURLToPath(import.meta.url),
];

/**
 * Every source file with the dist/ file it becomes. Paths joined as strings (this runs at every start:
 * path.relative and path.join on each file were most of its ~20 ms).
 */
function sourceFiles() {
  const files = [];
  const walk = (rel) => {
    for (const entry of readdirSync(`${ROOT}${path.sep}${rel}`, { withFileTypes: true })) {
      const name = `${rel}${path.sep}${entry.name}`;
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile() && !entry.name.endsWith('.d.ts')) {
        files.push({
          source: `${ROOT}${path.sep}${name}`,
          target: `${DIST}${path.sep}${name.endsWith('.ts') ? `${name.slice(0, -3)}.js` : name}`,
        });
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(ROOT, dir))) walk(dir);
  return files;
}

/**
 * The files whose dist/ counterpart is missing or older than the source, and the newest source's
 * time (each source stat'ed once: this runs at every start).
 */
function staleFiles(files) {
  let newest = 0;
  const stale = files.filter(({ source, target }) => {
    try {
      const changed = statSync(source).mtimeMs;
      newest = Math.max(newest, changed);
      return statSync(target).mtimeMs < changed;
    } catch {
      return true;
    }
  });
  return { stale, newest };
}

/** The newest of the sources' time, the lockfiles' (a change of the installed libraries) and this build's. */
function newestInput(newestSource) {
  let newest = newestSource;
  for (const file of LOCKFILES) {
    try {
      newest = Math.max(newest, statSync(file).mtimeMs);
    } catch {
      // a lockfile that is not there
    }
  }
  return newest;
}

/**
 * The current build's manifest (what the last build wrote, and the bundles' hashes), or null when dist/
 * is not current: a source changed since the build began (`sourcesAt`), a source added or removed, or
 * a bundle older than the installed libraries. One stat per source (each process runs this at start:
 * a stat is not free in this sandbox).
 */
export function currentBuild() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return null;
  }
  if (typeof manifest.sourcesAt !== 'number') return null; // an older build
  const files = sourceFiles();
  if (manifest.files !== files.length) return null;
  let newest = 0;
  for (const { source } of files) {
    try {
      const changed = statSync(source).mtimeMs;
      if (changed > manifest.sourcesAt) return null;
      newest = Math.max(newest, changed);
    } catch {
      return null;
    }
  }
  if (manifest.bundle === null) return manifest; // esbuild is not installed: the per-file tree runs
  if (typeof manifest.bundles !== 'object' || manifest.bundles === null) return null;
  const needed = newestInput(newest);
  try {
    return Object.values(BUNDLES).every(({ file }) => statSync(file).mtimeMs >= needed) ? manifest : null;
  } catch {
    return null;
  }
}

/** True when dist/ holds a current build (see currentBuild). */
export function isBuilt() {
  return currentBuild() !== null;
}

/**
 * Compiles what changed. Returns the number of files written; throws when TypeScript is not
 * installed (a production install without dev dependencies and without a build: the caller says so).
 */
export async function build({ log = () => undefined } = {}) {
  // A source saved after this instant is compiled again by the next start (currentBuild).
  const sourcesAt = Date.now();
  const files = sourceFiles();
  const { stale, newest } = staleFiles(files);
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
  const { bundles, lazyVendor } = await bundleCli({ log, newest: newestInput(newest) });
  mkdirSync(DIST, { recursive: true });
  // `bundle`: the whole CLI's hash (null without esbuild); `bundles`: each bundle's, by name.
  const bundle = bundles?.ticketrelay ?? null;
  writeFileSync(
    `${MANIFEST}.${process.pid}.tmp`,
    `${JSON.stringify({ files: files.length, sourcesAt, bundle, bundles, lazyVendor, builtAt: new Date().toISOString() })}\n`,
  );
  renameSync(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
  return stale.length;
}

/**
 * The bundles (BUNDLES), when a source or the installed libraries changed since they were made
 * (`newest` is the newest of their times). Returns each one's hash by name (the code caches are kept
 * per hash), or null when esbuild is not installed, and the libraries' start-up work deferred in them
 * (lazyVendor). CommonJS, so that bin/ticketrelay.mjs can compile them with a code cache (Node 20 has
 * none for ES modules); our dynamic imports become functions called on first use, as before.
 */
async function bundleCli({ log, newest }) {
  let esbuild;
  try {
    esbuild = createRequire(path.join(ROOT, 'package.json'))('esbuild');
  } catch {
    for (const { file } of Object.values(BUNDLES)) rmSync(file, { force: true });
    return { bundles: null, lazyVendor: [] };
  }
  try {
    const previous = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    const names = Object.keys(BUNDLES);
    if (
      typeof previous.bundles === 'object' &&
      previous.bundles !== null &&
      names.every(
        (name) => typeof previous.bundles[name] === 'string' && statSync(BUNDLES[name].file).mtimeMs >= newest,
      )
    )
      return { bundles: previous.bundles, lazyVendor: previous.lazyVendor ?? [] };
  } catch {
    // no manifest or no bundle yet: a first build
  }
  log(
    `ticketrelay: bundling the CLI into ${Object.values(BUNDLES)
      .map(({ file }) => path.relative(ROOT, file))
      .join(' and ')}…`,
  );
  const started = new Date();
  const temporary = path.join(DIST, `.bundles.${process.pid}.tmp`);
  const deferred = new Set();
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(BUNDLES).map(([name, { entry }]) => [name, entry])),
    outdir: temporary,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // The libraries' CommonJS builds where they ship both: what Node itself loads for them with require.
    mainFields: ['main', 'module'],
    external: NOT_BUNDLED,
    legalComments: 'none',
    // Non-ASCII characters escaped: bin/ticketrelay.mjs reads the bundle as Latin-1 (one byte a character).
    charset: 'ascii',
    logLevel: 'error',
    // Module names in the bundle relative to the project, wherever the build runs from (the same bytes, the same hash).
    absWorkingDir: ROOT,
    plugins: [importMetaAsInDist, lazyVendor(deferred)],
    // import.meta of each source, as the per-file build has it: its own file under dist/ (see metaOf).
    banner: {
      js: [
        "const __trBase = require('node:url').pathToFileURL(__dirname + '/');",
        'const __trUrl = (rel) => new URL(rel, __trBase).href;',
        "const __trDir = (rel) => require('node:path').join(__dirname, rel);",
        "const __trResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
      ].join(' '),
    },
  });
  const { createHash } = await import('node:crypto');
  const bundles = {};
  for (const [name, { file }] of Object.entries(BUNDLES)) {
    const built = path.join(temporary, `${name}.cjs`);
    bundles[name] = createHash('sha256').update(readFileSync(built)).digest('hex').slice(0, 16);
    // Dated when the bundling began: a source saved while esbuild ran is newer, and bundled again next time.
    utimesSync(built, started, started);
    renameSync(built, file);
  }
  rmSync(temporary, { recursive: true, force: true });
  // The code caches of earlier bundles would never be read again.
  const current = Object.values(bundles);
  if (existsSync(CODE_CACHE_DIR))
    for (const entry of readdirSync(CODE_CACHE_DIR))
      if (!current.some((hash) => entry.startsWith(`${hash}-`)))
        rmSync(path.join(CODE_CACHE_DIR, entry), { force: true });
  return { bundles, lazyVendor: [...deferred].sort() };
}

/**
 * Work some libraries do as they load, for features ticketrelay never asks of them, deferred in the
 * bundle to the first time it is asked for (then done exactly as before). Each short process loaded
 * them all: about 35 ms of CPU of `ingest -` (issue 19).
 * - mailparser builds linkify-it's pattern of every top-level domain, and loads he's and html-to-text's
 *   HTML parser and entity tables, for textAsHtml and HTML→text, which MailparserEmailParser turns off
 *   (skipTextToHtml, skipTextLinks, skipHtmlToText). Its imports of the three get stand-ins that load the
 *   real module on first use: linkify-it's stand-in records the set-up calls (tlds, add, set, each of
 *   which recompiles the patterns) and replays them then.
 * - libmime builds iconv-lite's GBK table at load to learn the decoder class all double-byte codecs
 *   share; that class is iconv-lite's DBCS codec's own, read from it without building a table.
 * - ioredis adds a method per Redis command (~600) to its Commander class's prototype one by one; V8
 *   copies the prototype's descriptors at each addition (quadratic: ~15 ms). The prototype is put in
 *   dictionary mode first (a property added and deleted), where each addition is constant time; V8
 *   makes it fast again when it is first used as a prototype. The same methods, the same behaviour.
 * - mysql2 fills its table of server error names (~4,000 properties, one statement each) at load; it
 *   is read only when the server answers with an error. The table is filled on first read instead
 *   (a stand-in object that fills it then), the same names and numbers.
 * - mysql2 decodes the server's version in each connection's handshake as CESU-8, which iconv-lite
 *   decodes after loading its table of every encoding it knows; for ASCII bytes (a version always is)
 *   CESU-8 is those bytes, decoded as such; anything else goes to iconv-lite as before.
 * - libmime asks iconv-lite at load for the codecs it compares with (see lazyLibmimeCodecs): asked on
 *   first use, so an email in UTF-8 or ASCII never loads iconv-lite's table of encodings.
 * A library whose text is no longer what is replaced is bundled as it is (slower, the same behaviour),
 * and the manifest lists what was deferred (`lazyVendor`; a test expects every one).
 */
const LAZY_VENDOR_IMPORTS = {
  'html-to-text': 'export function htmlToText(...args) { return require("html-to-text").htmlToText(...args); }',
  he: 'export default new Proxy({}, { get: (_, name) => require("he")[name] });',
  'linkify-it': `const SET_UP = new Set(['tlds', 'add', 'set']);
export default function linkifyIt(...options) {
  const calls = [];
  let real = null;
  const instance = () => {
    if (real === null) {
      const create = require('linkify-it');
      real = (create.default ?? create)(...options);
      for (const [name, args] of calls) real[name](...args);
    }
    return real;
  };
  const standIn = new Proxy({}, {
    get(_, name) {
      if (real === null && SET_UP.has(name)) return (...args) => (calls.push([name, args]), standIn);
      const value = instance()[name];
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
  return standIn;
}`,
};
const IOREDIS_COMMANDER = /[\\/]ioredis[\\/]built[\\/]utils[\\/]Commander\.js$/;
const IOREDIS_COMMANDS_LOOP = 'commands.forEach(function (commandName) {\n    Commander.prototype[commandName] =';
const LIBMIME_CHARSET = /[\\/]libmime[\\/]dist[\\/](cjs|esm)[\\/]charset\.js$/;
const LIBMIME_GBK = /(\w+(?:\.default)?)\.getCodec\('gbk'\)\.decoder/;
/**
 * libmime's charset module asks iconv-lite at load for the codecs it compares with (UTF-7, base64 and
 * hex refused; UTF-16 and UTF-32 held back to guess their byte order; the double-byte decoder), and
 * iconv-lite loads its table of every encoding to answer. The same values, asked for on first use (a
 * charset other than UTF-8 and ASCII, which libmime decodes without iconv-lite): null when the module's
 * text is not what this expects (then only the GBK table is deferred, as before).
 */
function lazyLibmimeCodecs(text, iconv) {
  const statement = (name) => new RegExp(`const ${name} = (new (?:Set|Map)\\([\\s\\S]*?\\));\\n`);
  const dbcsUse = 'codec.decoder === DBCS_DECODER)';
  const sets = ['UNSUPPORTED_CODECS', 'BYTE_ORDER_GUESSING'];
  if (!sets.every((name) => statement(name).test(text)) || !LIBMIME_GBK_STATEMENT.test(text)) return null;
  if (text.split(dbcsUse).length !== 2) return null;
  // Each is only read with .has / .get, and DBCS_DECODER only in that comparison (besides comments).
  const code = text.replace(/\/\/.*$/gm, '');
  if (code.split('UNSUPPORTED_CODECS.has(').length !== code.split('UNSUPPORTED_CODECS').length - 1) return null;
  if (code.split('BYTE_ORDER_GUESSING.get(').length !== code.split('BYTE_ORDER_GUESSING').length - 1) return null;
  if (code.split('DBCS_DECODER').length - 1 !== 2) return null;
  let out = text;
  for (const name of sets) out = out.replace(statement(name), `const ${name} = __trOnFirstUse(() => $1);\n`);
  out = out
    .replace(LIBMIME_GBK_STATEMENT, `const DBCS_DECODER = () => ${iconv}.encodings._dbcs.prototype.decoder;`)
    .replace(dbcsUse, 'codec.decoder === DBCS_DECODER())');
  const helper =
    'const __trOnFirstUse = (make) => { let made = null; const it = () => (made ??= make()); return { has: (key) => it().has(key), get: (key) => it().get(key) }; };\n';
  return `${helper}${out}`;
}
const LIBMIME_GBK_STATEMENT = /const DBCS_DECODER = [\w.]+\.getCodec\('gbk'\)\.decoder;/;
const MYSQL2_STRING = /[\\/]mysql2[\\/]lib[\\/]parsers[\\/]string\.js$/;
const MYSQL2_DECODE_ANCHOR = `  if (Buffer.isEncoding(encoding)) {
    return buffer.toString(encoding, start, end);
  }

  // Optimize for common case`;
const MYSQL2_ASCII_CESU8 = `  if (encoding === 'cesu8' && !options && buffer.subarray(start, end).every((byte) => byte < 128)) {
    return buffer.toString('latin1', start, end);
  }
`;
const MYSQL2_ERRORS = /[\\/]mysql2[\\/]lib[\\/]constants[\\/]errors\.js$/;
/** The error table's module, filled on first use: `exports` inside is the real table, filled once. */
const deferredTable = (text) => `'use strict';
let table = null;
const filled = () => {
  if (table === null) {
    table = {};
    (function (exports) {\n${text}\n})(table);
  }
  return table;
};
module.exports = new Proxy({}, {
  get: (_, key) => filled()[key],
  has: (_, key) => key in filled(),
  ownKeys: () => Reflect.ownKeys(filled()),
  getOwnPropertyDescriptor: (_, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(filled(), key);
    return descriptor && { ...descriptor, configurable: true };
  },
});
`;

export function lazyVendor(applied) {
  return {
    name: 'lazy-vendor',
    setup(build) {
      build.onResolve({ filter: /^(html-to-text|linkify-it|he)$/ }, (args) => {
        if (!/[\\/]mailparser[\\/]dist[\\/]esm[\\/]mail-parser\.js$/.test(args.importer)) return undefined;
        applied.add(`mailparser:${args.path}`);
        return { path: args.path, namespace: 'lazy-vendor', pluginData: { resolveDir: path.dirname(args.importer) } };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-vendor' }, (args) => ({
        contents: LAZY_VENDOR_IMPORTS[args.path],
        loader: 'js',
        resolveDir: args.pluginData.resolveDir,
      }));
      build.onLoad({ filter: IOREDIS_COMMANDER }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (text.split(IOREDIS_COMMANDS_LOOP).length !== 2) return undefined;
        applied.add('ioredis:commander-prototype');
        const dictionary = 'Commander.prototype.__trDictionary = 0;\ndelete Commander.prototype.__trDictionary;\n';
        return { contents: text.replace(IOREDIS_COMMANDS_LOOP, `${dictionary}${IOREDIS_COMMANDS_LOOP}`), loader: 'js' };
      });
      build.onLoad({ filter: MYSQL2_STRING }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (text.split(MYSQL2_DECODE_ANCHOR).length !== 2) return undefined;
        applied.add('mysql2:ascii-cesu8');
        const [before, after] = text.split(MYSQL2_DECODE_ANCHOR);
        return { contents: `${before}${MYSQL2_ASCII_CESU8}${MYSQL2_DECODE_ANCHOR}${after}`, loader: 'js' };
      });
      build.onLoad({ filter: MYSQL2_ERRORS }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        // Only plain assignments to exports: anything else (a require, module.exports =) is bundled as it is.
        if (!/^exports\.ER_/m.test(text) || /\b(require|module)\b/.test(text.replace(/\/\/.*$/gm, '')))
          return undefined;
        applied.add('mysql2:error-names');
        return { contents: deferredTable(text), loader: 'js' };
      });
      build.onLoad({ filter: LIBMIME_CHARSET }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const gbk = LIBMIME_GBK.exec(text);
        if (!gbk) return undefined;
        const flavour = LIBMIME_CHARSET.exec(args.path)[1];
        applied.add(`libmime:gbk-${flavour}`);
        // getCodec has loaded iconv-lite's encodings already (libmime's UNSUPPORTED_CODECS, above it).
        const eager = text.replace(LIBMIME_GBK, '$1.encodings._dbcs.prototype.decoder');
        const lazy = lazyLibmimeCodecs(text, gbk[1]);
        if (lazy === null) return { contents: eager, loader: 'js' };
        applied.add(`libmime:codecs-${flavour}`);
        return { contents: lazy, loader: 'js' };
      });
    },
  };
}

/**
 * CommonJS has no `import.meta`: in each source that uses it, it becomes that source's own place under
 * dist/ (the per-file tree), so that database.js still finds the migrations beside it, parse-pool.js
 * its parse-worker.js, and config.js the project root above dist/src/.
 */
const importMetaAsInDist = {
  name: 'import-meta-as-in-dist',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(path.sep).includes('node_modules')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return { contents: text, loader: 'ts' };
      const compiled = path.relative(ROOT, args.path).replace(/\.ts$/, '.js').split(path.sep).join('/');
      return {
        loader: 'ts',
        contents: text
          .replaceAll('import.meta.dirname', `__trDir(${JSON.stringify(path.posix.dirname(compiled))})`)
          .replaceAll('import.meta.url', `__trUrl(${JSON.stringify(compiled)})`)
          .replaceAll('import.meta.resolve(', '__trResolve('),
      };
    });
  },
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const built = isBuilt();
    process.stdout.write(
      built ? 'dist/ is up to date.\n' : 'dist/ is missing or older than the sources: run "node bin/build.mjs".\n',
    );
    process.exitCode = built ? 0 : 1;
  } else {
    const started = performance.now();
    const written = await build({ log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(
      `dist/: ${written} file${written === 1 ? '' : 's'} written in ${Math.round(performance.now() - started)} ms.\n`,
    );
  }
}
