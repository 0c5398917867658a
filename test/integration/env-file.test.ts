/**
 * A mail server's pipe (Postfix's aliases: "|…/bin/ticketrelay.mjs ingest -") runs with an empty
 * environment: the configuration comes from the file TICKETRELAY_ENV_FILE names.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { eml } from './eml.ts';
import { createTestDatabase, runTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('env_file');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-env-'));
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the configuration file of a process started without an environment', () => {
  it("takes a piped email into the database the file names; variables already set win over the file's", async () => {
    const file = path.join(dir, 'ticketrelay.env');
    await writeFile(
      file,
      [
        `# production settings`,
        `DATABASE_URL=${db.url}`,
        `REDIS_URL=${LOCAL_ENDPOINTS.redisUrl}`,
        `DATA_DIR=${path.join(dir, 'data')}`,
        'QUEUE_PREFIX=test-env-file',
        'SUPPORT_NAME="Service client"',
        'LOG_LEVEL=debug',
        '',
      ].join('\n'),
    );
    const piped = eml({ from: 'postfix@customer.example', subject: 'Par le serveur de mail' });
    const { code, stdout, stderr } = await runTicketrelay(
      ['ingest', '-', '--json'],
      { TICKETRELAY_ENV_FILE: file, LOG_LEVEL: 'silent' },
      piped.raw,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({ created: 1 });
    expect(stderr).toBe(''); // LOG_LEVEL from the environment (silent) won over the file's (debug)
    const [row] = await db.query<{ subject: string }>(
      "SELECT subject FROM support_ticket WHERE customer_email = 'postfix@customer.example'",
    );
    expect(row?.subject).toBe('Par le serveur de mail');
  });

  it('refuses a configuration file that sets no DATABASE_URL (a typo), with exit 78, rather than using the development database', async () => {
    const file = path.join(dir, 'typo.env');
    await writeFile(file, `DATABSE_URL=${db.url}\nREDIS_URL=${LOCAL_ENDPOINTS.redisUrl}\n`);
    const { code, stderr } = await runTicketrelay(
      ['ingest', '-'],
      { TICKETRELAY_ENV_FILE: file },
      eml({ from: 'typo@customer.example' }).raw,
    );
    expect(code).toBe(78);
    expect(stderr).toBe(
      `ticketrelay: ${file} sets no DATABASE_URL (nor does the environment): name the shop's database there; the project-local development database is not used with a configuration file.\n`,
    );
    expect(await db.query("SELECT 1 FROM support_ticket WHERE customer_email = 'typo@customer.example'")).toEqual([]);
  });

  it('exits 78 (the mail server keeps the message and retries) when the configuration is not valid', async () => {
    const file = path.join(dir, 'invalid.env');
    await writeFile(file, `DATABASE_URL=${db.url}\nREDIS_URL=${LOCAL_ENDPOINTS.redisUrl}\nACK_MAX_PER_HOUR=lots\n`);
    const { code, stderr } = await runTicketrelay(
      ['ingest', '-'],
      { TICKETRELAY_ENV_FILE: file },
      eml({ from: 'invalid@customer.example' }).raw,
    );
    expect(code).toBe(78);
    expect(stderr).toContain('ACK_MAX_PER_HOUR');
  });

  it('refuses to run on a configuration file that does not exist, with exit 78, rather than on the development defaults', async () => {
    const missing = path.join(dir, 'nope.env');
    const { code, stderr } = await runTicketrelay(['ingest', '-'], { TICKETRELAY_ENV_FILE: missing }, eml().raw);
    expect(code).toBe(78);
    expect(stderr).toBe(`ticketrelay: TICKETRELAY_ENV_FILE names ${missing}, which does not exist.\n`);
  });
});
