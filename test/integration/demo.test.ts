/**
 * The README's main command as a newcomer runs it (without a terminal, so the console does not
 * wait for input): the samples go through intake, the worker triages them, and the open tickets are
 * listed as the console shows them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { createTestDatabase, runTicketrelay, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('demo');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-demo-'));
});
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const queuePrefix = `test-demo-${randomBytes(3).toString('hex')}`;
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runTicketrelay(args, {
    DATABASE_URL: db.url,
    REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
    DATA_DIR: dir,
    QUEUE_PREFIX: queuePrefix,
  });
}

const demo = () => run(['demo']);

describe('ticketrelay demo', () => {
  it('takes the samples, triages every new ticket, lists the open tickets, and changes nothing the second time', async () => {
    // On a database that is not the local development one, the person at the terminal must be an agent.
    const added = await run([
      'agents',
      'add',
      'demo-tester',
      '--role',
      'agent',
      '--staff-id',
      '7',
      '--console',
      os.userInfo().username,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const first = await demo();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/01-new-order-question-fr\.eml +new ticket #\d+/);
    expect(first.stdout).toMatch(/09-bounce-delivery-status\.eml +automated mail \(bounce/);
    expect(first.stdout).toMatch(/created +5/);
    const triaged = await db.query<{ ticket_id: number; category: string; priority: string }>(
      'SELECT ticket_id, category, priority FROM support_ticket WHERE triaged = 1',
    );
    expect(triaged).toHaveLength(5);
    // Each triage decision is printed, and the list shows the same tickets.
    for (const t of triaged) expect(first.stdout).toMatch(new RegExp(`#${t.ticket_id} +${t.priority} +${t.category}`));
    expect(first.stdout).toMatch(/Open tickets, newest first/);
    expect(first.stderr).toMatch(/npx ticketrelay console/);

    const second = await demo();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/created +0/);
    expect(second.stdout).toMatch(/every ticket was triaged before: nothing new/);
    expect((await db.query('SELECT 1 FROM ___xtr_msg')).length).toBe(6);
  }, 120_000);
});
