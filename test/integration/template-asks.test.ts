/**
 * Reply templates' asked fields in chat, and which replies the top templates count, on MariaDB with an
 * SMTP listener on loopback (that refuses one recipient, as a mail server does) and Slack's and Discord's
 * APIs on the local recording server:
 * - Slack: a template with `{{ask:…}}` fields chosen in the reply form opens a form with one input per
 *   distinct field, labelled by its name; the preview shows the values filled in (mrkdwn-escaped), Send
 *   emails them as typed (spaces, "=", markup), with key@version in the audit.
 * - Discord: `/ticket reply … tpl:KEY` opens a modal with one text input per field (at most 5: beyond, one
 *   sentence saying to use `values`); the preview has the values and a Send button that emails them.
 * - `/ticket stats`' top templates count only replies the mail server accepted: not one it refused, nor one
 *   whose address hard-bounced afterwards.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordBot } from '../../adapters/discord/discord-bot.ts';
import { MysqlTemplateStore } from '../../adapters/mysql/mysql-template-store.ts';
import { createSlackBot, type SlackBot } from '../../adapters/slack/slack-bot.ts';
import type { Caller } from '../../src/domain/command.ts';
import { DISCORD_IDS, discordMessage, interactionEnvelope, ticketCommand } from '../fakes/discord-payloads.ts';
import { startRecordingServer, type RecordedCall, type RecordingServer } from '../fakes/recording-server.ts';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';
import { signedSlackPost, slackInteraction } from '../fakes/slack-requests.ts';
import { dsn } from './eml.ts';

const SECRET = 'tpl-asks-signing-secret';
const SLACK_AGENT = 'U0LEA';
const DISCORD_AGENT = '1300000000000000015';
const APP_ID = DISCORD_IDS.app;
const REFUSED = 'refused@customer.example';
const lea: Caller = { platform: 'console', userId: 'lea' };

let db: TestDatabase;
let api: RecordingServer;
let app: TestApp;
let slack: SlackBot;
let slackBase: string;
let discord: DiscordBot;
let smtpServer: SMTPServer;
const received: { to: string[]; parsed: ParsedMail }[] = [];

async function mailTo(address: string, count = 1): Promise<ParsedMail[]> {
  for (let i = 0; i < 200; i++) {
    const found = received.filter((m) => m.to.includes(address)).map((m) => m.parsed);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no mail to ${address}`);
}

beforeAll(async () => {
  db = await createTestDatabase('tplasks');
  api = await startRecordingServer();
  // A mail server that refuses one mailbox for good (550), as a real one does for an unknown user.
  smtpServer = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === REFUSED)
        return callback(Object.assign(new Error('5.1.1 user unknown'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          parsed: await simpleParser(Buffer.concat(chunks)),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtpServer.listen(0, '127.0.0.1', resolve));
  const port = (smtpServer.server.address() as AddressInfo).port;
  api.route('auth.test', () => ({ body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM' } }));
  api.route('users.info', (call) => ({
    body: { ok: true, user: { id: String((call.body as Record<string, unknown>)['user']), profile: {} } },
  }));
  api.route('chat.postMessage', () => ({ body: { ok: true, ts: '1700000001.000100' } }));
  api.route('/messages/%40original', (call) => ({
    body: discordMessage(call, { id: APP_ID, username: 'ticketrelay' }),
  }));
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_ALLOW_PLAIN: 'true',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: api.url,
    DISCORD_TOKEN: 'discord-test-token',
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: `${api.url}api`,
  });
  await app.agents.upsert({
    name: 'lea',
    role: 'agent',
    staffId: 61,
    identities: [
      { platform: 'console', kind: 'user', value: 'lea' },
      { platform: 'slack', kind: 'user', value: SLACK_AGENT },
      { platform: 'discord', kind: 'user', value: DISCORD_AGENT },
    ],
  });
  const store = new MysqlTemplateStore(db.database);
  await store.save(
    {
      key: 'suivi-colis',
      title: 'Suivi de colis',
      tags: ['livraison'],
      actions: {},
      bodies: {
        fr: 'Bonjour {{customer.first_name|Madame, Monsieur}}, colis {{ask:numero_suivi}} chez {{ask:transporteur}} (rappel : {{ask:numero_suivi}}).',
        en: 'Hello {{customer.first_name|there}}, parcel {{ask:numero_suivi}} with {{ask:transporteur}} (again: {{ask:numero_suivi}}).',
      },
    },
    false,
    new Date(),
  );
  const six = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((n) => `{{ask:${n}}}`).join(' ');
  await store.save(
    { key: 'six-champs', title: 'Six champs', tags: [], actions: {}, bodies: { fr: six, en: six } },
    false,
    new Date(),
  );
  await store.save(
    {
      key: 'merci',
      title: 'Merci',
      tags: [],
      actions: {},
      bodies: { fr: 'Merci, ticket {{ticket.number}}.', en: 'Thanks.' },
    },
    false,
    new Date(),
  );
  slack = createSlackBot({ slack: app.config.slack, commands: app.commands, logger: app.logger });
  slackBase = `http://127.0.0.1:${await slack.start(0)}`;
  discord = new DiscordBot({
    discord: app.config.discord,
    commands: app.commands,
    agents: app.agents,
    logger: app.logger,
  });
}, 60_000);

afterAll(async () => {
  await discord?.stop();
  await slack?.stop();
  await app?.close();
  await api?.close();
  await new Promise<void>((resolve) => (smtpServer ? smtpServer.close(() => resolve()) : resolve()));
  await db?.drop();
});

const slackPost = (payload: Record<string, unknown>) => slackInteraction(slackBase, SECRET, payload);

type SlackView = {
  callback_id: string;
  private_metadata: string;
  blocks: { type: string; block_id?: string; label?: { text: string }; text?: { text: string } }[];
};
const submit = async (callbackId: string, metadata: string, values: Record<string, unknown>) =>
  (await (
    await slackPost({
      type: 'view_submission',
      user: { id: SLACK_AGENT, name: 'lea' },
      view: { id: 'V9', callback_id: callbackId, private_metadata: metadata, state: { values } },
    })
  ).json()) as { response_action: string; view: SlackView; errors: Record<string, string> };
const askValue = (value: string | null) => ({ ask_value: { type: 'plain_text_input', value } });

const jsonOf = (call: RecordedCall | undefined) => (call?.body ?? {}) as Record<string, unknown>;
const callbacks = (id: string) => api.callsTo(`/interactions/${id}/interaction-token-${id}/callback`);
const agent = { id: DISCORD_AGENT, username: 'lea' };

async function ticket(from: string, subject: string, language: 'fr' | 'en'): Promise<number> {
  const { ticketId } = await ingestTicket(app, { from, subject });
  await db.query('UPDATE support_ticket SET language = ? WHERE ticket_id = ?', [language, ticketId]);
  return ticketId;
}

describe("a template's asked fields in Slack's reply form", () => {
  it('one input per distinct field, labelled by it; the preview fills them in, Send emails them as typed', async () => {
    const ticketId = await ticket('Jeanne Client <jeanne@customer.example>', 'Où est mon colis ?', 'fr');
    const metadata = JSON.stringify({ ticketId, channel: 'C0WORK' });
    const form = await submit('ticket_reply_compose', metadata, {
      reply_text: { reply_text_input: { type: 'plain_text_input', value: null } },
      reply_template: {
        reply_template_select: { type: 'external_select', selected_option: { value: 'suivi-colis' } },
      },
      reply_values: { reply_values_input: { type: 'plain_text_input', value: null } },
    });
    expect(form.response_action).toBe('update');
    expect(form.view.callback_id).toBe('ticket_reply_ask');
    const inputs = form.view.blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => [b.block_id, b.label?.text])).toEqual([
      ['ask_numero_suivi', 'numero_suivi'],
      ['ask_transporteur', 'transporteur'],
    ]);

    // A field left blank: the form says what is missing, nothing is sent.
    const blank = await submit('ticket_reply_ask', form.view.private_metadata, {
      ask_numero_suivi: askValue('XY 12'),
      ask_transporteur: askValue(null),
    });
    expect(blank.response_action).toBe('errors');
    expect(blank.errors['ask_numero_suivi']).toContain('{{ask:transporteur}}');

    const typed = 'XY 12=34 <b>&';
    const preview = await submit('ticket_reply_ask', form.view.private_metadata, {
      ask_numero_suivi: askValue(typed),
      ask_transporteur: askValue('La Poste'),
    });
    expect(preview.response_action).toBe('update');
    expect(preview.view.callback_id).toBe('ticket_reply_confirm');
    const shown = preview.view.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(shown).toContain('colis XY 12=34 &lt;b&gt;&amp; chez La Poste (rappel : XY 12=34 &lt;b&gt;&amp;).');
    expect(shown).not.toContain('<b>');
    expect(received).toHaveLength(0);

    const confirm = await slackPost({
      type: 'view_submission',
      user: { id: SLACK_AGENT, name: 'lea' },
      view: {
        id: 'V9',
        callback_id: 'ticket_reply_confirm',
        private_metadata: preview.view.private_metadata,
        state: { values: {} },
      },
    });
    expect(confirm.status).toBe(200);
    const [mail] = await mailTo('jeanne@customer.example');
    expect(mail!.text).toContain(`Bonjour Jeanne, colis ${typed} chez La Poste (rappel : ${typed}).`);
    const events = await db.query<{ details: unknown }>(
      "SELECT details FROM support_event WHERE ticket_id = ? AND type = 'replied'",
      [ticketId],
    );
    expect(JSON.stringify(events.map((e) => e.details))).toContain('suivi-colis@1');
  });
});

describe('a typed Slack template reply whose fields are not given', () => {
  it("opens the same form (views.open with the slash command's trigger), and sends nothing", async () => {
    const ticketId = await ticket('Paul Client <paul@customer.example>', 'Mon colis ?', 'fr');
    const responsePath = '/response/typed-template';
    const form = new URLSearchParams({
      token: 'legacy',
      team_id: 'T0TEAM',
      channel_id: 'C0WORK',
      user_id: SLACK_AGENT,
      user_name: 'lea',
      command: '/ticket',
      text: `reply ${ticketId} tpl:suivi-colis`,
      api_app_id: 'A0APP',
      response_url: `${api.url.replace(/\/$/, '')}${responsePath}`,
      trigger_id: '7.7.7',
    }).toString();
    expect((await signedSlackPost(`${slackBase}/slack/events`, SECRET, form)).status).toBe(200);
    const [opened] = await api.waitFor('views.open');
    const body = jsonOf(opened) as { trigger_id: string; view: SlackView };
    expect(body.trigger_id).toBe('7.7.7');
    expect(body.view.callback_id).toBe('ticket_reply_ask');
    expect(JSON.parse(body.view.private_metadata)).toEqual({
      ticketId,
      channel: 'C0WORK',
      template: 'tpl:suivi-colis',
    });
    expect(body.view.blocks.filter((b) => b.type === 'input').map((b) => b.label?.text)).toEqual([
      'numero_suivi',
      'transporteur',
    ]);
    expect(api.callsTo(responsePath)).toEqual([]);
    expect(received.filter((m) => m.to.includes('paul@customer.example'))).toHaveLength(0);
  });
});

describe("a template's asked fields in a Discord modal", () => {
  it('one text input per field; the preview has the values and Send emails them', async () => {
    const ticketId = await ticket('John Buyer <john@customer.example>', 'Where is my parcel?', 'en');
    const command = ticketCommand(agent, [], 'reply', [
      { type: 4, name: 'ticket', value: ticketId },
      { type: 3, name: 'tpl', value: 'suivi-colis' },
    ]);
    await discord.dispatch(command);
    const modal = jsonOf(callbacks(command.id)[0]);
    expect(modal['type']).toBe(9); // MODAL
    const data = modal['data'] as {
      custom_id: string;
      components: { components: { custom_id: string; label: string; required: boolean }[] }[];
    };
    expect(data.custom_id).toBe(`tplask:${ticketId}:suivi-colis`);
    expect(data.components.map((r) => [r.components[0]!.custom_id, r.components[0]!.label])).toEqual([
      ['numero_suivi', 'numero_suivi'],
      ['transporteur', 'transporteur'],
    ]);

    const submitted = {
      ...interactionEnvelope(agent, []),
      type: 5,
      data: {
        custom_id: data.custom_id,
        components: [
          { type: 1, components: [{ type: 4, custom_id: 'numero_suivi', value: 'TRK *9*' }] },
          { type: 1, components: [{ type: 4, custom_id: 'transporteur', value: 'UPS' }] },
        ],
      },
    };
    await discord.dispatch(submitted);
    expect(jsonOf(callbacks(submitted.id)[0])).toMatchObject({ type: 5, data: { flags: 64 } });
    const [edit] = await api.waitFor(`/webhooks/${APP_ID}/${submitted.token}/messages/%40original`);
    const shown = jsonOf(edit) as {
      embeds: { description: string; fields: { name: string; value: string }[] }[];
      components: { components: { custom_id: string }[] }[];
    };
    // Discord's markdown in a value is escaped: it shows as typed.
    expect(shown.embeds[0]!.description).toContain('parcel TRK \\*9\\* with UPS (again: TRK \\*9\\*).');
    expect(shown.components[0]!.components.map((c) => c.custom_id)).toEqual([
      `tplsend:${ticketId}:suivi-colis`,
      `ticket:cancel:${ticketId}`,
    ]);
    expect(received.filter((m) => m.to.includes('john@customer.example'))).toHaveLength(0);

    const send = {
      ...interactionEnvelope(agent, []),
      type: 3,
      data: { custom_id: `tplsend:${ticketId}:suivi-colis`, component_type: 2 },
      message: discordMessage({ body: { embeds: shown.embeds, flags: 64 } }, { id: APP_ID, username: 'ticketrelay' }),
    };
    await discord.dispatch(send);
    expect(jsonOf(callbacks(send.id)[0])).toMatchObject({ type: 6 });
    const [mail] = await mailTo('john@customer.example');
    expect(mail!.text).toContain('Hello John, parcel TRK *9* with UPS (again: TRK *9*).');
  });

  it('a template asking for more than 5 values is answered with one sentence, and nothing is sent', async () => {
    const ticketId = await ticket('Max <max@customer.example>', 'Six questions', 'fr');
    const command = ticketCommand(agent, [], 'reply', [
      { type: 4, name: 'ticket', value: ticketId },
      { type: 3, name: 'tpl', value: 'six-champs' },
    ]);
    await discord.dispatch(command);
    const answer = jsonOf(callbacks(command.id)[0]);
    expect(answer).toMatchObject({ type: 4, data: { flags: 64 } });
    expect((answer['data'] as { content: string }).content).toBe(
      'Template six-champs asks for 6 values, more than a Discord form holds (5); nothing was sent. Give them in the "values" option: a1=… a2=… a3=… a4=… a5=… a6=…',
    );
  });
});

describe('/ticket stats: top templates', () => {
  it('count only replies the mail server accepted: not one it refused, nor one that hard-bounced since', async () => {
    const sent = await ticket('Ok <ok@customer.example>', 'Merci 1', 'fr');
    const bounced = await ticket('Gone <gone@customer.example>', 'Merci 2', 'fr');
    const refused = await ticket(`Refused <${REFUSED}>`, 'Merci 3', 'fr');
    const top = async () => (await app.commands.run(lea, 'stats 7d')).view as { topTemplates?: unknown };

    for (const id of [sent, bounced, refused]) await app.commands.run(lea, `reply ${id} tpl:merci send`);
    await mailTo('ok@customer.example');
    const [toGone] = await mailTo('gone@customer.example');
    const delivery = async (id: number) =>
      (
        await db.query<{ delivery: string }>(
          "SELECT delivery FROM support_message WHERE ticket_id = ? AND kind = 'agent_reply'",
          [id],
        )
      ).map((r) => r.delivery);
    expect(await delivery(refused)).toEqual(['failed']);
    expect(await delivery(bounced)).toEqual(['sent']);
    // Before the bounce: the two the mail server took (the refused one never counts).
    expect((await top()).topTemplates).toContainEqual({ ref: 'merci@1', count: 2 });

    // The mail server of gone@ returns it: a hard bounce citing our email.
    const result = await app.intake.ingest(
      dsn({
        recipient: 'gone@customer.example',
        status: '5.1.1',
        action: 'failed',
        original: `Message-ID: ${toGone!.messageId}`,
      }),
      { kind: 'test' },
    );
    expect(result).toMatchObject({ outcome: 'automated', kind: 'bounce', flagged: ['gone@customer.example'] });
    const stats = await app.commands.run(lea, 'stats 7d');
    expect((stats.view as { topTemplates?: unknown }).topTemplates).toContainEqual({ ref: 'merci@1', count: 1 });
    expect(stats.text).toMatch(/^Top templates: .*merci@1 ×1/m);
  });
});
