/**
 * `ticketrelay agents add NAME --role agent|manager --staff-id N [--slack U123] [--slack-email a@b]
 *  [--discord 123] [--discord-role 456] [--console USER]`, `agents list`, `agents remove NAME`.
 * Adding an agent that exists updates the role and staff id given (an option left out keeps its value)
 * and adds the identities given.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { describeError } from '../../src/domain/errors.ts';
import { buildApp } from './build-app.ts';
import { createLogger } from '../logging/pino-logger.ts';
import type { AgentIdentity } from '../../src/ports/agent-directory.ts';
import { EX_USAGE, optionProblem, type CliCommand } from './cli-command.ts';
import { COMMAND_USAGE } from './usage.ts';

const USAGE =
  'Usage: npx ticketrelay agents add NAME --role agent|manager --staff-id N [--full-name "Zoé Lemaître"] [--slack U123] [--slack-email a@b] [--discord 123] [--discord-role 456] [--console USER] | agents list | agents remove NAME';

export const agentsCommand: CliCommand = {
  usage: COMMAND_USAGE.agents,
  async run(args, say) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: {
          role: { type: 'string' },
          'staff-id': { type: 'string' },
          'full-name': { type: 'string' },
          slack: { type: 'string', multiple: true },
          'slack-email': { type: 'string', multiple: true },
          discord: { type: 'string', multiple: true },
          'discord-role': { type: 'string', multiple: true },
          console: { type: 'string', multiple: true },
        },
      });
    } catch (error) {
      const reason = (optionProblem(error, USAGE) ?? describeError(error)).replace(/\.+$/, '');
      // "--staff-id -5" reads to node as a missing value followed by an option: say what the value must be.
      say(
        /--staff-id/.test(reason) && !/^Unknown option/.test(reason)
          ? `--staff-id is the agent's staff number in the shop (a positive whole number). ${USAGE}`
          : `${reason}${/[?!]$/.test(reason) ? '' : '.'} ${USAGE}`,
      );
      return EX_USAGE;
    }
    const { positionals, values } = parsed;
    const [sub, name, ...extra] = positionals;
    if (!sub || !['add', 'list', 'remove'].includes(sub) || (sub !== 'list' && !name) || extra.length > 0) {
      say(USAGE);
      return EX_USAGE;
    }
    let definition = null;
    if (sub === 'add') {
      const role = values.role;
      if (role !== undefined && role !== 'agent' && role !== 'manager') {
        say(`--role is "agent" or "manager", not "${role}".`);
        return EX_USAGE;
      }
      if (!/^[^\s@]{1,128}$/.test(name!)) {
        const handle =
          name!
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, '')
            .split(/[\s@]+/)[0]!
            .toLowerCase() || 'name';
        say(
          `"${name}" cannot be an agent's name: no spaces and no "@" (it is typed as "/ticket assign N @${handle}"). Give a short name and sign with the full one: npx ticketrelay agents add ${handle} --full-name "${name}" …`,
        );
        return EX_USAGE;
      }
      const staffRaw = values['staff-id'];
      if (staffRaw !== undefined && !/^[1-9]\d{0,8}$/.test(staffRaw)) {
        say(`--staff-id is the agent's staff number in the shop (a positive whole number), not "${staffRaw}".`);
        return EX_USAGE;
      }
      const badEmail = (values['slack-email'] ?? []).find((e) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e));
      if (badEmail) {
        say(`--slack-email "${badEmail}" is not an email address; give the address of the agent's Slack profile.`);
        return EX_USAGE;
      }
      const identities: AgentIdentity[] = [
        ...(values.slack ?? []).map((value): AgentIdentity => ({ platform: 'slack', kind: 'user', value })),
        ...(values['slack-email'] ?? []).map((value): AgentIdentity => ({
          platform: 'slack',
          kind: 'email',
          value: value.toLowerCase(),
        })),
        ...(values.discord ?? []).map((value): AgentIdentity => ({ platform: 'discord', kind: 'user', value })),
        ...(values['discord-role'] ?? []).map((value): AgentIdentity => ({ platform: 'discord', kind: 'role', value })),
        ...(values.console ?? []).map((value): AgentIdentity => ({ platform: 'console', kind: 'user', value })),
      ];
      const fullName = values['full-name']?.trim() || null;
      definition = {
        name: name!,
        fullName,
        role: role as 'agent' | 'manager' | undefined,
        staffId: staffRaw === undefined ? null : Number(staffRaw),
        identities,
      };
    }
    const config = loadConfig();
    const app = await buildApp(config, {
      logger: createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' }),
    });
    try {
      if (definition) {
        // One chat identity is one person: taking another agent's would silently lock them out.
        // Compared as the identity table's key compares them: without regard to case (ALICE is alice).
        const same = (a: AgentIdentity, b: AgentIdentity) =>
          a.platform === b.platform && a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase();
        const others = (await app.agents.list()).filter((a) => a.active && a.name !== definition!.name);
        for (const identity of definition.identities) {
          const holder = others.find((a) => a.identities.some((i) => same(i, identity)));
          if (holder) {
            say(
              `${identity.platform} ${identity.kind} ${identity.value} is already ${holder.name}'s: nothing changed. If it is no longer theirs, run "npx ticketrelay agents remove ${holder.name}" first; otherwise give ${definition.name} another identity.`,
            );
            return 1;
          }
        }
        const agent = await app.agents.upsert(definition);
        // An update adds identities and keeps the ones the agent had: all of them are said.
        const identities =
          (await app.agents.list()).find((a) => a.id === agent.id)?.identities ?? definition.identities;
        say(
          `${agent.name}${agent.fullName ? ` (${agent.fullName}, who signs replies)` : ''}: ${agent.role}, staff id ${agent.staffId ?? 'none (cannot reply to customers until one is set with --staff-id)'}${identities.length ? `, recognised as ${identities.map((i) => `${i.platform} ${i.kind} ${i.value}`).join(', ')}` : ''}.`,
        );
        if (identities.length === 0)
          say(
            'No chat identity given: add --slack, --slack-email, --discord, --discord-role or --console so the agent is recognised.',
          );
        return 0;
      }
      if (sub === 'remove') {
        await app.agents.remove(name!);
        say(`${name} removed: no longer recognised in chat (their name stays on past tickets).`);
        return 0;
      }
      const agents = await app.agents.list();
      if (agents.length === 0)
        say('No agents yet: npx ticketrelay agents add NAME --role agent --staff-id N --slack U…');
      for (const a of agents) {
        if (!a.active) continue;
        process.stdout.write(
          `${(a.fullName ? `${a.name} (${a.fullName})` : a.name).padEnd(20)} ${a.role.padEnd(8)} staff ${String(a.staffId ?? '-').padEnd(6)} ${a.identities.map((i) => `${i.platform}:${i.kind}:${i.value}`).join(' ') || '(no identity)'}\n`,
        );
      }
      return 0;
    } finally {
      await app.close();
    }
  },
};
