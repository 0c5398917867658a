/**
 * `ticketrelay discord register`: creates or updates the /ticket application command, in one guild
 * (DISCORD_GUILD_ID: at once, for trying it) or globally (may take up to an hour to show), through
 * discord.js's REST client (DISCORD_API_URL when set). Idempotent: Discord replaces the command.
 */
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { loadConfig } from '../../src/config.ts';
import { TICKET_COMMAND } from '../discord/discord-command-definition.ts';
import { EX_USAGE, type CliCommand } from './cli-command.ts';
import { COMMAND_USAGE } from './usage.ts';

export const discordCommand: CliCommand = {
  usage: COMMAND_USAGE.discord,
  async run(args, say) {
    if (args[0] !== 'register' || args.length > 1) {
      say('Usage: npx ticketrelay discord register');
      return EX_USAGE;
    }
    const { discord } = loadConfig();
    const missing = [
      discord.token ? null : 'DISCORD_TOKEN',
      discord.applicationId ? null : 'DISCORD_APPLICATION_ID',
    ].filter(Boolean);
    if (missing.length > 0 || !discord.token || !discord.applicationId) {
      say(
        `Set ${missing.join(' and ')} first (Discord developer portal: "Bot" → token, "General Information" → application id); see .env.example.`,
      );
      return EX_USAGE;
    }
    const rest = new REST({
      version: '10',
      timeout: 15_000,
      ...(discord.apiUrl ? { api: discord.apiUrl.replace(/\/+$/, '') } : {}),
    }).setToken(discord.token);
    const route = discord.guildId
      ? Routes.applicationGuildCommands(discord.applicationId, discord.guildId)
      : Routes.applicationCommands(discord.applicationId);
    try {
      // PUT replaces this application's commands there with exactly this set.
      const answer = (await rest.put(route, { body: [TICKET_COMMAND] })) as { id?: string; name?: string }[];
      const ids = answer.map((c) => `/${c.name ?? '?'} (${c.id ?? '?'})`).join(', ');
      say(
        discord.guildId
          ? `Registered ${ids} in guild ${discord.guildId}: usable now.`
          : `Registered ${ids} globally: it can take up to an hour to appear in every server.`,
      );
      return 0;
    } catch (error) {
      if (error instanceof DiscordAPIError) {
        const hint =
          error.status === 401
            ? 'Check DISCORD_TOKEN.'
            : error.status === 403
              ? 'Invite the bot to that server with the applications.commands scope, or fix DISCORD_GUILD_ID.'
              : 'Check DISCORD_APPLICATION_ID and DISCORD_GUILD_ID.';
        say(`Discord refused the registration (${error.status}: ${error.message}). ${hint}`);
        return 1;
      }
      say(
        `Discord could not be reached (${error instanceof Error ? error.message : String(error)}); check the network or DISCORD_API_URL, then run it again.`,
      );
      return 75;
    }
  },
};
