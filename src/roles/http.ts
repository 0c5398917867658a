/**
 * The `http` role: health, readiness, metrics and the old module's API on HTTP_HOST:HTTP_PORT. Stateless:
 * run several behind a load balancer (the rate limits are counted in Redis for all of them). Metrics that must hold across processes (queue depth,
 * acknowledgements sent, open tickets, triage latency) are read at scrape time from Redis and MySQL;
 * this process's own counters (emails taken here, HTTP requests) come from the in-process registry.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../../jobs/queues.ts';
import { percentile } from '../domain/digest.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import type { App } from '../main.ts';
import type { RoleStarter } from './role.ts';
import { createHttpHandler, listen, type RunningHttpServer } from '../../adapters/http/http-server.ts';
import {
  MAILBOX_TIMEOUT_MS,
  mailboxCheck,
  Readiness,
  redisCheck,
  redisEvictionWarning,
} from '../../adapters/http/readiness.ts';
import { describeOutbox } from '../services/deliver-outbox.ts';
import { RedisRateGate } from '../../adapters/queue/redis-rate-gate.ts';

/** Collected at most this often, however often Prometheus scrapes. */
const DB_METRICS_CACHE_MS = 5_000;

export interface HttpFrontEnd {
  readonly server: RunningHttpServer;
  close(): Promise<void>;
}

export async function startHttpFrontEnd(
  app: App,
  options: { port?: number; host?: string; dbMetricsCacheMs?: number } = {},
): Promise<HttpFrontEnd> {
  const { config } = app;
  const redis = new Redis(config.redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (n) => Math.min(n * 500, 5_000),
  });
  redis.on('error', () => undefined); // reported by /readyz
  await redis.connect().catch(() => undefined);
  const readiness = new Readiness()
    .add('mysql', () => app.stores.operations.ping())
    .add('redis', redisCheck(redis))
    .downParts(() => app.down);
  for (const mailbox of config.imap.mailboxes)
    readiness.add(`mailbox:${mailbox.name}`, mailboxCheck(mailbox), MAILBOX_TIMEOUT_MS);
  // Mail that waits for the mail server: the service still takes mail, but someone should look.
  readiness.warn('outbox', async () => describeOutbox(await app.outbox.state(), new Date()) || null);
  readiness.warn('redis', redisEvictionWarning(redis));

  const queues = Object.values(QUEUE_NAMES).map((name) => {
    const q = new Queue(name, { connection: redis, prefix: config.redis.queuePrefix });
    q.on('error', () => undefined);
    return q;
  });
  const depth = app.metrics.gauge(
    'ticketrelay_queue_jobs',
    'Jobs in each BullMQ queue, by state (waiting, active, delayed, failed).',
  );
  app.metrics.addCollector('queues', async () => {
    for (const q of queues) {
      const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) depth.set({ queue: q.name, state }, n);
    }
  });
  app.metrics.addCollector('database', databaseCollector(app, options.dbMetricsCacheMs ?? DB_METRICS_CACHE_MS));

  const handler = createHttpHandler({
    ingest: (raw, source) => app.intake.ingest(raw, source),
    tickets: app.stores.supportApi,
    statuses: app.statuses,
    metrics: app.metrics,
    readiness: () => readiness.report(),
    logger: app.logger,
    supportAddress: config.mail.supportAddress,
    access: config.http,
    // The API's and the form's limits hold for all front ends together (per process while Redis is away).
    rateGate: new RedisRateGate({ redis, prefix: config.redis.queuePrefix, logger: app.logger }),
  });
  const host = options.host ?? config.http.host;
  const port = options.port ?? config.http.port;
  let server: RunningHttpServer;
  try {
    server = await listen(handler, host, port, { maxConnections: config.http.maxConnections });
  } catch (error) {
    // Its Redis connection would keep the process alive after the error was said.
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    redis.disconnect();
    throw listenError(error, host, port);
  }
  return {
    server,
    async close() {
      await server.close();
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
    },
  };
}

/** A port taken or an address not ours, named by its variable. */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new AppError(
      'http.port_in_use',
      `The HTTP server cannot listen on ${host}:${port}: another process uses that port. Stop it, or set HTTP_PORT to a free port.`,
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError(
      'http.bad_host',
      `The HTTP server cannot listen on ${host}:${port}: "${host}" is not an address of this machine. Set HTTP_HOST to one (127.0.0.1 behind a reverse proxy).`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new AppError(
      'http.port_denied',
      `The HTTP server may not listen on ${host}:${port} (ports below 1024 need privileges). Set HTTP_PORT to 1024 or above.`,
      { cause: error },
    );
  }
  return error;
}

/** Counts from MySQL that hold across processes: what the outbox sent, tickets by status, triage latency. */
function databaseCollector(app: App, cacheMs: number) {
  const acks = app.metrics.gauge(
    'ticketrelay_acknowledgements',
    'Acknowledgement emails by delivery state, from the database (all processes): sent, suppressed, pending, failed.',
  );
  const tickets = app.metrics.gauge('ticketrelay_tickets', 'Support tickets by status, from the database.');
  const stored = app.metrics.gauge(
    'ticketrelay_emails_stored',
    'Inbound emails recorded, by outcome, from the database (all processes).',
  );
  const triage = app.metrics.gauge(
    'ticketrelay_triage_latency_seconds',
    'Created → triaged, tickets triaged in the last hour (quantile 0.5 and 0.95), from the database.',
  );
  let last = 0;
  const log = app.logger.child({ component: 'metrics' });
  return async () => {
    if (Date.now() - last < cacheMs) return;
    let counts: Awaited<ReturnType<typeof app.stores.operations.gauges>>;
    try {
      counts = await app.stores.operations.gauges(new Date(Date.now() - 3_600_000));
    } catch (error) {
      // Over DB_QUERY_BUDGET_MS (or the database away): the scrape still answers, with the last counts and
      // ticketrelay_metrics_collector_up{collector="database"} 0.
      log.warn(
        {
          code: isAppError(error) ? error.code : undefined,
          err: error instanceof Error ? error.message : String(error),
        },
        "/metrics: the database's counts were not read; the last ones are served",
      );
      throw error;
    }
    for (const [delivery, n] of Object.entries(counts.acknowledgements)) acks.set({ delivery }, n);
    for (const [status, n] of Object.entries(counts.tickets)) tickets.set({ status }, n);
    for (const [outcome, n] of Object.entries(counts.emailsStored)) stored.set({ outcome }, n);
    const seconds = [...counts.triageSeconds];
    triage.set({ quantile: '0.5' }, percentile(seconds, 50) ?? 0);
    triage.set({ quantile: '0.95' }, percentile(seconds, 95) ?? 0);
    last = Date.now();
  };
}

export const startHttpRole: RoleStarter = async (app) => {
  const front = await startHttpFrontEnd(app);
  app.logger.child({ component: 'http' }).info({ url: front.server.url }, 'HTTP server listening');
  return {
    name: 'http',
    describe: () => [`http: listening on ${front.server.url} (/healthz, /readyz, /metrics, /api/support/contact)`],
    stop: () => front.close(),
  };
};
