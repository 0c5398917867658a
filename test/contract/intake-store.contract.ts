/**
 * The IntakeStore contract (src/ports/intake-store.ts), run on the in-memory fake
 * (test/unit/intake-store.contract.test.ts) and on MySQL (test/integration/intake-store.contract.test.ts):
 * what intake relies on — one transaction per email, all or nothing; a Message-ID stored once; customers
 * found whatever the case of their address; a new ticket found by its number and its Message-IDs; a
 * reopened ticket open again; flags and participants kept.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntakeStore, IntakeTransaction, MessageRecord } from '../../src/ports/intake-store.ts';

export interface IntakeStoreUnderTest {
  readonly store: IntakeStore;
  cleanup(): Promise<void>;
}

const unique = () => randomBytes(5).toString('hex');

function inbound(messageId: string, ticketId: number | null, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId,
    ticketId,
    threadEntryId: ticketId,
    direction: 'inbound',
    kind: 'ticket',
    outcome: 'created',
    threadSignal: 'none',
    automatedKind: null,
    automatedReason: null,
    peerAddress: 'jane@customer.example',
    subject: 'Where is my order?',
    inReplyTo: [],
    references: [],
    language: 'en',
    bodyText: 'Hello, where is my order?',
    originalText: null,
    notes: [],
    source: 'contract',
    rawSize: 1234,
    delivery: null,
    at: new Date(),
    ...overrides,
  };
}

export function intakeStoreContract(name: string, make: () => Promise<IntakeStoreUnderTest>): void {
  describe(`IntakeStore contract: ${name}`, () => {
    let subject: IntakeStoreUnderTest;
    let store: IntakeStore;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    /** A ticket as intake opens one, from `address`; its number. */
    const openTicket = async (tx: IntakeTransaction, address: string, messageId: string): Promise<number> => {
      const { customerId } = await tx.findOrCreateCustomer(address, { first: 'Jane', last: 'Doe' });
      const at = new Date();
      const ticketId = await tx.createTicket({
        customerId,
        customerEmail: address,
        subject: 'Where is my order?',
        text: 'Hello, where is my order?',
        messageId,
        attachments: [],
        priority: 'normal',
        category: 'general',
        language: 'en',
        orderNumber: null,
        source: 'email',
        mailbox: null,
        at,
      });
      await tx.recordMessage(inbound(messageId, ticketId, { peerAddress: address }));
      return ticketId;
    };

    it('stores a new ticket in one transaction: found by its number, by its Message-ID, and as a stored message', async () => {
      const address = `jane.${unique()}@customer.example`;
      const messageId = `<contract.${unique()}@mail.customer.example>`;
      const ticketId = await store.transaction((tx) => openTicket(tx, address, messageId));
      expect(ticketId).toBeGreaterThan(0);
      expect(await store.findMessage(messageId)).toEqual({ ticketId, outcome: 'created' });
      const found = await store.transaction(async (tx) => ({
        byId: await tx.ticketById(ticketId),
        byMessage: await tx.ticketForMessageIds(['<unknown@x>', messageId]),
      }));
      expect(found.byId).toMatchObject({
        ticketId,
        customerEmail: address,
        subject: 'Where is my order?',
        status: 'open',
      });
      expect(found.byMessage).toMatchObject({ matchedId: messageId, ticket: { ticketId } });
    });

    it('keeps nothing of a transaction whose work throws', async () => {
      const address = `rolled.${unique()}@customer.example`;
      const messageId = `<contract.${unique()}@mail.customer.example>`;
      await expect(
        store.transaction(async (tx) => {
          await openTicket(tx, address, messageId);
          throw new Error('the parser thread stopped');
        }),
      ).rejects.toThrow('the parser thread stopped');
      expect(await store.findMessage(messageId)).toBeNull();
      const again = await store.transaction((tx) => tx.findOrCreateCustomer(address, { first: 'Jane', last: 'Doe' }));
      expect(again.created).toBe(true);
    });

    it('refuses a Message-ID stored before with email.duplicate', async () => {
      const messageId = `<contract.${unique()}@mail.customer.example>`;
      await store.transaction((tx) =>
        tx.recordMessage(inbound(messageId, null, { kind: 'automated', outcome: 'automated' })),
      );
      await expect(
        store.transaction((tx) =>
          tx.recordMessage(inbound(messageId, null, { kind: 'automated', outcome: 'automated' })),
        ),
      ).rejects.toMatchObject({ code: 'email.duplicate' });
      expect(await store.findMessage(messageId)).toEqual({ ticketId: null, outcome: 'automated' });
    });

    it('finds a customer whatever the case of the address, and creates one only once', async () => {
      const local = `Mixed.${unique()}`;
      const first = await store.transaction((tx) =>
        tx.findOrCreateCustomer(`${local}@Customer.Example`, { first: 'Jean', last: 'Dupont' }),
      );
      const second = await store.transaction((tx) =>
        tx.findOrCreateCustomer(`${local.toLowerCase()}@customer.example`, { first: null, last: null }),
      );
      expect(first.created).toBe(true);
      expect(second).toEqual({ customerId: first.customerId, created: false });
    });

    it('reopens a closed ticket, and keeps its participants and flagged addresses', async () => {
      const address = `reopen.${unique()}@customer.example`;
      const ticketId = await store.transaction((tx) =>
        openTicket(tx, address, `<contract.${unique()}@mail.customer.example>`),
      );
      const result = await store.transaction(async (tx) => {
        await tx.reopenTicket(ticketId, new Date());
        await tx.addParticipants(ticketId, ['john@customer.example']);
        await tx.flagAddress('bounces@customer.example', 'bounced', ticketId, new Date());
        return null;
      });
      expect(result).toBeNull();
      const after = await store.transaction(async (tx) => ({
        ticket: await tx.ticketById(ticketId),
        john: await tx.isParticipant(ticketId, 'john@customer.example'),
        stranger: await tx.isParticipant(ticketId, 'someone@else.example'),
        flagged: await tx.isAddressFlagged('bounces@customer.example'),
        clean: await tx.isAddressFlagged(`clean.${unique()}@customer.example`),
      }));
      expect(after).toMatchObject({
        ticket: { ticketId, status: 'open' },
        john: true,
        stranger: false,
        flagged: true,
        clean: false,
      });
    });
  });
}
