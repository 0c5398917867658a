/**
 * A local stand-in for Slack's Socket Mode, over a real WebSocket on loopback: `serveConnectionsOpen`
 * makes the recording server answer POST /api/apps.connections.open (checking the app-level token,
 * `invalid_auth` otherwise, as Slack does) with this server's ws:// URL; each connection gets a
 * `hello`; the test sends envelopes (slash_commands, interactive) and waits for their
 * acknowledgements ({ envelope_id, payload }) coming back over the socket.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RecordingServer } from './recording-server.ts';
import { Waiters } from './waiters.ts';

export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: unknown;
  /** When it arrived (Date.now()). */
  readonly at: number;
}

export interface SocketConnection {
  readonly path: string;
  readonly socket: WebSocket;
  /** Every message the client sent (parsed JSON), in order. */
  readonly received: unknown[];
  closeCode: number | null;
}

export interface FakeSlackSocket {
  /** ws://127.0.0.1:PORT/link/?ticket=…, what apps.connections.open answers. */
  readonly url: string;
  readonly connections: SocketConnection[];
  readonly acks: SocketAck[];
  /** Sends an envelope of `type` with `payload` on the latest open connection; returns its envelope_id. */
  send(type: string, payload: unknown, acceptsResponsePayload?: boolean): string;
  /** Resolves with the acknowledgement of `envelopeId`, rejects after timeoutMs. */
  ackOf(envelopeId: string, timeoutMs?: number): Promise<SocketAck>;
  /** Resolves when `check` holds (polled on every socket event), rejects after timeoutMs. */
  until(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeSlackSocket(options: { appId?: string } = {}): Promise<FakeSlackSocket> {
  const connections: SocketConnection[] = [];
  const acks: SocketAck[] = [];
  const waiters = new Waiters();
  const wake = () => waiters.wake();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as AddressInfo;

  wss.on('connection', (socket, request) => {
    const connection: SocketConnection = { path: request.url ?? '/', socket, received: [], closeCode: null };
    connections.push(connection);
    socket.on('close', (code) => {
      connection.closeCode = code;
      wake();
    });
    socket.on('message', (raw) => {
      let message: unknown;
      try {
        message = JSON.parse(raw.toString('utf8'));
      } catch {
        message = raw.toString('utf8');
      }
      connection.received.push(message);
      if (typeof message === 'object' && message !== null && 'envelope_id' in message) {
        const { envelope_id, payload } = message as { envelope_id: string; payload?: unknown };
        acks.push({ envelope_id, payload, at: Date.now() });
      }
      wake();
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: connections.filter((c) => c.closeCode === null).length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: options.appId ?? 'A0APP' },
      }),
    );
    wake();
  });

  const until = (what: string, check: () => boolean, timeoutMs = 5_000) =>
    waiters.until(
      check,
      timeoutMs,
      () =>
        `the fake Socket Mode server did not see ${what} within ${timeoutMs} ms (${connections.length} connection(s), acks: ${acks.map((a) => a.envelope_id).join(', ') || 'none'})`,
    );

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=${options.appId ?? 'A0APP'}`,
    connections,
    acks,
    send(type, payload, acceptsResponsePayload = false) {
      const connection = [...connections].reverse().find((c) => c.closeCode === null);
      if (!connection) throw new Error(`no open Socket Mode connection to send a ${type} envelope on`);
      const envelopeId = randomUUID();
      connection.socket.send(
        JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: acceptsResponsePayload }),
      );
      return envelopeId;
    },
    async ackOf(envelopeId, timeoutMs = 3_000) {
      await until(`the ack of envelope ${envelopeId}`, () => acks.some((a) => a.envelope_id === envelopeId), timeoutMs);
      return acks.find((a) => a.envelope_id === envelopeId)!;
    },
    until,
    async close() {
      for (const c of connections) c.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** POST /api/apps.connections.open on the recording server: the socket's URL for `appToken`, invalid_auth for any other token. */
export function serveConnectionsOpen(api: RecordingServer, socket: FakeSlackSocket, appToken: string): void {
  api.route('apps.connections.open', (call) => {
    if (call.headers['authorization'] !== `Bearer ${appToken}`) return { body: { ok: false, error: 'invalid_auth' } };
    return { body: { ok: true, url: socket.url } };
  });
}
