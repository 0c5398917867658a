/**
 * `/ticket stats`' SLA line on MariaDB, through the console, Slack (a signed slash command to Bolt's
 * receiver, answered at its response_url on the recording server) and Discord (a raw interaction, answered
 * on its webhook): first responses and resolutions met and breached over the period, tickets at risk now,
 * from clocks the SLA checker computed on real tickets (a reply the SMTP listener received, a close, a
 * ticket left unanswered past its deadline, one close to it). Each sink gets the line encoded for it.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordBot } from '../../adapters/discord/discord-bot.ts';
import { createSlackBot, type SlackBot } from '../../adapters/slack/slack-bot.ts';
import type { Caller } from '../../src/domain/command.ts';
import { createSlaService } from '../../src/roles/sla-setup.ts';
import { DISCORD_IDS, discordMessage, ticketCommand } from '../fakes/discord-payloads.ts';
import { startRecordingServer, type RecordingServer } from '../fakes/recording-server.ts';
import {
  createTestApp,
  createTestDatabase,
  ingestTicket,
  startSmtpListener,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
} from './harness.ts';
import { signedSlackPost } from '../fakes/slack-requests.ts';

const SECRET = 'sla-stats-signing-secret';
const APP_ID = DISCORD_IDS.app;
const line =
  'SLA: first response 1 met, 1 breached (50 % met); resolution 1 met, 0 breached (100 % met); 1 at risk now.';
let db: TestDatabase;
let api: RecordingServer;
let smtp: SmtpListener;
let app: TestApp;
let slack: SlackBot;
let slackBase: string;
let discord: DiscordBot;
const ines: Caller = { platform: 'console', userId: 'ines' };

beforeAll(async () => {
  db = await createTestDatabase('sla_stats');
  api = await startRecordingServer();
  smtp = await startSmtpListener();
  api.route('auth.test', () => ({ body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM' } }));
  api.route('users.info', () => ({ body: { ok: true, user: { id: 'U0ANY', profile: {} } } }));
  api.route('/messages/%40original', (call) => ({
    body: discordMessage(call, { id: APP_ID, username: 'ticketrelay' }),
  }));
  const policies = path.join(os.tmpdir(), `sla-stats-policies-${process.pid}-${Date.now()}.json`);
  // 24/7 so the figures do not depend on the hour the test runs: normal answered within 1 h, resolved
  // within 10 h; low answered within 70 min (at risk from 56 min).
  await writeFile(
    policies,
    JSON.stringify({
      policies: [
        {
          name: 'normal-247',
          priority: ['normal', 'high', 'urgent'],
          hours: '24/7',
          firstResponse: 60,
          resolution: 600,
        },
        { name: 'low-247', priority: ['low'], hours: '24/7', firstResponse: 70 },
      ],
    }),
  );
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    SMTP_URL: smtp.url,
    SMTP_ALLOW_PLAIN: 'true',
    SLA_POLICIES_FILE: policies,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: api.url,
    DISCORD_TOKEN: 'discord-test-token',
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: `${api.url}api`,
  });
  await app.agents.upsert({
    name: 'ines',
    role: 'agent',
    staffId: 51,
    identities: [{ platform: 'console', kind: 'user', value: 'ines' }],
  });
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
  await smtp?.close();
  await db?.drop();
});

/** A ticket that arrived `minutesAgo` (its rows dated back, as if the email came then). */
async function arrived(subject: string, minutesAgo: number, priority?: 'low'): Promise<number> {
  const { ticketId } = await ingestTicket(app, {
    from: `Client <${subject.replace(/\W/g, '')}@customer.example>`,
    subject,
  });
  if (priority) expect((await app.commands.run(ines, `priority ${ticketId} ${priority}`)).ok).toBe(true);
  await db.query(
    'UPDATE support_ticket SET created_at = created_at - INTERVAL ? MINUTE, updated_at = NOW(3) WHERE ticket_id = ?',
    [minutesAgo, ticketId],
  );
  return ticketId;
}

describe('/ticket stats: the SLA line', () => {
  it('counts first responses and resolutions met and breached in the period, and at risk now, on every sink', async () => {
    const sla = await createSlaService(app);
    // Answered within the hour (the mail server took it), then closed before any check saw it open:
    // both clocks met all the same.
    const answered = await arrived('Answered fast', 0);
    const reply = await app.commands.run(ines, `reply ${answered} We ship the part today.`);
    expect(reply.text).toMatch(/^Reply sent/);
    await smtp.waitFor(1);
    expect((await app.commands.run(ines, `close ${answered}`)).ok).toBe(true);
    // Nobody answered for 61 minutes: breached (the checker records the breach), still running.
    const late = await arrived('Left waiting', 61);
    // A low ticket 58 minutes old (target 70 min): at risk now.
    const risky = await arrived('Nearly late', 58, 'low');
    await sla.checkOnce();
    const rows = await db.query<{ ticket_id: number; first_response_met_at: Date | null; resolved_at: Date | null }>(
      'SELECT ticket_id, first_response_met_at, resolved_at, at_risk FROM support_sla WHERE ticket_id IN (?) ORDER BY ticket_id',
      [[answered, late, risky]],
    );
    expect(rows.map((r) => [r.first_response_met_at !== null, r.resolved_at !== null])).toEqual([
      [true, true],
      [false, false],
      [false, false],
    ]);
    const breaches = await db.query("SELECT ticket_id FROM support_sla_alert WHERE kind = 'breach'");
    expect(breaches.map((r) => r['ticket_id'])).toEqual([late]);

    // The console (plain text).
    for (const period of ['', ' 7d', ' today']) {
      const stats = await app.commands.run(ines, `stats${period}`);
      expect(stats.ok).toBe(true);
      expect(stats.text).toContain(line);
    }
    const all = await app.commands.run({ platform: 'console', userId: 'not-an-agent' }, 'stats 30d');
    expect(all.view).toMatchObject({
      sla: { firstResponse: { met: 1, breached: 1 }, resolution: { met: 1, breached: 0 }, atRisk: 1 },
    });

    // Slack: a section of the stats blocks, mrkdwn-escaped.
    const responsePath = '/response/sla-stats';
    const form = new URLSearchParams({
      token: 'legacy',
      team_id: 'T0TEAM',
      channel_id: 'C0WORK',
      user_id: 'U0ANYONE',
      user_name: 'anyone',
      command: '/ticket',
      text: 'stats 7d',
      api_app_id: 'A0APP',
      response_url: `${api.url.replace(/\/$/, '')}${responsePath}`,
      trigger_id: '1.2.3',
    }).toString();
    const res = await signedSlackPost(`${slackBase}/slack/events`, SECRET, form);
    expect(res.status).toBe(200);
    const [answer] = await api.waitFor(responsePath);
    const blocks = (answer!.body as { blocks: { text?: { text: string } }[] }).blocks;
    expect(blocks.map((b) => b.text?.text)).toContain(
      '*SLA*\nfirst response 1 met, 1 breached (50 % met); resolution 1 met, 0 breached (100 % met); 1 at risk now',
    );

    // Discord: a field of the stats embed.
    const payload = ticketCommand({ id: '1300000000000000077', username: 'anyone' }, [], 'stats', [
      { type: 3, name: 'period', value: '7d' },
    ]);
    await discord.dispatch(payload);
    const [edit] = await api.waitFor(`/webhooks/${APP_ID}/${payload.token}/messages/%40original`);
    const embed = (edit!.body as { embeds: { fields: { name: string; value: string }[] }[] }).embeds[0]!;
    expect(embed.fields).toContainEqual({
      name: 'SLA',
      value: 'first response 1 met, 1 breached (50 % met); resolution 1 met, 0 breached (100 % met); 1 at risk now',
      inline: false,
    });
  });
});
