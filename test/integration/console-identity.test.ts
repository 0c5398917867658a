/**
 * Security review finding 16: `ticketrelay command --as boss` made anyone the manager. The console
 * now acts as the agent mapped to the OS user; `--as` is recorded as claimed by that OS user, and a
 * manager's identity needs CONSOLE_MANAGER_KEY. Real child processes on a real database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import {
  createTestApp,
  createTestDatabase,
  ingestTicket,
  runTicketrelay,
  type TestApp,
  type TestDatabase,
} from './harness.ts';

const KEY = 'console-manager-key-0123456789';
const OS_USER = os.userInfo().username;

let db: TestDatabase;
let app: TestApp;
let dir: string;
let ticketId: number;

beforeAll(async () => {
  db = await createTestDatabase('console_id');
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-console-id-'));
  app = await createTestApp(db, { ACK_ENABLED: 'false' });
  await app.agents.upsert({
    name: 'alice',
    role: 'agent',
    staffId: 7,
    identities: [{ platform: 'console', kind: 'user', value: 'alice' }],
  });
  await app.agents.upsert({
    name: 'boss',
    role: 'manager',
    staffId: 1,
    identities: [{ platform: 'console', kind: 'user', value: 'boss' }],
  });
  ({ ticketId } = await ingestTicket(app, { from: 'client@customer.example', subject: 'Rétroviseur' }));
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function command(args: string[], env: Record<string, string> = {}) {
  return runTicketrelay(
    ['command', ...args],
    {
      DATABASE_URL: db.url,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      DATA_DIR: path.join(dir, 'data'),
      QUEUE_PREFIX: 'test-console-id',
      CONSOLE_MANAGER_KEY: KEY,
      ...env,
    },
    '',
    { timeoutMs: 60_000 },
  );
}

describe('the console identity', () => {
  it('records --as as claimed by the OS user', async () => {
    const { code, stdout, stderr } = await command([`/ticket close ${ticketId}`, '--as', 'alice']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`Ticket #${ticketId}`);
    const events = await db.query<{ actor: string }>(
      "SELECT actor FROM support_event WHERE ticket_id = ? AND type = 'closed'",
      [ticketId],
    );
    expect(events).toEqual([{ actor: `alice (console, claimed by OS user ${OS_USER})` }]);
  }, 90_000);

  it("refuses a manager's identity through --as without the key, and takes it with the key", async () => {
    const refused = await command(['/ticket export csv 7d', '--as', 'boss']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `--as boss is refused: boss is a manager, and the OS user ${OS_USER} is not; give the console manager key with --key`,
    );
    expect(refused.stdout).toBe('');
    const wrong = await command([`/ticket reopen ${ticketId}`, '--as', 'boss', '--key', 'not-the-key-at-all']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the key given is not CONSOLE_MANAGER_KEY');
    expect(
      await db.query("SELECT actor FROM support_event WHERE ticket_id = ? AND type = 'reopened'", [ticketId]),
    ).toEqual([]);
    // The key in the environment (CONSOLE_KEY) works as --key does.
    const allowed = await command([`/ticket reopen ${ticketId}`, '--as', 'boss'], { CONSOLE_KEY: KEY });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(
      await db.query("SELECT actor FROM support_event WHERE ticket_id = ? AND type = 'reopened'", [ticketId]),
    ).toEqual([{ actor: `boss (console, claimed by OS user ${OS_USER})` }]);
  }, 120_000);
});
