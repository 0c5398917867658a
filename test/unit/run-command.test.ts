/**
 * The /ticket command service on in-memory ports: what an agent reads back in chat, and what the
 * customer would get (the reply queued for the outbox). The same service runs on MySQL in
 * test/integration/commands.test.ts; here each rule is checked without a database.
 */
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/domain/command.ts';
import type { Agent, AgentDirectory } from '../../src/ports/agent-directory.ts';
import type { DeliveryOutcome, OutboxDelivery } from '../../src/services/deliver-outbox.ts';
import { CommandService } from '../../src/services/run-command.ts';
import { silentLogger } from '../fakes/fake-ports.ts';
import { InMemoryTicketStore } from '../fakes/in-memory-ticket-store.ts';

const NOW = new Date('2026-03-10T09:00:00Z');
const marie: Agent = { id: 1, name: 'marie', fullName: 'Marie Curie', staffId: 12, role: 'agent' };
const boss: Agent = { id: 2, name: 'boss', staffId: 1, role: 'manager' };
const noStaff: Agent = { id: 3, name: 'temp', staffId: null, role: 'agent' };
const callers: Record<string, Agent> = { U1: marie, U2: boss, U3: noStaff };
const as = (userId: string): Caller => ({ platform: 'slack', userId });

class Directory implements AgentDirectory {
  async forCaller(caller: Caller): Promise<Agent | null> {
    await Promise.resolve();
    return callers[caller.userId] ?? null;
  }
  async byName(name: string): Promise<Agent | null> {
    await Promise.resolve();
    return Object.values(callers).find((a) => a.name === name.toLowerCase()) ?? null;
  }
}

/** An outbox whose mail server takes every email, or (`away`) none: what the agent is told depends on it. */
class Outbox implements OutboxDelivery {
  away = false;
  passes = 0;
  constructor(readonly store: InMemoryTicketStore) {}
  async deliverPending(): Promise<number> {
    await Promise.resolve();
    this.passes++;
    return this.away ? 0 : this.store.queued.length;
  }
  async idle(): Promise<void> {}
  outcome(messageId: string): DeliveryOutcome | null {
    if (!this.store.queued.some((q) => q.messageId === messageId)) return null;
    return this.away ? { delivery: 'pending', error: 'connect ECONNREFUSED 127.0.0.1:25' } : { delivery: 'sent' };
  }
}

function setup() {
  const store = new InMemoryTicketStore();
  const outbox = new Outbox(store);
  const commands = new CommandService({
    store,
    agents: new Directory(),
    outbox,
    logger: silentLogger,
    messageIdDomain: 'support.shop.example',
    supportName: 'Shop Support',
    now: () => NOW,
  });
  const ticket = (subject: string, extra: Partial<Parameters<InMemoryTicketStore['seedTicket']>[0]> = {}) =>
    store.seedTicket({
      customerEmail: 'jane@customer.example',
      customerName: 'Jane Doe',
      subject,
      text: 'Do the pads fit a Clio 4?',
      at: new Date('2026-03-09T08:00:00Z'),
      ...extra,
    });
  return { store, outbox, commands, ticket };
}

describe('the command service', () => {
  it('lets only registered agents read or change tickets, and says how to become one', async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Brake pads');
    const stranger = await commands.run(as('U9'), `close ${id}`);
    expect(stranger).toMatchObject({ ok: false, ephemeral: true });
    expect(stranger.text).toBe(
      'Only registered agents may change tickets or write to customers, and you are not one; ask a manager to register you with "npx ticketrelay agents add" (your slack id is U9).',
    );
    expect((await commands.run(as('U9'), 'list')).text).toMatch(/^Only registered agents may read tickets/);
    expect(store.ticket(id)?.status).toBe('open');
    expect(store.events).toEqual([]);
  });

  it('closes once with who and why, says so the second time, and reopens', async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Close me');
    const closed = await commands.run(as('U1'), `close ${id} answered by phone`);
    expect(closed).toEqual({
      ok: true,
      ephemeral: false,
      text: `Ticket #${id} "Close me" closed by marie (answered by phone).`,
    });
    expect(store.ticket(id)).toMatchObject({ status: 'closed', closedAt: NOW });
    expect((await commands.run(as('U1'), `close ${id}`)).text).toBe(
      `Ticket #${id} is already closed; nothing changed.`,
    );
    expect(store.events.map((e) => [e.type, e.actor, e.details])).toEqual([
      ['closed', 'marie (slack)', { agentId: 1, reason: 'answered by phone' }],
    ]);
    const reopened = await commands.runAction(as('U1'), 'reopen', id);
    expect(reopened.text).toBe(`Ticket #${id} "Close me" reopened by marie.`);
    expect(store.ticket(id)).toMatchObject({ status: 'open', closedAt: null });
  });

  it("replies to the customer, signed with the agent's full name, quoting what they wrote, threaded on it", async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Brake pads');
    const sent = await commands.run(as('U1'), `reply ${id} Yes, they fit: reference 4410.`);
    expect(sent).toEqual({
      ok: true,
      ephemeral: false,
      text: `Reply sent to jane@customer.example on ticket #${id} by marie.`,
    });
    expect(store.queued).toHaveLength(1);
    const email = store.queued[0]!;
    expect(email).toMatchObject({
      ticketId: id,
      to: 'jane@customer.example',
      cc: [],
      subject: `Re: [#${id}] Brake pads`,
      inReplyTo: [`ticket.${id}@mail.customer.example`],
    });
    expect(email.messageId).toMatch(/^ticketrelay\.[^@]+@support\.shop\.example$/);
    expect(email.text).toMatch(/^Yes, they fit: reference 4410\.\n\n— Marie Curie\nShop Support\n\n/);
    expect(email.text).toContain('> Do the pads fit a Clio 4?');
    // On the thread under the agent's staff id, first response time set, and in the audit trail.
    expect(store.ticket(id)?.replies).toEqual([
      expect.objectContaining({ staffId: '12', text: 'Yes, they fit: reference 4410.' }),
    ]);
    expect(store.ticket(id)?.firstResponseAt).toEqual(NOW);
    expect(store.events.at(-1)).toMatchObject({
      type: 'replied',
      details: { agentId: 1, messageId: email.messageId, threadEntryId: email.threadEntryId, firstResponse: true },
    });
  });

  it('says a reply is saved but not sent when the mail server is away, never that it was sent', async () => {
    const { outbox, commands, ticket } = setup();
    const id = ticket('Brake pads');
    outbox.away = true;
    const reply = await commands.run(as('U1'), `reply ${id} On its way.`);
    expect(reply.ok).toBe(true);
    expect(reply.text).not.toMatch(/^Reply sent/);
    expect(reply.text).toContain('connect ECONNREFUSED');
  });

  it('refuses to write to a flagged address, and an agent without a staff id', async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Bounced', { customerEmail: 'bounced@customer.example' });
    store.seedFlag('bounced@customer.example', 'hard bounce 550');
    const flagged = await commands.run(as('U1'), `reply ${id} Hello`);
    expect(flagged.ok).toBe(false);
    expect(flagged.text).toMatch(/^Nothing was sent: bounced@customer\.example is flagged \(hard bounce 550\)/);
    const unsigned = await commands.run(as('U3'), `reply ${ticket('Other')} Hello`);
    expect(unsigned.text).toMatch(/^You have no staff id/);
    expect(store.queued).toEqual([]);
  });

  it('assigns: an agent takes a ticket, only a manager gives one to someone else', async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Assign me');
    expect((await commands.run(as('U1'), `assign ${id} @boss`)).text).toMatch(
      /^Only managers may give a ticket to someone else/,
    );
    expect((await commands.runAction(as('U1'), 'assign_me', id)).text).toBe(`Ticket #${id} assigned to marie.`);
    expect((await commands.run(as('U2'), `assign ${id} @marie`)).text).toBe(
      `Ticket #${id} is already assigned to marie; nothing changed.`,
    );
    expect((await commands.run(as('U2'), `assign ${id} @nobodyhere`)).text).toMatch(
      /^There is no agent named "nobodyhere"/,
    );
    expect(store.ticket(id)?.assigneeAgentId).toBe(1);
  });

  it('records a correction of triage for training, and says when nothing changes', async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Invoice twice', { priority: 'normal', category: 'general' });
    expect((await commands.run(as('U1'), `category ${id} billing`)).text).toBe(
      `Ticket #${id}: category general → billing, set by marie (kept for triage training).`,
    );
    expect((await commands.run(as('U1'), `category ${id} billing`)).text).toBe(
      `Ticket #${id} already has category billing; nothing changed.`,
    );
    expect(store.corrections).toEqual([
      { ticketId: id, field: 'category', from: 'general', to: 'billing', agentId: 1 },
    ]);
  });

  it('keeps a note internal: in the view and the audit trail, never emailed', async () => {
    const { store, commands, ticket } = setup();
    const id = ticket('Noted');
    expect((await commands.run(as('U1'), `note ${id} Customer called, wants a refund`)).text).toBe(
      `Internal note added to ticket #${id} (the customer does not see it).`,
    );
    expect(store.queued).toEqual([]);
    const view = await commands.run(as('U1'), `view ${id}`);
    expect(view.text).toContain('Customer called, wants a refund');
    expect(view.text).toContain('Do the pads fit a Clio 4?');
  });

  it('lists newest first with the filters it was given, and tells a number that is no ticket', async () => {
    const { commands, ticket } = setup();
    const older = ticket('Turbocharger noise', { at: new Date('2026-03-01T08:00:00Z') });
    const newer = ticket('Turbocharger leak', { at: new Date('2026-03-05T08:00:00Z'), priority: 'urgent' });
    ticket('Wiper blades');
    const list = await commands.run(as('U1'), 'list turbocharger');
    const lines = list.text.split('\n');
    const at = (n: number) => lines.findIndex((l) => l.includes(`#${n} `));
    expect(at(newer)).toBeGreaterThan(-1);
    expect(at(newer)).toBeLessThan(at(older));
    expect(list.text).not.toContain('Wiper blades');
    const urgent = await commands.run(as('U1'), 'list urgent');
    expect(urgent.text).toContain('Turbocharger leak');
    expect(urgent.text).not.toContain('Turbocharger noise');
    const none = await commands.run(as('U1'), 'view 99999');
    expect(none.ok).toBe(false);
    expect(none.text).toMatch(/99999/);
  });
});
