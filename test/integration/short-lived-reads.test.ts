/**
 * A process that runs one command and exits (`command`, `ingest -`) reads rows with mysql2's generic
 * parser instead of compiling one per query (openDatabase's shortLived): what an agent reads must not
 * change with it. The same commands, on the same tickets, answered by an app of each kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/main.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { eml } from './eml.ts';
import { startTestApp, type TestSetup } from './harness.ts';

let setup: TestSetup;
let shortLived: App;
const caller = { platform: 'console', userId: 'lea' } as const;

beforeAll(async () => {
  setup = await startTestApp('short_lived');
  const { app } = setup;
  await app.agents.upsert({
    name: 'lea',
    role: 'manager',
    staffId: 4,
    identities: [{ platform: 'console', kind: 'user', value: 'lea' }],
  });
  const first = eml({ from: 'Zoë Ünal <zoe@customer.example>', subject: 'Facture 2026-118 : montant € faux' });
  const created = await app.intake.ingest(first.raw, { kind: 'test' });
  if (created.outcome !== 'created') throw new Error(JSON.stringify(created));
  await app.intake.ingest(
    eml({
      from: 'zoe@customer.example',
      subject: 'Re: Facture 2026-118',
      inReplyTo: `<${first.messageId}>`,
      body: 'Toujours pas de réponse 🙁',
    }).raw,
    { kind: 'test' },
  );
  await app.intake.ingest(eml({ from: 'bob@customer.example', subject: 'Frein arrière' }).raw, { kind: 'test' });
  const reply = await app.commands.run(
    caller,
    `/ticket reply ${created.ticketId} Bonjour, nous corrigeons la facture.`,
  );
  expect(reply.ok, reply.text).toBe(true);
  shortLived = await createApp(
    loadConfig({
      DATABASE_URL: setup.db.url,
      REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
      DATA_DIR: app.dataDir,
      QUEUE_PREFIX: app.queuePrefix,
      LOG_LEVEL: 'silent',
    }),
    { logger: createLogger({ level: 'silent' }), lazy: true, shortLived: true },
  );
});

afterAll(async () => {
  await shortLived?.close();
  await setup?.close();
});

describe('a short-lived process reads what a service reads', () => {
  it('answers the same to list, view, stats and search', async () => {
    const [ticket] = await setup.db.query<{ id: number }>('SELECT MIN(ticket_id) AS id FROM support_ticket');
    for (const line of [
      '/ticket list all',
      `/ticket view ${ticket!.id}`,
      '/ticket stats today',
      '/ticket list all facture',
      '/ticket list open page 1',
    ]) {
      const service = await setup.app.commands.run(caller, line);
      const command = await shortLived.commands.run(caller, line);
      expect(service.ok, `${line}: ${service.text}`).toBe(true);
      expect(command, line).toEqual(service);
    }
    const view = await shortLived.commands.run(caller, `/ticket view ${ticket!.id}`);
    expect(view.text).toContain('Facture 2026-118 : montant € faux');
    expect(view.text).toContain('Toujours pas de réponse 🙁');
  });

  it('gives the old site the same tickets, ticket and figures', async () => {
    const [first] = await setup.db.query<{ id: number }>('SELECT MIN(ticket_id) AS id FROM support_ticket');
    const read = (app: App) =>
      Promise.all([
        app.stores.supportApi.listTickets({ page: 1, limit: 20, status: null, keyword: null }),
        app.stores.supportApi.listTickets({ page: 1, limit: 20, status: null, keyword: 'facture', inContent: true }),
        app.stores.supportApi.ticketDetail(first!.id),
        app.stores.supportApi.contactStats(new Date(Date.now() - 86_400_000)),
      ]);
    const [service, command] = [await read(setup.app), await read(shortLived)];
    expect(command).toEqual(service);
    expect(service[0].tickets.length).toBe(2); // the reply joined its ticket
  });
});
