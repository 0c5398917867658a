/**
 * Every /ticket command end to end: tickets made by ingesting real emails (and legacy-only rows the
 * old site wrote), commands through App.commands, effects read back from MariaDB and from the SMTP
 * listener.
 */
import { dayInZone, startOfDay } from '../../src/domain/digest.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/domain/command.ts';
import { composeLegacyContent, parseLegacyContent } from '../../adapters/mysql/legacy-format.ts';
import { eml, TINY_PNG, withAttachments } from './eml.ts';
import {
  createTestApp,
  ingestTicket,
  startSmtpListener,
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

const marie: Caller = { platform: 'slack', userId: 'UMARIE', email: 'marie@shop.example' };
const boss: Caller = { platform: 'discord', userId: '1001', roleIds: ['R-SUPPORT'] };
const stranger: Caller = { platform: 'slack', userId: 'USTRANGER' };
const viaEmail: Caller = { platform: 'slack', userId: 'UOTHER', email: 'Marie@Shop.Example' };

beforeAll(async () => {
  setup = await startTestApp('commands', { smtp: true, env: { ACK_ENABLED: 'false' } });
  ({ db, smtp, app } = setup);
  await app.agents.upsert({
    name: 'marie',
    role: 'agent',
    staffId: 42,
    identities: [
      { platform: 'slack', kind: 'user', value: 'UMARIE' },
      { platform: 'slack', kind: 'email', value: 'marie@shop.example' },
    ],
  });
  await app.agents.upsert({
    name: 'boss',
    role: 'manager',
    staffId: 7,
    identities: [{ platform: 'discord', kind: 'role', value: 'R-SUPPORT' }],
  });
}, 60_000);

afterAll(async () => {
  await setup?.close();
});

const ticketFromEmail = (options: Parameters<typeof eml>[0]) => ingestTicket(app, options);

/** A ticket the old web form wrote: legacy rows only. */
async function legacyTicket(subject: string, close = false): Promise<number> {
  const customer = (await db.query(
    "INSERT INTO ___xtr_customer (cst_mail, cst_fname, cst_activ) VALUES ('old.form@customer.example', 'Paul', '1')",
  )) as unknown as { insertId: number };
  const content = composeLegacyContent('Bonjour, ma commande est incomplète.', {
    priority: 'high',
    category: 'complaint',
    created_at: '2024-3-5 10:04:00',
  });
  const row = (await db.query(
    "INSERT INTO ___xtr_msg (msg_cst_id, msg_date, msg_subject, msg_content, msg_open, msg_close) VALUES (?, '2024-3-5 10:04:00', ?, ?, ?, ?)",
    [String(customer.insertId), subject, content, close ? '0' : '1', close ? '1' : '0'],
  )) as unknown as { insertId: number };
  return row.insertId;
}

describe('/ticket commands against MariaDB', () => {
  it('lets only agents read and change tickets, with one sentence saying what to do', async () => {
    const { ticketId } = await ticketFromEmail({ subject: 'Permission check' });
    const refused = await app.commands.run(stranger, `/ticket close ${ticketId}`);
    expect(refused.ok).toBe(false);
    expect(refused.text).toMatch(
      /^Only registered agents may change tickets or write to customers, and you are not one; ask a manager to register you/,
    );
    expect((await app.commands.run(stranger, '/ticket list')).ok).toBe(false);
    expect((await app.commands.run(stranger, '/ticket help')).ok).toBe(true);
    const [row] = await db.query<{ status: string }>('SELECT status FROM support_ticket WHERE ticket_id = ?', [
      ticketId,
    ]);
    expect(row?.status).toBe('open');
    // Slack by profile email, Discord by role.
    expect((await app.commands.run(viaEmail, `/ticket view ${ticketId}`)).ok).toBe(true);
    expect((await app.commands.run(boss, `/ticket view ${ticketId}`)).ok).toBe(true);
  });

  it('closes once, idempotently, in both tables with who and when; reopens the same way', async () => {
    const { ticketId } = await ticketFromEmail({ subject: 'Close me' });
    const closed = await app.commands.run(marie, `/ticket close ${ticketId} answered by phone`);
    expect(closed).toMatchObject({ ok: true, ephemeral: false });
    expect(closed.text).toContain(`Ticket #${ticketId} "Close me" closed by marie (answered by phone).`);
    const again = await app.commands.run(marie, `close ${ticketId}`);
    expect(again).toMatchObject({ ok: true, text: `Ticket #${ticketId} is already closed; nothing changed.` });
    const [legacy] = await db.query<{ msg_open: string; msg_close: string; msg_content: string }>(
      'SELECT msg_open, msg_close, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(legacy).toMatchObject({ msg_open: '0', msg_close: '1' });
    // The metadata block the old site reads says so too; the customer's text is untouched.
    expect(parseLegacyContent(legacy!.msg_content).metadata).toMatchObject({
      status: 'closed',
      priority: 'normal',
      category: 'general',
    });
    expect(parseLegacyContent(legacy!.msg_content).text).toContain('Hello');
    const [ours] = await db.query<{ status: string; closed_at: Date | null }>(
      'SELECT status, closed_at FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    expect(ours?.status).toBe('closed');
    expect(ours?.closed_at).toBeInstanceOf(Date);
    const events = await db.query<{ type: string; actor: string }>(
      "SELECT type, actor FROM support_event WHERE ticket_id = ? AND type IN ('closed', 'reopened') ORDER BY id",
      [ticketId],
    );
    expect(events).toEqual([{ type: 'closed', actor: 'marie (slack)' }]);
    expect((await app.commands.runAction(boss, 'reopen', ticketId)).ok).toBe(true);
    const [reopened] = await db.query<{ msg_open: string; msg_close: string; msg_content: string }>(
      'SELECT msg_open, msg_close, msg_content FROM ___xtr_msg WHERE msg_id = ?',
      [ticketId],
    );
    expect(reopened).toMatchObject({ msg_open: '1', msg_close: '0' });
    expect(parseLegacyContent(reopened!.msg_content).metadata).toMatchObject({ status: 'open' });
  });

  it("replies by email threaded on the customer's last email, and writes the legacy reply with the staff id", async () => {
    const first = await ticketFromEmail({
      from: 'Jean Client <jean.client@customer.example>',
      subject: 'Brake pads for a Clio',
    });
    const second = eml({
      from: 'jean.client@customer.example',
      subject: 'Re: Brake pads for a Clio',
      inReplyTo: `<${first.messageId}>`,
      references: `<${first.messageId}>`,
      body: 'Any news?',
    });
    expect((await app.intake.ingest(second.raw, { kind: 'test' })).outcome).toBe('reply');
    const before = smtp.received.length;
    const reply = await app.commands.run(
      marie,
      `/ticket reply ${first.ticketId} Hello Jean,\nthey fit: reference 4410.`,
    );
    expect(reply).toMatchObject({ ok: true, ephemeral: false });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelopeTo).toEqual(['jean.client@customer.example']);
    expect(mail!.parsed.subject).toBe(`Re: [#${first.ticketId}] Brake pads for a Clio`);
    expect(mail!.parsed.inReplyTo).toBe(`<${second.messageId}>`);
    expect(mail!.parsed.references).toEqual([`<${first.messageId}>`, `<${second.messageId}>`]);
    expect(mail!.parsed.text).toContain('they fit: reference 4410.');
    // Signed by the agent and the shop's support team, as the acknowledgement is (SUPPORT_NAME).
    expect(mail!.parsed.text).toContain(`— marie\n${app.config.mail.supportName}\n\n`);
    const [legacy] = await db.query<Record<string, string>>(
      'SELECT msg_cnfa_id, msg_subject, msg_content, msg_open, msg_close FROM ___xtr_msg WHERE msg_parent_id = ? AND msg_cnfa_id IS NOT NULL',
      [String(first.ticketId)],
    );
    expect(legacy).toEqual({
      msg_cnfa_id: '42',
      msg_subject: 'Re: Brake pads for a Clio',
      msg_content: 'Hello Jean,\nthey fit: reference 4410.',
      msg_open: '0',
      msg_close: '0',
    });
    const [ticket] = await db.query<{ first_response_at: Date | null }>(
      'SELECT first_response_at FROM support_ticket WHERE ticket_id = ?',
      [first.ticketId],
    );
    expect(ticket?.first_response_at).toBeInstanceOf(Date);
    const [out] = await db.query<{ kind: string; delivery: string }>(
      "SELECT kind, delivery FROM support_message WHERE ticket_id = ? AND direction = 'outbound' AND kind = 'agent_reply'",
      [first.ticketId],
    );
    expect(out).toEqual({ kind: 'agent_reply', delivery: 'sent' });
    // The thread shows it, signed by the agent.
    const view = await app.commands.run(marie, `view ${first.ticketId}`);
    expect(view.text).toMatch(/— marie \(staff\)/);
  });

  it('answers the customer, not whoever wrote last, and copies the others on the thread', async () => {
    // Sarah opens the ticket with her garage copied; the garage answers with Reply All.
    const opened = eml({
      from: 'Sarah Johnson <sarah@customer.example>',
      to: 'support@ticketrelay.test',
      cc: 'Paul Garage <paul@garage.example>',
      subject: 'Wrong clutch kit',
      body: 'The kit does not fit my Scenic.',
    });
    const first = await app.intake.ingest(opened.raw, { kind: 'test' });
    if (first.outcome !== 'created') throw new Error(`expected a new ticket, got ${first.outcome}`);
    const ticketId = first.ticketId;
    // Written on Tuesday morning, taken by us later (a mailbox caught up): the quote says when it was written.
    const garage = eml({
      from: 'paul@garage.example',
      to: 'sarah@customer.example, support@ticketrelay.test',
      subject: 'RE: Wrong clutch kit',
      date: new Date(Date.now() - 26 * 3_600_000).toUTCString(),
      inReplyTo: `<${opened.messageId}>`,
      references: `<${opened.messageId}>`,
      body: 'The flywheel reference differs.',
    });
    expect(await app.intake.ingest(garage.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    const before = smtp.received.length;
    const sent = await app.commands.run(marie, `reply ${ticketId} We are sending the right kit today.`);
    expect(sent.text).toBe(
      `Reply sent to sarah@customer.example (copy to paul@garage.example) on ticket #${ticketId} by marie.`,
    );
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelopeTo.sort()).toEqual(['paul@garage.example', 'sarah@customer.example']);
    expect(mail!.parsed.to).toMatchObject({ value: [{ address: 'sarah@customer.example' }] });
    expect(mail!.parsed.cc).toMatchObject({ value: [{ address: 'paul@garage.example' }] });
    // Threaded on the garage's email, which is the one quoted, under its writer's address.
    expect(mail!.parsed.inReplyTo).toBe(`<${garage.messageId}>`);
    const written = new Intl.DateTimeFormat('en-GB', {
      timeZone: app.config.digest.timezone,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(new Date(Date.now() - 26 * 3_600_000));
    expect(mail!.parsed.text).toContain(`On ${written}, paul@garage.example wrote:\n> The flywheel reference differs.`);
  });

  it('threads a reply to a follow-up found by its [#N] tag alone on the email that opened the ticket too', async () => {
    const first = await ticketFromEmail({ from: 'tagonly@customer.example', subject: 'Wiper blades' });
    // A new email, typed by the customer with the ticket number in the subject: no In-Reply-To, no References.
    const followUp = eml({
      from: 'tagonly@customer.example',
      subject: `[#${first.ticketId}] Wiper blades`,
      body: 'Any news on this?',
    });
    expect(await app.intake.ingest(followUp.raw, { kind: 'test' })).toMatchObject({
      outcome: 'reply',
      ticketId: first.ticketId,
    });
    const before = smtp.received.length;
    expect((await app.commands.run(marie, `reply ${first.ticketId} They ship tomorrow.`)).ok).toBe(true);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.parsed.inReplyTo).toBe(`<${followUp.messageId}>`);
    expect(mail!.parsed.references).toEqual([`<${first.messageId}>`, `<${followUp.messageId}>`]);
  });

  it('refuses to write to a flagged address, and an agent without a staff id', async () => {
    const { ticketId } = await ticketFromEmail({ from: 'bounced@customer.example', subject: 'Bounced' });
    await db.query(
      "INSERT INTO support_address_flag (address, reason, flagged_at) VALUES ('bounced@customer.example', 'hard bounce 550', NOW(3))",
    );
    const before = smtp.received.length;
    const refused = await app.commands.run(marie, `reply ${ticketId} hello`);
    expect(refused.ok).toBe(false);
    expect(refused.text).toMatch(/^Nothing was sent: bounced@customer\.example is flagged \(hard bounce 550\)/);
    await app.agents.upsert({
      name: 'nostaff',
      role: 'agent',
      staffId: null,
      identities: [{ platform: 'slack', kind: 'user', value: 'UNOSTAFF' }],
    });
    const noStaff = await app.commands.run({ platform: 'slack', userId: 'UNOSTAFF' }, `reply ${ticketId} hello`);
    expect(noStaff.text).toMatch(/^You have no staff id/);
    const rows = await db.query('SELECT 1 FROM ___xtr_msg WHERE msg_parent_id = ?', [String(ticketId)]);
    expect(rows).toHaveLength(0);
    expect(smtp.received.length).toBe(before);

    // The customer writes from that address again: it works, so the agent's reply goes out.
    const back = await app.intake.ingest(
      eml({
        from: 'bounced@customer.example',
        subject: `Re: [#${ticketId}] Bounced`,
        body: 'My mailbox was full, it works now.',
      }).raw,
      { kind: 'test' },
    );
    expect(back).toMatchObject({ outcome: 'reply', ticketId });
    const sent = await app.commands.run(marie, `reply ${ticketId} Thanks, here is the answer.`);
    expect(sent).toMatchObject({ ok: true, text: expect.stringMatching(/^Reply sent to bounced@customer\.example/) });
    const mails = await smtp.waitFor(before + 1);
    expect(mails.at(-1)!.envelopeTo).toEqual(['bounced@customer.example']);
  });

  it('says a reply is saved but not sent yet when the mail server is away, not that it was sent', async () => {
    const away = await startSmtpListener();
    const awayUrl = away.url;
    await away.close();
    const offline = await createTestApp(db, { SMTP_URL: awayUrl, SMTP_ALLOW_PLAIN: 'true', ACK_ENABLED: 'false' });
    try {
      const { ticketId } = await ticketFromEmail({
        from: 'patient@customer.example',
        subject: 'Waiting for an answer',
      });
      const reply = await offline.commands.run(marie, `reply ${ticketId} Your pads ship tomorrow.`);
      expect(reply.ok).toBe(true);
      expect(reply.text).toMatch(
        new RegExp(
          `^Your reply is saved on ticket #${ticketId} but not sent to patient@customer\\.example yet: the mail server did not take it \\(.+\\)\\. The intake role sends it again as soon as the server answers`,
        ),
      );
      const [row] = await db.query<{ delivery: string }>(
        "SELECT delivery FROM support_message WHERE ticket_id = ? AND kind = 'agent_reply'",
        [ticketId],
      );
      expect(row?.delivery).toBe('pending');
    } finally {
      await offline.close();
    }
  });

  it('view shows when the ticket was closed, why and by whom, and when it was reopened — by an agent or by the customer', async () => {
    const { ticketId, messageId } = await ticketFromEmail({
      from: 'closing@customer.example',
      subject: 'Disques avant',
    });
    expect((await app.commands.run(marie, `close ${ticketId} pièce reçue, client satisfait`)).ok).toBe(true);
    expect((await app.commands.run(marie, `reopen ${ticketId}`)).ok).toBe(true);
    expect((await app.commands.run(marie, `close ${ticketId}`)).ok).toBe(true);
    const back = eml({
      from: 'closing@customer.example',
      subject: 'Re: Disques avant',
      inReplyTo: `<${messageId}>`,
      body: 'En fait il manque les vis.',
    });
    expect(await app.intake.ingest(back.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', reopened: true });
    const text = (await app.commands.run(marie, `view ${ticketId}`)).text;
    const events = text
      .split('\n')
      .filter((l, i, all) => /^\s+(Closed|Reopened)/.test(l) && all[i - 1]?.startsWith('— '))
      .map((l) => l.trim());
    expect(events).toEqual([
      'Closed: pièce reçue, client satisfait',
      'Reopened',
      'Closed',
      "Reopened by the customer's reply",
    ]);
    expect(text).toMatch(/— marie \(slack\), [^\n]+:\n  Closed: pièce reçue, client satisfait/);
    expect(text).toMatch(/— the customer, [^\n]+:\n  Reopened by the customer's reply/);
  });

  it('list waiting shows the tickets whose customer waits for our answer, longest waiting first', async () => {
    const a = await ticketFromEmail({ from: 'first@waiting.example', subject: 'Plaquettes zzwaiting A' });
    const b = await ticketFromEmail({ from: 'second@waiting.example', subject: 'Batterie zzwaiting B' });
    const c = await ticketFromEmail({ from: 'third@waiting.example', subject: 'Filtre zzwaiting C' });
    expect((await app.commands.run(marie, `reply ${b.ticketId} Voici la réponse.`)).ok).toBe(true);
    expect((await app.commands.run(marie, `reply ${c.ticketId} Voici la réponse.`)).ok).toBe(true);
    // B's customer writes again: waiting again, since this reply.
    const again = eml({
      from: 'second@waiting.example',
      subject: 'Re: Batterie zzwaiting B',
      inReplyTo: `<${b.messageId}>`,
      body: 'Merci, mais quelle référence exactement ?',
    });
    expect(await app.intake.ingest(again.raw, { kind: 'test' })).toMatchObject({
      outcome: 'reply',
      ticketId: b.ticketId,
    });

    const list = await app.commands.run(marie, 'list waiting zzwaiting');
    const lines = list.text.split('\n');
    expect(lines[0]).toBe('Open tickets waiting for our answer matching "zzwaiting", longest waiting first — page 1:');
    expect(lines.slice(1).map((l) => Number(/#(\d+)/.exec(l)?.[1]))).toEqual([a.ticketId, b.ticketId]);
    expect(lines[1]).toMatch(/\[waiting \d+ min\]/);
    // The open list marks them too; C, answered, is not marked.
    const open = (await app.commands.run(marie, 'list open zzwaiting')).text;
    expect(open).toMatch(new RegExp(`#${c.ticketId} [^\n]*Filtre zzwaiting C`));
    expect(open).not.toMatch(new RegExp(`#${c.ticketId} [^\n]*\\[waiting`));
  });

  it("signs a reply with the agent's full name when one is registered (a name with spaces and accents), not the short name typed in commands", async () => {
    await app.agents.upsert({
      name: 'zoe',
      fullName: 'Zoé Lemaître',
      role: 'agent',
      staffId: 77,
      identities: [{ platform: 'slack', kind: 'user', value: 'UZOE' }],
    });
    const { ticketId } = await ticketFromEmail({ from: 'signed@customer.example', subject: 'Signature' });
    const before = smtp.received.length;
    expect(
      (await app.commands.run({ platform: 'slack', userId: 'UZOE' }, `reply ${ticketId} Votre commande part demain.`))
        .ok,
    ).toBe(true);
    const mails = await smtp.waitFor(before + 1);
    expect(mails.at(-1)!.parsed.text).toMatch(/^Votre commande part demain\.\n\n— Zoé Lemaître\n/);
  });

  it('replies to the customer and copies the address they last wrote from (an alias the customer copied)', async () => {
    // Her alias joins the thread because she copied it from her own address (a stranger's In-Reply-To would not).
    const { ticketId, messageId } = await ticketFromEmail({
      from: 'Élodie Château <elodie.main@customer.example>',
      cc: 'elodie@alias.example',
      subject: 'Photo du tableau de bord',
    });
    const fromAlias = eml({
      from: 'Élodie Château <elodie@alias.example>',
      subject: 'Re: Photo du tableau de bord',
      inReplyTo: `<${messageId}>`,
      references: `<${messageId}>`,
      body: 'Répondez-moi plutôt à cette adresse, merci.',
    });
    expect(await app.intake.ingest(fromAlias.raw, { kind: 'test' })).toMatchObject({ outcome: 'reply', ticketId });
    const before = smtp.received.length;
    const sent = await app.commands.run(marie, `reply ${ticketId} Bien reçu, merci.`);
    expect(sent.text).toBe(
      `Reply sent to elodie.main@customer.example (copy to elodie@alias.example) on ticket #${ticketId} by marie.`,
    );
    const mails = await smtp.waitFor(before + 1);
    expect(mails.at(-1)!.envelopeTo.sort()).toEqual(['elodie.main@customer.example', 'elodie@alias.example']);
    expect(mails.at(-1)!.parsed.cc).toMatchObject({ value: [{ address: 'elodie@alias.example' }] });
    expect(mails.at(-1)!.parsed.inReplyTo).toBe(`<${fromAlias.messageId}>`);
    // What the customer wrote is quoted under the reply, in their language, as a mail client's Reply does.
    expect(mails.at(-1)!.parsed.text?.trimEnd()).toMatch(
      /\n\nLe .*\d.*, Élodie Château <elodie@alias\.example> a écrit :\n> Répondez-moi plutôt à cette adresse, merci\.$/,
    );
  });

  it('replies to an email that came without a Message-ID with no threading header made from its content hash', async () => {
    const { ticketId } = await ticketFromEmail({
      from: 'noid@customer.example',
      subject: 'No id here',
      messageId: null,
    });
    expect((await app.commands.run(marie, `reply ${ticketId} Here is the answer.`)).ok).toBe(true);
    const isReply = (m: (typeof smtp.received)[number]) =>
      m.envelopeTo.includes('noid@customer.example') && m.parsed.subject === `Re: [#${ticketId}] No id here`;
    for (let waited = 0; !smtp.received.some(isReply) && waited < 10_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const reply = smtp.received.find(isReply)!;
    expect(reply).toBeDefined();
    expect(reply.parsed.inReplyTo).toBeUndefined();
    expect(reply.parsed.references ?? []).toEqual([]);
    expect(reply.raw.toString()).not.toMatch(/sha256:/);
  });

  it('answers a message number given as a ticket number with the same command on its ticket', async () => {
    const first = await ticketFromEmail({ from: 'msgno@customer.example', subject: 'Which number' });
    const reply = await app.intake.ingest(
      eml({ from: 'msgno@customer.example', subject: `Re: [#${first.ticketId}] Which number`, body: 'More details.' })
        .raw,
      { kind: 'test' },
    );
    const [row] = await db.query<{ msg_id: number }>('SELECT msg_id FROM ___xtr_msg WHERE msg_parent_id = ?', [
      String(first.ticketId),
    ]);
    expect(reply.outcome).toBe('reply');
    const refused = await app.commands.run(marie, `reply ${row!.msg_id} hello`);
    expect(refused.text).toBe(
      `#${row!.msg_id} is a message on ticket #${first.ticketId}, not a ticket; use "/ticket reply ${first.ticketId} …".`,
    );
    expect((await app.commands.run(marie, `close ${row!.msg_id}`)).text).toContain(
      `use "/ticket close ${first.ticketId}".`,
    );
  });

  it('shows each customer email under the address it came from, and the files that came with it', async () => {
    const first = await ticketFromEmail({
      from: 'Lena Roy <lena.roy@customer.example>',
      cc: 'lena.roy@work.example',
      subject: 'Cracked mirror',
      body: 'The mirror arrived cracked.',
    });
    // She answers from her work address (which she copied), threaded by In-Reply-To only, with a photo.
    const fromWork = eml({
      from: 'Lena Roy <lena.roy@work.example>',
      subject: 'Re: Cracked mirror',
      inReplyTo: `<${first.messageId}>`,
      mime: withAttachments('Here is a photo of the crack.', [
        { name: 'mirror.png', type: 'image/png', data: TINY_PNG },
      ]),
    });
    expect(await app.intake.ingest(fromWork.raw, { kind: 'test' })).toMatchObject({
      outcome: 'reply',
      ticketId: first.ticketId,
    });
    const view = await app.commands.run(marie, `view ${first.ticketId}`);
    const lines = view.text.split('\n');
    const ticketAt = lines.findIndex((l) => l.startsWith('— lena.roy@customer.example, '));
    const replyAt = lines.findIndex((l) => l.startsWith('— lena.roy@work.example, '));
    expect(ticketAt).toBeGreaterThan(0);
    expect(replyAt).toBeGreaterThan(ticketAt);
    expect(lines.slice(replyAt + 1)).toEqual([
      '  Here is a photo of the crack.',
      '  Attachment: mirror.png · image/png · 70 B',
    ]);
    expect(lines.slice(ticketAt, replyAt).join('\n')).not.toContain('Attachment:');
    // The same in the structure chat renders and `--json` prints.
    expect(
      view.view?.kind === 'ticket' && view.view.thread.map((e) => ({ from: e.from, attachments: e.attachments })),
    ).toEqual([
      { from: 'lena.roy@customer.example', attachments: [] },
      {
        from: 'lena.roy@work.example',
        attachments: [{ filename: 'mirror.png', contentType: 'image/png', size: 70, notKept: null }],
      },
    ]);
  });

  it('names a file that was not kept, with its size and why', async () => {
    const small = await createTestApp(db, {
      SMTP_URL: smtp.url,
      SMTP_ALLOW_PLAIN: 'true',
      ACK_ENABLED: 'false',
      ATTACHMENT_MAX_BYTES: '1KB',
    });
    try {
      const { ticketId } = await ingestTicket(small, {
        from: 'logs@customer.example',
        subject: 'Diagnostic logs',
        mime: withAttachments('The logs of the diagnostic tool.', [
          { name: 'diag.log', type: 'text/plain', data: Buffer.alloc(3 * 1024, 'x') },
          { name: 'plate.png', type: 'image/png', data: TINY_PNG },
        ]),
      });
      const view = await small.commands.run(marie, `view ${ticketId}`);
      expect(view.text).toContain(
        [
          '  The logs of the diagnostic tool.',
          '  Attachment: diag.log · text/plain · 3 KB · not kept: larger than the 1 KB limit',
          '  Attachment: plate.png · image/png · 70 B',
        ].join('\n'),
      );
      // Where the limit is larger now than the file, the limit it broke is not named.
      expect((await app.commands.run(marie, `view ${ticketId}`)).text).toContain(
        '  Attachment: diag.log · text/plain · 3 KB · not kept: larger than the size limit when it arrived',
      );
    } finally {
      await small.close();
    }
  });

  it('keeps notes internal: in the audit trail and the view, never emailed', async () => {
    const { ticketId } = await ticketFromEmail({ subject: 'Note me' });
    const before = smtp.received.length;
    expect((await app.commands.run(marie, `note ${ticketId} called the carrier`)).ok).toBe(true);
    const [event] = await db.query<{ type: string; details: unknown }>(
      "SELECT type, details FROM support_event WHERE ticket_id = ? AND type = 'note'",
      [ticketId],
    );
    expect(typeof event?.details === 'string' ? JSON.parse(event.details) : event?.details).toMatchObject({
      text: 'called the carrier',
    });
    const view = await app.commands.run(marie, `view ${ticketId}`);
    expect(
      view.view?.kind === 'ticket' && view.view.thread.some((e) => e.internal && e.text === 'called the carrier'),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received.length).toBe(before);
  });

  it('records corrections for training and updates the legacy metadata block', async () => {
    const { ticketId } = await ticketFromEmail({ subject: 'Invoice please' });
    const r = await app.commands.run(marie, `priority ${ticketId} urgent`);
    expect(r.ok).toBe(true);
    expect((await app.commands.run(marie, `category ${ticketId} billing`)).ok).toBe(true);
    const corrections = await db.query<{ field: string; to_value: string }>(
      'SELECT field, to_value FROM support_triage_correction WHERE ticket_id = ? ORDER BY id',
      [ticketId],
    );
    expect(corrections).toEqual([
      { field: 'priority', to_value: 'urgent' },
      { field: 'category', to_value: 'billing' },
    ]);
    const [t] = await db.query<{ priority: string; category: string; corrected: number }>(
      'SELECT priority, category, corrected FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    expect(t).toEqual({ priority: 'urgent', category: 'billing', corrected: 1 });
    const [legacy] = await db.query<{ msg_content: string }>('SELECT msg_content FROM ___xtr_msg WHERE msg_id = ?', [
      ticketId,
    ]);
    expect(legacy?.msg_content).toMatch(/"priority":"urgent"/);
    expect(legacy?.msg_content).toMatch(/"category":"billing"/);
  });

  it('assigns: me for agents, someone else for managers only', async () => {
    const { ticketId } = await ticketFromEmail({ subject: 'Assign me' });
    expect((await app.commands.run(marie, `assign ${ticketId} @boss`)).text).toMatch(
      /^Only managers may give a ticket to someone else/,
    );
    expect((await app.commands.runAction(marie, 'assign_me', ticketId)).text).toBe(
      `Ticket #${ticketId} assigned to marie.`,
    );
    expect((await app.commands.run(boss, `assign ${ticketId} @marie`)).text).toBe(
      `Ticket #${ticketId} is already assigned to marie; nothing changed.`,
    );
    expect((await app.commands.run(boss, `assign ${ticketId} @nobodyhere`)).text).toMatch(
      /^There is no agent named "nobodyhere"/,
    );
    const list = await app.commands.run(marie, 'list open Assign');
    expect(list.view?.kind === 'list' && list.view.items.find((i) => i.ticketId === ticketId)?.assignee).toBe('marie');
  });

  it('views and closes a ticket only the old site knows, and tells a review row from a ticket', async () => {
    const legacyId = await legacyTicket('Commande incomplète');
    const view = await app.commands.run(marie, `view ${legacyId}`);
    expect(view.ok).toBe(true);
    expect(view.view).toMatchObject({
      kind: 'ticket',
      ticket: { ticketId: legacyId, priority: 'high', category: 'complaint', status: 'open' },
      customerEmail: 'old.form@customer.example',
    });
    // No email of ours made it: the customer's entry is under the ticket's address, with no files.
    expect(
      view.view?.kind === 'ticket' && view.view.thread.map((e) => ({ from: e.from, attachments: e.attachments })),
    ).toEqual([{ from: 'old.form@customer.example', attachments: [] }]);
    expect((await app.commands.run(marie, `close ${legacyId}`)).ok).toBe(true);
    const [legacy] = await db.query<{ msg_close: string }>('SELECT msg_close FROM ___xtr_msg WHERE msg_id = ?', [
      legacyId,
    ]);
    expect(legacy?.msg_close).toBe('1');
    const review = (await db.query(
      'INSERT INTO ___xtr_msg (msg_subject, msg_content) VALUES (\'Great pads\', \'{"type":"review","rating":5}\')',
    )) as unknown as { insertId: number };
    const reviewId = review.insertId;
    const refused = await app.commands.run(marie, `close ${reviewId}`);
    expect(refused).toMatchObject({
      ok: false,
      text: `#${reviewId} is not a support ticket (the shop keeps reviews and other records in the same table); check the number with "/ticket list".`,
    });
    expect(await db.query('SELECT 1 FROM support_ticket WHERE ticket_id = ?', [reviewId])).toHaveLength(0);
    expect((await app.commands.run(marie, 'view 99999999')).text).toBe(
      'There is no ticket #99999999; check the number with "/ticket list" or "/ticket list all".',
    );
  });

  it('lists newest first, filtered and paged in the database, with words', async () => {
    const made: number[] = [];
    for (let i = 0; i < 12; i++)
      made.push(
        (await ticketFromEmail({ from: `pager${i}@customer.example`, subject: `Pagination turbocharger ${i}` }))
          .ticketId,
      );
    const page1 = await app.commands.run(marie, 'list all turbocharger');
    expect(page1.view?.kind).toBe('list');
    if (page1.view?.kind !== 'list') return;
    expect(page1.view.items.map((i) => i.ticketId)).toEqual([...made].reverse().slice(0, 10));
    expect(page1.view.hasMore).toBe(true);
    expect(page1.text).toContain('More: "/ticket list all turbocharger page 2".');
    const page2 = await app.commands.run(marie, 'list all turbocharger page 2');
    expect(page2.view?.kind === 'list' && page2.view.items.map((i) => i.ticketId)).toEqual([made[1], made[0]]);
    const byAddress = await app.commands.run(marie, 'list all pager3@customer.example');
    expect(byAddress.view?.kind === 'list' && byAddress.view.items.map((i) => i.ticketId)).toEqual([made[3]]);
    expect((await app.commands.run(marie, 'list closed turbocharger')).text).toBe(
      'No closed tickets matching "turbocharger".',
    );
    // Words match with or without their accents, as agents type them.
    const accented = (
      await ticketFromEmail({ from: 'societe@customer.example', subject: 'Facture de la Société Éclair' })
    ).ticketId;
    for (const words of ['societe eclair', 'SOCIÉTÉ', 'éclair']) {
      const found = await app.commands.run(marie, `list all ${words}`);
      expect(found.view?.kind === 'list' && found.view.items.map((i) => i.ticketId), words).toEqual([accented]);
    }
    expect((await app.commands.suggestTickets(String(made[11]), 5)).map((t) => t.ticketId)).toContain(made[11]);
  });

  it('shows a ticket triage has not reached yet as such, not as a normal general one', async () => {
    const { ticketId } = await ticketFromEmail({
      from: 'waiting@customer.example',
      subject: 'Car will not start, urgent',
    });
    const before = await app.commands.run(marie, 'list all waiting@customer.example');
    expect(before.text).toMatch(
      new RegExp(`\\?   #${ticketId} \\(not triaged yet\\) \\[waiting \\d+ min\\] · Car will not start, urgent`),
    );
    expect((await app.commands.run(marie, `view ${ticketId}`)).text).toContain('? not triaged yet · open');
    // What the worker writes when it has decided.
    await db.query(
      "UPDATE support_ticket SET triaged = 1, priority = 'urgent', category = 'technical' WHERE ticket_id = ?",
      [ticketId],
    );
    const after = await app.commands.run(marie, 'list all waiting@customer.example');
    expect(after.text).toMatch(
      new RegExp(`!!! #${ticketId} URGENT technical \\[waiting \\d+ min\\] · Car will not start, urgent`),
    );
  });

  it('counts stats from the tally the triggers keep', async () => {
    const [truth] = await db.query<{ total: number; open: number }>(
      "SELECT COUNT(*) AS total, SUM(status = 'open') AS open FROM support_ticket",
    );
    const stats = await app.commands.run(stranger, 'stats today');
    expect(stats.ok).toBe(true);
    expect(stats.view).toMatchObject({
      kind: 'stats',
      total: Number(truth!.total),
      open: Number(truth!.open),
      closed: Number(truth!.total) - Number(truth!.open),
    });
    // Tickets no worker has triaged are counted as normal/general: the answer says how many and why.
    const [waiting] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket WHERE triaged = 0');
    expect(Number(waiting!.n)).toBeGreaterThan(0);
    expect(stats.view).toMatchObject({ untriaged: Number(waiting!.n) });
    expect(stats.text).toContain(
      `${waiting!.n} tickets are not triaged yet (counted as normal and general until then): is a triage worker running?`,
    );
    // "Today" is the shop's day (DIGEST_TIMEZONE, Europe/Paris by default), as in the digest and exports.
    const zone = app.config.digest.timezone;
    expect(stats.view?.kind === 'stats' && stats.view.period).toBe(`today (${zone})`);
    const midnight = startOfDay(dayInZone(new Date(), zone), zone);
    const [created] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM support_ticket WHERE created_at >= ?', [
      midnight,
    ]);
    expect(stats.view?.kind === 'stats' && stats.view.created).toBe(Number(created!.n));
  });
});
