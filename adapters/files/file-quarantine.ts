import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src/domain/errors.ts';
import type { MessageArchive } from '../../src/ports/quarantine.ts';

/** Keeps rejected emails (and spam) as <dir>/<sha256>.eml: nothing intake cannot take is lost. */
export class FileQuarantine implements MessageArchive {
  constructor(private readonly dir: string) {}

  async keep(raw: Uint8Array, sha256: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${sha256}.eml`);
    await writeFile(file, raw);
    return file;
  }

  async read(location: string): Promise<Uint8Array> {
    try {
      return await readFile(location);
    } catch (error) {
      throw new AppError(
        'archive.missing',
        `The kept email ${location} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); was the data folder moved or cleaned?`,
        { cause: error },
      );
    }
  }
}
