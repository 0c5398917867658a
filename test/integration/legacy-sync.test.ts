/**
 * The old site keeps working on the same tables: its web-form tickets are listed and counted by
 * ticketrelay without anyone typing their number, and what it does to a ticket (close, reopen, a new
 * priority in the metadata block) wins over our copy, for agents, intake and the old module's API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptNewLegacyTickets, syncLegacyTickets } from '../../adapters/mysql/legacy-sync.ts';
import type { Caller } from '../../src/domain/command.ts';
import { composeLegacyContent, parseLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import { eml } from './eml.ts';
import { createTestApp, createTestDatabase, ingestTicket, type TestApp, type TestDatabase } from './harness.ts';

let db: TestDatabase;
let app: TestApp;
const zoe: Caller = { platform: 'console', userId: 'zoe' };

beforeAll(async () => {
  db = await createTestDatabase('legacy_sync');
  app = await createTestApp(db, { ACK_ENABLED: 'false' });
  await app.agents.upsert({
    name: 'zoe',
    role: 'agent',
    staffId: 12,
    identities: [{ platform: 'console', kind: 'user', value: 'zoe' }],
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function customer(mail: string): Promise<number> {
  return (
    (await db.query("INSERT INTO ___xtr_customer (cst_mail, cst_fname, cst_activ) VALUES (?, 'Gérard', '1')", [
      mail,
    ])) as unknown as { insertId: number }
  ).insertId;
}

/** A ticket as the old web form writes it: legacy rows only, its own words in the block. */
async function webFormTicket(options: {
  mail: string;
  subject: string | null;
  date: string | null;
  block: Record<string, unknown>;
}): Promise<number> {
  const cst = await customer(options.mail);
  const content = `<p>Bonjour, le frein à main reste bloqué.</p>\n\n--- MÉTADONNÉES ---\n${JSON.stringify(options.block)}`;
  const row = (await db.query(
    "INSERT INTO ___xtr_msg (msg_cst_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close) VALUES (?, '0', ?, ?, ?, NULL, '1', '0')",
    [String(cst), options.date, options.subject, content],
  )) as unknown as { insertId: number };
  return row.insertId;
}

describe('the old site and ticketrelay on the same tables', () => {
  it("lists and counts the old site's web-form tickets without anyone naming their number, in its words", async () => {
    const before = await app.commands.run(zoe, '/ticket stats today');
    // Today in the shop's time zone (stats count days there): after 23:00 UTC it is already tomorrow in Paris.
    const [y, m, d] = new Intl.DateTimeFormat('en-CA', {
      timeZone: app.config.digest.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
      .format(new Date())
      .split('-')
      .map(Number);
    const phpDate = `${y}-${m}-${d} 0:05:00`;
    const urgent = await webFormTicket({
      mail: 'gerard@customer.example',
      subject: 'Frein à main bloqué',
      date: phpDate,
      block: { priority: 'urgente', category: 'technique', created_at: phpDate },
    });
    const refund = await webFormTicket({
      mail: 'claire@customer.example',
      subject: 'Remboursement',
      date: phpDate,
      block: { priority: 'haute', category: 'réclamation', created_at: phpDate },
    });

    const list = await app.commands.run(zoe, '/ticket list open urgent');
    expect(list.text).toContain(`#${urgent}`);
    expect(list.text).toContain('Frein à main bloqué');
    const words = await app.commands.run(zoe, '/ticket list Remboursement');
    expect(words.text).toContain(`#${refund}`);
    const [row] = await db.query<{ priority: string; category: string; source: string; customer_email: string }>(
      'SELECT priority, category, source, customer_email FROM support_ticket WHERE ticket_id = ?',
      [refund],
    );
    expect(row).toEqual({
      priority: 'high',
      category: 'complaint',
      source: 'legacy',
      customer_email: 'claire@customer.example',
    });
    // Counted as today's: two more than before.
    const newToday = (text: string) => Number(/(\d+) new/.exec(text)?.[1] ?? NaN);
    expect(newToday((await app.commands.run(zoe, '/ticket stats today')).text)).toBe(newToday(before.text) + 2);
  });

  it("lists the old site's unanswered tickets as waiting, not those its staff answered last, and gives a closed one no closing time", async () => {
    const waiting = await webFormTicket({
      mail: 'waits@customer.example',
      subject: 'Sans réponse',
      date: '2026-11-20 9:00:00',
      block: { priority: 'normal', category: 'general' },
    });
    const answered = await webFormTicket({
      mail: 'answered@customer.example',
      subject: 'Déjà répondu',
      date: '2026-11-20 9:05:00',
      block: { priority: 'normal', category: 'general' },
    });
    await db.query(
      "INSERT INTO ___xtr_msg (msg_cst_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close) VALUES ('1', '5', '2026-11-20 10:00:00', 'Re: Déjà répondu', 'Voici la réponse.', ?, '0', '0')",
      [String(answered)],
    );
    const closed = await webFormTicket({
      mail: 'closedthere@customer.example',
      subject: 'Réglé',
      date: '2026-11-20 9:10:00',
      block: { priority: 'normal', category: 'general' },
    });
    await db.query("UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1' WHERE msg_id = ?", [closed]);
    const list = await app.commands.run(zoe, '/ticket list waiting');
    expect(list.text).toContain(`#${waiting} `);
    expect(list.text).not.toContain(`#${answered} `);
    expect(await db.query('SELECT status, closed_at FROM support_ticket WHERE ticket_id = ?', [closed])).toEqual([
      { status: 'closed', closed_at: null },
    ]);
  });

  it('dates a web-form ticket that has no date by the row written before it, and names one without a subject', async () => {
    await webFormTicket({
      mail: 'dated@customer.example',
      subject: 'Avant',
      date: '2024-6-1 10:00:00',
      block: { priority: 'normal', category: 'general', created_at: '2024-6-1 10:00:00' },
    });
    const undated = await webFormTicket({
      mail: 'undated@customer.example',
      subject: null,
      date: null,
      block: { priority: 'normal', category: 'general' },
    });
    await adoptNewLegacyTickets(db.database.pool);
    const [row] = await db.query<{ created_at: Date }>('SELECT created_at FROM support_ticket WHERE ticket_id = ?', [
      undated,
    ]);
    expect(row!.created_at.toISOString()).toBe('2024-06-01T08:00:00.000Z'); // 10:00 in Paris, summer time
    const view = await app.commands.run(zoe, `/ticket view ${undated}`);
    expect(view.text.split('\n')[0]).toBe(`#${undated} (no subject)`);
  });

  it('takes in a ticket the old site closed: the agent sees it closed, and a customer reply reopens it in both tables', async () => {
    const { ticketId, messageId } = await ingestTicket(app, { from: 'reopen@customer.example', subject: 'Pare-brise' });
    await db.query("UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1' WHERE msg_id = ?", [ticketId]);
    const view = await app.commands.run(zoe, `/ticket view ${ticketId}`);
    expect(view.text).toMatch(/closed/);
    expect((await app.commands.run(zoe, `/ticket close ${ticketId}`)).text).toBe(
      `Ticket #${ticketId} is already closed; nothing changed.`,
    );
    const [event] = await db.query<{ type: string; actor: string }>(
      "SELECT type, actor FROM support_event WHERE ticket_id = ? AND actor = 'the old site'",
      [ticketId],
    );
    expect(event).toEqual({ type: 'closed', actor: 'the old site' });

    const reply = eml({
      from: 'reopen@customer.example',
      subject: 'Re: Pare-brise',
      inReplyTo: `<${messageId}>`,
      references: `<${messageId}>`,
      body: 'Toujours rien reçu.',
    });
    expect(await app.intake.ingest(reply.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    const [legacy] = await db.query<{ msg_open: string; msg_close: string }>(
      'SELECT msg_open, msg_close FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(legacy).toEqual({ msg_open: '1', msg_close: '0' });
    const [ours] = await db.query<{ status: string }>('SELECT status FROM support_ticket WHERE ticket_id = ?', [
      ticketId,
    ]);
    expect(ours?.status).toBe('open');
  });

  it("records the old site's closing before the customer's reply that reopens it, when nobody looked in between", async () => {
    const { ticketId, messageId } = await ingestTicket(app, { from: 'order@customer.example', subject: 'Phare' });
    await db.query("UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1' WHERE msg_id = ?", [ticketId]);
    const reply = eml({
      from: 'order@customer.example',
      subject: 'Re: Phare',
      inReplyTo: `<${messageId}>`,
      references: `<${messageId}>`,
      body: 'Il ne fonctionne toujours pas.',
    });
    expect(await app.intake.ingest(reply.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    const events = await db.query<{ type: string }>(
      "SELECT type FROM support_event WHERE ticket_id = ? AND type IN ('closed', 'customer_reply_reopened') ORDER BY created_at, id",
      [ticketId],
    );
    expect(events.map((e) => e.type)).toEqual(['closed', 'customer_reply_reopened']);
    const view = await app.commands.run(zoe, `/ticket view ${ticketId}`);
    expect(view.text.indexOf('the old site')).toBeLessThan(view.text.lastIndexOf('Reopened'));
  });

  it('keeps the priority the old site set when an agent corrects the category', async () => {
    const { ticketId } = await ingestTicket(app, { from: 'prio@customer.example', subject: 'Amortisseurs' });
    const [row] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      ticketId,
    ]);
    const parsed = parseLegacyContent(row!.msg_content);
    const edited = composeLegacyContent(parsed.text, {
      ...(parsed.metadata as { created_at: string }),
      priority: 'urgent',
      category: 'general',
    });
    await db.query('UPDATE ___xtr_msg SET msg_content = ? WHERE msg_id = ?', [edited, ticketId]);
    expect((await app.commands.run(zoe, `/ticket category ${ticketId} technical`)).ok).toBe(true);
    const [after] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      ticketId,
    ]);
    expect(parseLegacyContent(after!.msg_content).metadata).toMatchObject({
      priority: 'urgent',
      category: 'technical',
    });
    const [ours] = await db.query<{ priority: string; category: string }>(
      'SELECT priority, category FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    expect(ours).toEqual({ priority: 'urgent', category: 'technical' });
  });

  it('brings the lists in line in the background pass: closed there drops out of open, reopened there comes back', async () => {
    const { ticketId: closedThere } = await ingestTicket(app, { from: 'bg1@customer.example', subject: 'Batterie' });
    const { ticketId: reopenedThere } = await ingestTicket(app, {
      from: 'bg2@customer.example',
      subject: 'Essuie-glaces',
    });
    expect((await app.commands.run(zoe, `/ticket close ${reopenedThere}`)).ok).toBe(true);
    await db.query("UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1' WHERE msg_id = ?", [closedThere]);
    await db.query("UPDATE ___xtr_msg SET msg_open = '1', msg_close = '0' WHERE msg_id = ?", [reopenedThere]);
    const done = await syncLegacyTickets(db.database.pool);
    expect(done.reconciled).toBe(2);
    const open = await app.commands.run(zoe, '/ticket list open');
    expect(open.text).not.toContain(`#${closedThere} `);
    expect(open.text).toContain(`#${reopenedThere} `);
    expect((await syncLegacyTickets(db.database.pool)).reconciled).toBe(0); // nothing left to do: idempotent
  });

  it('says closed in a block the old site pretty-printed, when an agent closes the ticket', async () => {
    const ticketId = await webFormTicket({
      mail: 'pretty@customer.example',
      subject: 'Joint de culasse',
      date: '2026-11-3 9:00:00',
      block: { priority: 'normal', category: 'technical', created_at: '2026-11-3 9:00:00' },
    });
    const [row] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      ticketId,
    ]);
    const pretty = row!.msg_content.replace(
      /\{.*\}$/s,
      JSON.stringify({ ...parseLegacyContent(row!.msg_content).metadata, status: 'open' }, null, 4),
    );
    await db.query('UPDATE ___xtr_msg SET msg_content = ? WHERE msg_id = ?', [pretty, ticketId]);
    expect((await app.commands.run(zoe, `/ticket close ${ticketId}`)).ok).toBe(true);
    const [after] = await db.query<{ msg_content: string; msg_close: string }>(
      'SELECT msg_content, msg_close FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(after!.msg_close).toBe('1');
    expect(parseLegacyContent(after!.msg_content).metadata).toMatchObject({
      status: 'closed',
      priority: 'normal',
      category: 'technical',
    });
    expect(parseLegacyContent(after!.msg_content).text).toBe('<p>Bonjour, le frein à main reste bloqué.</p>');
  });

  it('shows two messages written in the same second in the order they were written', async () => {
    const ticketId = await webFormTicket({
      mail: 'samesecond@customer.example',
      subject: 'Deux messages',
      date: '2026-11-6 9:00:00',
      block: { priority: 'normal', category: 'general' },
    });
    for (const text of ['Premier message.', 'Second message.']) {
      await db.query(
        "INSERT INTO ___xtr_msg (msg_cst_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close) VALUES ('1', NULL, '2026-11-6 9:30:00', 'Re: Deux messages', ?, ?, '0', '0')",
        [text, String(ticketId)],
      );
    }
    const view = await app.commands.run(zoe, `/ticket view ${ticketId}`);
    expect(view.text.indexOf('Premier message.')).toBeGreaterThan(0);
    expect(view.text.indexOf('Premier message.')).toBeLessThan(view.text.indexOf('Second message.'));
  });

  it("shows the old site's HTML entities as the letters they stand for", async () => {
    const ticketId = await webFormTicket({
      mail: 'entities@customer.example',
      subject: 'Étrier',
      date: '2026-11-4 9:00:00',
      block: { priority: 'normal', category: 'technical', created_at: '2026-11-4 9:00:00' },
    });
    const [row] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      ticketId,
    ]);
    const html = row!.msg_content.replace(
      /^<p>.*?<\/p>/,
      '<p>Il manque un &eacute;l&eacute;ment de l&rsquo;&eacute;trier arri&egrave;re &#8211; r&eacute;f. &laquo;&nbsp;A12&nbsp;&raquo; &amp; &#x20AC;&unknown;</p>',
    );
    await db.query('UPDATE ___xtr_msg SET msg_content = ? WHERE msg_id = ?', [html, ticketId]);
    const view = await app.commands.run(zoe, `/ticket view ${ticketId}`);
    expect(view.text).toContain('Il manque un élément de l’étrier arrière – réf. « A12 » & €&unknown;');
  });

  it("brings the lists in line when the shop's database gives our tables another collation than the legacy tables'", async () => {
    const other = await createTestDatabase('legacy_general', { collation: 'utf8mb4_general_ci' });
    try {
      const [ours] = await other.query<{ c: string }>(
        "SELECT TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'support_ticket'",
      );
      expect(ours?.c).toBe('utf8mb4_general_ci');
      const block = JSON.stringify({ priority: 'normal', category: 'general', created_at: '2026-11-5 9:00:00' });
      const row = (await other.query(
        "INSERT INTO ___xtr_msg (msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES ('1', '2026-11-5 9:00:00', 'Rotule', ?, '1', '0')",
        [`Bonjour\n\n--- MÉTADONNÉES ---\n${block}`],
      )) as unknown as { insertId: number };
      expect((await syncLegacyTickets(other.database.pool)).adopted).toBe(1);
      // The old site re-prioritises it, then closes it.
      await other.query(
        'UPDATE ___xtr_msg SET msg_content = REPLACE(msg_content, \'"priority":"normal"\', \'"priority":"haute"\') WHERE msg_id = ?',
        [row.insertId],
      );
      expect((await syncLegacyTickets(other.database.pool)).reconciled).toBe(1);
      await other.query("UPDATE ___xtr_msg SET msg_open = '0', msg_close = '1' WHERE msg_id = ?", [row.insertId]);
      expect((await syncLegacyTickets(other.database.pool)).reconciled).toBe(1);
      expect(
        await other.query('SELECT status, priority FROM support_ticket WHERE ticket_id = ?', [row.insertId]),
      ).toEqual([{ status: 'closed', priority: 'high' }]);
    } finally {
      await other.drop();
    }
  });

  it('threads a [#N] reply onto a web-form ticket whose customer address the old site stored with spaces and capitals', async () => {
    const ticketId = await webFormTicket({
      mail: '  Sophie.Leroy@Exemple.FR ',
      subject: 'Question sur la facture',
      date: '2026-11-2 9:00:00',
      block: { priority: 'normal', category: 'billing', created_at: '2026-11-2 9:00:00' },
    });
    const reply = eml({
      from: 'sophie.leroy@exemple.fr',
      subject: `Re: [#${ticketId}] Question sur la facture`,
      body: 'Je vous renvoie la facture.',
    });
    expect(await app.intake.ingest(reply.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    const customers = await db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM ___xtr_customer WHERE TRIM(cst_mail) = 'sophie.leroy@exemple.fr'",
    );
    expect(Number(customers[0]!.n)).toBe(1);
  });
});
