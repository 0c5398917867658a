/**
 * A local HTTP server that stands in for a chat platform's Web API (Slack's, Discord's REST): it
 * records every call (method, path, headers, parsed body) and answers with what a route handler
 * returns, or `{ ok: true }`. Point the SDK's base URL at `url` and assert on `calls`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  readonly method: string;
  /** Path without the query string, e.g. "/api/chat.postMessage" or "/api/v10/channels/1/messages". */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  /** JSON or form bodies parsed to an object; anything else (multipart uploads) as the raw text. */
  readonly body: unknown;
  readonly raw: Buffer;
}

export interface RouteAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export type RouteHandler = (call: RecordedCall) => RouteAnswer | undefined;

export interface RecordingServer {
  /** Base URL with a trailing slash, e.g. "http://127.0.0.1:40123/". */
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Answer calls whose path ends with `suffix` (first matching route wins; undefined falls through). */
  route(suffix: string, handler: RouteHandler): void;
  /** Calls whose path ends with `suffix`. */
  callsTo(suffix: string): RecordedCall[];
  /** Resolves when at least n calls to `suffix` were recorded (rejects after timeoutMs). */
  waitFor(suffix: string, n?: number, timeoutMs?: number): Promise<RecordedCall[]>;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const calls: RecordedCall[] = [];
  const routes: { suffix: string; handler: RouteHandler }[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: parseBody(raw, req.headers['content-type']),
        raw,
      };
      calls.push(call);
      for (const wake of waiters) wake();
      let answer: RouteAnswer | undefined;
      for (const r of routes) {
        if (call.path.endsWith(r.suffix)) {
          answer = r.handler(call);
          if (answer) break;
        }
      }
      const status = answer?.status ?? 200;
      const body = answer && 'body' in answer ? answer.body : { ok: true };
      res.writeHead(status, { 'content-type': 'application/json', ...(answer?.headers ?? {}) });
      res.end(body === undefined || status === 204 ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const callsTo = (suffix: string) => calls.filter((c) => c.path.endsWith(suffix));
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    route(suffix, handler) {
      routes.push({ suffix, handler });
    },
    callsTo,
    waitFor(suffix, n = 1, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = callsTo(suffix);
          if (found.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `expected ${n} call(s) to ${suffix}, got ${callsTo(suffix).length}: ${calls.map((c) => `${c.method} ${c.path}`).join(', ') || 'none'}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (!text) return null;
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      // Slack's Web API sends JSON-encoded values (blocks, attachments) inside form fields.
      out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
    }
    return out;
  }
  return text;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}
