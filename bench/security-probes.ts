/**
 * security:probes — the security review's probes of the HTTP API and the Slack port re-run against a
 * real `ticketrelay start --roles http,bots` process (its own database, ticketrelay_test_security_probes,
 * dropped after), Slack's Web API on a local recording server. One line per probe: the review's
 * finding, what was sent, what came back, and PASS or FAIL against what the fix must guarantee.
 *   npx tsx bench/security-probes.ts
 * The other findings are integration tests (the README's "API tokens" section lists them).
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { LOCAL_ENDPOINTS } from '../adapters/local-services/index.ts';
import { freshBenchDatabase } from './bench-database.ts';

const DB = 'ticketrelay_test_security_probes';
const TOKEN = 'probe-reader-0123456789abcdef0123456789abcd';
const MONITOR = 'probe-monitor-0123456789abcdef0123456789ab';
const SECRET = 'probe-signing-secret-S3CR3T';
const results: { finding: string; probe: string; got: string; ok: boolean }[] = [];
const record = (finding: string, probe: string, got: string, ok: boolean) => {
  results.push({ finding, probe, got, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'} finding ${finding}: ${probe} -> ${got}`);
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** Slack's Web API and the response_url: answers ok to everything, counts the calls per path. */
const slackCalls: string[] = [];
const slackApi = http.createServer((req, res) => {
  slackCalls.push(req.url ?? '');
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, user_id: 'UBOT', team_id: 'T1', bot_id: 'B1', ts: '1.1', channel: 'C1' }));
  });
});
await new Promise<void>((r) => slackApi.listen(0, '127.0.0.1', () => r()));
const slackApiUrl = `http://127.0.0.1:${(slackApi.address() as net.AddressInfo).port}`;

/** A request exactly as written (no path normalisation). */
function raw(port: number, method: string, target: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const url = await freshBenchDatabase(DB);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketrelay-probes-'));
const [httpPort, slackPort] = [await freePort(), await freePort()];
const child = spawn(
  process.execPath,
  [path.resolve(import.meta.dirname, '../bin/ticketrelay.mjs'), 'start', '--roles', 'http,bots'],
  {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      DATABASE_URL: url,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      QUEUE_PREFIX: 'security-probes',
      DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      API_TOKENS: `reader:read+write:${TOKEN},monitor:metrics:${MONITOR}`,
      DB_QUERY_BUDGET_MS: '300',
      ACK_ENABLED: 'false',
      SLACK_BOT_TOKEN: 'xoxb-probe-bot-token-SECRET123',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_PORT: String(slackPort),
      SLACK_API_URL: `${slackApiUrl}/api/`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let output = '';
child.stdout.on('data', (c: Buffer) => (output += c.toString()));
child.stderr.on('data', (c: Buffer) => (output += c.toString()));
const B = '/api/support/contact';
try {
  for (let i = 0; ; i++) {
    const up = await raw(httpPort, 'GET', '/healthz').catch(() => null);
    const slackUp = await raw(slackPort, 'POST', '/slack/events').catch(() => null);
    if (up?.status === 200 && slackUp) break;
    if (i > 120 || child.exitCode !== null) throw new Error(`the instance did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // A ticket through the public form (the only anonymous write).
  const form = await raw(
    httpPort,
    'POST',
    B,
    { 'content-type': 'application/json' },
    JSON.stringify({
      name: 'Margaret O Connor',
      email: 'm.oconnor@example.net',
      subject: 'DAMAGED headlight',
      message: 'The headlight arrived broken.',
    }),
  );
  const ticketId = Number((JSON.parse(form.text) as { ticketId?: number }).ticketId);

  // Finding 1: no credentials; //host/ past a proxy rule; the audit actor.
  for (const [method, target] of [
    ['GET', `${B}/tickets?limit=3`],
    ['GET', `${B}/ticket/${ticketId}`],
    ['PUT', `${B}/ticket/${ticketId}/status`],
    ['PATCH', `${B}/ticket/${ticketId}/status`],
  ] as const) {
    const r = await raw(
      httpPort,
      method,
      target,
      { 'content-type': 'application/json' },
      method === 'GET' ? undefined : '{"status":"closed"}',
    );
    record(
      '1',
      `${method} ${target} without a token`,
      String(r.status),
      r.status === 401 && !r.text.includes('oconnor'),
    );
  }
  for (const target of [`//anything${B}/tickets?limit=1`, `//x${B}/ticket/${ticketId}/status`]) {
    const r = await raw(httpPort, 'GET', target, { authorization: `Bearer ${TOKEN}` });
    record('1', `GET ${target} (with a token)`, String(r.status), r.status === 400);
  }
  const closed = await raw(
    httpPort,
    'PUT',
    `${B}/ticket/${ticketId}/status`,
    { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    '{"status":"closed"}',
  );
  const conn = await mysql.createConnection(url);
  const [events] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT actor FROM support_event WHERE ticket_id = ? AND type = 'closed'",
    [ticketId],
  );
  record(
    '1',
    'PUT status with the token "reader": the audit actor',
    `${closed.status}, actor ${String(events[0]?.['actor'])}`,
    closed.status === 200 && events[0]?.['actor'] === 'api:reader',
  );

  // Finding 11: anonymous search, deep pages, and a query over budget.
  const anonSearch = await raw(httpPort, 'GET', `${B}/tickets?keyword=zq&limit=100&page=2`);
  record('11', 'GET tickets?keyword=zq without a token', String(anonSearch.status), anonSearch.status === 401);
  const deep = await raw(httpPort, 'GET', `${B}/tickets?page=1000000&limit=100`, { authorization: `Bearer ${TOKEN}` });
  record('11', 'GET tickets?page=1000000 with a token', String(deep.status), deep.status === 400);
  await conn.query('LOCK TABLES support_ticket WRITE');
  const started = Date.now();
  const slow = await raw(httpPort, 'GET', `${B}/tickets?keyword=zq`, { authorization: `Bearer ${TOKEN}` });
  const ms = Date.now() - started;
  const metricsStarted = Date.now();
  const metricsSlow = await raw(httpPort, 'GET', '/metrics', { authorization: `Bearer ${MONITOR}` });
  const metricsMs = Date.now() - metricsStarted;
  await conn.query('UNLOCK TABLES');
  record(
    '11',
    'GET tickets?keyword=zq while support_ticket is locked (DB_QUERY_BUDGET_MS=300)',
    `${slow.status} in ${ms} ms`,
    slow.status === 503 && ms < 5_000,
  );
  record(
    '11',
    'GET /metrics while support_ticket is locked',
    `${metricsSlow.status} in ${metricsMs} ms`,
    metricsSlow.status === 200 &&
      metricsMs < 5_000 &&
      metricsSlow.text.includes('collector_up{collector="database"} 0'),
  );
  await conn.end();

  // Finding 17: request size and shape.
  const big = await raw(
    httpPort,
    'POST',
    B,
    { 'content-type': 'application/json' },
    `{"message":"${'x'.repeat(5_000_000)}"}`,
  ).catch((e: Error) => ({ status: 0, text: e.message }));
  record('17', 'POST 5 MB JSON', String(big.status), big.status === 413 || big.status === 0);
  const deepJson = await raw(
    httpPort,
    'POST',
    B,
    { 'content-type': 'application/json' },
    `${'['.repeat(32_000)}${']'.repeat(32_000)}`,
  );
  record('17', 'POST JSON nested 32,000 deep', String(deepJson.status), deepJson.status === 400);

  // Finding 21: errors.
  const malformed = await raw(httpPort, 'GET', `${B}/ticket/%E0%A4%A`, { authorization: `Bearer ${TOKEN}` });
  record('21', 'GET ticket/%E0%A4%A', String(malformed.status), malformed.status === 400);
  const traversal = await raw(httpPort, 'GET', `${B}/ticket/..%2f..%2fetc%2fpasswd`, {
    authorization: `Bearer ${TOKEN}`,
  });
  record('21', 'GET ticket/..%2f..%2fetc%2fpasswd', String(traversal.status), traversal.status === 400);
  const ready = await raw(httpPort, 'GET', '/readyz');
  record('21', 'GET /readyz anonymous: up or down only', ready.text, !/checks|mysql|redis|host/i.test(ready.text));

  // Finding 22: /metrics.
  const metrics = await raw(httpPort, 'GET', '/metrics');
  record('22', 'GET /metrics without a token', String(metrics.status), metrics.status === 401);

  // Finding 15: Slack signatures (future timestamp, replay).
  const sign = (body: string, ts: number) => ({
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
  });
  const slash = (text: string, n: number) =>
    new URLSearchParams({
      command: '/ticket',
      text,
      user_id: 'UNOBODY',
      user_name: 'nobody',
      team_id: 'T1',
      channel_id: 'C1',
      response_url: `${slackApiUrl}/respond/${n}`,
      trigger_id: `t${n}`,
    }).toString();
  const future = slash('help', 1);
  const f = await raw(slackPort, 'POST', '/slack/events', sign(future, Math.floor(Date.now() / 1000) + 600), future);
  record('15', 'signed 10 min in the future', String(f.status), f.status === 401);
  const stale = slash('help', 2);
  const s = await raw(slackPort, 'POST', '/slack/events', sign(stale, Math.floor(Date.now() / 1000) - 361), stale);
  record('15', 'signed 6 min ago', String(s.status), s.status === 401);
  const once = slash('help', 3);
  const now = Math.floor(Date.now() / 1000);
  const first = await raw(slackPort, 'POST', '/slack/events', sign(once, now), once);
  const replay = await raw(slackPort, 'POST', '/slack/events', sign(once, now), once);
  await new Promise((r) => setTimeout(r, 1_000));
  const answers = slackCalls.filter((c) => c === '/respond/3').length;
  record(
    '15',
    'the same signed request twice',
    `${first.status}, ${replay.status}; answered ${answers} time(s)`,
    answers <= 1,
  );
  const bad = await raw(slackPort, 'POST', '/slack/events', { ...sign(once, now), 'x-slack-signature': 'v0=00' }, once);
  record('15', 'bad signature', String(bad.status), bad.status === 401);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  slackApi.close();
  await rm(dataDir, { recursive: true, force: true });
  const admin = await mysql.createConnection(url.replace(/\/[^/]*$/, '/'));
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await admin.end();
}
const failed = results.filter((r) => !r.ok);
console.log(
  JSON.stringify({
    probes: results.length,
    passed: results.length - failed.length,
    failed: failed.map((r) => `${r.finding}: ${r.probe}`),
  }),
);
process.exitCode = failed.length ? 1 : 0;
