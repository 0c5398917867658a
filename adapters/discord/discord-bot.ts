/**
 * The Discord front end, with discord.js: `/ticket` (subcommands, choices, autocomplete), the ticket
 * buttons and the reply modal with a preview. Every command is deferred at once (Discord allows 3
 * seconds), then answered with editReply; a button is acknowledged with deferUpdate and answered
 * with followUp. Interactions arrive from the gateway (`start()`: the bot logs in) or as raw
 * interaction payloads in Discord's JSON shape (`dispatch()`: tests, or an HTTP interactions
 * endpoint), turned into the same discord.js interaction objects.
 */
import {
  Client,
  Events,
  GatewayCloseCodes,
  GatewayIntentBits,
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type GatewayInteractionCreateDispatchData,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Config } from '../../src/config.ts';
import type { Caller, CommandReply } from '../../src/domain/command.ts';
import { clipEncoded as clip, discordPlain, discordText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import { suggestionLabel } from '../../src/domain/reply-template.ts';
import type { AgentDirectory } from '../../src/ports/agent-directory.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { confirmedLine, SERVICE_FAILED_TEXT, type TicketCommands } from '../chat/ticket-commands.ts';
import { READ_ONLY_SUBCOMMANDS, toCommandText } from './discord-command-definition.ts';
import {
  CONFIRM_PREFIX,
  MODAL_INPUTS_MAX,
  parseCustomId,
  parseTemplateCustomId,
  templateAskModal,
  templatePreview,
  renderReply,
  replyModal,
  replyPreview,
  REPLY_MODAL,
  REPLY_TEXT_INPUT,
  type DiscordMessage,
} from './discord-render.ts';

export interface DiscordBotOptions {
  readonly discord: Config['discord'];
  readonly commands: TicketCommands;
  /** Who may see ticket numbers and subjects in autocomplete (the command service's suggestTickets takes no caller). */
  readonly agents: AgentDirectory;
  readonly logger: Logger;
}

/** The part of discord.js's Client that turns a gateway INTERACTION_CREATE into an interaction (not in its typings). */
interface InteractionCreateAction {
  handle(data: unknown): void;
}

export class DiscordBot {
  readonly client: Client;
  readonly #commands: TicketCommands;
  readonly #agents: AgentDirectory;
  readonly #log: Logger;
  readonly #token: string | null;
  #capture: ((interaction: Interaction) => void) | null = null;
  #handled = 0;
  #loggedIn = false;

  constructor(options: DiscordBotOptions) {
    const { discord } = options;
    this.#commands = options.commands;
    this.#agents = options.agents;
    this.#log = options.logger.child({ component: 'discord' });
    this.#token = discord.token;
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { ...(discord.apiUrl ? { api: discord.apiUrl.replace(/\/+$/, '') } : {}), timeout: 15_000 },
    });
    if (discord.token) this.client.rest.setToken(discord.token);
    this.client.on(Events.InteractionCreate, (interaction) => {
      if (this.#capture) return this.#capture(interaction);
      void this.handle(interaction);
    });
    this.client.on(Events.Error, (error) => this.#log.error({ err: error.message }, 'Discord client error'));
  }

  /** Logs in to the gateway and receives interactions from it. */
  async start(): Promise<void> {
    const token = this.#token;
    if (!token)
      throw new AppError(
        'config.discord',
        'Discord needs DISCORD_TOKEN (the bot token, under "Bot" in the developer portal).',
      );
    // The gateway's close code when it ends the session for good (4004: the token was refused).
    let closeCode: number | null = null;
    const onDisconnect = (event: { code: number }) => {
      closeCode = event.code;
    };
    this.client.on(Events.ShardDisconnect, onDisconnect);
    try {
      await this.client.login(token);
    } catch (error) {
      throw loginError(error, closeCode, token);
    } finally {
      this.client.off(Events.ShardDisconnect, onDisconnect);
    }
    this.#loggedIn = true;
    this.#log.info({ user: this.client.user?.tag }, 'Discord gateway connected');
  }

  async stop(): Promise<void> {
    await this.client.destroy();
  }

  describe(): string {
    // What the gateway connection is now, not what it was at login: discord.js reconnects by itself.
    const state = !this.#loggedIn
      ? 'not connected'
      : this.client.isReady()
        ? `gateway connected as ${this.client.user.tag}`
        : 'gateway reconnecting';
    return `discord: ${state}, ${this.#handled} interaction(s) handled`;
  }

  /** A raw interaction payload (Discord's documented JSON) handled as if it came from the gateway. */
  async dispatch(data: GatewayInteractionCreateDispatchData | Record<string, unknown>): Promise<void> {
    const actions = (this.client as unknown as { actions: { InteractionCreate: InteractionCreateAction } }).actions;
    let captured: Interaction | null = null;
    this.#capture = (interaction) => {
      captured = interaction;
    };
    try {
      actions.InteractionCreate.handle(data);
    } finally {
      this.#capture = null;
    }
    if (!captured)
      throw new AppError(
        'discord.interaction_unknown',
        'This interaction payload is not one discord.js knows (check its "type" and "data").',
      );
    await this.handle(captured);
  }

  async handle(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) await this.#command(interaction);
      else if (interaction.isAutocomplete()) await this.#autocomplete(interaction);
      else if (interaction.isButton()) await this.#button(interaction);
      else if (interaction.isModalSubmit()) await this.#modal(interaction);
      this.#handled += 1;
    } catch (error) {
      this.#log.error(
        { interactionId: interaction.id, err: error instanceof Error ? error.message : String(error) },
        'Discord interaction failed',
      );
    }
  }

  async #command(interaction: ChatInputCommandInteraction): Promise<void> {
    if (interaction.commandName !== 'ticket') return;
    const sub = interaction.options.getSubcommand(false) ?? 'help';
    const values = new Map<string, string | number | boolean>();
    for (const option of interaction.options.data[0]?.options ?? []) {
      if (option.value !== undefined) values.set(option.name, option.value);
    }
    // /ticket reply N without text or template: the form, which previews before sending.
    if (sub === 'reply' && !values.has('text') && !values.has('tpl')) {
      await interaction.showModal(replyModal(Number(values.get('ticket'))));
      return;
    }
    // A template whose {{ask:…}} fields were not given in `values`: a form with one input per field.
    if (sub === 'reply' && values.has('tpl') && !values.has('values') && (await this.#askTemplate(interaction, values)))
      return;
    const ephemeral = READ_ONLY_SUBCOMMANDS.has(sub);
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    const reply = await this.#answer(
      () => this.#commands.run(callerOf(interaction), toCommandText(sub, values)),
      interaction.id,
    );
    await this.#deliver(interaction, reply, ephemeral);
  }

  /**
   * Shows the template's form when it asks for values (true: answered). Discord's modal holds 5 inputs: a
   * template asking for more is answered with one sentence saying to give them in `values`.
   */
  async #askTemplate(
    interaction: ChatInputCommandInteraction,
    values: ReadonlyMap<string, string | number | boolean>,
  ): Promise<boolean> {
    const ticketId = Number(values.get('ticket'));
    const asked = await this.#commands
      .templateAsks(callerOf(interaction), ticketId, String(values.get('tpl')).trim())
      .catch((error: unknown) => {
        this.#log.warn(
          { ticketId, err: error instanceof Error ? error.message : String(error) },
          'template read failed',
        );
        return null;
      });
    if (!asked || asked.asks.length === 0) return false;
    if (asked.asks.length <= MODAL_INPUTS_MAX) {
      await interaction.showModal(templateAskModal(ticketId, asked.key, asked.asks));
      return true;
    }
    const example = asked.asks.map((name) => `${name}=…`).join(' ');
    await interaction.reply({
      content: clip(
        discordText(
          `Template ${asked.key} asks for ${asked.asks.length} values, more than a Discord form holds (${MODAL_INPUTS_MAX}); nothing was sent. Give them in the "values" option: ${example}`,
        ),
        2000,
      ),
      flags: MessageFlags.Ephemeral,
      allowedMentions: NO_MENTIONS,
    });
    return true;
  }

  /** The template form's values: the preview in the ticket's language with them filled in, and Send. */
  async #templateAsked(interaction: ModalSubmitInteraction, ticketId: number, key: string): Promise<void> {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const caller = callerOf(interaction);
    const asked = await this.#commands.templateAsks(caller, ticketId, key).catch(() => null);
    const asks: Record<string, string> = {};
    for (const name of asked?.asks ?? []) {
      try {
        const value = interaction.fields.getTextInputValue(name).trim();
        if (value) asks[name] = value;
      } catch {
        // Not on the form (the template changed meanwhile): the service names what is missing.
      }
    }
    const reply = await this.#answer(
      () => this.#commands.runTemplateReply(caller, ticketId, key, asks, false),
      interaction.id,
    );
    await interaction.editReply(
      reply.ok ? payload(templatePreview(ticketId, key, asks, reply.text)) : payload(renderReply(reply)),
    );
  }

  /** Send under a template's preview: the values shown in it, emailed with the template's actions. */
  async #templateSend(interaction: ButtonInteraction, ticketId: number, key: string): Promise<void> {
    const asks: Record<string, string> = {};
    for (const field of interaction.message.embeds[0]?.fields ?? []) asks[field.name] = discordPlain(field.value);
    await interaction.deferUpdate();
    const reply = await this.#answer(
      () => this.#commands.runTemplateReply(callerOf(interaction), ticketId, key, asks, true),
      interaction.id,
    );
    await afterSend(interaction, reply);
  }

  async #autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    if (focused.name === 'tpl') return this.#templateAutocomplete(interaction, String(focused.value));
    if (focused.name !== 'ticket') return void (await interaction.respond([]));
    const tickets = await (async () => {
      // Subjects name customers and their problems: only agents see them, as with /ticket list.
      if (!(await this.#agents.forCaller(callerOf(interaction)))) return [];
      return this.#commands.suggestTickets(String(focused.value).replace(/^#/, '').trim(), 25);
    })().catch((error: unknown) => {
      this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'ticket autocomplete failed');
      return [];
    });
    await interaction.respond(
      tickets
        .slice(0, 25)
        .map((t) => ({ name: clip(`#${t.ticketId} ${t.subject} (${t.priority})`, 100), value: t.ticketId })),
    );
  }

  /**
   * The `tpl` option: up to 25 templates matching what is typed, named with their title and first words in
   * the ticket's language (the ticket option, when already given); none for someone who is not an agent.
   */
  async #templateAutocomplete(interaction: AutocompleteInteraction, typed: string): Promise<void> {
    const ticketId = interaction.options.get('ticket')?.value;
    const found = await this.#commands
      .suggestTemplates(
        callerOf(interaction),
        typed,
        25,
        typeof ticketId === 'number' && Number.isSafeInteger(ticketId) && ticketId > 0 ? ticketId : undefined,
      )
      .catch((error: unknown) => {
        this.#log.warn({ err: error instanceof Error ? error.message : String(error) }, 'template autocomplete failed');
        return [];
      });
    // A choice's name is plain text (Discord shows it as typed, no markdown), at most 100 characters.
    await interaction.respond(found.slice(0, 25).map((t) => ({ name: suggestionLabel(t, 100), value: t.key })));
  }

  async #button(interaction: ButtonInteraction): Promise<void> {
    if (interaction.customId.startsWith(CONFIRM_PREFIX)) return this.#confirm(interaction);
    const template = parseTemplateCustomId(interaction.customId);
    if (template?.kind === 'send') return this.#templateSend(interaction, template.ticketId, template.key);
    const parsed = parseCustomId(interaction.customId);
    if (!parsed) return;
    const { kind, ticketId } = parsed;
    const caller = callerOf(interaction);
    switch (kind) {
      case 'reply':
        await interaction.showModal(replyModal(ticketId));
        return;
      case 'cancel':
        await interaction.update({
          content: `Not sent: the reply to #${ticketId} was discarded.`,
          embeds: [],
          components: [],
          allowedMentions: NO_MENTIONS,
        });
        return;
      case 'send': {
        // The text is the preview's, exactly what the agent saw.
        const text = discordPlain(interaction.message.embeds[0]?.description ?? '');
        await interaction.deferUpdate();
        const reply = await this.#answer(() => this.#commands.run(caller, `reply ${ticketId} ${text}`), interaction.id);
        await afterSend(interaction, reply);
        return;
      }
      case 'view': {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        const reply = await this.#answer(() => this.#commands.run(caller, `view ${ticketId}`), interaction.id);
        await interaction.editReply(payload(renderReply(reply)));
        return;
      }
      case 'close':
      case 'reopen':
      case 'assign_me': {
        await interaction.deferUpdate();
        const reply = await this.#answer(() => this.#commands.runAction(caller, kind, ticketId), interaction.id);
        await interaction.followUp({
          ...payload(renderReply(reply)),
          ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
        });
        return;
      }
      default:
        return;
    }
  }

  /** "Assign anyway": the confirmed line run as if typed (the same checks); any other line is not run. */
  async #confirm(interaction: ButtonInteraction): Promise<void> {
    const line = confirmedLine(interaction.customId.slice(CONFIRM_PREFIX.length));
    if (!line) return;
    await interaction.deferUpdate();
    const reply = await this.#answer(() => this.#commands.run(callerOf(interaction), line), interaction.id);
    await interaction.followUp({
      ...payload(renderReply(reply)),
      ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
    });
  }

  async #modal(interaction: ModalSubmitInteraction): Promise<void> {
    const template = parseTemplateCustomId(interaction.customId);
    if (template?.kind === 'ask') return this.#templateAsked(interaction, template.ticketId, template.key);
    const parsed = parseCustomId(interaction.customId);
    if (!parsed || parsed.kind !== REPLY_MODAL) return;
    const text = interaction.fields.getTextInputValue(REPLY_TEXT_INPUT).trim();
    if (!text) {
      await interaction.reply({
        content: 'The reply was empty, so nothing was sent; press Reply again and write it.',
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    // The preview carries the text to Send, escaped; it must fit an embed whole (4,096 characters).
    if (discordText(text).length > 4096) {
      await interaction.reply({
        content: `This reply is too long for the preview (markdown characters count double); shorten it, or send it with "/ticket reply ${parsed.ticketId} …".`,
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    await interaction.reply({ ...payload(replyPreview(parsed.ticketId, text)), flags: MessageFlags.Ephemeral });
  }

  /** Sends the reply into the deferred answer; a private answer to a public deferral goes as an ephemeral follow-up. */
  async #deliver(
    interaction: ChatInputCommandInteraction,
    reply: CommandReply,
    deferredEphemeral: boolean,
  ): Promise<void> {
    // A file (the export) travels as an attachment of the answer, which only the caller sees.
    const message = {
      ...payload(renderReply(reply)),
      ...(reply.ok && reply.file
        ? { files: [{ attachment: Buffer.from(reply.file.data), name: reply.file.filename }] }
        : {}),
    };
    if (reply.ephemeral && !deferredEphemeral) {
      await interaction.deleteReply();
      await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.editReply(message);
  }

  async #answer(what: () => Promise<CommandReply>, interactionId: string): Promise<CommandReply> {
    try {
      return await what();
    } catch (error) {
      this.#log.error({ interactionId, err: error }, 'ticket command failed');
      return { ok: false, ephemeral: true, text: SERVICE_FAILED_TEXT };
    }
  }
}

/**
 * Why login failed, in one sentence naming the variable to fix; never the token itself. discord.js
 * says "An invalid token was provided." when the REST API refuses it (401 on /gateway/bot) and
 * "Authentication failed" when the gateway closes with 4004.
 */
/** The code of a chat platform refusing our token (as Slack's): the bots role goes down, the other roles go on. */
export const TOKEN_REFUSED = 'chat.token_refused';

function loginError(error: unknown, closeCode: number | null, token: string): AppError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  const message = (error instanceof Error ? error.message : String(error)).split(token).join('***');
  if (code === 'TokenInvalid' || closeCode === GatewayCloseCodes.AuthenticationFailed) {
    return new AppError(
      TOKEN_REFUSED,
      `Discord refused DISCORD_TOKEN${closeCode === GatewayCloseCodes.AuthenticationFailed ? ' (the gateway closed with 4004, authentication failed)' : ''}: copy the bot token again from "Bot" in the developer portal (Reset Token gives a new one) and restart.`,
      { cause: error },
    );
  }
  if (closeCode === GatewayCloseCodes.DisallowedIntents || closeCode === GatewayCloseCodes.InvalidIntents) {
    return new AppError(
      'config.discord',
      `The Discord gateway refused the bot's intents (close code ${closeCode}): check the "Privileged Gateway Intents" of the bot in the developer portal.`,
      { cause: error },
    );
  }
  return new AppError(
    'discord.login_failed',
    `Could not connect to the Discord gateway${closeCode ? ` (close code ${closeCode})` : ''}: ${message}`,
    { cause: error, retryable: true },
  );
}

/** Who acted: the user, with the member's role ids so agents can be recognised by role. */
export function callerOf(interaction: Interaction): Caller {
  const member = interaction.member;
  let roleIds: string[] = [];
  if (member) roleIds = Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
  const displayName =
    (member && 'nick' in member && typeof member.nick === 'string' ? member.nick : null) ??
    interaction.user.globalName ??
    interaction.user.username;
  return { platform: 'discord', userId: interaction.user.id, roleIds, ...(displayName ? { displayName } : {}) };
}

/** Nobody is pinged by anything we post, whatever its text says. */
const NO_MENTIONS = { parse: [] as [] };

/** After Send under a preview: the preview becomes what happened; a public change is announced in the channel. */
async function afterSend(interaction: ButtonInteraction, reply: CommandReply): Promise<void> {
  await interaction.editReply({
    content: clip(reply.ok ? `Sent. ${discordText(reply.text)}` : `⚠️ ${discordText(reply.text)}`, 2000),
    embeds: [],
    components: [],
    allowedMentions: NO_MENTIONS,
  });
  if (reply.ok && !reply.ephemeral) await interaction.followUp(payload(renderReply(reply)));
}

function payload(message: DiscordMessage): {
  content: string;
  embeds: DiscordMessage['embeds'];
  components: DiscordMessage['components'];
  allowedMentions: { parse: [] };
} {
  return {
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
  };
}
