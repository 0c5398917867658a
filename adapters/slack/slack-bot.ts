/**
 * The Slack front end, with @slack/bolt: the `/ticket` slash command, the ticket buttons and the
 * reply modal (compose → preview → send). Every request is acknowledged at once — within Slack's
 * 3 seconds whatever the database does — and answered afterwards through response_url or the Web
 * API. HTTP mode verifies each request's signature (Bolt's HTTPReceiver: a bad signature or a
 * timestamp older than five minutes is refused with 401 before anything runs); Socket Mode is an
 * option for workspaces that cannot reach us over HTTP.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type {
  BlockAction,
  ButtonAction,
  Logger as BoltLogger,
  RespondArguments,
  ViewSubmitAction,
  SlackViewMiddlewareArgs,
  AllMiddlewareArgs,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Caller, CommandFile, CommandReply, TicketAction } from '../../src/domain/command.ts';
import type { Config } from '../../src/config.ts';
import { slackText } from '../../src/domain/encode.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { confirmedLine, SERVICE_FAILED_TEXT, type TicketCommands } from '../chat/ticket-commands.ts';
import type { ReplayGuard } from '../queue/redis-replay-guard.ts';
import {
  ACTION_IDS,
  CONFIRM_ACTION,
  REPLY_COMPOSE_CALLBACK,
  REPLY_CONFIRM_CALLBACK,
  REPLY_INPUT_ACTION,
  REPLY_INPUT_BLOCK,
  REPLY_TEMPLATE_ACTION,
  REPLY_TEMPLATE_BLOCK,
  REPLY_VALUES_ACTION,
  REPLY_VALUES_BLOCK,
  REPLY_ASK_ACTION,
  REPLY_ASK_CALLBACK,
  askBlockId,
  templateAskView,
  renderReply,
  templateOptions,
  SLACK_NO_PARSE,
  replyComposeView,
  replyPreviewView,
} from './slack-render.ts';

/** Slack's limit on a view's private_metadata. */
const MAX_PRIVATE_METADATA = 3000;
/** How long a user's email from users.info is trusted. */
const EMAIL_TTL_MS = 10 * 60_000;

export interface SlackBotOptions {
  readonly slack: Config['slack'];
  readonly commands: TicketCommands;
  readonly logger: Logger;
  /** HTTP mode: drops a signed request seen before within its five minutes (Redis in production). */
  readonly replayGuard?: ReplayGuard;
}

/** How far from now a request's signed timestamp may be, either way (Slack's own rule is five minutes back). */
const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export interface SlackBot {
  /** Listens (HTTP on slack.port; `port` overrides it, 0 for any) or connects (Socket Mode). Resolves with the HTTP port, or null in Socket Mode. */
  start(port?: number): Promise<number | null>;
  stop(): Promise<void>;
  describe(): string;
}

export function createSlackBot(options: SlackBotOptions): SlackBot {
  const { slack, commands } = options;
  const log = options.logger.child({ component: 'slack' });
  if (!slack.botToken)
    throw new AppError(
      'config.slack',
      'Slack needs SLACK_BOT_TOKEN (the bot token xoxb-…, under "OAuth & Permissions" of the app).',
    );
  const socketMode = slack.socketMode;
  if (socketMode && !slack.appToken)
    throw new AppError(
      'config.slack',
      'SLACK_SOCKET_MODE is on but SLACK_APP_TOKEN is missing: create an app-level token (xapp-…) with connections:write, or turn Socket Mode off.',
    );
  if (!socketMode && !slack.signingSecret)
    throw new AppError(
      'config.slack',
      'Slack in HTTP mode needs SLACK_SIGNING_SECRET ("Basic Information" of the app) to verify requests; or set SLACK_SOCKET_MODE=true with SLACK_APP_TOKEN.',
    );
  const logger = boltLogger(log);
  const clientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.replace(/\/?$/, '/') } : {}),
    // The WebClient waits out a 429's Retry-After and tries again, rather than failing the call.
    rejectRateLimitedCalls: false,
    retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
    timeout: 15_000,
  };
  // Built here rather than by Bolt (socketMode: true) to see its connection's state; its Web API
  // client (apps.connections.open, with the app-level token) gets the same options as Bolt's own.
  const socketReceiver = socketMode
    ? new SocketModeReceiver({
        appToken: slack.appToken ?? '',
        logger,
        installerOptions: { clientOptions: { ...clientOptions } },
      })
    : null;
  /** Socket Mode: whether the WebSocket is up now (the client reconnects by itself when Slack recycles it). */
  let socketState: 'connecting' | 'connected' | 'reconnecting' | 'disconnected' = 'connecting';
  if (socketReceiver) {
    socketReceiver.client.on('connected', () => (socketState = 'connected'));
    socketReceiver.client.on('reconnecting', () => (socketState = 'reconnecting'));
    socketReceiver.client.on('disconnected', () => (socketState = 'disconnected'));
  }
  const receiver =
    socketReceiver ??
    new HTTPReceiver({
      signingSecret: slack.signingSecret ?? '',
      endpoints: ['/slack/events', '/slack/commands', '/slack/interactions'],
      logger,
      processBeforeResponse: false,
    });
  if (receiver instanceof HTTPReceiver) guardSignedRequests(receiver, options.replayGuard ?? null, log);
  const app = new App({
    token: slack.botToken,
    logger,
    clientOptions,
    // auth.test runs in start() (app.init), where a refused token is caught: left to the constructor,
    // its rejection is unhandled and ends the whole process, every role with it.
    deferInitialization: true,
    receiver,
  });

  const emails = new Map<string, { email: string | null; until: number }>();
  let handled = 0;

  /** Who pressed or typed, with their email (users.info) so agents mapped by email are recognised. */
  async function callerOf(client: WebClient, userId: string, name: string | undefined): Promise<Caller> {
    let cached = emails.get(userId);
    if (!cached || cached.until < Date.now()) {
      let email: string | null = null;
      try {
        const info = await client.users.info({ user: userId });
        email = info.user?.profile?.email ?? null;
      } catch (error) {
        log.warn(
          { userId, err: slackErrorText(error) },
          "could not read the Slack user's email (scope users:read.email?); agents are matched by user id only",
        );
      }
      cached = { email, until: Date.now() + EMAIL_TTL_MS };
      emails.set(userId, cached);
    }
    return {
      platform: 'slack',
      userId,
      ...(cached.email ? { email: cached.email } : {}),
      ...(name ? { displayName: name } : {}),
    };
  }

  /** The service's answer, or a clear sentence when the service itself failed. */
  async function answer(what: () => Promise<CommandReply>, fields: Record<string, unknown>): Promise<CommandReply> {
    try {
      const reply = await what();
      handled += 1;
      return reply;
    } catch (error) {
      log.error({ ...fields, err: error }, 'ticket command failed');
      return { ok: false, ephemeral: true, text: SERVICE_FAILED_TEXT };
    }
  }

  function toResponse(reply: CommandReply, replaceOriginal = false): RespondArguments {
    const message = renderReply(reply);
    return {
      response_type: reply.ephemeral ? 'ephemeral' : 'in_channel',
      replace_original: replaceOriginal,
      ...SLACK_NO_PARSE,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(message.attachments ? { attachments: message.attachments } : {}),
    } as RespondArguments;
  }

  app.command('/ticket', async ({ ack, command, respond, client }) => {
    await ack();
    // "/ticket reply N" without text: the form, which previews before sending (as the Reply button).
    const replyTo = /^\s*reply\s+#?(\d{1,9})\s*$/i.exec(command.text)?.[1];
    if (replyTo) {
      try {
        await client.views.open({
          trigger_id: command.trigger_id,
          view: replyComposeView(Number(replyTo), command.channel_id),
        });
        return;
      } catch (error) {
        log.warn(
          { ticketId: Number(replyTo), err: slackErrorText(error) },
          'could not open the reply modal; answering the command instead',
        );
      }
    }
    const caller = await callerOf(client, command.user_id, command.user_name);
    // "/ticket reply N tpl:KEY" with nothing more, on a template that asks for values: the form asking them.
    const typedTemplate = /^\s*reply\s+#?(\d{1,9})\s+tpl:([a-z0-9][a-z0-9_-]{0,79})\s*$/i.exec(command.text);
    if (typedTemplate && (await openAskForm(client, caller, command.trigger_id, command.channel_id, typedTemplate)))
      return;
    const reply = await answer(() => commands.run(caller, command.text), {
      userId: command.user_id,
      channel: command.channel_id,
    });
    await respond(toResponse(reply));
    if (reply.ok && reply.file) await sendFile(client, command.user_id, reply.file);
  });

  /** Opens the asked-fields form of a typed template reply when the template has fields (true: opened). */
  async function openAskForm(
    client: WebClient,
    caller: Caller,
    triggerId: string,
    channel: string,
    typed: RegExpExecArray,
  ): Promise<boolean> {
    const ticketId = Number(typed[1]);
    try {
      const asked = await commands.templateAsks(caller, ticketId, typed[2]!);
      if (!asked || asked.asks.length === 0) return false;
      await client.views.open({
        trigger_id: triggerId,
        view: templateAskView(ticketId, channel, asked.key, asked.asks),
      });
      return true;
    } catch (error) {
      log.warn({ ticketId, err: slackErrorText(error) }, 'could not open the template form; answering the command');
      return false;
    }
  }

  /** A command's file (the export) goes to the caller in a direct message: customer data stays out of channels. */
  async function sendFile(client: WebClient, userId: string, file: CommandFile): Promise<void> {
    try {
      const im = await client.conversations.open({ users: userId });
      const channel = im.channel?.id;
      if (!channel) throw new Error('Slack opened no direct message channel');
      await client.files.uploadV2({
        channel_id: channel,
        file: Buffer.from(file.data),
        filename: file.filename,
        title: file.filename,
        initial_comment: `Your export: ${file.filename}`,
      });
    } catch (error) {
      log.warn({ userId, file: file.filename, err: slackErrorText(error) }, 'could not hand the file over in Slack');
      await client.chat
        .postEphemeral({
          channel: userId,
          user: userId,
          ...SLACK_NO_PARSE,
          text: `The file ${slackText(file.filename)} could not be sent here (${slackErrorText(error)}); run "npx ticketrelay export" on the server instead.`,
        })
        .catch(() => undefined);
    }
  }

  for (const action of ['close', 'reopen', 'assign_me'] as const satisfies readonly Exclude<TicketAction, 'reply'>[]) {
    app.action<BlockAction<ButtonAction>>(
      { type: 'block_actions', action_id: ACTION_IDS[action] },
      async ({ ack, body, action: pressed, respond, client }) => {
        await ack();
        const ticketId = Number(pressed.value);
        const caller = await callerOf(client, body.user.id, body.user.name);
        const reply = await answer(() => commands.runAction(caller, action, ticketId), {
          userId: body.user.id,
          ticketId,
          action,
        });
        await respond(toResponse(reply));
      },
    );
  }

  // "Assign anyway": the confirmation the refusal asked for, run as if typed (the same checks). Only a
  // confirmed assignment rides on this button; any other line is not run.
  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: CONFIRM_ACTION },
    async ({ ack, body, action: pressed, respond, client }) => {
      await ack();
      const line = confirmedLine(pressed.value ?? '');
      if (!line) return;
      const caller = await callerOf(client, body.user.id, body.user.name);
      const reply = await answer(() => commands.run(caller, line), { userId: body.user.id, action: 'confirm' });
      await respond(toResponse(reply));
    },
  );

  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: ACTION_IDS.view },
    async ({ ack, body, action: pressed, respond, client }) => {
      await ack();
      const caller = await callerOf(client, body.user.id, body.user.name);
      const reply = await answer(() => commands.run(caller, `view ${Number(pressed.value)}`), { userId: body.user.id });
      await respond(toResponse(reply));
    },
  );

  app.action<BlockAction<ButtonAction>>(
    { type: 'block_actions', action_id: ACTION_IDS.reply },
    async ({ ack, body, action: pressed, client }) => {
      await ack();
      const ticketId = Number(pressed.value);
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: replyComposeView(ticketId, body.channel?.id ?? null),
        });
      } catch (error) {
        log.warn({ ticketId, err: slackErrorText(error) }, 'could not open the reply modal');
      }
    },
  );

  // The compose form's template menu (an external_select): Slack sends what the agent typed (block_suggestion),
  // we answer with the matching templates in the ticket's language. Slash commands have no autocomplete.
  app.options<'block_suggestion'>(REPLY_TEMPLATE_ACTION, async ({ ack, body, client }) => {
    const meta = readMetadata(body.view?.private_metadata ?? '');
    const caller = await callerOf(client, body.user.id, body.user.name);
    const found = await commands
      .suggestTemplates(caller, body.value ?? '', 25, meta?.ticketId)
      .catch((error: unknown) => {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'template suggestions failed');
        return [];
      });
    await ack({ options: templateOptions(found) });
  });

  app.view<ViewSubmitAction>(REPLY_COMPOSE_CALLBACK, async ({ ack, view, body, client }) => {
    const meta = readMetadata(view.private_metadata);
    const text = view.state.values[REPLY_INPUT_BLOCK]?.[REPLY_INPUT_ACTION]?.value?.trim() ?? '';
    const template = view.state.values[REPLY_TEMPLATE_BLOCK]?.[REPLY_TEMPLATE_ACTION]?.selected_option?.value;
    if (!meta) return void (await ack());
    if (template && meta) {
      // The template's preview from the service (its language, every variable filled, or the one sentence
      // saying what is missing, shown on the form); Send runs the same line with "send".
      const values = view.state.values[REPLY_VALUES_BLOCK]?.[REPLY_VALUES_ACTION]?.value?.trim() ?? '';
      const line = `tpl:${template} ${values}`.trim();
      const caller = await callerOf(client, body.user.id, body.user.name);
      // No values typed and the template asks for some: a form with one input per asked field.
      if (!values) {
        const asked = await commands.templateAsks(caller, meta.ticketId, template).catch((error: unknown) => {
          log.warn({ ticketId: meta.ticketId, err: String(error) }, 'could not read the template for its fields');
          return null;
        });
        if (asked && asked.asks.length > 0)
          return void (await ack({
            response_action: 'update',
            view: templateAskView(meta.ticketId, meta.channel, asked.key, asked.asks),
          }));
      }
      const preview = await answer(() => commands.run(caller, `reply ${meta.ticketId} ${line}`), {
        userId: body.user.id,
        ticketId: meta.ticketId,
      });
      if (!preview.ok)
        return void (await ack({
          response_action: 'errors',
          errors: { [REPLY_TEMPLATE_BLOCK]: preview.text.slice(0, 2000) },
        }));
      return void (await ack({
        response_action: 'update',
        view: replyPreviewView(meta.ticketId, meta.channel, preview.text, { line }),
      }));
    }
    if (!text)
      return void (await ack({
        response_action: 'errors',
        errors: { [REPLY_INPUT_BLOCK]: 'Write the reply first, or choose a template; it is emailed to the customer.' },
      }));
    const preview = replyPreviewView(meta.ticketId, meta.channel, text);
    // The text rides to the Send step in private_metadata, which Slack caps at 3000 characters.
    if ((preview.private_metadata ?? '').length > MAX_PRIVATE_METADATA) {
      return void (await ack({
        response_action: 'errors',
        errors: {
          [REPLY_INPUT_BLOCK]: `This reply is too long for the form (line breaks and quotes count double); shorten it, or send it with "/ticket reply ${meta.ticketId} …".`,
        },
      }));
    }
    await ack({ response_action: 'update', view: preview });
  });

  // The template's asked fields, one input each: their values go to the service as given (a value may hold
  // spaces or "=" freely), and the preview shows them filled in; a refusal is shown on the form.
  app.view<ViewSubmitAction>(REPLY_ASK_CALLBACK, async ({ ack, view, body, client }) => {
    const meta = readMetadata(view.private_metadata);
    const key = meta?.template?.slice('tpl:'.length);
    if (!meta || !key) return void (await ack());
    const asks: Record<string, string> = {};
    for (const [blockId, block] of Object.entries(view.state.values)) {
      const name = /^ask_([a-z0-9_]{1,40})$/i.exec(blockId)?.[1];
      const value = block[REPLY_ASK_ACTION]?.value?.trim();
      if (name && value) asks[name] = value;
    }
    const caller = await callerOf(client, body.user.id, body.user.name);
    const preview = await answer(() => commands.runTemplateReply(caller, meta.ticketId, key, asks, false), {
      userId: body.user.id,
      ticketId: meta.ticketId,
    });
    const firstBlock = Object.keys(view.state.values).find((b) => b.startsWith('ask_')) ?? askBlockId('value');
    if (!preview.ok)
      return void (await ack({ response_action: 'errors', errors: { [firstBlock]: preview.text.slice(0, 2000) } }));
    const next = replyPreviewView(meta.ticketId, meta.channel, preview.text, { line: `tpl:${key}`, asks });
    if ((next.private_metadata ?? '').length > MAX_PRIVATE_METADATA)
      return void (await ack({
        response_action: 'errors',
        errors: { [firstBlock]: 'These values are too long for the form together; shorten them.' },
      }));
    await ack({ response_action: 'update', view: next });
  });

  app.view<ViewSubmitAction>(
    REPLY_CONFIRM_CALLBACK,
    async ({ ack, view, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
      await ack();
      const meta = readMetadata(view.private_metadata);
      const line = meta?.template ? `${meta.template} send` : meta?.text;
      if (!meta || !line) return;
      const caller = await callerOf(client, body.user.id, body.user.name);
      // Values asked on the form go as given; a typed line is parsed as typed.
      const asks = meta.asks;
      const key = meta.template?.slice('tpl:'.length);
      const reply = await answer(
        () =>
          asks && key
            ? commands.runTemplateReply(caller, meta.ticketId, key, asks, true)
            : commands.run(caller, `reply ${meta.ticketId} ${line}`),
        { userId: body.user.id, ticketId: meta.ticketId },
      );
      const message = renderReply(reply);
      const content = {
        ...SLACK_NO_PARSE,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(message.attachments ? { attachments: message.attachments } : {}),
      };
      try {
        if (meta.channel && !reply.ephemeral) await client.chat.postMessage({ channel: meta.channel, ...content });
        else if (meta.channel)
          await client.chat.postEphemeral({ channel: meta.channel, user: body.user.id, ...content });
        else await client.chat.postMessage({ channel: body.user.id, ...content });
      } catch (error) {
        log.warn(
          { ticketId: meta.ticketId, err: slackErrorText(error) },
          'could not post the outcome of a reply in Slack',
        );
      }
    },
  );

  app.error(async (error) => {
    log.error({ err: error.message, code: error.code }, 'Slack request failed');
  });

  let server: Server | null = null;
  return {
    async start(port = slack.port) {
      try {
        await app.init();
      } catch (error) {
        throw botTokenError(error, slack.botToken ?? '');
      }
      if (socketMode) {
        try {
          await app.start();
        } catch (error) {
          throw socketModeError(error, slack.appToken ?? '');
        }
        log.info({}, 'Slack connected in Socket Mode');
        return null;
      }
      // Slow clients (slowloris) are cut as on the HTTP role: headers in 10 s, a request in 20 s, checked every second.
      server = (await app.start(port, {
        headersTimeout: 10_000,
        requestTimeout: 20_000,
        connectionsCheckingInterval: 1_000,
      })) as Server;
      server.maxConnections = 512;
      const bound = (server.address() as AddressInfo).port;
      log.info({ port: bound }, 'Slack listening for signed requests on /slack/events');
      return bound;
    },
    async stop() {
      await app.stop();
    },
    describe() {
      return `slack: ${socketMode ? `Socket Mode ${socketState}` : `HTTP on port ${server ? ((server.address() as AddressInfo | null)?.port ?? slack.port) : slack.port}`}, ${handled} command(s) handled`;
    },
  };
}

/**
 * Before Bolt checks the signature (which refuses what is older than five minutes): a timestamp more
 * than five minutes ahead is refused as well (401, as Bolt answers a stale one), and a request whose
 * (timestamp, signature) was seen before is answered 200 and not run, so a captured `reply` cannot
 * email the customer twice; one the guard cannot vouch for is refused (503), never run on trust.
 * Only headers are read; the body stays for Bolt.
 */
function guardSignedRequests(receiver: HTTPReceiver, guard: ReplayGuard | null, log: Logger): void {
  const listener = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const timestamp = header('x-slack-request-timestamp');
    const signature = header('x-slack-signature');
    // Missing or malformed: Bolt refuses it.
    if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return listener(req, res);
    if (Number(timestamp) > Date.now() / 1000 + SIGNATURE_WINDOW_SECONDS) {
      log.warn({ url: req.url }, 'Slack request refused: signed more than five minutes in the future');
      res.writeHead(401).end();
      return;
    }
    if (!guard) return listener(req, res);
    const key = `slack:${timestamp}:${createHash('sha256').update(signature).digest('hex').slice(0, 32)}`;
    guard.check(key, 2 * SIGNATURE_WINDOW_SECONDS + 60).then(
      (verdict) => {
        if (verdict === 'first') return listener(req, res);
        if (verdict === 'replay') {
          log.warn({ url: req.url }, 'Slack request dropped: the same signed request was already received (a replay)');
          res.writeHead(200).end();
          return;
        }
        // Redis away and this process's record of recent requests full: not run, rather than maybe twice.
        log.error(
          { url: req.url },
          'Slack request refused (503): Redis cannot check it for replay and this process remembers too many recent requests; Slack shows the agent an error, retrying works once Redis answers',
        );
        res.writeHead(503).end();
      },
      (error: unknown) => {
        log.error(
          { err: error instanceof Error ? error.message : String(error) },
          'Slack request refused (503): the replay check failed',
        );
        res.writeHead(503).end();
      },
    );
  };
}

/** The code of a chat platform refusing our token: the bots role goes down, the other roles go on. */
export const TOKEN_REFUSED = 'chat.token_refused';
const REFUSED_REASONS = [
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
];

/** Why auth.test failed for the bot token, naming the variable to fix; never the token. */
function botTokenError(error: unknown, botToken: string): AppError {
  const reason = slackErrorText(error).split(botToken).join('***');
  if (REFUSED_REASONS.includes(reason)) {
    return new AppError(
      TOKEN_REFUSED,
      `Slack refused SLACK_BOT_TOKEN (${reason}): copy the bot token (xoxb-…) again from "OAuth & Permissions" of the app, or reinstall the app, and restart.`,
      { cause: error },
    );
  }
  return new AppError('slack.unreachable', `Could not check SLACK_BOT_TOKEN with Slack (auth.test): ${reason}`, {
    cause: error,
    retryable: true,
  });
}

/** Why Socket Mode could not connect, naming the variable to fix; never the token. */
function socketModeError(error: unknown, appToken: string): AppError {
  const reason = slackErrorText(error).split(appToken).join('***');
  if (REFUSED_REASONS.includes(reason)) {
    return new AppError(
      TOKEN_REFUSED,
      `Slack refused SLACK_APP_TOKEN (${reason}): create an app-level token (xapp-…) with connections:write under "Basic Information" of the app, or turn SLACK_SOCKET_MODE off.`,
      { cause: error },
    );
  }
  return new AppError('slack.socket_mode_failed', `Could not connect to Slack in Socket Mode: ${reason}`, {
    cause: error,
    retryable: true,
  });
}

function readMetadata(raw: string): {
  ticketId: number;
  channel: string | null;
  text?: string;
  template?: string;
  asks?: Record<string, string>;
} | null {
  try {
    const value = JSON.parse(raw) as {
      ticketId?: unknown;
      channel?: unknown;
      text?: unknown;
      template?: unknown;
      asks?: unknown;
    };
    if (typeof value.ticketId !== 'number') return null;
    const template =
      typeof value.template === 'string' && value.template.startsWith('tpl:') ? value.template : undefined;
    // Asked values ride only with a template, as name → text.
    const asks =
      template && value.asks && typeof value.asks === 'object' && !Array.isArray(value.asks)
        ? Object.fromEntries(
            Object.entries(value.asks as Record<string, unknown>).filter(
              (e): e is [string, string] => /^[a-z0-9_]{1,40}$/i.test(e[0]) && typeof e[1] === 'string',
            ),
          )
        : undefined;
    return {
      ticketId: value.ticketId,
      channel: typeof value.channel === 'string' ? value.channel : null,
      ...(typeof value.text === 'string' ? { text: value.text } : {}),
      // Only a template line ("tpl:KEY name=value …") rides here; anything else is not run.
      ...(template ? { template } : {}),
      ...(asks ? { asks } : {}),
    };
  } catch {
    return null;
  }
}

/** Slack's platform errors name their reason in data.error; never a token. */
export function slackErrorText(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'data' in error) {
    const reason = (error as { data?: { error?: unknown } }).data?.error;
    if (typeof reason === 'string') return reason;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Bolt logs through our logger, at our level. */
function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const line = (msg: unknown[]) =>
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => log.debug({}, line(msg)),
    info: (...msg: unknown[]) => log.info({}, line(msg)),
    warn: (...msg: unknown[]) => log.warn({}, line(msg)),
    error: (...msg: unknown[]) => log.error({}, line(msg)),
    setLevel: (l: typeof level) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
