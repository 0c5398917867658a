import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Quarantine } from '../../src/ports/quarantine.ts';

/** Keeps rejected emails as <dir>/<sha256>.eml: nothing intake cannot take is lost. */
export class FileQuarantine implements Quarantine {
  constructor(private readonly dir: string) {}

  async keep(raw: Uint8Array, sha256: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${sha256}.eml`);
    await writeFile(file, raw);
    return file;
  }
}
