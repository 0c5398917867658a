/**
 * Who the terminal's user is: in the development database the OS user is made a manager so the demo
 * works with no setup, but a name given with --as is taken as registered, never invented.
 */
import { describe, expect, it } from 'vitest';
import { consoleCaller, type ConsoleAgents } from '../../adapters/console/console-repl.ts';
import type { Agent } from '../../src/ports/agent-directory.ts';

function directory(known: Agent[] = []): ConsoleAgents & { made: string[] } {
  const made: string[] = [];
  return {
    made,
    async forCaller(caller) {
      return known.find((a) => a.name === caller.userId) ?? null;
    },
    async upsert(definition) {
      made.push(definition.name);
      const agent: Agent = { id: 99, name: definition.name, role: definition.role, staffId: definition.staffId };
      return agent;
    },
  };
}

describe('the console caller', () => {
  it('makes the terminal user a manager in the development database', async () => {
    const agents = directory();
    const { agent, registered } = await consoleCaller({ as: null, localDatabase: true, agents });
    expect(registered).toBe(true);
    expect(agent?.role).toBe('manager');
    expect(agents.made).toHaveLength(1);
  });

  it('takes --as NAME as registered: a stranger stays a stranger, and no manager is made up', async () => {
    const agents = directory();
    const { caller, agent, registered } = await consoleCaller({ as: 'alice', localDatabase: true, agents });
    expect(caller.userId).toBe('alice');
    expect(agent).toBeNull();
    expect(registered).toBe(false);
    expect(agents.made).toEqual([]);
  });

  it('registers nobody against a database that is not the local one', async () => {
    const agents = directory();
    expect((await consoleCaller({ as: null, localDatabase: false, agents })).agent).toBeNull();
    expect(agents.made).toEqual([]);
  });
});

describe('--as and the console manager key', () => {
  const boss: Agent = { id: 1, name: 'boss', role: 'manager', staffId: 1 };
  const alice: Agent = { id: 2, name: 'alice', role: 'agent', staffId: 2 };

  it('takes an agent claimed with --as, marked as claimed by the OS user', async () => {
    const { caller, agent, refused } = await consoleCaller({
      as: 'alice',
      osUser: 'mallory',
      localDatabase: false,
      agents: directory([alice, boss]),
    });
    expect(refused).toBeUndefined();
    expect(agent?.name).toBe('alice');
    expect(caller).toMatchObject({ userId: 'alice', claimedBy: 'mallory' });
  });

  it("refuses a manager's identity without the key, and takes it with the right key", async () => {
    const agents = directory([alice, boss]);
    const none = await consoleCaller({ as: 'boss', osUser: 'mallory', localDatabase: false, agents });
    expect(none.agent).toBeNull();
    expect(none.refused).toBe(
      "--as boss is refused: boss is a manager, and the OS user mallory is not; no CONSOLE_MANAGER_KEY is set on this server. Or run the console as boss's own OS user. Nothing was done.",
    );
    const wrong = await consoleCaller({
      as: 'boss',
      osUser: 'mallory',
      localDatabase: false,
      agents,
      managerKey: 'k'.repeat(20),
      key: 'x'.repeat(20),
    });
    expect(wrong.refused).toContain('the key given is not CONSOLE_MANAGER_KEY');
    const right = await consoleCaller({
      as: 'boss',
      osUser: 'mallory',
      localDatabase: false,
      agents,
      managerKey: 'k'.repeat(20),
      key: 'k'.repeat(20),
    });
    expect(right.refused).toBeUndefined();
    expect(right.agent?.role).toBe('manager');
    expect(right.caller.claimedBy).toBe('mallory');
  });

  it('lets a manager act as another manager without the key', async () => {
    const { agent, refused } = await consoleCaller({
      as: 'boss',
      osUser: 'chief',
      localDatabase: false,
      agents: directory([boss, { id: 3, name: 'chief', role: 'manager', staffId: 3 }]),
    });
    expect(refused).toBeUndefined();
    expect(agent?.name).toBe('boss');
  });
});
