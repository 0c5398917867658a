/**
 * AgentDirectory on support_agent / support_agent_identity, plus what `ticketrelay agents` and the
 * agents file need to manage them. An identity is (platform, kind, value):
 *   slack/user U123 · slack/email a@b · discord/user 123 · discord/role 456 · console/user jean
 */
import type { Caller } from '../../src/domain/command.ts';
import { AppError } from '../../src/domain/errors.ts';
import type {
  Agent,
  AgentDefinition,
  AgentRegistry,
  IdentityKind,
  IdentityPlatform,
  ListedAgent,
} from '../../src/ports/agent-directory.ts';
import { toAppError, type Database } from './database.ts';

export type {
  AgentDefinition,
  AgentIdentity,
  IdentityKind,
  IdentityPlatform,
  ListedAgent,
} from '../../src/ports/agent-directory.ts';

type Row = Record<string, unknown>;

export class MysqlAgentDirectory implements AgentRegistry {
  readonly #database: Database;
  readonly #discordAgentRoles: ReadonlySet<string>;

  /** `discordAgentRoles`: Discord role ids whose members are agents even when not registered (config.discord.agentRoles). */
  constructor(database: Database, options: { discordAgentRoles?: readonly string[] } = {}) {
    this.#database = database;
    this.#discordAgentRoles = new Set(options.discordAgentRoles ?? []);
  }

  async #rows(sql: string, params: readonly unknown[]): Promise<Row[]> {
    try {
      const [rows] = await this.#database.pool.query(sql, params as unknown[]);
      return rows as Row[];
    } catch (error) {
      throw toAppError(error, 'looking up agents');
    }
  }

  async forCaller(caller: Caller): Promise<Agent | null> {
    const keys: [string, string, string][] = [];
    switch (caller.platform) {
      case 'slack':
        keys.push(['slack', 'user', caller.userId]);
        if (caller.email) keys.push(['slack', 'email', caller.email.toLowerCase()]);
        break;
      case 'discord':
        keys.push(['discord', 'user', caller.userId]);
        for (const role of caller.roleIds ?? []) keys.push(['discord', 'role', role]);
        break;
      case 'console':
        keys.push(['console', 'user', caller.userId]);
        break;
      case 'http':
        return null;
    }
    // A personal identity wins over a role: the person's own name and staff id go on the rows.
    const rows = await this.#rows(
      `SELECT a.id, a.name, a.full_name, a.staff_id, a.role, i.kind
         FROM support_agent_identity i JOIN support_agent a ON a.id = i.agent_id
        WHERE a.active = 1 AND (i.platform, i.kind, i.value) IN (${keys.map(() => '(?, ?, ?)').join(', ')})
        ORDER BY i.kind = 'role', a.role = 'manager' DESC, a.id
        LIMIT 1`,
      keys.flat(),
    );
    if (rows[0]) return toAgent(rows[0]);
    if (caller.platform === 'discord' && (caller.roleIds ?? []).some((r) => this.#discordAgentRoles.has(r))) {
      // A member of a configured agent role, seen for the first time: registered as an agent of their own,
      // so the audit trail and assignments name them (no staff id: they cannot reply until one is set).
      const name = `discord:${caller.displayName ?? caller.userId}`.slice(0, 128);
      return this.upsert(
        {
          name,
          role: 'agent',
          staffId: null,
          identities: [{ platform: 'discord', kind: 'user', value: caller.userId }],
        },
        { keepExisting: true },
      );
    }
    return null;
  }

  async byName(name: string): Promise<Agent | null> {
    const rows = await this.#rows(
      'SELECT id, name, full_name, staff_id, role FROM support_agent WHERE name = ? AND active = 1 LIMIT 1',
      [name],
    );
    return rows[0] ? toAgent(rows[0]) : null;
  }

  /**
   * Creates the agent, or updates its role, staff id and identities (added to those it has). An
   * identity already held by another agent moves to this one. `keepExisting`: an agent of that name
   * is returned unchanged.
   */
  async upsert(definition: AgentDefinition, options: { keepExisting?: boolean } = {}): Promise<Agent> {
    const conn = await this.#database.pool.getConnection().catch((error: unknown) => {
      throw toAppError(error, 'registering an agent');
    });
    try {
      await conn.query('START TRANSACTION');
      const [found] = await conn.query(
        'SELECT id, name, full_name, staff_id, role FROM support_agent WHERE name = ? FOR UPDATE',
        [definition.name],
      );
      let row = (found as Row[])[0];
      if (row && options.keepExisting) {
        await conn.query('COMMIT');
        return toAgent(row);
      }
      if (row) {
        await conn.query(
          'UPDATE support_agent SET role = COALESCE(?, role), staff_id = COALESCE(?, staff_id), full_name = COALESCE(?, full_name), active = 1 WHERE id = ?',
          [definition.role ?? null, definition.staffId, definition.fullName ?? null, row['id']],
        );
      } else {
        const [result] = await conn.query(
          'INSERT INTO support_agent (name, full_name, staff_id, role, active, created_at) VALUES (?, ?, ?, ?, 1, ?)',
          [definition.name, definition.fullName ?? null, definition.staffId, definition.role ?? 'agent', new Date()],
        );
        row = { id: (result as { insertId: number }).insertId };
      }
      const id = Number(row['id']);
      for (const identity of definition.identities) {
        const value = identity.kind === 'email' ? identity.value.toLowerCase() : identity.value;
        await conn.query(
          'INSERT INTO support_agent_identity (platform, kind, value, agent_id) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE agent_id = VALUES(agent_id)',
          [identity.platform, identity.kind, value, id],
        );
      }
      const [after] = await conn.query('SELECT id, name, full_name, staff_id, role FROM support_agent WHERE id = ?', [
        id,
      ]);
      await conn.query('COMMIT');
      return toAgent((after as Row[])[0]!);
    } catch (error) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw toAppError(error, 'registering an agent');
    } finally {
      conn.release();
    }
  }

  /** Agents with their identities, by name. */
  async list(): Promise<ListedAgent[]> {
    const agents = await this.#rows(
      'SELECT id, name, full_name, staff_id, role, active FROM support_agent ORDER BY name',
      [],
    );
    const identities = await this.#rows(
      'SELECT platform, kind, value, agent_id FROM support_agent_identity ORDER BY platform, kind, value',
      [],
    );
    return agents.map((a) => ({
      ...toAgent(a),
      active: Number(a['active']) === 1,
      identities: identities
        .filter((i) => Number(i['agent_id']) === Number(a['id']))
        .map((i) => ({
          platform: i['platform'] as IdentityPlatform,
          kind: i['kind'] as IdentityKind,
          value: String(i['value']),
        })),
    }));
  }

  /**
   * Removes an agent: deactivated (their name stays on the tickets and in the audit trail) and their
   * identities deleted, so the chat user is no longer recognised. Throws 'agent.not_found'.
   */
  async remove(name: string): Promise<void> {
    const rows = await this.#rows('SELECT id FROM support_agent WHERE name = ? AND active = 1', [name]);
    const id = rows[0]?.['id'];
    if (id === undefined)
      throw new AppError(
        'agent.not_found',
        `There is no agent named "${name}"; "npx ticketrelay agents list" shows who there is.`,
      );
    await this.#rows('DELETE FROM support_agent_identity WHERE agent_id = ?', [id]);
    await this.#rows('UPDATE support_agent SET active = 0 WHERE id = ?', [id]);
  }
}

function toAgent(r: Row): Agent {
  return {
    id: Number(r['id']),
    name: String(r['name']),
    fullName: typeof r['full_name'] === 'string' && r['full_name'] ? r['full_name'] : null,
    staffId: r['staff_id'] === null || r['staff_id'] === undefined ? null : Number(r['staff_id']),
    role: r['role'] === 'manager' ? 'manager' : 'agent',
  };
}
