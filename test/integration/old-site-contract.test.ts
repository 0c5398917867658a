/**
 * The old site's support pages (ak125/nestjs-remix-monorepo: routes support.tsx, tickets._index.tsx,
 * tickets.$ticketId.tsx, contact.tsx and services/api/contact.api.ts) against our real HTTP server on
 * MariaDB. For each page: the requests its loader or action sends, the fields it reads in the answer and
 * the values it compares, written down here in our own words. The legacy rows are shaped as the old
 * backend wrote them (its pretty-printed metadata block, French words, a PHP-era date, a staff reply, a
 * review that must stay out). What the pages must never show: undefined, NaN, Invalid Date or TEMP-.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFrontEnd, type HttpFrontEnd } from '../../src/roles/http.ts';
import { createLogger } from '../../adapters/logging/pino-logger.ts';
import { MysqlTriageStore } from '../../adapters/mysql/mysql-triage-store.ts';
import { parseLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import { TriageClassifier } from '../../src/domain/triage/classifier.ts';
import { DEFAULT_RULES } from '../../src/domain/triage/default-rules.ts';
import { trainModel, type TrainingExample } from '../../src/domain/triage/model.ts';
import { parseTriageRules } from '../../src/domain/triage/rules.ts';
import type { ChatNotifier, TicketNotice } from '../../src/ports/chat-notifier.ts';
import { TriageService } from '../../src/services/triage-ticket.ts';
import { createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.ts';

/**
 * The operator's token (issue 9's credentials): sent on every call, as the old frontend's server does
 * through its proxy or API_BASE_URL; ignored by a server that requires none.
 */
const TOKEN = `old-site-${randomBytes(16).toString('hex')}`;

type Json = Record<string, unknown>;
const ex = (id: string, subject: string, body: string, category: string, priority: string): TrainingExample => ({
  id,
  subject,
  body,
  labels: { category, priority },
});
interface Answer {
  status: number;
  json: Json;
}

async function call(base: string, method: string, route: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

/** The old backend's web-form row: the text, then its block pretty-printed (JSON.stringify(…, null, 2)). */
function oldBackendContent(text: string, metadata: Json): string {
  return `${text}\n\n--- MÉTADONNÉES ---\n${JSON.stringify(metadata, null, 2)}`;
}

/** What the pages' formatDate prints: toLocaleDateString('fr-FR', …) of new Date(msg_date). */
function pageDate(value: unknown): string {
  return new Date(String(value)).toLocaleDateString('fr-FR', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * One ticket as a list row or the ticket page reads it: every string the page prints or compares is a
 * real value (the text before the metadata block, an id, a parseable date, the flags '1'/'0').
 */
function expectRenderable(ticket: Json): void {
  expect(ticket['msg_id']).toMatch(/^\d+$/);
  expect(typeof ticket['msg_subject']).toBe('string');
  expect(String(ticket['msg_subject']).length).toBeGreaterThan(0);
  expect(typeof ticket['msg_content']).toBe('string');
  expect(String(ticket['msg_content'])).not.toContain('MÉTADONNÉES');
  expect(pageDate(ticket['msg_date'])).not.toBe('Invalid Date');
  expect(ticket['msg_cst_id']).toMatch(/^\d+$/);
  expect([
    ['1', '0'],
    ['0', '1'],
  ]).toContainEqual([ticket['msg_open'], ticket['msg_close']]);
  expect(['urgent', 'high', 'normal', 'low']).toContain(ticket['priority']);
  // The keys of the ticket page's getCategoryLabel.
  expect(['general', 'technical', 'billing', 'complaint', 'suggestion']).toContain(ticket['category']);
  const customer = ticket['customer'] as Json | null;
  if (customer) for (const key of ['cst_name', 'cst_fname', 'cst_mail']) expect(typeof customer[key]).toBe('string');
  // What a row prints: nothing reads "undefined" or "NaN".
  const row = `#${String(ticket['msg_id'])} ${String(ticket['msg_subject'])} ${String(ticket['msg_content']).substring(0, 100)}... Client #${String(ticket['msg_cst_id'])}`;
  expect(row).not.toMatch(/undefined|NaN/);
}

let db: TestDatabase;
let app: TestApp;
let front: HttpFrontEnd;
let base: string;
const api = (method: string, route: string, body?: unknown) => call(base, method, route, body);
/** The old backend's rows: A an open web ticket, R its staff reply, B a closed one, C a PHP-era one in French words, V a review. */
const ids = { a: 0, r: 0, b: 0, c: 0, v: 0 };
const insertMsg = async (row: Json): Promise<number> => {
  const keys = Object.keys(row);
  const result = (await db.query(
    `INSERT INTO ___xtr_msg (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
    Object.values(row),
  )) as unknown as { insertId: number };
  return result.insertId;
};

beforeAll(async () => {
  db = await createTestDatabase('oldsite');
  app = await createTestApp(db, {
    ACK_ENABLED: 'false',
    API_TOKENS: `oldsite:read+write:${TOKEN}`,
    FORM_RATE_PER_IP: '1000/min',
    FORM_RATE_TOTAL: '10000/hour',
  });
  front = await startHttpFrontEnd(app, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
  base = front.server.url;
  await db.query(
    "INSERT INTO ___xtr_customer (cst_id, cst_mail, cst_name, cst_fname, cst_gsm, cst_activ) VALUES (80001, 'jean.dupont@example.fr', 'Dupont', 'Jean', '06 12 34 56 78', '1'), (80002, 'claire.martin@example.fr', 'Martin', 'Claire', NULL, '1')",
  );
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
  ids.a = await insertMsg({
    msg_cst_id: '80001',
    msg_ord_id: 'CMD-2025-00042',
    msg_date: twoHoursAgo,
    msg_subject: 'Double débit sur ma carte bancaire',
    msg_content: oldBackendContent("Bonjour, j'ai été débité deux fois pour la commande CMD-2025-00042.", {
      priority: 'urgent',
      category: 'billing',
      vehicle_info: { brand: 'Renault', model: 'Clio', year: 2017 },
      created_at: twoHoursAgo,
    }),
    msg_open: '1',
    msg_close: '0',
  });
  // The old backend's addResponse: a staff reply is a row of its own, flagged open like any row it wrote.
  ids.r = await insertMsg({
    msg_cst_id: '80001',
    msg_cnfa_id: 'STAFF',
    msg_date: new Date(Date.now() - 3_600_000).toISOString(),
    msg_subject: 'Re: Double débit sur ma carte bancaire',
    msg_content: 'Bonjour, le second débit sera remboursé sous 3 jours.',
    msg_parent_id: String(ids.a),
    msg_open: '1',
    msg_close: '0',
  });
  ids.b = await insertMsg({
    msg_cst_id: '80002',
    msg_date: '2026-11-20T10:00:00.000Z',
    msg_subject: 'Retard de livraison',
    msg_content: oldBackendContent('Ma commande n’est toujours pas arrivée.', {
      priority: 'low',
      category: 'order',
      created_at: '2026-11-20T10:00:00.000Z',
    }),
    msg_open: '0',
    msg_close: '1',
  });
  ids.c = await insertMsg({
    msg_cst_id: '80002',
    msg_date: '2026-12-5 09:07:03',
    msg_subject: 'Pièce reçue cassée',
    msg_content: oldBackendContent('Le disque de frein reçu est fendu.', {
      priority: 'haute',
      category: 'réclamation',
      created_at: '2026-12-5 09:07:03',
    }),
    msg_open: '1',
    msg_close: '0',
  });
  ids.v = await insertMsg({
    msg_cst_id: '80002',
    msg_date: '2026-12-5 10:00:00',
    msg_subject: 'Avis client',
    msg_content: '{"type":"review","rating":5,"text":"Super produit, livraison rapide"}',
    msg_open: '1',
    msg_close: '0',
  });
});

afterAll(async () => {
  await front?.close();
  await app?.close();
  await db?.drop();
});

describe('/support and /tickets (support.tsx, tickets._index.tsx): the counters and the lists', () => {
  it('getContactStats: the four counters the tiles print, over tickets only; the resolution rate is a number', async () => {
    const r = await api('GET', '/api/support/contact/stats');
    expect(r.status).toBe(200);
    // A, B and C: not the staff reply, not the review.
    expect(r.json).toMatchObject({ total_tickets: 3, open_tickets: 2, closed_tickets: 1, tickets_last_24h: 1 });
    // Ours stay beside them.
    expect(r.json).toMatchObject({ total: 3, open: 2, closed: 1 });
    const rate = Math.round((Number(r.json['closed_tickets']) / Number(r.json['total_tickets'])) * 100);
    expect(rate).toBe(33);
  });

  it('getAllTickets({limit: 5}) and ({limit: 10, status: open}): rows with msg_* fields, the urgent/high filter finds A and C', async () => {
    const recent = await api('GET', '/api/support/contact/tickets?page=1&limit=5');
    expect(recent.status).toBe(200);
    const rows = recent.json['tickets'] as Json[];
    expect(rows.map((t) => t['msg_id'])).toEqual([String(ids.a), String(ids.c), String(ids.b)]);
    rows.forEach(expectRenderable);
    const a = rows[0]!;
    expect(a).toMatchObject({
      msg_subject: 'Double débit sur ma carte bancaire',
      msg_cst_id: '80001',
      msg_ord_id: 'CMD-2025-00042',
      msg_open: '1',
      msg_close: '0',
      priority: 'urgent',
      category: 'billing',
      customer: {
        cst_name: 'Dupont',
        cst_fname: 'Jean',
        cst_mail: 'jean.dupont@example.fr',
        cst_phone: '06 12 34 56 78',
      },
    });
    // Our own fields stay, as the API's other users read them.
    expect(a).toMatchObject({
      ticketId: ids.a,
      subject: 'Double débit sur ma carte bancaire',
      customerEmail: 'jean.dupont@example.fr',
      status: 'open',
      messageCount: 1,
    });
    expect(a).not.toHaveProperty('legacy');
    expect(String(a['msg_content']).substring(0, 60)).toBe(
      "Bonjour, j'ai été débité deux fois pour la commande CMD-2025",
    );
    // The closed one reads "Fermé", the others "Ouvert".
    expect(rows.map((t) => (t['msg_open'] === '1' ? 'Ouvert' : 'Fermé'))).toEqual(['Ouvert', 'Ouvert', 'Fermé']);
    // PHP-era date read as the shop's time (Paris, UTC+1 in December); French words of its block understood.
    expect(rows[1]).toMatchObject({ msg_date: '2026-12-05T08:07:03.000Z', priority: 'high', category: 'complaint' });
    expect(recent.json).toMatchObject({ total: 3, page: 1, limit: 5 });

    const open = await api('GET', '/api/support/contact/tickets?page=1&limit=10&status=open');
    const urgent = (open.json['tickets'] as Json[]).filter(
      (t) => t['priority'] === 'urgent' || t['priority'] === 'high',
    );
    expect(urgent.map((t) => t['msg_id'])).toEqual([String(ids.a), String(ids.c)]);
  });

  it('tickets._index pagination: total/page/limit give its "Affichage de 1 à 2 sur 3 tickets"', async () => {
    const r = await api('GET', '/api/support/contact/tickets?page=1&limit=2');
    const { total, page, limit } = r.json as { total: number; page: number; limit: number };
    expect(`Affichage de ${(page - 1) * limit + 1} à ${Math.min(page * limit, total)} sur ${total} tickets`).toBe(
      'Affichage de 1 à 2 sur 3 tickets',
    );
    expect(Math.ceil(total / limit)).toBe(2);
  });
});

describe('/tickets/:id (tickets.$ticketId.tsx): the ticket and its status button', () => {
  it('getTicket: the fields the page prints, from a row the old backend wrote', async () => {
    const r = await api('GET', `/api/support/contact/ticket/${ids.a}`);
    expect(r.status).toBe(200);
    expectRenderable(r.json);
    expect(`Ticket #${String(r.json['msg_id'])} - Support Client`).toBe(`Ticket #${ids.a} - Support Client`);
    expect(r.json).toMatchObject({
      msg_content: "Bonjour, j'ai été débité deux fois pour la commande CMD-2025-00042.",
      msg_cst_id: '80001',
      msg_ord_id: 'CMD-2025-00042',
      msg_cnfa_id: null,
      customer: {
        cst_name: 'Dupont',
        cst_fname: 'Jean',
        cst_mail: 'jean.dupont@example.fr',
        cst_phone: '06 12 34 56 78',
      },
    });
    // Ours beside: the staff reply is in the thread, never a ticket of its own.
    expect((r.json['messages'] as Json[]).map((m) => [m['id'], m['fromStaff']])).toEqual([[ids.r, true]]);
  });

  it('the staff reply and the review are not tickets: 404, which the page shows as "Ticket non trouvé"', async () => {
    expect((await api('GET', `/api/support/contact/ticket/${ids.r}`)).status).toBe(404);
    expect((await api('GET', `/api/support/contact/ticket/${ids.v}`)).status).toBe(404);
  });

  it('the button closes an open ticket: the value the page computes from msg_open, then its PATCH; PUT reopens', async () => {
    const before = await api('GET', `/api/support/contact/ticket/${ids.c}`);
    const isOpen = before.json['msg_open'] === '1';
    expect(isOpen).toBe(true);
    const value = isOpen ? 'closed' : 'open';
    expect(value).toBe('closed');
    const patched = await api('PATCH', `/api/support/contact/ticket/${ids.c}/status`, { status: value });
    expect(patched.status).toBe(200);
    const after = await api('GET', `/api/support/contact/ticket/${ids.c}`);
    expect([after.json['msg_open'], after.json['msg_close']]).toEqual(['0', '1']);
    const [legacy] = await db.query<{ msg_open: string; msg_close: string }>(
      'SELECT msg_open, msg_close FROM ___xtr_msg WHERE msg_id = ?',
      [ids.c],
    );
    expect(legacy).toEqual({ msg_open: '0', msg_close: '1' });
    // Now the page shows "Fermé" and its button sends "open" (the old backend's PUT route too).
    const reopened = await api('PUT', `/api/support/contact/ticket/${ids.c}/status`, {
      status: after.json['msg_open'] === '1' ? 'closed' : 'open',
    });
    expect(reopened.status).toBe(200);
    expect((await api('GET', `/api/support/contact/ticket/${ids.c}`)).json['msg_open']).toBe('1');
  });
});

describe('/contact (contact.tsx and contact.api.ts): the form, as the pages send it', () => {
  let f1 = 0;
  let f2 = 0;

  it("contact.tsx's payload: 201, ticket.msg_id is the number (no TEMP-), its choices, order number and vehicle kept", async () => {
    const r = await api('POST', '/api/support/contact', {
      name: 'Jean Dupont',
      email: 'jean.dupont@example.fr',
      phone: '06 98 76 54 32',
      subject: 'Plaquettes de frein introuvables',
      message: 'Bonjour, je ne trouve pas les plaquettes avant pour ma voiture, une 308 de 2019.',
      category: 'product',
      priority: 'urgent',
      customerId: '80001',
      orderNumber: '#12345',
      vehicleInfo: { brand: 'Peugeot', model: '308', year: 2019, licensePlate: 'AB-123-CD' },
      ipAddress: '203.0.113.9',
      userAgent: 'Mozilla/5.0',
    });
    expect(r.status).toBe(201);
    const ticket = r.json['ticket'] as Json;
    f1 = Number(r.json['ticketId']);
    // contact.tsx: ticketNumber = result.ticket?.msg_id || `TEMP-${Date.now()}`.
    const ticketNumber = (ticket?.['msg_id'] as string | undefined) || `TEMP-${Date.now()}`;
    expect(ticketNumber).toBe(String(f1));
    expect(r.json['msg_id']).toBe(String(f1));
    expectRenderable(ticket);
    expect(ticket).toMatchObject({
      msg_open: '1',
      msg_cst_id: '80001',
      msg_ord_id: '#12345',
      priority: 'urgent',
      category: 'technical',
    });

    const [legacy] = await db.query<{ msg_cst_id: string; msg_ord_id: string; msg_content: string }>(
      'SELECT msg_cst_id, msg_ord_id, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [f1],
    );
    expect(legacy?.msg_cst_id).toBe('80001');
    expect(legacy?.msg_ord_id).toBe('#12345');
    const block = parseLegacyContent(legacy!.msg_content).metadata;
    expect(block).toMatchObject({
      priority: 'urgent',
      category: 'technical',
      form_category: 'product',
      vehicle_info: { brand: 'Peugeot', model: '308', year: 2019, licensePlate: 'AB-123-CD' },
      chosen_by_customer: ['priority', 'category'],
    });
    // The caller's address and browser are not stored.
    expect(legacy!.msg_content).not.toContain('203.0.113.9');
    const [ours] = await db.query<{ customer_priority: string; customer_category: string; order_number: string }>(
      'SELECT customer_priority, customer_category, order_number FROM support_ticket WHERE ticket_id = ?',
      [f1],
    );
    expect(ours).toEqual({ customer_priority: 'urgent', customer_category: 'technical', order_number: '#12345' });
  });

  it("triage keeps the customer's choice and proposes its own beside it", async () => {
    // A small model taught that such texts are low-priority suggestions: its decision differs from the
    // customer's on both counts (the real one takes minutes to train on two shared cores).
    const model = trainModel(
      [
        ex(
          '1',
          'Plaquettes de frein',
          'Bonjour, je ne trouve pas les plaquettes pour ma voiture.',
          'suggestion',
          'low',
        ),
        ex(
          '2',
          'Frein avant',
          'Ce serait bien de trouver les plaquettes avant plus facilement sur le site.',
          'suggestion',
          'low',
        ),
        ex('3', 'Facture', 'Bonjour, je n’ai pas reçu la facture de ma commande.', 'billing', 'normal'),
        ex(
          '4',
          'Colis abîmé, inadmissible',
          'C’est inadmissible, le colis est arrivé abîmé. Je suis très mécontent.',
          'complaint',
          'high',
        ),
        ex(
          '5',
          'Où est ma commande',
          'Bonjour, ma commande n’est pas encore arrivée, pouvez-vous me donner le suivi ?',
          'general',
          'normal',
        ),
        ex('6', 'Compatibilité', 'Ce disque est-il compatible avec ma Clio de 2016 ?', 'technical', 'normal'),
      ],
      { minDocs: 1 },
    );
    const classifier = new TriageClassifier(model, parseTriageRules(DEFAULT_RULES), { vipCustomers: [] });
    const notices: TicketNotice[] = [];
    const notifier: ChatNotifier = { notify: async (notice: TicketNotice) => void notices.push(notice) };
    const service = new TriageService({
      store: new MysqlTriageStore(db.database),
      classifier,
      notifiers: [notifier],
      logger: createLogger({ level: 'silent' }),
    });
    const outcome = await service.triage(f1);
    expect(outcome).toMatchObject({ outcome: 'triaged', priority: 'urgent', category: 'technical' });
    const [legacy] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      f1,
    ]);
    const block = parseLegacyContent(legacy!.msg_content).metadata!;
    expect(block).toMatchObject({ priority: 'urgent', category: 'technical', triaged: true, form_category: 'product' });
    const [ours] = await db.query<{ priority: string; category: string }>(
      'SELECT priority, category FROM support_ticket WHERE ticket_id = ?',
      [f1],
    );
    expect(ours).toEqual({ priority: 'urgent', category: 'technical' });
    const [event] = await db.query<{ details: string | Json }>(
      "SELECT details FROM support_event WHERE ticket_id = ? AND type = 'triaged'",
      [f1],
    );
    const details = (typeof event?.details === 'string' ? JSON.parse(event.details) : event?.details) as Json;
    // What triage itself decided is kept as a proposal (in the block and the audit trail).
    const proposal = block['triage_proposal'] as Json;
    expect(proposal).toBeDefined();
    expect(proposal).not.toEqual({ priority: 'urgent', category: 'technical' });
    expect(details).toMatchObject({
      keptCustomerChoice: true,
      proposed: proposal,
      priority: 'urgent',
      category: 'technical',
    });
    expect((await api('GET', `/api/support/contact/ticket/${f1}`)).json).toMatchObject({
      priority: 'urgent',
      category: 'technical',
    });
  });

  it("contact.api.ts's snake_case payload: order_number and vehicle_info kept; a customer_id that is not the sender's is not taken", async () => {
    const r = await api('POST', '/api/support/contact', {
      name: 'Marie Curie',
      email: 'marie.curie@example.fr',
      subject: 'Facture en double',
      message: 'Bonjour, ma facture de novembre apparaît deux fois dans mon compte client.',
      priority: 'low',
      category: 'billing',
      order_number: 'CMD/2025/77',
      customer_id: '80001',
      vehicle_info: { brand: 'Renault', model: 'Clio' },
      metadata: { ip_address: null, user_agent: null, created_via: 'web_form', form_version: '2.0' },
    });
    expect(r.status).toBe(201);
    f2 = Number(r.json['ticketId']);
    // @def3a7557 returns the answer as the ticket (msg_id); @12e5c733b reads result.ticket.*.
    expect(r.json['msg_id']).toBe(String(f2));
    const ticket = r.json['ticket'] as Json;
    expect(ticket['msg_id']).toBe(String(f2));
    expect(ticket['msg_subject']).toBe('Facture en double');
    expect(pageDate(ticket['msg_date'])).not.toBe('Invalid Date');
    expect(ticket['msg_open'] === '1' ? 'open' : 'closed').toBe('open');
    const [legacy] = await db.query<{ msg_cst_id: string; msg_ord_id: string; msg_content: string }>(
      'SELECT msg_cst_id, msg_ord_id, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [f2],
    );
    expect(legacy?.msg_cst_id).not.toBe('80001');
    expect(legacy?.msg_ord_id).toBe('CMD/2025/77');
    const [customer] = await db.query<{ cst_mail: string }>('SELECT cst_mail FROM ___xtr_customer WHERE cst_id = ?', [
      Number(legacy?.msg_cst_id),
    ]);
    expect(customer?.cst_mail).toBe('marie.curie@example.fr');
    expect(parseLegacyContent(legacy!.msg_content).metadata).toMatchObject({
      priority: 'low',
      category: 'billing',
      vehicle_info: { brand: 'Renault', model: 'Clio' },
      customer_id_not_taken: '80001',
    });
  });

  it('takes what the old backend took: free-text order numbers, a long subject and message, a phone with an extension or as a number', async () => {
    const cases: Json[] = [
      {
        orderNumber: 'CMD 2025 77',
        subject: `Question sur ma commande ${'très '.repeat(60)}`.trim(),
        message: `Bonjour, ${'voici le détail de ma demande. '.repeat(450)}`,
      },
      { orderNumber: '#12345', phone: '+33 (0) 6 12 34 56 78 poste 12' },
      { phone: 612345678, email: 'a@b.c' },
    ];
    for (const [i, extra] of cases.entries()) {
      const r = await api('POST', '/api/support/contact', {
        name: 'Paul Durand',
        email: `paul.durand${i}@example.fr`,
        subject: `Commande en attente ${i}`,
        message: 'Bonjour, ma commande est en attente depuis dix jours.',
        category: 'order',
        priority: 'normal',
        ...extra,
      });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      if (i === 0) {
        // The long subject and message land whole.
        const [row] = await db.query<{ msg_subject: string; msg_content: string }>(
          'SELECT msg_subject, msg_content FROM ___xtr_msg WHERE msg_id = ?',
          [Number(r.json['ticketId'])],
        );
        expect(row?.msg_subject).toBe(extra['subject']);
        expect(parseLegacyContent(row!.msg_content).text).toContain(String(extra['message']).trim());
      }
    }
  });

  it('a refused form: 400, its message in French naming each problem (what the page shows), fields named, nothing stored', async () => {
    const [before] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ___xtr_msg');
    const r = await api('POST', '/api/support/contact', {
      name: 'Jean Dupont',
      email: 'jean.dupont@exemple',
      subject: 'Aide',
      message: "Bonjour, ma commande n'est pas arrivée, pouvez-vous vérifier ?",
      category: 'order',
      priority: 'normal',
      vehicleInfo: {},
    });
    expect(r.status).toBe(400);
    expect(r.json['message']).toBe(
      'Email invalide : écrivez-le sous la forme nom@exemple.fr. Le sujet doit contenir au moins 5 caractères.',
    );
    expect(r.json['fields']).toEqual({
      email: 'Email invalide : écrivez-le sous la forme nom@exemple.fr.',
      subject: 'Le sujet doit contenir au moins 5 caractères.',
    });
    const [after] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ___xtr_msg');
    expect(after?.n).toBe(before?.n);
  });

  it("a customer_id that is the sender's own is taken, even when a duplicate customer with a lower id has the same address", async () => {
    await db.query(
      "INSERT INTO ___xtr_customer (cst_id, cst_mail, cst_name, cst_fname, cst_activ) VALUES (80009, ' Claire.Martin@example.fr', 'Martin', 'Claire', '1')",
    );
    const r = await api('POST', '/api/support/contact', {
      name: 'Claire Martin',
      email: 'claire.martin@example.fr',
      subject: 'Changement d’adresse de livraison',
      message: 'Bonjour, je voudrais faire livrer ma commande à mon bureau.',
      category: 'order',
      priority: 'normal',
      customerId: '80009',
    });
    expect(r.status).toBe(201);
    expect((r.json['ticket'] as Json)['msg_cst_id']).toBe('80009');
  });
});

describe('/tickets?keyword= (searchTickets): GET /api/support/contact/search', () => {
  const search = async (query: string) => {
    const r = await api('GET', `/api/support/contact/search?page=1&limit=10&${query}`);
    expect(r.status).toBe(200);
    (r.json['tickets'] as Json[]).forEach(expectRenderable);
    return {
      ids: (r.json['tickets'] as Json[]).map((t) => Number(t['msg_id'])),
      total: r.json['total'],
      page: r.json['page'],
      limit: r.json['limit'],
    };
  };

  it('finds tickets by a word of the subject, a word only in the text, the number; never the review', async () => {
    expect(await search('keyword=plaquettes')).toMatchObject({ total: 1, page: 1, limit: 10 });
    const subject = await search('keyword=d%C3%A9bit');
    expect(subject.ids).toContain(ids.a);
    const [f1] = await db.query<{ ticket_id: number }>(
      "SELECT ticket_id FROM support_ticket WHERE subject = 'Plaquettes de frein introuvables'",
    );
    // "2019" is only in the text of the web ticket, never in its subject.
    expect((await search('keyword=2019')).ids).toEqual([f1!.ticket_id]);
    // And in the text of a ticket the old site wrote ("fendu" is not in its subject).
    expect((await search('keyword=fendu')).ids).toEqual([ids.c]);
    expect((await search(`keyword=%23${ids.b}`)).ids).toEqual([ids.b]);
    expect(await search('keyword=Avis')).toMatchObject({ ids: [], total: 0 });
    expect(await search('keyword=livraison%20rapide')).toMatchObject({ ids: [], total: 0 });
  });

  it('filters as the old backend did: customer_id, priority, category, date_from and date_to', async () => {
    const [f1] = await db.query<{ ticket_id: number }>(
      "SELECT ticket_id FROM support_ticket WHERE subject = 'Plaquettes de frein introuvables'",
    );
    expect((await search('customer_id=80001')).ids.sort()).toEqual([ids.a, f1!.ticket_id].sort());
    expect((await search('priority=urgent')).ids.sort()).toEqual([ids.a, f1!.ticket_id].sort());
    expect((await search('category=billing&priority=urgent')).ids).toEqual([ids.a]);
    expect((await search('date_from=2026-12-05&date_to=2026-12-05')).ids).toEqual([ids.c]);
    expect((await search('date_to=2026-11-30')).ids).toEqual([ids.b]);
    const bad = await api('GET', '/api/support/contact/search?priority=soon&date_from=yesterday');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json['fields'] as Json).sort()).toEqual(['date_from', 'priority']);
  });
});

describe("the newer site's leads columns (msg_crm_*)", () => {
  let crmDb: TestDatabase;
  let crmApp: TestApp;
  let crmFront: HttpFrontEnd;

  beforeAll(async () => {
    crmDb = await createTestDatabase('oldsite_crm');
    // This test database plays the shop after the newer site's migration: its ___xtr_msg has the leads
    // columns (made here by the test, from our copy of the DDL; ticketrelay itself never creates them).
    const ddl = await readFile(path.resolve(import.meta.dirname, '../../adapters/mysql/legacy-ddl.sql'), 'utf8');
    const msgTable = /CREATE TABLE `___xtr_msg`[\s\S]*?;/
      .exec(ddl.replace(/--[^\n]*/g, ''))![0]
      .replace(
        '  PRIMARY KEY (`msg_id`),',
        '  `msg_crm_status` VARCHAR(16) NULL,\n  `msg_crm_source_page` TEXT NULL,\n  `msg_crm_vehicle_info` TEXT NULL,\n  `msg_crm_part_requested` TEXT NULL,\n  `msg_crm_next_follow_up_at` DATETIME NULL,\n  `msg_crm_internal_note` TEXT NULL,\n  `msg_crm_updated_at` DATETIME NULL,\n  PRIMARY KEY (`msg_id`),',
      );
    await crmDb.query('DROP TABLE ___xtr_msg');
    await crmDb.query(msgTable);
    crmApp = await createTestApp(crmDb, {
      ACK_ENABLED: 'false',
      API_TOKENS: `oldsite:read+write:${TOKEN}`,
      FORM_RATE_PER_IP: '1000/min',
      FORM_RATE_TOTAL: '10000/hour',
    });
    crmFront = await startHttpFrontEnd(crmApp, { port: 0, host: '127.0.0.1', dbMetricsCacheMs: 0 });
  });

  afterAll(async () => {
    await crmFront?.close();
    await crmApp?.close();
    await crmDb?.drop();
  });

  it('a web ticket is a new lead, with the page it came from and the vehicle, as the newer backend set them', async () => {
    const r = await call(crmFront.server.url, 'POST', '/api/support/contact', {
      name: 'Luc Besson',
      email: 'luc.besson@example.fr',
      subject: 'Devis pour un kit de distribution',
      message: 'Bonjour, pouvez-vous me faire un devis pour un kit de distribution complet ?',
      category: 'commercial',
      priority: 'normal',
      source_page: 'https://www.automecanik.com/pieces/kit-distribution',
      vehicleInfo: { brand: 'Peugeot', model: '308', year: 2019, licensePlate: 'AB-123-CD' },
    });
    expect(r.status).toBe(201);
    const [row] = await crmDb.query<Json>(
      'SELECT msg_crm_status, msg_crm_source_page, msg_crm_vehicle_info, msg_crm_updated_at IS NOT NULL AS touched, msg_crm_part_requested FROM ___xtr_msg WHERE msg_id = ?',
      [Number(r.json['ticketId'])],
    );
    expect(row).toEqual({
      msg_crm_status: 'new',
      msg_crm_source_page: 'https://www.automecanik.com/pieces/kit-distribution',
      msg_crm_vehicle_info: 'Peugeot 308 2019 (AB-123-CD)',
      touched: 1,
      msg_crm_part_requested: null,
    });
  });

  it('where the table has no such columns, a web ticket is stored all the same (and none is created)', async () => {
    const [ticket] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM support_ticket WHERE source = 'web'");
    expect(Number(ticket?.n)).toBeGreaterThan(0);
    const columns = await db.query(
      "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '___xtr_msg' AND COLUMN_NAME LIKE 'msg\\_crm\\_%'",
    );
    expect(columns).toEqual([]);
  });
});
