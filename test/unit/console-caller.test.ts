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
