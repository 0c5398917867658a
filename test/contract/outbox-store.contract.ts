/**
 * The OutboxStore contract (src/ports/outbox-store.ts): the same cases run on the in-memory fake
 * (test/unit/outbox-store.contract.test.ts) and on MySQL (test/integration/outbox-store.contract.test.ts),
 * so that a fake the unit tests rely on cannot drift from what production does (bullmq's adapter
 * conformance suite does the same). Rows are put in the outbox the way intake does: a pending outbound
 * message recorded in an IntakeStore transaction.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntakeStore } from '../../src/ports/intake-store.ts';
import type { OutboxStore } from '../../src/ports/outbox-store.ts';

export interface OutboxStoreUnderTest {
  /** Where intake queues its emails (the rows the outbox sends). */
  readonly intake: IntakeStore;
  readonly outbox: OutboxStore;
  /** Called after each case: nothing a case left may be seen by the next. */
  cleanup(): Promise<void>;
}

const MAX_ATTEMPTS = 5;

export function outboxStoreContract(name: string, make: () => Promise<OutboxStoreUnderTest>): void {
  describe(`OutboxStore contract: ${name}`, () => {
    let subject: OutboxStoreUnderTest;
    let intake: IntakeStore;
    let store: OutboxStore;
    beforeEach(async () => {
      subject = await make();
      intake = subject.intake;
      store = subject.outbox;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    /** An acknowledgement to `to`, pending as intake leaves it; its Message-ID. */
    const queue = async (to: string, subject = 'Re: Where is my order?'): Promise<string> => {
      const messageId = `<contract.${randomBytes(6).toString('hex')}@ticketrelay.test>`;
      await intake.transaction(async (tx) => {
        await tx.recordMessage({
          messageId,
          ticketId: null,
          threadEntryId: null,
          direction: 'outbound',
          kind: 'ack',
          outcome: 'ack',
          threadSignal: null,
          automatedKind: null,
          automatedReason: null,
          peerAddress: to,
          subject,
          inReplyTo: ['<CAJane.0@mail.customer.example>'],
          references: ['<CAJane.0@mail.customer.example>'],
          language: 'en',
          bodyText: `Hello,\n\nwe received your message (${to}).`,
          originalText: null,
          notes: [],
          source: 'contract',
          rawSize: null,
          delivery: 'pending',
          at: new Date(),
        });
      });
      return messageId;
    };

    it('hands a pending email out once, with what is needed to send it, and claims it from other callers', async () => {
      const messageId = await queue('jane@customer.example', 'Re: [#7] Where is my order?');
      const [row, ...others] = await store.pendingOutbound(10, MAX_ATTEMPTS);
      expect(others).toEqual([]);
      expect(row).toMatchObject({
        messageId,
        ticketId: null,
        kind: 'ack',
        to: 'jane@customer.example',
        subject: 'Re: [#7] Where is my order?',
        text: 'Hello,\n\nwe received your message (jane@customer.example).',
        inReplyTo: ['<CAJane.0@mail.customer.example>'],
        references: ['<CAJane.0@mail.customer.example>'],
        attempts: 0,
      });
      // Another process asking now gets nothing: the row is claimed until it is marked.
      expect(await store.pendingOutbound(10, MAX_ATTEMPTS)).toEqual([]);
      expect(await store.pendingOutbound(10, MAX_ATTEMPTS, { ignoreBackoff: true })).toEqual([]);
    });

    it('hands out the oldest first, at most `limit`, and only after `afterId`', async () => {
      const first = await queue('a@customer.example');
      const second = await queue('b@customer.example');
      const third = await queue('c@customer.example');
      const [a] = await store.pendingOutbound(1, MAX_ATTEMPTS);
      expect(a?.messageId).toBe(first);
      const rest = await store.pendingOutbound(10, MAX_ATTEMPTS, { afterId: a!.rowId });
      expect(rest.map((r) => r.messageId)).toEqual([second, third]);
    });

    it('never sends a sent email again, and the outbox is then empty', async () => {
      await queue('jane@customer.example');
      const [row] = await store.pendingOutbound(10, MAX_ATTEMPTS);
      await store.markOutbound([row!.rowId], { delivery: 'sent', error: null });
      expect(await store.pendingOutbound(10, MAX_ATTEMPTS, { ignoreBackoff: true })).toEqual([]);
      expect(await store.outboxState(7)).toMatchObject({
        pending: 0,
        failed: 0,
        oldestPendingAt: null,
        lastError: null,
        examples: [],
      });
    });

    it('keeps a failed try waiting for its retry time, says why, and counts the attempt', async () => {
      await queue('jane@customer.example');
      const [row] = await store.pendingOutbound(10, MAX_ATTEMPTS);
      await store.markOutbound([row!.rowId], { delivery: 'pending', error: '421 4.7.0 try again later' });
      expect(await store.pendingOutbound(10, MAX_ATTEMPTS)).toEqual([]);
      const state = await store.outboxState(7);
      expect(state).toMatchObject({ pending: 1, failed: 0, lastError: '421 4.7.0 try again later' });
      expect(state.oldestPendingAt).toBeInstanceOf(Date);
      expect(state.examples).toEqual([
        { delivery: 'pending', ticketId: null, kind: 'ack', to: 'jane@customer.example' },
      ]);
      // An operator sending now does not wait for it.
      const [again] = await store.pendingOutbound(10, MAX_ATTEMPTS, { ignoreBackoff: true });
      expect(again).toMatchObject({ rowId: row!.rowId, attempts: 1 });
    });

    it('stops handing out an email that used up its attempts', async () => {
      await queue('jane@customer.example');
      for (let attempt = 0; attempt < 2; attempt++) {
        const [row] = await store.pendingOutbound(10, 2, { ignoreBackoff: true });
        await store.markOutbound([row!.rowId], { delivery: 'pending', error: 'timeout' });
      }
      expect(await store.pendingOutbound(10, 2, { ignoreBackoff: true })).toEqual([]);
      expect((await store.pendingOutbound(10, 3, { ignoreBackoff: true })).length).toBe(1);
    });

    it('counts an email given up, and puts it back with its attempts afresh when asked', async () => {
      await queue('jane@customer.example');
      const [row] = await store.pendingOutbound(10, MAX_ATTEMPTS);
      await store.markOutbound([row!.rowId], { delivery: 'failed', error: '550 5.1.1 mailbox unavailable' });
      expect(await store.pendingOutbound(10, MAX_ATTEMPTS, { ignoreBackoff: true })).toEqual([]);
      expect(await store.outboxState(7)).toMatchObject({
        pending: 0,
        failed: 1,
        lastFailure: '550 5.1.1 mailbox unavailable',
        examples: [{ delivery: 'failed', ticketId: null, kind: 'ack', to: 'jane@customer.example' }],
      });
      expect(await store.retryFailedOutbound(new Date(Date.now() - 86_400_000))).toBe(1);
      const [back] = await store.pendingOutbound(10, MAX_ATTEMPTS);
      expect(back).toMatchObject({ rowId: row!.rowId, attempts: 0 });
      expect(await store.retryFailedOutbound(new Date(Date.now() - 86_400_000))).toBe(0);
    });
  });
}
