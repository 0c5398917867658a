/**
 * A local stand-in for Discord's gateway, speaking its wire protocol (JSON encoding, no compression)
 * over a real WebSocket on loopback: op 10 HELLO with a heartbeat interval, op 2 IDENTIFY checked
 * against the bot token (a wrong one is closed with 4004 "Authentication failed", as Discord does),
 * op 1 heartbeats answered with op 11, then op 0 READY and a GUILD_CREATE per guild; the test then
 * pushes dispatches (INTERACTION_CREATE) with their sequence numbers. `serveGatewayBot` makes a
 * recording server answer the REST call discord.js makes first, GET /api/v10/gateway/bot, with this
 * gateway's ws:// URL (and 401 for a token Discord would refuse there).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RecordingServer } from './recording-server.ts';
import { Waiters } from './waiters.ts';

export interface GatewayPayload {
  readonly op: number;
  readonly d: unknown;
  readonly s?: number | null;
  readonly t?: string | null;
}

export interface GatewaySession {
  /** The query string discord.js connected with (v, encoding, compress). */
  readonly query: URLSearchParams;
  /** Every payload the client sent, in order. */
  readonly received: GatewayPayload[];
  /** Heartbeats (op 1) received and acknowledged. */
  heartbeats: number;
  identified: boolean;
  /** The close code, once the connection closed (from either side). */
  closeCode: number | null;
  readonly socket: WebSocket;
  seq: number;
}

export interface FakeDiscordGatewayOptions {
  /** The only bot token IDENTIFY may carry; any other is closed with 4004. */
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: { readonly id: string; readonly username: string };
  /** Guilds announced in READY (unavailable) and then sent as GUILD_CREATE. */
  readonly guilds?: readonly Record<string, unknown>[];
  readonly heartbeatIntervalMs?: number;
}

export interface FakeDiscordGateway {
  /** ws://127.0.0.1:PORT, what GET /gateway/bot answers. */
  readonly url: string;
  readonly sessions: GatewaySession[];
  /** Sends a dispatch (op 0) with the next sequence number on the latest identified session. */
  dispatch(event: string, data: unknown): void;
  /** Resolves when `check` holds (polled on every gateway event), rejects after timeoutMs. */
  until(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeDiscordGateway(options: FakeDiscordGatewayOptions): Promise<FakeDiscordGateway> {
  const heartbeatInterval = options.heartbeatIntervalMs ?? 41_250;
  const guilds = options.guilds ?? [];
  const sessions: GatewaySession[] = [];
  const waiters = new Waiters();
  const wake = () => waiters.wake();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}`;

  const send = (session: GatewaySession, payload: GatewayPayload) => {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(payload));
  };
  const dispatchOn = (session: GatewaySession, event: string, data: unknown) => {
    session.seq += 1;
    send(session, { op: 0, d: data, s: session.seq, t: event });
  };

  wss.on('connection', (socket, request) => {
    const session: GatewaySession = {
      query: new URL(request.url ?? '/', url).searchParams,
      received: [],
      heartbeats: 0,
      identified: false,
      closeCode: null,
      socket,
      seq: 0,
    };
    sessions.push(session);
    socket.on('close', (code) => {
      session.closeCode = code;
      wake();
    });
    socket.on('message', (raw, isBinary) => {
      if (isBinary) return void socket.close(4002, 'Decode error.');
      let payload: GatewayPayload;
      try {
        payload = JSON.parse(raw.toString('utf8')) as GatewayPayload;
      } catch {
        return void socket.close(4002, 'Decode error.');
      }
      session.received.push(payload);
      switch (payload.op) {
        case 1: // HEARTBEAT
          session.heartbeats += 1;
          send(session, { op: 11, d: null, s: null, t: null });
          break;
        case 2: {
          // IDENTIFY
          if (session.identified) return void socket.close(4005, 'Already authenticated.');
          const d = payload.d as { token?: unknown };
          if (d.token !== options.token) return void socket.close(4004, 'Authentication failed.');
          session.identified = true;
          dispatchOn(session, 'READY', {
            v: 10,
            user: {
              id: options.botUser.id,
              username: options.botUser.username,
              discriminator: '0',
              global_name: null,
              avatar: null,
              bot: true,
              verified: true,
              flags: 0,
              mfa_enabled: false,
            },
            guilds: guilds.map((g) => ({ id: g['id'], unavailable: true })),
            session_id: `session-${sessions.length}`,
            resume_gateway_url: url,
            shard: [0, 1],
            application: { id: options.applicationId, flags: 0 },
            private_channels: [],
            presences: [],
            relationships: [],
            guild_join_requests: [],
            user_settings: {},
            geo_ordered_rtc_regions: [],
            _trace: ['["fake-gateway",{"micros":1}]'],
          });
          for (const guild of guilds) dispatchOn(session, 'GUILD_CREATE', guild);
          break;
        }
        case 6: // RESUME: this fake keeps no sessions, so the client must identify again.
          send(session, { op: 9, d: false, s: null, t: null });
          break;
        default:
          break;
      }
      wake();
    });
    send(session, {
      op: 10,
      d: { heartbeat_interval: heartbeatInterval, _trace: ['["fake-gateway",{"micros":1}]'] },
      s: null,
      t: null,
    });
    wake();
  });

  return {
    url,
    sessions,
    dispatch(event, data) {
      const session = [...sessions].reverse().find((s) => s.identified && s.closeCode === null);
      if (!session)
        throw new Error(`no identified gateway session to dispatch ${event} on (${sessions.length} connection(s))`);
      dispatchOn(session, event, data);
    },
    until(what, check, timeoutMs = 5_000) {
      return waiters.until(
        check,
        timeoutMs,
        () =>
          `the fake gateway did not see ${what} within ${timeoutMs} ms (${sessions.length} connection(s); received: ${sessions.map((s) => s.received.map((p) => p.op).join(',')).join(' | ') || 'nothing'})`,
      );
    },
    async close() {
      for (const s of sessions) s.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * GET /api/v10/gateway/bot on the recording server: the fake gateway's URL for `acceptedTokens`
 * (what Discord's REST checks before the gateway ever does), 401 for any other token.
 */
export function serveGatewayBot(
  api: RecordingServer,
  gateway: FakeDiscordGateway,
  acceptedTokens: readonly string[],
): void {
  api.route('/v10/gateway/bot', (call) => {
    const token = String(call.headers['authorization'] ?? '').replace(/^Bot /, '');
    if (!acceptedTokens.includes(token)) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    return {
      body: {
        url: gateway.url,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      },
    };
  });
}
