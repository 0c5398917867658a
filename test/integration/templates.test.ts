/**
 * Reply templates end to end (issue 20, 2.1): templates saved in MariaDB, `/ticket reply N tpl:KEY`
 * through the command service (as the console and chat call it), the preview, then the email received by
 * the SMTP listener in the ticket's language, and the template's actions applied only once it was accepted.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';
import { MysqlTemplateStore } from '../../adapters/mysql/mysql-template-store.ts';
import type { Caller } from '../../src/domain/command.ts';
import {
  ingestTicket,
  runTicketrelay,
  startTestApp,
  type SmtpListener,
  type TestApp,
  type TestDatabase,
  type TestSetup,
} from './harness.ts';

let setup: TestSetup;
let db: TestDatabase;
let smtp: SmtpListener;
let app: TestApp;
let store: MysqlTemplateStore;
const marie: Caller = { platform: 'console', userId: 'marie' };

beforeAll(async () => {
  setup = await startTestApp('templates', { smtp: true, env: { ACK_ENABLED: 'false' } });
  ({ db, smtp, app } = setup);
  await app.agents.upsert({
    name: 'marie',
    role: 'agent',
    staffId: 42,
    identities: [{ platform: 'console', kind: 'user', value: 'marie' }],
  });
  store = new MysqlTemplateStore(db.database);
  await store.save(
    {
      key: 'retard-livraison',
      title: 'Retard de livraison',
      tags: ['livraison'],
      actions: { status: 'closed', priority: 'low' },
      bodies: {
        fr: 'Bonjour {{customer.first_name|Madame, Monsieur}},\nvotre colis (ticket {{ticket.number}}, suivi {{ask:numero_suivi}}) arrive. Ticket {{ticket.number}}.',
        en: 'Hello {{customer.first_name|there}},\nyour parcel (ticket {{ticket.number}}, tracking {{ask:numero_suivi}}) is on its way.',
      },
    },
    false,
    new Date(),
  );
}, 60_000);

afterAll(async () => {
  await setup?.close();
});

async function ticketIn(language: 'fr' | 'en', subject: string): Promise<number> {
  const { ticketId } = await ingestTicket(app, { subject, from: 'Jean Client <jean@customer.example>' });
  await db.query('UPDATE support_ticket SET language = ? WHERE ticket_id = ?', [language, ticketId]);
  return ticketId;
}

describe('/ticket reply N tpl:KEY', () => {
  for (const language of ['fr', 'en'] as const) {
    it(`previews, then sends the ${language} body with every variable filled and applies the actions`, async () => {
      const ticketId = await ticketIn(language, `Colis ${language}`);
      const before = smtp.received.length;
      const blocked = await app.commands.run(marie, `/ticket reply ${ticketId} tpl:retard-livraison send`);
      expect(blocked.ok).toBe(false);
      expect(blocked.text).toContain('{{ask:numero_suivi}}');
      const preview = await app.commands.run(
        marie,
        `/ticket reply ${ticketId} tpl:retard-livraison numero_suivi=XY123`,
      );
      expect(preview).toMatchObject({ ok: true, ephemeral: true });
      expect(preview.text).toContain('retard-livraison@1');
      expect(preview.text).toContain('XY123');
      expect(smtp.received.length).toBe(before);
      const sent = await app.commands.run(
        marie,
        `/ticket reply ${ticketId} tpl:retard-livraison numero_suivi=XY123 send`,
      );
      expect(sent).toMatchObject({ ok: true, ephemeral: false });
      expect(sent.text).toContain('retard-livraison@1');
      const [mail] = (await smtp.waitFor(before + 1)).slice(before);
      expect(mail!.envelopeTo).toEqual(['jean@customer.example']);
      if (language === 'fr')
        expect(mail!.parsed.text).toContain(
          `Bonjour Jean,\nvotre colis (ticket ${ticketId}, suivi XY123) arrive. Ticket ${ticketId}.`,
        );
      else
        expect(mail!.parsed.text).toContain(
          `Hello Jean,\nyour parcel (ticket ${ticketId}, tracking XY123) is on its way.`,
        );
      const [row] = await db.query<{ status: string; priority: string }>(
        'SELECT status, priority FROM support_ticket WHERE ticket_id = ?',
        [ticketId],
      );
      expect(row).toEqual({ status: 'closed', priority: 'low' });
      const events = await db.query<{ type: string; details: unknown }>(
        "SELECT type, details FROM support_event WHERE ticket_id = ? AND type IN ('replied', 'template_actions') ORDER BY id",
        [ticketId],
      );
      expect(events.map((e) => e.type)).toEqual(['replied', 'template_actions']);
      expect(JSON.stringify(events[0]!.details)).toContain('retard-livraison@1');
      const view = await app.commands.run(marie, `/ticket view ${ticketId}`);
      expect(view.text).toContain('Reply from template retard-livraison@1');
      expect(view.text).toContain('Template retard-livraison@1 applied: priority low, closed');
    });
  }

  it('names the closest keys for an unknown one, and sends nothing', async () => {
    const ticketId = await ticketIn('fr', 'Faute de frappe');
    const reply = await app.commands.run(marie, `/ticket reply ${ticketId} tpl:retard-livrason send`);
    expect(reply).toMatchObject({
      ok: false,
      text: 'Aucun modèle « retard-livrason ». Vouliez-vous dire : retard-livraison ?',
    });
  });
});

describe('npx ticketrelay templates check|import|export', () => {
  it('names file:line, template and language of each problem, imports the good ones, versions a change', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tpl-'));
    try {
      const env = {
        DATABASE_URL: db.url,
        REDIS_URL: LOCAL_ENDPOINTS.redisUrl,
        DATA_DIR: path.join(dir, 'data'),
        QUEUE_PREFIX: 'test-tpl',
      };
      const file = path.join(dir, 'templates.json');
      const good = { key: 'merci', title: 'Merci', bodies: { fr: 'Merci {{customer.first_name|}} !', en: 'Thanks!' } };
      await writeFile(
        file,
        JSON.stringify([good, { key: 'casse', bodies: { fr: 'Bonjour {{ticket.number}', en: 'Hi' } }], null, 2),
      );
      const check = await runTicketrelay(['templates', 'check', file], env, '');
      expect(check.code).toBe(1);
      expect(check.stdout + check.stderr).toContain(`${file}:13: template "casse" (fr): unbalanced "{{" or "}}"`);
      const imported = await runTicketrelay(['templates', 'import', file], env, '');
      expect(imported.code).toBe(1);
      expect(imported.stdout + imported.stderr).toContain('merci@1: added.');
      expect(await store.latest('casse')).toBeNull();
      await writeFile(file, JSON.stringify([{ ...good, bodies: { ...good.bodies, en: 'Thank you!' } }], null, 2));
      const refused = await runTicketrelay(['templates', 'import', file], env, '');
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain(
        'already exists (version 1) and differs; not imported (use --replace',
      );
      expect((await runTicketrelay(['templates', 'import', file, '--replace'], env, '')).code).toBe(0);
      expect(await store.latest('merci')).toMatchObject({ version: 2, bodies: { en: 'Thank you!' } });
      const out = path.join(dir, 'out.json');
      expect((await runTicketrelay(['templates', 'export', out], env, '')).code).toBe(0);
      expect(
        JSON.parse(await readFile(out, 'utf8')).templates.map(
          (t: { key: string; version: number }) => `${t.key}@${t.version}`,
        ),
      ).toEqual(['merci@2', 'retard-livraison@1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
