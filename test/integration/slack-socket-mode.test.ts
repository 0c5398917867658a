/**
 * Slack's Socket Mode at the wire: the `bots` role with SLACK_SOCKET_MODE=true calls
 * apps.connections.open (with the app-level token) on the recording server standing in for Slack's
 * Web API (SLACK_API_URL), opens a real WebSocket to a local fake of Slack's Socket Mode server,
 * acknowledges each envelope over the socket within Slack's 3 seconds, and answers at the
 * response_url with the real tickets from MariaDB. A refused app token stops `ticketrelay start`
 * with a sentence naming SLACK_APP_TOKEN, never the token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotsRole } from '../../src/roles/bots.ts';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import type { RunningRole } from '../../src/roles/role.ts';
import { serveConnectionsOpen, startFakeSlackSocket, type FakeSlackSocket } from '../fakes/fake-slack-socket.ts';
import type { RecordedCall, RecordingServer } from '../fakes/recording-server.ts';
import {
  ingestTicket,
  runTicketrelay,
  startTestApp,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

const BOT_TOKEN = 'xoxb-socket-test-bot';
const APP_TOKEN = 'xapp-1-A0APP-socket-test-4c1d';
const WRONG_APP_TOKEN = 'xapp-1-A0APP-revoked-e93b';
const ALICE = 'U0ALICE';

let setup: TestSetup;
let db: TestDatabase;
let api: RecordingServer;
let socket: FakeSlackSocket;
let app: TestApp;
let role: RunningRole | null = null;
let invoice: { ticketId: number };
let hours: { ticketId: number };
let responses = 0;

beforeAll(async () => {
  socket = await startFakeSlackSocket({ appId: 'A0APP' });
  setup = await startTestApp('slack_socket', {
    slack: true,
    routes: (api) => {
      serveConnectionsOpen(api, socket, APP_TOKEN);
      api.route('auth.test', () => ({ body: { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM' } }));
      api.route('users.info', (call) => ({
        body: {
          ok: true,
          user: {
            id: String((call.body as Record<string, unknown>)['user']),
            profile: { email: 'alice@shop.example' },
          },
        },
      }));
    },
    env: { ACK_ENABLED: 'false', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: APP_TOKEN },
  });
  ({ db, api, app } = setup);
  await app.agents.upsert({
    name: 'alice',
    role: 'agent',
    staffId: 4711,
    identities: [{ platform: 'slack', kind: 'user', value: ALICE }],
  });
  invoice = await ingestTicket(app, {
    from: 'Ada Lovelace <ada@customer.example>',
    subject: 'Invoice is wrong',
    body: 'The invoice charges me twice for the brake pads.',
  });
  hours = await ingestTicket(app, { from: 'Otto <otto@customer.example>', subject: 'Opening hours' });
});

afterAll(async () => {
  await role?.stop();
  await setup?.close();
  await socket?.close();
});

const responseUrl = () => `${api.url}response/${(responses += 1)}`;
const pathOf = (url: string) => new URL(url).pathname;
const bodyOf = (call: RecordedCall | undefined) => (call?.body ?? {}) as Record<string, unknown>;

interface Block {
  type: string;
  text?: { text: string };
  accessory?: { action_id: string; value: string };
}

describe('Slack in Socket Mode', () => {
  it('connects: apps.connections.open with the app-level token on SLACK_API_URL, one WebSocket, and says it is connected', async () => {
    role = await startBotsRole(app);
    const [open] = api.callsTo('/apps.connections.open');
    expect(open?.method).toBe('POST');
    expect(open?.headers['authorization']).toBe(`Bearer ${APP_TOKEN}`);
    expect(socket.connections).toHaveLength(1);
    expect(socket.connections[0]?.path).toMatch(/^\/link\/\?ticket=/);
    expect(role.describe()).toEqual(['slack: Socket Mode connected, 0 command(s) handled']);
  });

  it('/ticket list: the envelope is acknowledged over the socket within 3 s, and the open tickets from the database are posted to the response_url', async () => {
    const url = responseUrl();
    const sent = Date.now();
    const envelopeId = socket.send(
      'slash_commands',
      {
        token: 'legacy',
        team_id: 'T0TEAM',
        team_domain: 'shop',
        channel_id: 'C0WORK',
        channel_name: 'support',
        user_id: ALICE,
        user_name: 'alice',
        command: '/ticket',
        text: 'list',
        api_app_id: 'A0APP',
        is_enterprise_install: 'false',
        response_url: url,
        trigger_id: '1.2.3',
      },
      true,
    );
    const ack = await socket.ackOf(envelopeId, 3_000);
    expect(ack.at - sent).toBeLessThan(3_000);
    expect(ack.payload ?? {}).toEqual({});
    const [answer] = await api.waitFor(pathOf(url));
    const sentBody = bodyOf(answer);
    expect(sentBody['response_type']).toBe('ephemeral');
    const blocks = sentBody['blocks'] as Block[];
    expect(blocks[0]?.text?.text).toBe('*Open tickets*, newest first · page 1');
    const rows = blocks.filter((b) => b.accessory);
    const stored = await db.query<{ msg_id: number; msg_subject: string; cst_mail: string }>(
      'SELECT m.msg_id, m.msg_subject, c.cst_mail FROM ___xtr_msg m JOIN ___xtr_customer c ON c.cst_id = m.msg_cst_id WHERE m.msg_id IN (?, ?) ORDER BY m.msg_id DESC',
      [invoice.ticketId, hours.ticketId],
    );
    expect(stored.map((r) => r.msg_id)).toEqual([hours.ticketId, invoice.ticketId]);
    expect(rows.map((b) => b.accessory?.value)).toEqual(stored.map((r) => String(r.msg_id)));
    stored.forEach((r, i) =>
      expect(rows[i]?.text?.text).toMatch(
        new RegExp(
          `^\\S+ \\*#${r.msg_id}\\* ${r.msg_subject} — ${r.cst_mail.replace(/\./g, '\\.')} · open, waiting \\d+ min · `,
        ),
      ),
    );
    // The Web API calls carry the bot token, not the app-level one.
    expect(api.callsTo('/users.info')[0]?.headers['authorization']).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it('the Close button (an interactive envelope): acknowledged over the socket, the ticket closed in the legacy table, the answer at the response_url', async () => {
    const url = responseUrl();
    const envelopeId = socket.send('interactive', {
      type: 'block_actions',
      team: { id: 'T0TEAM', domain: 'shop' },
      user: { id: ALICE, username: 'alice', name: 'alice', team_id: 'T0TEAM' },
      api_app_id: 'A0APP',
      token: 'legacy',
      container: { type: 'message', message_ts: '1.1', channel_id: 'C0WORK', is_ephemeral: true },
      trigger_id: '9.8.7',
      channel: { id: 'C0WORK', name: 'support' },
      message: { type: 'message', ts: '1.1', text: 'card' },
      response_url: url,
      actions: [
        {
          type: 'button',
          action_id: 'ticket_close',
          block_id: `ticket_actions_${invoice.ticketId}`,
          value: String(invoice.ticketId),
          action_ts: '1.2',
          text: { type: 'plain_text', text: 'Close' },
        },
      ],
    });
    await socket.ackOf(envelopeId, 3_000);
    const [answer] = await api.waitFor(pathOf(url));
    expect(bodyOf(answer)['text']).toBe(`Ticket #${invoice.ticketId} "Invoice is wrong" closed by alice.`);
    const [row] = await db.query<{ msg_open: string; msg_close: string }>(
      'SELECT msg_open, msg_close FROM ___xtr_msg WHERE msg_id = ?',
      [invoice.ticketId],
    );
    expect(row).toEqual({ msg_open: '0', msg_close: '1' });
    expect(role?.describe()).toEqual(['slack: Socket Mode connected, 2 command(s) handled']);
  });

  it('stops: closes the WebSocket normally (1000)', async () => {
    await role?.stop();
    role = null;
    await socket.until('the connection closed', () => socket.connections[0]?.closeCode !== null);
    expect(socket.connections[0]?.closeCode).toBe(1000);
  });
});

describe('an app-level token Slack refuses', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-slack-socket-'));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('ticketrelay start exits 1 with a sentence naming SLACK_APP_TOKEN, never prints a token, and opens no WebSocket', async () => {
    const before = socket.connections.length;
    const { code, stdout, stderr } = await runTicketrelay(
      ['start', '--roles', 'bots'],
      {
        DATABASE_URL: db.url,
        REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
        DATA_DIR: dataDir,
        QUEUE_PREFIX: 'test-slack-socket',
        LOG_LEVEL: 'debug',
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SOCKET_MODE: 'true',
        SLACK_APP_TOKEN: WRONG_APP_TOKEN,
        SLACK_API_URL: api.url,
      },
      '',
      { timeoutMs: 30_000 },
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      'ticketrelay: Slack refused SLACK_APP_TOKEN (invalid_auth): create an app-level token (xapp-…) with connections:write',
    );
    expect(stdout + stderr).not.toContain(WRONG_APP_TOKEN);
    expect(stdout + stderr).not.toContain(BOT_TOKEN);
    expect(socket.connections.length).toBe(before);
  });
});
