/**
 * The CLI runs from one bundled file (dist/ticketrelay.cjs) with V8's code cache of the previous run of
 * the same command (dist/cache/): the first run writes it, the next ones read it, and V8 refusing it
 * would show as the file written again. The work some libraries do as they load, for features we never use,
 * is deferred in the bundle (bin/build.mjs, lazyVendor): their output stays what it was.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { eml } from './eml.ts';
import { commandEnv, runTicketrelay, startTestApp } from './harness.ts';

const DIST = path.resolve(import.meta.dirname, '../../dist');

describe('the bundled CLI', () => {
  it('keeps the code it compiled for a command, and the next run of that command takes it as it is', async () => {
    const { bundle } = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8')) as { bundle: string | null };
    expect(bundle, 'esbuild bundled the CLI (the global setup builds dist/)').toMatch(/^[0-9a-f]{16}$/);
    expect(statSync(path.join(DIST, 'ticketrelay.cjs')).size).toBeGreaterThan(1_000_000);
    const cache = path.join(DIST, 'cache', `${bundle}-services.bin`);
    rmSync(cache, { force: true });

    const first = await runTicketrelay(['services', 'status', 'mariadb'], {});
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^mariadb +running +mysql:\/\/127\.0\.0\.1:33306/);
    const written = statSync(cache);
    expect(written.size).toBeGreaterThan(10_000);

    const second = await runTicketrelay(['services', 'status', 'mariadb'], {});
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Accepted by V8: not written again (a refused cache is replaced by this run's).
    expect(statSync(cache).ino).toBe(written.ino);
  });

  it('runs ingest from a bundle of its own, the intake without the commands, roles and stores, with its own cache', async () => {
    const { bundles } = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8')) as {
      bundles: { ticketrelay: string; ingest: string; handover: string };
    };
    expect(bundles.ingest).toMatch(/^[0-9a-f]{16}$/);
    const ingest = readFileSync(path.join(DIST, 'ingest.cjs'), 'latin1');
    expect(ingest).toContain('src/services/ingest-email.ts');
    for (const other of [
      'src/services/run-command.ts',
      'src/services/check-sla.ts',
      'src/main.ts',
      'src/roles/worker.ts',
      'src/roles/bots.ts',
      'adapters/mysql/mysql-ticket-store.ts',
      'adapters/http/',
    ])
      expect(ingest, `${other} is not in dist/ingest.cjs`).not.toContain(other);
    // The pipe's hand-over to a running lmtp role: its own few kilobytes, no configuration schema or client.
    const handover = readFileSync(path.join(DIST, 'handover.cjs'), 'latin1');
    expect(handover).toContain('adapters/cli/handover.ts');
    expect(handover.length).toBeLessThan(50_000);
    for (const library of ['node_modules/zod/', 'node_modules/mysql2/', 'node_modules/bullmq/', 'src/config.ts'])
      expect(handover, `${library} is not in dist/handover.cjs`).not.toContain(library);
    const cache = path.join(DIST, 'cache', `${bundles.ingest}-ingest.bin`);
    rmSync(cache, { force: true });
    const setup = await startTestApp('ingest-bundle');
    try {
      const env = { ...commandEnv(setup.db, setup.app), LOG_LEVEL: 'silent' };
      for (const from of ['first.pipe@customer.example', 'second.pipe@customer.example']) {
        const mail = eml({ from, subject: `Piped by ${from}` });
        const piped = await runTicketrelay(['ingest', '-', '--json'], env, mail.raw);
        expect(piped.stderr).toBe('');
        expect(piped.code).toBe(0);
        expect(JSON.parse(piped.stdout.trim())).toMatchObject({ total: 1, created: 1 });
        const rows = await setup.db.query<{ msg_subject: string }>(
          'SELECT l.msg_subject FROM support_message m JOIN ___xtr_msg l ON l.msg_id = m.ticket_id WHERE m.message_id = ?',
          [mail.messageId],
        );
        expect(rows.map((r) => r.msg_subject)).toEqual([`Piped by ${from}`]);
        // The first run kept the code it compiled, under the ingest bundle's hash; the second took it.
        expect(statSync(cache).size).toBeGreaterThan(10_000);
      }
    } finally {
      await setup.close();
    }
  });

  it('is rebuilt at the next start once a source changed since the build, and only then', async () => {
    const { isBuilt } = (await import(pathToFileURL(path.join(DIST, '..', 'bin', 'build.mjs')).href)) as {
      isBuilt: () => boolean;
    };
    expect(isBuilt()).toBe(true);
    const source = path.join(DIST, '..', 'src', 'lmtp-target.ts');
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(Date.now() + 60_000)); // saved after the build began
      expect(isBuilt()).toBe(false);
    } finally {
      utimesSync(source, atime, mtime);
    }
    expect(isBuilt()).toBe(true);
  });

  it('answers help from the usage text alone, the bundle unread and no cache written', async () => {
    const { bundle } = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8')) as { bundle: string };
    const cache = path.join(DIST, 'cache', `${bundle}-help.bin`);
    rmSync(cache, { force: true });
    const help = await runTicketrelay(['help', 'ingest'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n.*ingest/);
    expect(() => statSync(cache)).toThrow();
  });
});

/** What bin/build.mjs defers (see lazyVendor there): a library update that changes its text shows here. */
const DEFERRED = [
  'ioredis:commander-prototype',
  'libmime:codecs-cjs',
  'libmime:codecs-esm',
  'libmime:gbk-cjs',
  'libmime:gbk-esm',
  'mailparser:he',
  'mailparser:html-to-text',
  'mailparser:linkify-it',
  'mysql2:ascii-cesu8',
  'mysql2:error-names',
];

describe('libraries’ unused start-up work, deferred in the bundle', () => {
  it('is deferred for each library the build knows (the manifest lists them)', () => {
    const { lazyVendor } = JSON.parse(readFileSync(path.join(DIST, '.build.json'), 'utf8')) as { lazyVendor: string[] };
    expect(lazyVendor).toEqual(DEFERRED);
    const bundle = readFileSync(path.join(DIST, 'ticketrelay.cjs'), 'latin1');
    expect(bundle).not.toContain('getCodec("gbk")');
  });

  it('leaves mailparser’s output as it was (links, HTML to text, double-byte charsets) and ioredis’s commands', async () => {
    const raw = Buffer.concat([
      Buffer.from(
        'From: Li Wei <li.wei@customer.example>\r\nTo: support@ticketrelay.test\r\nSubject: =?GBK?B?tqm1pQ==?=\r\nMessage-ID: <gbk-1@customer.example>\r\nContent-Type: multipart/alternative; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      // "订单 12345 还没有到, see https://shop.example/orders?id=12345 or @shop www.parts.onion" in GBK, long enough to be cut into chunks
      Buffer.concat(
        Array.from({ length: 400 }, () =>
          Buffer.from([
            0xb6, 0xa9, 0xb5, 0xa5, 0x20, 0x31, 0x32, 0x33, 0x34, 0x35, 0x20, 0xbb, 0xb9, 0xc3, 0xbb, 0xd3, 0xd0, 0xb5,
            0xbd, 0x2c, 0x20,
          ]),
        ),
      ),
      Buffer.from(
        ' see https://shop.example/orders?id=12345 or @shop www.parts.onion\r\n--zz\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>world</b> &amp; <a href="http://x.example">link</a></p><ul><li>one</li></ul>\r\n--zz--\r\n',
      ),
    ]);
    const esbuild = (await import('esbuild')).default;
    const { lazyVendor } = (await import(pathToFileURL(path.join(DIST, '..', 'bin', 'build.mjs')).href)) as {
      lazyVendor: (applied: Set<string>) => import('esbuild').Plugin;
    };
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketrelay-lazy-vendor-'));
    try {
      const applied = new Set<string>();
      const out = path.join(dir, 'parse.mjs');
      await esbuild.build({
        stdin: {
          contents:
            "import { simpleParser } from 'mailparser'; import { Redis } from 'ioredis'; export const parse = async (raw, options) => { const m = await simpleParser(raw, options); return { text: m.text, textAsHtml: m.textAsHtml, html: m.html, subject: m.subject }; }; export const redisMethods = () => Object.getOwnPropertyNames(Object.getPrototypeOf(Redis.prototype)).sort(); export { default as mysqlErrors } from './node_modules/mysql2/lib/constants/errors.js'; export { decode as mysqlDecode } from './node_modules/mysql2/lib/parsers/string.js';",
          resolveDir: path.join(DIST, '..'),
        },
        outfile: out,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        mainFields: ['main', 'module'],
        logLevel: 'error',
        plugins: [lazyVendor(applied)],
        banner: { js: "import { createRequire as __tr } from 'node:module'; const require = __tr(import.meta.url);" },
      });
      expect([...applied].sort()).toEqual(DEFERRED);
      const bundled = (await import(pathToFileURL(out).href)) as {
        parse: (raw: Buffer, o: object) => Promise<object>;
        redisMethods: () => string[];
        mysqlErrors: Record<string, unknown>;
        mysqlDecode: (buffer: Buffer, encoding: string, start?: number, end?: number) => string;
      };
      // mysql2: CESU-8 (the handshake's server version) decoded the same, ASCII or not, whole or in part.
      const realString = createRequire(import.meta.url)(
        path.join(DIST, '..', 'node_modules/mysql2/lib/parsers/string.js'),
      ) as { decode: (buffer: Buffer, encoding: string, start?: number, end?: number) => string };
      const version = Buffer.from('5.5.5-10.11.6-MariaDB-0+deb12u1\0', 'latin1');
      const astral = Buffer.from([0x6f, 0x6b, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]); // "ok😀" in CESU-8
      for (const [buffer, start, end] of [
        [version, 0, version.length - 1],
        [version, 6, 13],
        [astral, 0, astral.length],
        [Buffer.from([0xc3, 0xa9]), 0, 2],
      ] as const)
        expect(bundled.mysqlDecode(buffer, 'cesu8', start, end)).toBe(realString.decode(buffer, 'cesu8', start, end));
      expect(bundled.mysqlDecode(version, 'cesu8', 0, version.length - 1)).toBe('5.5.5-10.11.6-MariaDB-0+deb12u1');
      expect(bundled.mysqlDecode(astral, 'cesu8', 0, astral.length)).toBe('ok😀');
      // mysql2: the same error names and numbers, the table filled on first read.
      const realErrors = createRequire(import.meta.url)(
        path.join(DIST, '..', 'node_modules/mysql2/lib/constants/errors.js'),
      ) as Record<string, unknown>;
      expect(bundled.mysqlErrors[1062]).toBe('ER_DUP_ENTRY');
      expect(bundled.mysqlErrors['ER_LOCK_DEADLOCK']).toBe(1213);
      expect({ ...bundled.mysqlErrors }).toEqual({ ...realErrors });
      expect(Object.keys(bundled.mysqlErrors).length).toBeGreaterThan(3000);
      // ioredis: the same command methods, the prototype only built another way.
      const methods = bundled.redisMethods();
      expect(methods).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf(Redis.prototype)).sort());
      expect(methods).toEqual(expect.arrayContaining(['evalsha', 'evalshaBuffer', 'hset', 'xadd', 'call']));
      expect(methods).not.toContain('__trDictionary');
      const eager = async (input: Buffer, options: object) => {
        const m = await simpleParser(input, options);
        return { text: m.text, textAsHtml: m.textAsHtml, html: m.html, subject: m.subject };
      };
      const textOnly = Buffer.from(
        'From: a@customer.example\r\nSubject: html\r\nContent-Type: text/html\r\n\r\n<div>Only <i>HTML</i> here: www.example.org</div>\r\n',
      );
      // The codecs libmime compares with, asked for on first use: UTF-7 refused, UTF-16 without a BOM guessed, Latin-1.
      const part = (charset: string, body: Buffer) =>
        Buffer.concat([
          Buffer.from(
            `From: a@customer.example\r\nSubject: ${charset}\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
          ),
          Buffer.from(`${body.toString('base64')}\r\n`),
        ]);
      const charsets = [
        part('utf-7', Buffer.from('Hi +ADw-script+AD4-alert(1)+ADw-/script+AD4-')),
        part('utf-16', Buffer.from('Commande 1234 arrivée ? '.repeat(20), 'utf16le')),
        part('iso-8859-1', Buffer.from('Commande arrivée, merci à vous', 'latin1')),
      ];
      for (const input of [raw, textOnly, ...charsets]) {
        const expected = await eager(input, {});
        expect(await bundled.parse(input, {})).toEqual(expected);
      }
      const decoded = async (input: Buffer) => ((await bundled.parse(input, {})) as { text: string }).text;
      expect(await decoded(charsets[1]!)).toContain('Commande 1234 arrivée ? Commande');
      expect(await decoded(charsets[2]!)).toContain('Commande arrivée, merci à vous');
      expect(await decoded(charsets[0]!)).not.toContain('<script>');
      const parsed = (await bundled.parse(raw, {})) as { text: string; textAsHtml: string; subject: string };
      expect(parsed.subject).toBe('订单');
      expect(parsed.text).toContain('订单 12345 还没有到, 订单 12345');
      expect(parsed.textAsHtml).toContain('<a href="https://shop.example/orders?id=12345">');
      expect(parsed.textAsHtml).toContain('<a href="https://twitter.com/shop">@shop</a>');
      expect(parsed.textAsHtml).toContain('<a href="http://www.parts.onion">');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
