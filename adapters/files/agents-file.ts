/**
 * AGENTS_FILE: the agents as configuration, upserted when the application starts. JSON, checked
 * with zod; every problem is reported at once with where it is.
 *
 *   { "agents": [ { "name": "marie", "role": "manager", "staffId": 12,
 *                   "slack": ["U0123ABC"], "slackEmail": ["marie@shop.example"],
 *                   "discord": ["81234567890123456"], "discordRole": ["91234567890123456"], "console": ["marie"] } ] }
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../src/domain/errors.ts';
import type { AgentDefinition, AgentIdentity } from '../../src/ports/agent-directory.ts';

const ids = z.array(z.string().trim().min(1).max(191)).default([]);

const AgentSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .regex(
        /^[^\s@]+$/,
        'a name has no spaces and no "@" (it is typed as "/ticket assign N @name"); put the name customers see in "fullName"',
      ),
    fullName: z.string().trim().min(1).max(255).nullable().default(null),
    role: z.enum(['agent', 'manager']).default('agent'),
    staffId: z.number().int().positive().nullable().default(null),
    slack: ids,
    slackEmail: z.array(z.email()).default([]),
    discord: ids,
    discordRole: ids,
    console: ids,
  })
  .strict();

const FileSchema = z.union([z.object({ agents: z.array(AgentSchema) }).strict(), z.array(AgentSchema)]);

export async function loadAgentsFile(file: string): Promise<AgentDefinition[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'agents.file_unreadable',
      `The agents file ${file} (AGENTS_FILE) cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}. Fix the path or unset AGENTS_FILE.`,
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'agents.file_invalid',
      `The agents file ${file} is not valid JSON (${error instanceof Error ? error.message : 'parse error'}); see the example at the top of adapters/files/agents-file.ts.`,
      { cause: error },
    );
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new AppError(
      'agents.file_invalid',
      `The agents file ${file} has problems:\n${lines.join('\n')}\nFix them and start again.`,
    );
  }
  const agents = Array.isArray(parsed.data) ? parsed.data : parsed.data.agents;
  const names = new Set<string>();
  for (const a of agents) {
    if (names.has(a.name.toLowerCase()))
      throw new AppError(
        'agents.file_invalid',
        `The agents file ${file} names "${a.name}" twice; keep one entry per agent.`,
      );
    names.add(a.name.toLowerCase());
  }
  return agents.map((a) => ({
    name: a.name,
    fullName: a.fullName,
    role: a.role,
    staffId: a.staffId,
    identities: [
      ...a.slack.map((value): AgentIdentity => ({ platform: 'slack', kind: 'user', value })),
      ...a.slackEmail.map((value): AgentIdentity => ({ platform: 'slack', kind: 'email', value: value.toLowerCase() })),
      ...a.discord.map((value): AgentIdentity => ({ platform: 'discord', kind: 'user', value })),
      ...a.discordRole.map((value): AgentIdentity => ({ platform: 'discord', kind: 'role', value })),
      ...a.console.map((value): AgentIdentity => ({ platform: 'console', kind: 'user', value })),
    ],
  }));
}
