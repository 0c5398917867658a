/**
 * The intake use case through its ports, with in-memory fakes (no vi.mock): what is stored, what is
 * handed to triage, what is sent, for each kind of email the desk receives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import type { InboundEmail } from '../../src/domain/inbound-email.ts';
import { OutboxService } from '../../src/services/deliver-outbox.ts';
import { IntakeService, type IntakeSettings } from '../../src/services/ingest-email.ts';
import type { IntakeResult, IntakeSource } from '../../src/services/intake-result.ts';
import { InMemoryIntakeStore } from '../fakes/in-memory-intake-store.ts';
import { OUTLOOK_FORWARD_FR } from '../fakes/forwarded-notice.ts';
import {
  FakeEmailParser,
  inboundEmail,
  RecordingMailSender,
  RecordingQuarantine,
  RecordingTriageQueue,
  silentLogger,
} from '../fakes/fake-ports.ts';

const NOW = new Date('2026-01-15T10:00:00Z');
const clock = () => new Date('2026-01-15T10:00:00Z');

const SETTINGS: IntakeSettings = {
  ownAddresses: ['support@shop.example', 'sales@shop.example'],
  messageIdDomain: 'shop.example',
  supportAddress: 'support@shop.example',
  supportName: 'Shop Support',
  ackEnabled: true,
  ackMaxPerHour: 5,
  reopenOnReply: true,
  defaultLanguage: 'en',
};

const JANE = 'jane@customer.example';

const outboxes: OutboxService[] = [];
afterEach(async () => {
  // No outbox pass may outlive its test.
  await Promise.all(outboxes.splice(0).map((o) => o.idle()));
});

function setup(settings: Partial<IntakeSettings> = {}) {
  const store = new InMemoryIntakeStore({ clock });
  const parser = new FakeEmailParser();
  const triage = new RecordingTriageQueue();
  const quarantine = new RecordingQuarantine();
  const sender = new RecordingMailSender();
  const outbox = new OutboxService({
    store,
    sender,
    from: { address: SETTINGS.supportAddress, name: SETTINGS.supportName },
    logger: silentLogger,
  });
  outboxes.push(outbox);
  const intake = new IntakeService({
    parser,
    store,
    triage,
    outbox,
    quarantine,
    logger: silentLogger,
    settings: { ...SETTINGS, ...settings },
    clock,
  });
  const ingest = (email: InboundEmail, source: IntakeSource = { kind: 'test' }): Promise<IntakeResult> =>
    intake.ingest(parser.rawFor(email), source);
  /** The acknowledgement row of a ticket (its Message-ID is what an auto-reply or a bounce refers to). */
  const ackOf = (ticketId: number) => {
    const row = store.outbound.find((m) => m.kind === 'ack' && m.ticketId === ticketId);
    if (!row) throw new Error(`no acknowledgement row for ticket #${ticketId}`);
    return row;
  };
  return { store, parser, triage, quarantine, sender, outbox, intake, ingest, ackOf };
}

function created(result: IntakeResult): Extract<IntakeResult, { outcome: 'created' }> {
  expect(result.outcome).toBe('created');
  return result as Extract<IntakeResult, { outcome: 'created' }>;
}

function reply(result: IntakeResult): Extract<IntakeResult, { outcome: 'reply' }> {
  expect(result.outcome).toBe('reply');
  return result as Extract<IntakeResult, { outcome: 'reply' }>;
}

function automated(result: IntakeResult): Extract<IntakeResult, { outcome: 'automated' }> {
  expect(result.outcome).toBe('automated');
  return result as Extract<IntakeResult, { outcome: 'automated' }>;
}

function rejected(result: IntakeResult): Extract<IntakeResult, { outcome: 'rejected' }> {
  expect(result.outcome).toBe('rejected');
  return result as Extract<IntakeResult, { outcome: 'rejected' }>;
}

/** A customer's answer on a thread, written by a person (no automatic headers). */
function answer(overrides: Partial<InboundEmail>): InboundEmail {
  return inboundEmail({
    messageId: 'CAJane.2@mail.customer.example',
    subject: 'Re: Where is my order?',
    text: 'It is order CMD-2025-10482, thank you.',
    ...overrides,
  });
}

describe('a new email from a person', () => {
  it('becomes a ticket with its legacy row, customer, participants, triage and one threaded acknowledgement', async () => {
    const { store, triage, sender, outbox, ingest } = setup();
    const email = inboundEmail({
      to: [{ address: 'support@shop.example', name: 'Shop Support' }],
      cc: [{ address: 'john@customer.example', name: 'John Doe' }],
      references: ['CAJane.0@mail.customer.example'],
    });

    const result = created(await ingest(email, { kind: 'imap', mailbox: 'support' }));
    expect(result).toMatchObject({
      messageId: email.messageId,
      customerCreated: true,
      acknowledgement: 'queued',
      triage: 'queued',
    });

    // The ticket as the store got it: its text and the facts the old site's pages show (how they are
    // written into the legacy row is the MySQL adapter's: test/unit/legacy-format.test.ts).
    const row = store.entries.find((r) => r.entryId === result.ticketId);
    expect(row).toMatchObject({
      customerId: result.customerId,
      parentId: null,
      subject: 'Where is my order?',
      open: true,
      closed: false,
      at: new Date('2026-01-15T10:00:00Z'),
    });
    expect(row!.text.startsWith('Hello,\n\nI ordered brake pads')).toBe(true);
    expect(row!.opened).toMatchObject({
      priority: 'normal',
      category: 'general',
      at: new Date('2026-01-15T10:00:00Z'),
      source: 'email',
      language: 'en',
      messageId: email.messageId,
    });

    // Customer, from the display name.
    expect(store.customers).toEqual([
      { customerId: result.customerId, email: JANE, firstName: 'Jane', lastName: 'Doe', active: true },
    ]);
    expect(store.ticket(result.ticketId)).toMatchObject({
      customerEmail: JANE,
      status: 'open',
      priority: 'normal',
      category: 'general',
      language: 'en',
      source: 'email',
      mailbox: 'support',
      triaged: false,
    });

    // The inbound message row, participants (not our own address), the event.
    expect(store.message(email.messageId!)).toMatchObject({
      ticketId: result.ticketId,
      threadEntryId: result.ticketId,
      direction: 'inbound',
      kind: 'ticket',
      outcome: 'created',
      peerAddress: JANE,
      source: 'imap:support',
    });
    expect(store.participantsOf(result.ticketId).sort()).toEqual(['jane@customer.example', 'john@customer.example']);
    expect(store.events).toEqual([
      expect.objectContaining({
        ticketId: result.ticketId,
        type: 'ticket_created',
        actor: `customer:${JANE}`,
        details: { messageId: email.messageId, source: 'imap', customerCreated: true },
        at: NOW,
      }),
    ]);

    expect(triage.enqueued).toEqual([result.ticketId]);

    await outbox.idle();
    expect(sender.sent).toHaveLength(1);
    const ack = sender.sent[0]!;
    expect(ack.to).toBe(JANE);
    expect(ack.from).toEqual({ address: 'support@shop.example', name: 'Shop Support' });
    expect(ack.subject).toBe(`[#${result.ticketId}] Where is my order?`);
    expect(ack.inReplyTo).toBe(email.messageId);
    expect(ack.references).toEqual(['CAJane.0@mail.customer.example', email.messageId]);
    expect(ack.messageId).toMatch(
      new RegExp(`^ticketrelay\\.${result.ticketId}\\.[a-z0-9]+\\.[0-9a-f]{12}@shop\\.example$`),
    );
    expect(ack.headers).toMatchObject({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Ticketrelay-Ticket': String(result.ticketId),
    });
    expect(ack.text).toMatch(/^Hello,\n/);
    expect(ack.text).toContain(`ticket #${result.ticketId}`);
    expect(store.outbound).toEqual([
      expect.objectContaining({
        kind: 'ack',
        ticketId: result.ticketId,
        peerAddress: JANE,
        delivery: 'sent',
        deliveryAttempts: 1,
      }),
    ]);
  });

  it('stores its attachments against its message row, and lists the kept ones in the metadata', async () => {
    const { store, ingest } = setup();
    const invoice = { filename: 'invoice.pdf', contentType: 'application/pdf', size: 1234, sha256: 'b'.repeat(64) };
    const photo = {
      filename: 'huge.jpg',
      contentType: 'image/jpeg',
      size: 30_000_000,
      sha256: null,
      dropped: 'oversized' as const,
    };
    const email = inboundEmail({ attachments: [invoice, photo] });
    const result = created(await ingest(email));
    const row = store.message(email.messageId!)!;
    expect(store.attachments).toEqual([
      { ...invoice, messageRowId: row.rowId, messageId: email.messageId, ticketId: result.ticketId },
      { ...photo, messageRowId: row.rowId, messageId: email.messageId, ticketId: result.ticketId },
    ]);
    expect(store.entries[0]!.opened?.attachments).toEqual([
      { name: 'invoice.pdf', sha256: 'b'.repeat(64), size: 1234 },
    ]);
  });

  it('finds a customer the shop already has instead of creating one', async () => {
    const { store, ingest } = setup();
    const existing = store.seedCustomer('Jane@Customer.example', { first: 'Jane', last: 'Doe' });
    const result = created(await ingest(inboundEmail()));
    expect(result).toMatchObject({ customerId: existing, customerCreated: false });
    expect(store.customers).toHaveLength(1);
  });

  it('acknowledges in French a customer who writes French', async () => {
    const { sender, outbox, ingest } = setup();
    const result = created(
      await ingest(
        inboundEmail({
          from: { address: 'marie@garage.example', name: 'Marie Dupont' },
          subject: 'Plaquettes de frein',
          text: "Bonjour, je n'ai pas reçu ma commande, pouvez-vous vérifier ? Merci",
        }),
      ),
    );
    await outbox.idle();
    expect(sender.sent[0]!.text).toMatch(/^Bonjour,\n/);
    expect(sender.sent[0]!.text).toContain(`demande n° ${result.ticketId}`);
  });
});

describe('what the intake tells its listeners (the metrics)', () => {
  it('tells once per email, whether it came through ingest (which hands it to ingestParsed) or was too large', async () => {
    const { intake, ingest } = setup();
    const told: string[] = [];
    intake.onResult((result, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      told.push(result.outcome);
    });
    created(await ingest(inboundEmail({})));
    rejected(await intake.rejectOversized(3277, 1024, { kind: 'stdin' }));
    expect(told).toEqual(['created', 'rejected']);
  });
});

describe('a reply', () => {
  it('lands on the ticket by In-Reply-To, without a new ticket, triage or acknowledgement', async () => {
    const { store, triage, sender, outbox, ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    await outbox.idle();

    const second = answer({
      inReplyTo: ['CAJane.1@mail.customer.example'],
      references: ['CAJane.1@mail.customer.example'],
    });
    const result = reply(await ingest(second));
    expect(result).toEqual({
      outcome: 'reply',
      ticketId: first.ticketId,
      messageId: second.messageId,
      signal: 'in_reply_to',
      reopened: false,
    });

    expect(store.tickets).toHaveLength(1);
    expect(store.repliesOf(first.ticketId)).toEqual([
      expect.objectContaining({
        customerId: first.customerId,
        subject: 'Re: Where is my order?',
        text: 'It is order CMD-2025-10482, thank you.',
        staffId: null,
        parentId: first.ticketId,
      }),
    ]);
    expect(store.ticket(first.ticketId)).toMatchObject({ messageCount: 2, status: 'open' });
    expect(store.message(second.messageId!)).toMatchObject({
      kind: 'reply',
      outcome: 'reply',
      threadSignal: 'in_reply_to',
      ticketId: first.ticketId,
    });
    expect(store.events.map((e) => e.type)).toEqual(['ticket_created', 'customer_reply']);
    expect(triage.enqueued).toEqual([first.ticketId]);
    await outbox.idle();
    expect(sender.sent).toHaveLength(1);
  });

  it('lands on the ticket by References alone (signal "references")', async () => {
    const { ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    const result = reply(
      await ingest(
        answer({ inReplyTo: [], references: ['CAJane.1@mail.customer.example', 'unknown.42@elsewhere.example'] }),
      ),
    );
    expect(result).toMatchObject({ ticketId: first.ticketId, signal: 'references' });
  });

  it("matches our acknowledgement's Message-ID too (the customer answered the ack)", async () => {
    const { ingest, ackOf } = setup();
    const first = created(await ingest(inboundEmail()));
    const ackId = ackOf(first.ticketId).messageId;
    const result = reply(
      await ingest(
        answer({
          subject: `Re: [#${first.ticketId}] Where is my order?`,
          inReplyTo: [ackId],
          references: ['CAJane.1@mail.customer.example', ackId],
        }),
      ),
    );
    expect(result).toMatchObject({ ticketId: first.ticketId, signal: 'in_reply_to' });
  });

  it('lands on the ticket by [#N] in the subject when the customer sends it', async () => {
    const { store, ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    const result = reply(await ingest(answer({ subject: `Re: [#${first.ticketId}] Where is my order?` })));
    expect(result).toMatchObject({ ticketId: first.ticketId, signal: 'subject_tag' });
    expect(store.tickets).toHaveLength(1);
  });

  it('lands on the ticket when the customer types its number without brackets ("Demande n° 4"), not on an order number', async () => {
    const { store, ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    const typed = reply(await ingest(answer({ subject: `Demande n° ${first.ticketId} - colis 44718` })));
    expect(typed).toMatchObject({ ticketId: first.ticketId, signal: 'subject_tag' });
    // The same words from someone not on the ticket, and an order number: new tickets, silently.
    const stranger = created(
      await ingest(
        answer({
          messageId: 'typed.2@other.example',
          from: { address: 'mallory@other.example', name: 'Mallory' },
          subject: `Demande n° ${first.ticketId}`,
        }),
      ),
    );
    expect(stranger.ticketId).not.toBe(first.ticketId);
    const order = created(
      await ingest(answer({ messageId: 'typed.3@mail.customer.example', subject: `Commande n° ${first.ticketId}` })),
    );
    expect(order.ticketId).not.toBe(first.ticketId);
    expect(store.repliesOf(first.ticketId)).toHaveLength(1);
  });

  it("stores a message the customer forwards onto the ticket (TR: [#N]) whole, the carrier's words included", async () => {
    const { store, ingest } = setup();
    const first = created(await ingest(inboundEmail({ subject: 'Votre colis XY123456' })));
    const forwarded = OUTLOOK_FORWARD_FR;
    const email = inboundEmail({
      messageId: 'fwd.1@mail.customer.example',
      subject: `TR: [#${first.ticketId}] Votre colis XY123456`,
      text: forwarded,
    });
    expect(await ingest(email)).toMatchObject({ outcome: 'reply', ticketId: first.ticketId, signal: 'subject_tag' });
    expect(store.repliesOf(first.ticketId)[0]?.text).toBe(forwarded);
  });

  it('lands on the ticket by [#N] from a participant (someone in Cc of the first email)', async () => {
    const { ingest } = setup();
    const first = created(await ingest(inboundEmail({ cc: [{ address: 'john@customer.example', name: 'John Doe' }] })));
    const result = reply(
      await ingest(
        answer({
          from: { address: 'john@customer.example', name: 'John Doe' },
          subject: `Re: [#${first.ticketId}] Where is my order?`,
        }),
      ),
    );
    expect(result).toMatchObject({ ticketId: first.ticketId, signal: 'subject_tag' });
  });

  it('does not land on the ticket by [#N] from a stranger: a new ticket, with a note saying why', async () => {
    const { store, ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    const stranger = answer({
      from: { address: 'mallory@other.example', name: 'Mallory' },
      subject: `Re: [#${first.ticketId}] Where is my order?`,
    });
    const second = created(await ingest(stranger));
    expect(second.ticketId).not.toBe(first.ticketId);
    const note = `subject tag [#${first.ticketId}] ignored: mallory@other.example is not on that ticket`;
    expect(store.message(stranger.messageId!)?.notes).toContain(note);
    expect(store.events.find((e) => e.ticketId === second.ticketId)?.details).toMatchObject({ note });
    expect(store.repliesOf(first.ticketId)).toEqual([]);
  });

  it('notes a [#N] of a ticket that does not exist, and opens a new ticket', async () => {
    const { store, ingest } = setup();
    const email = inboundEmail({ subject: 'Re: [#999] Where is my order?' });
    const result = created(await ingest(email));
    expect(store.message(email.messageId!)?.notes).toContain('subject tag [#999] ignored: no such ticket');
    expect(store.ticket(result.ticketId)?.subject).toBe('Where is my order?');
  });

  it('adopts a ticket the old site created when the customer answers it by [#N]', async () => {
    const { store, ingest } = setup();
    const legacyId = store.seedLegacyTicket({
      customerEmail: JANE,
      subject: 'Old question',
      text: 'Asked on the website',
    });
    const result = reply(await ingest(answer({ subject: `Re: [#${legacyId}] Old question` })));
    expect(result).toMatchObject({ ticketId: legacyId, signal: 'subject_tag' });
    expect(store.ticket(legacyId)).toMatchObject({ source: 'legacy', customerEmail: JANE, messageCount: 2 });
  });

  it('reopens a closed ticket', async () => {
    const { store, ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    store.closeTicket(first.ticketId);
    const result = reply(await ingest(answer({ inReplyTo: ['CAJane.1@mail.customer.example'] })));
    expect(result).toMatchObject({ ticketId: first.ticketId, reopened: true });
    expect(store.ticket(first.ticketId)).toMatchObject({ status: 'open', closedAt: null, updatedAt: NOW });
    expect(store.entries.find((r) => r.entryId === first.ticketId)).toMatchObject({ open: true, closed: false });
    expect(store.events.at(-1)).toMatchObject({ type: 'customer_reply_reopened', details: { signal: 'in_reply_to' } });
  });

  it('leaves a closed ticket closed with reopenOnReply: false', async () => {
    const { store, ingest } = setup({ reopenOnReply: false });
    const first = created(await ingest(inboundEmail()));
    store.closeTicket(first.ticketId);
    const result = reply(await ingest(answer({ inReplyTo: ['CAJane.1@mail.customer.example'] })));
    expect(result).toMatchObject({ ticketId: first.ticketId, reopened: false });
    expect(store.ticket(first.ticketId)?.status).toBe('closed');
    expect(store.entries.find((r) => r.entryId === first.ticketId)).toMatchObject({ open: false, closed: true });
    expect(store.repliesOf(first.ticketId)).toHaveLength(1);
    expect(store.events.at(-1)?.type).toBe('customer_reply');
  });

  it("keeps only the customer's new words in the legacy reply, and the whole text in our row", async () => {
    const { store, ingest } = setup();
    const first = created(await ingest(inboundEmail()));
    const text =
      'Found it, thanks!\n\nOn Thu, 15 Jan 2026 at 09:58, Shop Support <support@shop.example> wrote:\n> We have received your message.';
    const email = answer({ inReplyTo: ['CAJane.1@mail.customer.example'], text });
    reply(await ingest(email));
    expect(store.repliesOf(first.ticketId)[0]?.text).toBe('Found it, thanks!');
    expect(store.message(email.messageId!)?.originalText).toBe(text);
  });
});

describe('the same email twice', () => {
  it('is a duplicate the second time: nothing new is written, triaged or sent', async () => {
    const { store, triage, sender, outbox, ingest } = setup();
    const email = inboundEmail();
    const first = created(await ingest(email));
    await outbox.idle();
    const before = store.counts();

    const again = await ingest(email);
    expect(again).toEqual({ outcome: 'duplicate', messageId: email.messageId, ticketId: first.ticketId });
    await outbox.idle();
    expect(store.counts()).toEqual(before);
    expect(triage.enqueued).toEqual([first.ticketId]);
    expect(sender.sent).toHaveLength(1);
  });

  it('is recognised whatever the case of its Message-ID', async () => {
    const { ingest } = setup();
    const first = created(await ingest(inboundEmail({ messageId: 'AbC.1@Mail.Customer.example' })));
    expect(await ingest(inboundEmail({ messageId: 'abc.1@mail.customer.example' }))).toMatchObject({
      outcome: 'duplicate',
      ticketId: first.ticketId,
    });
  });

  it('delivered twice at the same time: one ticket, one duplicate', async () => {
    const { store, ingest } = setup();
    const email = inboundEmail();
    const results = await Promise.all([ingest(email), ingest(email)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'duplicate']);
    expect(store.tickets).toHaveLength(1);
  });

  it('without a Message-ID is identified by sha256:<contentHash>', async () => {
    const { store, sender, outbox, ingest } = setup();
    const email = inboundEmail({ messageId: null, contentHash: 'a'.repeat(64) });
    const result = created(await ingest(email));
    expect(result.messageId).toBe(`sha256:${'a'.repeat(64)}`);
    expect(store.message(`sha256:${'a'.repeat(64)}`)).toMatchObject({ ticketId: result.ticketId, kind: 'ticket' });
    expect(store.entries[0]!.opened?.messageId).toBeNull();
    await outbox.idle();
    // Nothing to thread the acknowledgement on.
    expect(sender.sent[0]).toMatchObject({ inReplyTo: null, references: [] });

    expect(await ingest(email)).toEqual({
      outcome: 'duplicate',
      messageId: `sha256:${'a'.repeat(64)}`,
      ticketId: result.ticketId,
    });
  });
});

describe('automatic mail', () => {
  it('an out-of-office answering our acknowledgement is stored on the ticket, never acknowledged', async () => {
    const { store, triage, sender, outbox, ingest, ackOf } = setup();
    const first = created(await ingest(inboundEmail()));
    await outbox.idle();
    const ackId = ackOf(first.ticketId).messageId;

    const ooo = inboundEmail({
      messageId: 'ooo.77@mail.customer.example',
      subject: `Out of office: [#${first.ticketId}] Where is my order?`,
      text: 'I am out of the office until Monday.',
      inReplyTo: [ackId],
      references: ['CAJane.1@mail.customer.example', ackId],
      headers: new Map([['auto-submitted', ['auto-replied']]]),
    });
    const result = automated(await ingest(ooo));
    expect(result).toEqual({
      outcome: 'automated',
      messageId: ooo.messageId,
      kind: 'auto_reply',
      code: 'auto_reply.auto_submitted',
      reason: 'Auto-Submitted: auto-replied',
      ticketId: first.ticketId,
      flagged: [],
    });

    const replies = store.repliesOf(first.ticketId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^\[Réponse automatique \/ automatic reply\] Out of office/);
    expect(store.message(ooo.messageId!)).toMatchObject({
      kind: 'automated',
      outcome: 'automated_linked',
      threadSignal: 'in_reply_to',
      automatedKind: 'auto_reply',
      threadEntryId: replies[0]!.entryId,
    });
    expect(store.events.at(-1)).toMatchObject({
      ticketId: first.ticketId,
      type: 'automated_auto_reply',
      actor: 'system',
    });
    expect(store.tickets).toHaveLength(1);
    expect(triage.enqueued).toEqual([first.ticketId]);
    await outbox.idle();
    expect(sender.sent).toHaveLength(1);
    expect(store.outbound).toHaveLength(1);
  });

  it('a bounce of our acknowledgement flags the address and is linked to the ticket', async () => {
    const { store, sender, outbox, ingest, ackOf } = setup();
    const first = created(await ingest(inboundEmail()));
    await outbox.idle();
    const ackId = ackOf(first.ticketId).messageId;

    const bounce = inboundEmail({
      messageId: '20260115100100.ABC123@mx.customer.example',
      from: { address: 'mailer-daemon@mx.customer.example', name: 'Mail Delivery System' },
      subject: 'Undelivered Mail Returned to Sender',
      text: "This is the mail system at host mx.customer.example.\n\nI'm sorry to have to inform you that your message could not be delivered.",
      contentType: 'multipart/report',
      reportType: 'delivery-status',
      deliveryReport: { failedRecipients: [JANE], originalMessageIds: [ackId], action: 'failed' },
    });
    const result = automated(await ingest(bounce));
    expect(result).toMatchObject({ kind: 'bounce', ticketId: first.ticketId, flagged: [JANE] });
    expect(store.flaggedAddresses).toEqual([
      expect.objectContaining({ address: JANE, ticketId: first.ticketId, flaggedAt: NOW }),
    ]);
    expect(store.flaggedAddresses[0]!.reason).toMatch(/^bounced: /);
    expect(store.message(bounce.messageId!)).toMatchObject({
      outcome: 'automated_linked',
      threadSignal: 'report',
      automatedKind: 'bounce',
    });
    expect(store.repliesOf(first.ticketId)[0]?.text).toMatch(/^\[Message non distribué \/ delivery failure\]/);
    await outbox.idle();
    expect(sender.sent).toHaveLength(1);

    // The next new ticket from that address is not acknowledged.
    const next = created(
      await ingest(inboundEmail({ messageId: 'CAJane.9@mail.customer.example', subject: 'Another question' })),
    );
    expect(next.acknowledgement).toBe('suppressed: the address bounced before');
  });

  it('a mailing-list email is recorded and skipped: no ticket, no acknowledgement', async () => {
    const { store, triage, sender, outbox, ingest } = setup();
    const list = inboundEmail({
      messageId: 'newsletter.2026.01@lists.vendor.example',
      from: { address: 'news@vendor.example', name: 'Vendor News' },
      subject: 'January newsletter',
      headers: new Map([
        ['list-id', ['Vendor news <news.vendor.example>']],
        ['list-unsubscribe', ['<mailto:unsubscribe@vendor.example>']],
      ]),
    });
    const result = automated(await ingest(list));
    expect(result).toMatchObject({ kind: 'list', ticketId: null, flagged: [] });
    expect(result.reason).toMatch(/^List-Id: /);
    expect(store.tickets).toEqual([]);
    expect(store.entries).toEqual([]);
    expect(store.customers).toEqual([]);
    expect(store.messages).toEqual([
      expect.objectContaining({
        messageId: list.messageId,
        kind: 'automated',
        outcome: 'automated_skipped',
        ticketId: null,
      }),
    ]);
    expect(triage.enqueued).toEqual([]);
    await outbox.idle();
    expect(sender.sent).toEqual([]);
  });

  it('an email from our own address is a loop: recorded, never a ticket', async () => {
    const { store, sender, outbox, ingest } = setup();
    const own = inboundEmail({
      messageId: 'some.client.id@shop.example',
      from: { address: 'support@shop.example', name: 'Shop Support' },
    });
    const result = automated(await ingest(own));
    expect(result).toMatchObject({ kind: 'loop', reason: 'From our own address support@shop.example', ticketId: null });
    expect(store.tickets).toEqual([]);
    await outbox.idle();
    expect(sender.sent).toEqual([]);
  });

  it('an email carrying one of our Message-IDs (ticketrelay.*@our domain) is a loop', async () => {
    const { store, ingest } = setup();
    const echoed = inboundEmail({
      messageId: 'ticketrelay.999.abc.0123456789ab@shop.example',
      from: { address: 'forwarder@customer.example', name: '' },
    });
    expect(automated(await ingest(echoed))).toMatchObject({ kind: 'loop', ticketId: null });
    expect(store.tickets).toEqual([]);
  });
});

describe('the acknowledgement', () => {
  it('is limited per address and hour: with ackMaxPerHour 2 the third is suppressed', async () => {
    const { store, sender, outbox, ingest } = setup({ ackMaxPerHour: 2 });
    const results = [];
    for (const n of [1, 2, 3]) {
      results.push(
        created(
          await ingest(inboundEmail({ messageId: `CAJane.rate.${n}@mail.customer.example`, subject: `Question ${n}` })),
        ),
      );
    }
    expect(results.map((r) => r.acknowledgement)).toEqual([
      'queued',
      'queued',
      'suppressed: already 2 acknowledgements to this address in the last hour',
    ]);
    await outbox.idle();
    expect(sender.sent.map((m) => m.subject)).toEqual([
      `[#${results[0]!.ticketId}] Question 1`,
      `[#${results[1]!.ticketId}] Question 2`,
    ]);
    expect(store.outbound.map((m) => m.delivery)).toEqual(['sent', 'sent', 'suppressed']);
    expect(store.outbound[2]!.automatedReason).toBe('already 2 acknowledgements to this address in the last hour');
  });

  it('is not sent to a no-reply address', async () => {
    const { sender, outbox, ingest } = setup();
    // A person writes, and names a no-reply address to answer to: a ticket, but no acknowledgement.
    const result = created(
      await ingest(inboundEmail({ replyTo: [{ address: 'noreply@partner.example', name: 'Partner' }] })),
    );
    expect(result.acknowledgement).toBe('suppressed: the sender is a no-reply address');
    await outbox.idle();
    expect(sender.sent).toEqual([]);
  });

  it('a no-reply sender without a Reply-To a person reads is an automated notification, never a ticket (issue 16)', async () => {
    const { store, sender, outbox, ingest } = setup();
    for (const [i, address] of [
      'noreply@partner.example',
      'no-reply@carrier.example',
      'post_master@gateway.example',
      'do-not-reply@shop-platform.example',
    ].entries()) {
      const result = automated(
        await ingest(inboundEmail({ messageId: `notice.${i}@partner.example`, from: { address, name: 'Partner' } })),
      );
      expect(result).toMatchObject({ kind: 'notification', code: 'notification.no_reply', ticketId: null });
    }
    expect(store.tickets).toEqual([]);
    // With a Reply-To that a person reads, it is that person's ticket.
    const withReply = created(
      await ingest(
        inboundEmail({
          messageId: 'notice.9@partner.example',
          from: { address: 'noreply@partner.example', name: 'Partner' },
          replyTo: [{ address: 'claire@partner.example', name: 'Claire' }],
        }),
      ),
    );
    expect(withReply.acknowledgement).toBe('queued');
    await outbox.idle();
    expect(sender.sent.map((m) => m.to)).toEqual(['claire@partner.example']);
  });

  it('is not sent to an address that bounced before', async () => {
    const { store, sender, outbox, ingest } = setup();
    store.seedFlaggedAddress(JANE);
    const result = created(await ingest(inboundEmail()));
    expect(result.acknowledgement).toBe('suppressed: the address bounced before');
    expect(store.outbound).toEqual([
      expect.objectContaining({ delivery: 'suppressed', automatedReason: 'the address bounced before' }),
    ]);
    await outbox.idle();
    expect(sender.sent).toEqual([]);
  });

  it('is not sent when acknowledgements are disabled', async () => {
    const { sender, outbox, ingest } = setup({ ackEnabled: false });
    expect(created(await ingest(inboundEmail())).acknowledgement).toBe('suppressed: acknowledgements are disabled');
    await outbox.idle();
    expect(sender.sent).toEqual([]);
  });

  it('stays pending when the SMTP server is down, and goes out on a later pass', async () => {
    const { store, sender, outbox, ingest } = setup();
    sender.failNext(1);
    created(await ingest(inboundEmail()));
    await outbox.idle();
    expect(sender.sent).toEqual([]);
    expect(store.outbound[0]).toMatchObject({ delivery: 'pending', deliveryAttempts: 1 });
    expect(store.outbound[0]!.deliveryError).toMatch(/SMTP server cannot be reached/);
  });
});

describe('when something is broken', () => {
  it('Redis down: the ticket is stored and triage is deferred', async () => {
    const { store, triage, ingest } = setup();
    triage.unavailable = true;
    const result = created(await ingest(inboundEmail()));
    expect(result.triage).toBe('deferred');
    expect(store.ticket(result.ticketId)).toMatchObject({ triaged: false, status: 'open' });
    expect(triage.enqueued).toEqual([]);
  });

  it('an unparseable email is rejected and its raw bytes are kept by the quarantine', async () => {
    const { intake, parser, quarantine, store } = setup();
    parser.fails('no header block');
    const raw = new TextEncoder().encode('\u0000\u0001 garbage');
    const result = rejected(await intake.ingest(raw, { kind: 'file', name: 'broken.eml' }));
    expect(result.reason).toMatch(/^unparseable: .*no header block/);
    expect(quarantine.kept).toHaveLength(1);
    expect(quarantine.kept[0]!.raw).toBe(raw);
    expect(result.keptAt).toBe(quarantine.kept[0]!.path);
    expect(result.messageId).toBe(`sha256:${quarantine.kept[0]!.sha256}`);
    expect(store.messages).toEqual([
      expect.objectContaining({
        messageId: result.messageId,
        kind: 'rejected',
        outcome: 'rejected',
        ticketId: null,
        source: 'file',
        notes: [`raw message kept at ${result.keptAt}`],
      }),
    ]);
    expect(store.tickets).toEqual([]);

    // The same bytes again: already recorded.
    expect(await intake.ingest(raw, { kind: 'file' })).toMatchObject({
      outcome: 'duplicate',
      messageId: result.messageId,
    });
  });

  it('an email with no sender address is rejected (and kept)', async () => {
    const { ingest, quarantine, store, triage } = setup();
    const email = inboundEmail({ from: null, replyTo: [], messageId: 'nofrom.1@somewhere.example' });
    const result = rejected(await ingest(email));
    expect(result).toMatchObject({
      messageId: email.messageId,
      reason: 'no sender address (From, Reply-To and Sender are missing or unusable)',
    });
    expect(result.keptAt).toBe(quarantine.kept[0]?.path);
    expect(store.message(email.messageId!)).toMatchObject({ kind: 'rejected', peerAddress: null });
    expect(store.tickets).toEqual([]);
    expect(triage.enqueued).toEqual([]);
  });

  it('an email rejected for no sender is taken once a From line is added: the rejection record goes, a ticket comes', async () => {
    const { ingest, store, triage, outbox, sender } = setup();
    const messageId = 'nofrom.fixed@somewhere.example';
    rejected(await ingest(inboundEmail({ from: null, replyTo: [], messageId })));
    expect(store.message(messageId)).toMatchObject({ kind: 'rejected' });

    // The operator adds "From: jane@customer.example" to the kept file and ingests it again.
    const result = created(await ingest(inboundEmail({ messageId })));
    expect(store.ticket(result.ticketId)).toMatchObject({ customerEmail: JANE, status: 'open' });
    expect(store.messages.filter((m) => m.messageId === messageId)).toEqual([
      expect.objectContaining({ kind: 'ticket', outcome: 'created', ticketId: result.ticketId }),
    ]);
    expect(triage.enqueued).toEqual([result.ticketId]);
    await outbox.idle();
    expect(sender.sent.map((m) => m.to)).toEqual([JANE]);

    // And a third time: an ordinary duplicate of the email now taken.
    expect(await ingest(inboundEmail({ messageId }))).toEqual({
      outcome: 'duplicate',
      messageId,
      ticketId: result.ticketId,
    });
  });

  it('an email rejected for no sender and delivered again still without one: still rejected, and the reason says how to fix it', async () => {
    const { ingest, store } = setup();
    const email = inboundEmail({ from: null, replyTo: [], messageId: 'nofrom.twice@somewhere.example' });
    rejected(await ingest(email));
    const before = store.counts();
    expect(rejected(await ingest(email))).toEqual({
      outcome: 'rejected',
      messageId: email.messageId,
      reason:
        'this message was rejected before (no sender address); it is still not taken: add a From line to the file kept in the rejected folder and ingest it again',
      keptAt: null,
    });
    expect(store.counts()).toEqual(before);
    expect(store.message(email.messageId!)).toMatchObject({ kind: 'rejected' });
  });

  it('an email too large is rejected with sizes a person can read, whatever the limit', async () => {
    const { intake, store } = setup();
    const small = rejected(await intake.rejectOversized(3277, 1024, { kind: 'stdin' }));
    expect(small.reason).toBe('message of 3.2 KB is larger than the 1 KB limit (MESSAGE_MAX_BYTES)');
    expect(store.message(small.messageId!)).toMatchObject({ kind: 'rejected', automatedReason: small.reason });
    const large = rejected(
      await intake.rejectOversized(75 * 1024 * 1024 + 300 * 1024, 60 * 1024 * 1024, {
        kind: 'imap:support',
        name: '42',
      }),
    );
    expect(large.reason).toBe('message of 75.3 MB is larger than the 60 MB limit (MESSAGE_MAX_BYTES)');
    expect(rejected(await intake.rejectOversized(900, 512, { kind: 'stdin' })).reason).toBe(
      'message of 900 bytes is larger than the 512 bytes limit (MESSAGE_MAX_BYTES)',
    );
  });

  it('an email with no From but a Reply-To is taken from the Reply-To', async () => {
    const { ingest, store } = setup();
    const result = created(
      await ingest(inboundEmail({ from: null, replyTo: [{ address: 'jane.doe@customer.example', name: '' }] })),
    );
    expect(store.ticket(result.ticketId)?.customerEmail).toBe('jane.doe@customer.example');
    expect(store.customers[0]).toMatchObject({ firstName: 'Jane', lastName: 'Doe' });
  });

  it('a db.conflict (two deliveries creating one customer) is retried and succeeds', async () => {
    const { store, ingest, outbox, sender } = setup();
    store.conflictOnFindOrCreateCustomer(1);
    const result = created(await ingest(inboundEmail()));
    expect(result.customerCreated).toBe(true);
    expect(store.stats).toEqual({ transactions: 2, committed: 1, rolledBack: 1 });
    expect(store.tickets).toHaveLength(1);
    expect(store.customers).toHaveLength(1);
    expect(store.messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    await outbox.idle();
    expect(sender.sent).toHaveLength(1);
  });

  it('db.unavailable: the ingest rejects with a retryable AppError and nothing is stored; later it is taken', async () => {
    const { store, ingest, triage, sender, outbox } = setup();
    store.failNextTransactions(1);
    const email = inboundEmail();
    const error = await ingest(email).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'db.unavailable', retryable: true });
    expect(store.counts()).toEqual({
      customers: 0,
      customerKeys: 0,
      entries: 0,
      tickets: 0,
      messages: 0,
      participants: 0,
      attachments: 0,
      events: 0,
      flags: 0,
    });
    expect(triage.enqueued).toEqual([]);
    await outbox.idle();
    expect(sender.sent).toEqual([]);

    // The source keeps the email and delivers it again once the database is back.
    expect(created(await ingest(email)).outcome).toBe('created');
  });

  it('db.unavailable when recording a rejected email: the ingest rejects (the email is not lost as "rejected")', async () => {
    const { store, ingest } = setup();
    store.failNextTransactions(1, 'begin');
    await expect(ingest(inboundEmail({ from: null }))).rejects.toMatchObject({
      code: 'db.unavailable',
      retryable: true,
    });
    expect(store.messages).toEqual([]);
  });
});

describe('concurrent deliveries', () => {
  it('a reply started while its ticket is still being taken waits for it and lands on the ticket', async () => {
    const { store, ingest } = setup();
    // An existing customer: nothing else (no customer-creation conflict) would serialise the two.
    store.seedCustomer(JANE, { first: 'Jane', last: 'Doe' });
    const first = inboundEmail();
    const second = answer({ inReplyTo: [first.messageId!], references: [first.messageId!] });

    const pendingFirst = ingest(first);
    const pendingSecond = ingest(second);
    const [a, b] = await Promise.all([pendingFirst, pendingSecond]);

    const ticket = created(a);
    expect(reply(b)).toMatchObject({ ticketId: ticket.ticketId, signal: 'in_reply_to' });
    expect(store.tickets).toHaveLength(1);
    expect(store.repliesOf(ticket.ticketId)).toHaveLength(1);
  });

  it('a reply to a reply, all three arriving together, lands on the one ticket', async () => {
    const { store, ingest } = setup();
    store.seedCustomer(JANE, { first: 'Jane', last: 'Doe' });
    const a = inboundEmail();
    const b = answer({ inReplyTo: [a.messageId!], references: [] });
    const c = answer({ messageId: 'CAJane.3@mail.customer.example', inReplyTo: [b.messageId!], references: [] });
    const [ra, rb, rc] = await Promise.all([ingest(a), ingest(b), ingest(c)]);
    const ticket = created(ra);
    expect(reply(rb).ticketId).toBe(ticket.ticketId);
    expect(reply(rc).ticketId).toBe(ticket.ticketId);
    expect(store.tickets).toHaveLength(1);
  });

  it('two workers taking the same email at once (no shared in-flight map): one ticket, the other a duplicate', async () => {
    const { store, parser, triage, outbox, quarantine, intake } = setup();
    const otherWorker = new IntakeService({
      parser,
      store,
      triage,
      outbox,
      quarantine,
      logger: silentLogger,
      settings: SETTINGS,
      clock,
    });
    const email = inboundEmail();
    const results = await Promise.all([
      intake.ingest(parser.rawFor(email), { kind: 'imap' }),
      otherWorker.ingest(parser.rawFor(email), { kind: 'imap' }),
    ]);
    const winner = created(results.find((r) => r.outcome === 'created')!);
    expect(results.find((r) => r.outcome !== 'created')).toEqual({
      outcome: 'duplicate',
      messageId: email.messageId,
      ticketId: winner.ticketId,
    });
    expect(store.tickets).toHaveLength(1);
    expect(store.entries).toHaveLength(1);
    expect(store.customers).toHaveLength(1);
    expect(store.messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    expect(store.outbound).toHaveLength(1);
    expect(triage.enqueued).toEqual([winner.ticketId]);
  });
});
