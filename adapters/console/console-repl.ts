/**
 * The console: the /ticket commands typed in a terminal, answered in plain text (coloured by
 * priority on a TTY). The demo's chat, and a way to try every command locally.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Caller, CommandFile, CommandReply } from '../../src/domain/command.ts';
import { terminalText } from '../../src/domain/encode.ts';
import type { Agent } from '../../src/ports/agent-directory.ts';

/** What the console needs of the command service (the App's CommandService has it). */
export interface ConsoleCommands {
  run(caller: Caller, text: string): Promise<CommandReply>;
}

/** What the console needs of the agents: who the terminal's user is, registering them in a development database. */
export interface ConsoleAgents {
  forCaller(caller: Caller): Promise<Agent | null>;
  upsert(definition: {
    name: string;
    role: 'agent' | 'manager';
    staffId: number | null;
    identities: { platform: 'console'; kind: 'user'; value: string }[];
  }): Promise<Agent>;
}

/** The staff id the console's default manager signs with in a development database. */
export const DEV_STAFF_ID = 1;

/**
 * The caller for this terminal: the agent mapped to the OS user running it (`agents add … --console
 * USER`). In the project-local development database that user, unregistered, becomes a manager, so
 * the demo works with no setup. `--as NAME` takes another console identity, as registered (or not):
 * that is how a person tries what an agent or a stranger may do, and no account is made up for a name
 * typed once. What is done that way is recorded as "NAME (console, claimed by OS user USER)", and a
 * manager's identity is refused unless the OS user is a manager too or the console manager key
 * (CONSOLE_MANAGER_KEY) is given: `--as boss` alone no longer makes anyone a manager.
 */
export async function consoleCaller(options: {
  as: string | null;
  localDatabase: boolean;
  agents: ConsoleAgents;
  /** The OS user (tests); default: the one running this process. */
  osUser?: string;
  /** CONSOLE_MANAGER_KEY, and the key given (--key or CONSOLE_KEY). */
  managerKey?: string | null;
  key?: string | null;
}): Promise<{ caller: Caller; agent: Agent | null; registered: boolean; refused?: string }> {
  const osUser = (options.osUser ?? safeUserName()).trim() || 'console';
  const claimed = options.as?.trim() || null;
  if (claimed !== null && claimed !== osUser) {
    const caller: Caller = { platform: 'console', userId: claimed, displayName: claimed, claimedBy: osUser };
    const agent = await options.agents.forCaller(caller);
    if (agent?.role !== 'manager') return { caller, agent, registered: false };
    if (options.key && options.managerKey && sameKey(options.key, options.managerKey))
      return { caller, agent, registered: false };
    const own = await options.agents.forCaller({ platform: 'console', userId: osUser, displayName: osUser });
    if (own?.role === 'manager') return { caller, agent, registered: false };
    const how = options.managerKey
      ? options.key
        ? 'the key given is not CONSOLE_MANAGER_KEY'
        : 'give the console manager key with --key (or CONSOLE_KEY), as set in CONSOLE_MANAGER_KEY'
      : 'no CONSOLE_MANAGER_KEY is set on this server';
    return {
      caller,
      agent: null,
      registered: false,
      refused: `--as ${claimed} is refused: ${agent.name} is a manager, and the OS user ${osUser} is not; ${how}. Or run the console as ${claimed}'s own OS user. Nothing was done.`,
    };
  }
  const caller: Caller = { platform: 'console', userId: osUser, displayName: osUser };
  const agent = await options.agents.forCaller(caller);
  if (agent || !options.localDatabase) return { caller, agent, registered: false };
  const created = await options.agents.upsert({
    name: osUser.replace(/[\s@]+/g, '_').slice(0, 128),
    role: 'manager',
    staffId: DEV_STAFF_ID,
    identities: [{ platform: 'console', kind: 'user', value: osUser }],
  });
  return { caller, agent: created, registered: true };
}

/** Constant-time comparison of two keys (as digests: equal lengths, nothing told by the time). */
function sameKey(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'console';
  }
}

const COLOURS = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
} as const;

/** The reply's text, with urgent lines red, high ones yellow and refusals red, when colours are wanted. */
export function renderReply(reply: CommandReply, colour: boolean): string {
  // Customers' words are in it: their escape sequences and controls go, colours are only ours.
  const text = terminalText(reply.text);
  if (!colour) return text;
  if (!reply.ok) return `${COLOURS.red}${text}${COLOURS.reset}`;
  return text
    .split('\n')
    .map((line) => {
      if (/^!!! |priority urgent/.test(line)) return `${COLOURS.red}${COLOURS.bold}${line}${COLOURS.reset}`;
      if (/^!! |priority high/.test(line)) return `${COLOURS.yellow}${line}${COLOURS.reset}`;
      if (/^— /.test(line)) return `${COLOURS.dim}${line}${COLOURS.reset}`;
      return line;
    })
    .join('\n');
}

/**
 * Reads lines until "exit", "quit" or end of input (Ctrl-D). Each line is one command, with or
 * without "/ticket" in front. A failing database is reported and the console goes on.
 */
export async function runConsole(options: {
  commands: ConsoleCommands;
  caller: Caller;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  colour?: boolean;
  /** Where files a command hands back (the export) are saved. */
  filesDir?: string;
}): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const colour = options.colour ?? Boolean((output as NodeJS.WriteStream).isTTY);
  const rl = readline.createInterface({
    input,
    output,
    terminal: Boolean((input as NodeJS.ReadStream).isTTY),
    prompt: '/ticket> ',
  });
  const write = (text: string) => output.write(`${text}\n`);
  rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === 'exit' || line === 'quit' || line === '/exit') break;
    if (line) {
      try {
        const reply = await options.commands.run(options.caller, line);
        write(renderReply(reply, colour));
        if (reply.file)
          write(`Saved to ${await saveFile(reply.file, options.filesDir ?? path.resolve('.data', 'exports'))}`);
      } catch (error) {
        write(
          `${colour ? COLOURS.red : ''}That did not work: ${error instanceof Error ? error.message : String(error)} Nothing was changed; try again.${colour ? COLOURS.reset : ''}`,
        );
      }
    }
    rl.prompt();
  }
  rl.close();
}

/** A command's file, on disk (the console's way of handing it over); returns its path. */
export async function saveFile(file: CommandFile, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, path.basename(file.filename));
  await writeFile(target, file.data);
  return path.relative(process.cwd(), target) || target;
}
