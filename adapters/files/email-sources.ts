/**
 * Where `ticketrelay ingest` finds emails: .eml files, folders of them, maildirs (cur/ and new/),
 * mbox files, or "-" for one message on standard input. Messages are yielded one at a time; an
 * mbox is read as a stream, so a large one never sits in memory whole.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export type EmailItem =
  | { readonly name: string; readonly raw: Buffer }
  | { readonly name: string; readonly tooLarge: number }
  | { readonly name: string; readonly unreadable: string };

export async function* emailsFrom(
  paths: readonly string[],
  options: { maxBytes: number; stdin?: NodeJS.ReadableStream },
): AsyncGenerator<EmailItem> {
  for (const p of paths) {
    if (p === '-') {
      yield await readStdin(options.stdin ?? process.stdin, options.maxBytes);
      continue;
    }
    let info;
    try {
      info = await stat(p);
    } catch (error) {
      yield {
        name: p,
        unreadable:
          error instanceof Error && 'code' in error && error.code === 'ENOENT'
            ? 'no such file or folder'
            : String(error),
      };
      continue;
    }
    if (info.isDirectory()) yield* fromDirectory(p, options.maxBytes);
    else if (await isMbox(p)) yield* fromMbox(p, options.maxBytes);
    else yield await fromFile(p, info.size, options.maxBytes);
  }
}

/** Counts what `emailsFrom` will yield, for the progress bar (an mbox counts its "From " lines). */
export async function countEmails(paths: readonly string[]): Promise<number> {
  let n = 0;
  for (const p of paths) {
    if (p === '-') {
      n++;
      continue;
    }
    const info = await stat(p).catch(() => null);
    if (!info) n++;
    else if (info.isDirectory()) n += (await listDirectory(p)).length;
    else if (await isMbox(p)) {
      for await (const message of mboxChunks(p, Infinity)) if (message !== undefined) n++;
    } else n++;
  }
  return n;
}

async function fromFile(file: string, size: number, maxBytes: number): Promise<EmailItem> {
  if (size > maxBytes) return { name: file, tooLarge: size };
  try {
    return { name: file, raw: await readFile(file) };
  } catch (error) {
    return { name: file, unreadable: error instanceof Error ? error.message : String(error) };
  }
}

async function* fromDirectory(dir: string, maxBytes: number): AsyncGenerator<EmailItem> {
  for (const file of await listDirectory(dir)) {
    const info = await stat(file).catch(() => null);
    if (!info) continue;
    if (await isMbox(file)) yield* fromMbox(file, maxBytes);
    else yield await fromFile(file, info.size, maxBytes);
  }
}

/** A maildir's cur/ and new/ (never tmp/), or every file of a folder tree, in name order. */
async function listDirectory(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  const isMaildir = names.has('cur') && names.has('new');
  const out: string[] = [];
  // Numbers in names in numeric order ("2.eml" before "10.eml"): the order the files were meant to come in.
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (isMaildir && entry.name === 'tmp') continue;
      if (entry.name.startsWith('.') && !isMaildir) continue;
      out.push(...(await listDirectory(full)));
    } else if (
      entry.isFile() &&
      !entry.name.startsWith('.') &&
      !/\.(md|txt|json|LICENSE)$/i.test(entry.name) &&
      entry.name !== 'LICENSE' &&
      entry.name !== 'COPYING'
    ) {
      out.push(full);
    }
  }
  return out;
}

async function isMbox(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    return bytesRead === 5 && buffer.toString('latin1') === 'From ';
  } finally {
    await handle.close();
  }
}

async function* fromMbox(file: string, maxBytes: number): AsyncGenerator<EmailItem> {
  let index = 0;
  for await (const chunk of mboxChunks(file, maxBytes)) {
    index++;
    const name = `${file}#${index}`;
    yield chunk === null ? { name, tooLarge: maxBytes + 1 } : { name, raw: chunk };
  }
}

/**
 * Splits an mbox (mboxrd or mboxo) at its "From " separator lines and undoes ">From " quoting.
 * Yields null for a message over maxBytes (its bytes are skipped, not held).
 */
async function* mboxChunks(file: string, maxBytes: number): AsyncGenerator<Buffer | null> {
  let lines: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  let started = false;
  let rest = Buffer.alloc(0);
  const flush = function* (): Generator<Buffer | null> {
    if (!started) return;
    if (tooLarge) yield null;
    else if (lines.length) yield Buffer.concat(lines);
    lines = [];
    size = 0;
    tooLarge = false;
  };
  for await (const data of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    let buf = rest.length ? Buffer.concat([rest, data as Buffer]) : (data as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const line = buf.subarray(start, nl + 1);
      start = nl + 1;
      if (line.subarray(0, 5).toString('latin1') === 'From ') {
        yield* flush();
        started = true;
        continue;
      }
      if (!started) continue;
      const unquoted = /^>+From /.test(line.subarray(0, 80).toString('latin1')) ? line.subarray(1) : line;
      size += unquoted.length;
      if (size > maxBytes) {
        tooLarge = true;
        lines = [];
      } else if (!tooLarge) lines.push(Buffer.from(unquoted));
    }
    rest = Buffer.from(buf.subarray(start));
    buf = Buffer.alloc(0);
  }
  if (rest.length && started && !tooLarge) lines.push(rest);
  yield* flush();
}

async function readStdin(stream: NodeJS.ReadableStream, maxBytes: number): Promise<EmailItem> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size <= maxBytes) chunks.push(buf);
  }
  if (size > maxBytes) return { name: 'stdin', tooLarge: size };
  return { name: 'stdin', raw: Buffer.concat(chunks) };
}
