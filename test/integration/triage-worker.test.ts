/**
 * The triage worker end to end: tickets ingested through the real intake (MariaDB, Redis), triaged
 * by the BullMQ worker with the real classifier and MySQL store. Each assertion is something a user
 * notices: the ticket row, the legacy metadata block the old site reads, the failed-job list, the
 * escalation announced.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClassifier } from '../../adapters/files/triage-files.ts';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { MysqlTriageStore } from '../../adapters/mysql/mysql-triage-store.ts';
import { BullmqTriageQueue, triageJobId } from '../../adapters/queue/bullmq-triage-queue.ts';
import { QUEUE_NAMES } from '../../jobs/queues.ts';
import { startTriageWorker, type TriageWorker } from '../../jobs/triage-worker.ts';
import { PROJECT_ROOT } from '../../src/config.ts';
import { AppError } from '../../src/domain/errors.ts';
import { METADATA_MARKER, parseLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import type { ChatNotifier, TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { StoredDecision, TriageStore } from '../../src/ports/triage-store.ts';
import type { IntakeResult } from '../../src/services/intake-result.ts';
import { TriageService } from '../../src/services/triage-ticket.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

/** The real MySQL store, with a switch to make the next saves fail as if the database were away, and an optional delay. */
class ControllableStore implements TriageStore {
  failNextSaves = 0;
  saveDelayMs = 0;
  saveAttempts = 0;
  constructor(readonly real: MysqlTriageStore) {}
  loadTicket(id: number) {
    return this.real.loadTicket(id);
  }
  async saveDecision(id: number, decision: StoredDecision) {
    this.saveAttempts++;
    if (this.saveDelayMs) await new Promise((r) => setTimeout(r, this.saveDelayMs));
    if (this.failNextSaves > 0) {
      this.failNextSaves--;
      throw new AppError(
        'db.unavailable',
        'The database cannot be reached (ECONNREFUSED) while saving triage decisions.',
        { retryable: true },
      );
    }
    return this.real.saveDecision(id, decision);
  }
  claimEscalation(id: number, at: Date) {
    return this.real.claimEscalation(id, at);
  }
  untriagedTicketIds(before: Date, limit: number) {
    return this.real.untriagedTicketIds(before, limit);
  }
}

class RecordingNotifier implements ChatNotifier {
  readonly notices: TicketNotice[] = [];
  async notify(notice: TicketNotice) {
    this.notices.push(notice);
  }
}

let db: TestDatabase;
let app: TestApp;
let store: ControllableStore;
let notifier: RecordingNotifier;
let service: TriageService;
let worker: TriageWorker;
let queue: Queue;

beforeAll(async () => {
  db = await createTestDatabase('triage');
  app = await createTestApp(db);
  const { classifier } = await buildClassifier(app.config.triage);
  store = new ControllableStore(new MysqlTriageStore(db.database));
  notifier = new RecordingNotifier();
  service = new TriageService({ store, classifier, notifiers: [notifier], logger });
  worker = startTriageWorker({
    redisUrl: LOCAL_ENDPOINTS.redisUrl,
    prefix: app.queuePrefix,
    concurrency: 4,
    service,
    logger,
    store,
    sweepQueue: new BullmqTriageQueue({ redisUrl: LOCAL_ENDPOINTS.redisUrl, prefix: app.queuePrefix }),
    sweepMinAgeMs: 0,
  });
  queue = new Queue(QUEUE_NAMES.triage, { connection: { url: LOCAL_ENDPOINTS.redisUrl }, prefix: app.queuePrefix });
});

afterAll(async () => {
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await app?.close();
  await db?.drop();
});

async function ingest(target: TestApp, options: Parameters<typeof eml>[0]): Promise<number> {
  const result: IntakeResult = await target.intake.ingest(eml(options).raw, { kind: 'test' });
  expect(result.outcome).toBe('created');
  return (result as Extract<IntakeResult, { outcome: 'created' }>).ticketId;
}

async function ticketRow(ticketId: number) {
  const [row] = await db.query<Record<string, unknown>>('SELECT * FROM support_ticket WHERE ticket_id = ?', [ticketId]);
  return row!;
}

async function legacyBlock(ticketId: number) {
  const [row] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
    ticketId,
  ]);
  return parseLegacyContent(row!.msg_content);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const triaged = (ticketId: number) =>
  until(
    `ticket #${ticketId} triaged`,
    async () => Number((await ticketRow(ticketId))['triaged']) === 1 && ticketRow(ticketId),
  );

describe('the triage worker', () => {
  it('triages a ticket from intake: our row and the legacy metadata block agree, the customer text and other keys are kept', async () => {
    const body =
      "Bonjour,\n\nJ'ai été débité deux fois pour la commande n° CMD-2024-20481 (deux prélèvements de 89,90 € sur ma carte). Merci de me rembourser le second paiement et de m'envoyer la facture corrigée.\n\nCordialement,\nSophie Martin";
    const id = await ingest(app, {
      from: 'Sophie Martin <sophie.martin@client.example>',
      subject: 'Double prélèvement sur ma carte',
      body,
    });
    const row = await triaged(id);
    expect(row).toMatchObject({ category: 'billing', priority: 'urgent', language: 'fr', triaged: 1 });
    expect(String(row['model_version'])).toMatch(/^lr-[0-9a-f]{8}$/);
    expect(Number(row['category_confidence'])).toBeGreaterThan(0);
    expect(Number(row['sentiment'])).toBeLessThan(0.5);
    const reasons =
      typeof row['triage_reasons'] === 'string' ? JSON.parse(row['triage_reasons']) : row['triage_reasons'];
    expect(reasons.rules.map((r: { rule: string }) => r.rule)).toContain('charged twice');

    const legacy = await legacyBlock(id);
    expect(legacy.text).toBe(body);
    expect(legacy.metadata).toMatchObject({
      priority: 'urgent',
      category: 'billing',
      triaged: true,
      order_number: 'CMD-2024-20481',
      source: 'email',
      language: 'fr',
    });
    expect(legacy.metadata?.['created_at']).toEqual(expect.any(String));
    expect(legacy.metadata?.['message_id']).toEqual(expect.any(String));
    const [content] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      id,
    ]);
    expect(content!.msg_content.split(METADATA_MARKER)).toHaveLength(2);
  });

  it('announces an urgent ticket once, even when its job runs twice, and the second run changes nothing', async () => {
    const id = await ingest(app, {
      from: 'Raymond Achebe <r.achebe@client.example>',
      subject: 'Brakes failed after fitting your discs',
      body: 'Your brake discs were fitted on Monday and this morning the brakes failed on the motorway. I nearly had an accident. This is dangerous and I want an answer today.\n\nRaymond',
    });
    await triaged(id);
    await until('the escalation', async () => notifier.notices.some((n) => n.ticketId === id));
    const rowBefore = await ticketRow(id);
    expect(rowBefore['escalated_at']).toEqual(expect.any(Date));
    const events = () =>
      db.query<{ type: string }>('SELECT type FROM support_event WHERE ticket_id = ? ORDER BY id', [id]);
    const eventsBefore = await events();
    const legacyBefore = await legacyBlock(id);

    // The same ticket again: once more through the queue under another job id, and once directly.
    await queue.add('triage', { ticketId: id }, { jobId: `again-${id}` });
    const again = await queue.getJob(`again-${id}`);
    await until('the second job', async () => (await again!.getState()) === 'completed');
    const outcome = await service.triage(id);

    expect(outcome).toMatchObject({ outcome: 'already_triaged', priority: 'urgent', escalated: false });
    expect(notifier.notices.filter((n) => n.ticketId === id)).toHaveLength(1);
    const notice = notifier.notices.find((n) => n.ticketId === id)!;
    expect(notice).toMatchObject({ kind: 'escalation', priority: 'urgent', customer: 'r.achebe@client.example' });
    expect(notice.lines.join('\n')).toMatch(/safety/);
    expect(await ticketRow(id)).toEqual(rowBefore);
    expect(await legacyBlock(id)).toEqual(legacyBefore);
    expect(await events()).toEqual(eventsBefore);
    expect(eventsBefore.filter((e) => e.type === 'escalated')).toHaveLength(1);
  });

  it('announces an escalation once when two workers triage the same ticket at the same moment', async () => {
    const id = await ingest(app, {
      from: 'Claire Dubois <c.dubois@client.example>',
      subject: 'Mise en demeure',
      body: 'Madame, Monsieur,\n\nSans remboursement sous 8 jours de la commande CMD-2024-40012, je transmets le dossier à mon avocat. Ceci vaut mise en demeure.\n\nClaire Dubois',
    });
    await triaged(id);
    // Untriaged again, escalation not yet claimed: both workers load it in that state.
    await db.query('UPDATE support_ticket SET triaged = 0, escalated_at = NULL WHERE ticket_id = ?', [id]);
    const { classifier } = await buildClassifier(app.config.triage);
    const raceNotifier = new RecordingNotifier();
    const racer = () =>
      new TriageService({ store: new MysqlTriageStore(db.database), classifier, notifiers: [raceNotifier], logger });
    const outcomes = await Promise.all([racer().triage(id), racer().triage(id)]);

    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already_triaged', 'triaged']);
    expect(outcomes.filter((o) => o.escalated)).toHaveLength(1);
    expect(raceNotifier.notices).toHaveLength(1);
    expect(raceNotifier.notices[0]).toMatchObject({ ticketId: id, priority: 'urgent' });
    expect(raceNotifier.notices[0]!.lines.join('\n')).toMatch(/legal threat/);
    expect(await ticketRow(id)).toMatchObject({ triaged: 1, priority: 'urgent', escalated_at: expect.any(Date) });
  });

  it("keeps an agent's correction: a corrected ticket keeps its category and priority", async () => {
    const id = await ingest(app, {
      subject: 'Invoice for my order',
      body: 'Hello, could you send me the invoice for my last order? I need it for my accounts.\n\nThanks',
    });
    // Triage may already have run; an agent corrects it, and the ticket is triaged afresh.
    await triaged(id);
    await db.query(
      "UPDATE support_ticket SET category = 'suggestion', priority = 'low', corrected = 1, triaged = 0 WHERE ticket_id = ?",
      [id],
    );
    await service.triage(id);
    expect(await ticketRow(id)).toMatchObject({ category: 'suggestion', priority: 'low', triaged: 1 });
    expect((await legacyBlock(id)).metadata).toMatchObject({ category: 'suggestion', priority: 'low' });
  });

  it('retries after a temporary failure (the database was away) and then triages', async () => {
    store.failNextSaves = 1;
    const attemptsBefore = store.saveAttempts;
    const id = await ingest(app, {
      subject: 'Will the Bosch pads fit my Clio?',
      body: 'Hello, will Bosch 0986494 front pads fit a Renault Clio IV 1.5 dCi from 2016? Thanks, Anna',
    });
    await triaged(id);
    const job = await queue.getJob(triageJobId(id));
    expect(job!.attemptsMade).toBe(2);
    expect(store.saveAttempts - attemptsBefore).toBeGreaterThanOrEqual(2);
    expect(await queue.getFailedCount()).toBe(0);
  });

  it('puts a poison job in the failed list at once, without blocking the tickets behind it', async () => {
    await queue.add(
      'triage',
      { ticketId: 987_654 },
      { jobId: triageJobId(987_654), attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
    );
    await queue.add('triage', { ticketId: 'not a number' } as unknown as { ticketId: number }, {
      jobId: 'poison-payload',
      attempts: 5,
    });
    const id = await ingest(app, {
      subject: 'Suggestion for your website',
      body: 'Hi, it would be nice if your site let me save my car so I do not type the registration every time. Just an idea, no rush.\n\nTom',
    });
    await triaged(id);
    const failed = await until('two failed jobs', async () => {
      const jobs = await queue.getFailed();
      return jobs.length >= 2 && jobs;
    });
    const byId = new Map(failed.map((j) => [j.id, j]));
    expect(byId.get(triageJobId(987_654))?.attemptsMade).toBe(1); // not retried: it can never succeed
    expect(byId.get(triageJobId(987_654))?.failedReason).toMatch(/ticket\.not_found: Ticket #987654 does not exist/);
    expect(byId.get('poison-payload')?.failedReason).toMatch(/no valid ticket id/);

    // What an operator sees.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(PROJECT_ROOT, 'bin/ticketrelay.mjs'), 'jobs', 'failed'],
      {
        env: {
          ...process.env,
          REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
          DATABASE_URL: db.url,
          QUEUE_PREFIX: app.queuePrefix,
        },
      },
    );
    expect(stdout).toMatch(/ticket-987654 {2}ticket #987654 {2}1 attempt/);
    expect(stdout).toMatch(/2 failed triage jobs/);
  });

  it('sweeps up a ticket that arrived while Redis was unreachable', async () => {
    const offline = await createTestApp(db, { REDIS_URL: 'redis://127.0.0.1:9' });
    let id: number;
    try {
      const result = await offline.intake.ingest(
        eml({
          subject: 'Where is my parcel?',
          body: 'Hello, my order CMD-2024-30001 has not arrived after ten days. Where is it?\n\nMarc',
        }).raw,
        { kind: 'test' },
      );
      expect(result).toMatchObject({ outcome: 'created', triage: 'deferred' });
      id = (result as Extract<IntakeResult, { outcome: 'created' }>).ticketId;
    } finally {
      await offline.close();
    }
    expect(await ticketRow(id)).toMatchObject({ triaged: 0 });
    expect(await worker.sweep()).toBeGreaterThanOrEqual(1);
    expect(await triaged(id)).toMatchObject({ triaged: 1, category: expect.any(String) });
  });

  it('finishes the job in flight when it is stopped', async () => {
    const prefix = `${app.queuePrefix}-stop`;
    const slowStore = new ControllableStore(new MysqlTriageStore(db.database));
    slowStore.saveDelayMs = 800;
    const { classifier } = await buildClassifier(app.config.triage);
    const stopping = startTriageWorker({
      redisUrl: LOCAL_ENDPOINTS.redisUrl,
      prefix,
      concurrency: 2,
      service: new TriageService({ store: slowStore, classifier, notifiers: [], logger }),
      logger,
    });
    const id = await ingest(app, {
      subject: 'Thank you',
      body: 'Just wanted to say the parts arrived quickly and fit perfectly. Great service!',
    });
    // Intake's own enqueue went to the main test queue; this ticket must wait for the slow worker.
    await until('the main worker to leave it', async () => (await queue.getJob(triageJobId(id)))?.isCompleted());
    await db.query('UPDATE support_ticket SET triaged = 0 WHERE ticket_id = ?', [id]);
    const slowQueue = new Queue(QUEUE_NAMES.triage, { connection: { url: LOCAL_ENDPOINTS.redisUrl }, prefix });
    try {
      await slowQueue.add('triage', { ticketId: id }, { jobId: triageJobId(id) });
      await until('the job to be in flight', async () => slowStore.saveAttempts > 0);
      await stopping.close();
      expect(await ticketRow(id)).toMatchObject({ triaged: 1 });
      expect(await (await slowQueue.getJob(triageJobId(id)))!.getState()).toBe('completed');
    } finally {
      await slowQueue.obliterate({ force: true }).catch(() => undefined);
      await slowQueue.close();
    }
  });
});
