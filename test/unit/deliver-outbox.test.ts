/**
 * The outbox's claims on emails it sends (fault-injection findings): short, renewed while a slow mail
 * server takes its time, and released when a process starts again after one that died.
 */
import { describe, expect, it } from 'vitest';
import type { MailSender, OutgoingEmail } from '../../src/ports/mail-sender.ts';
import { OutboxService } from '../../src/services/deliver-outbox.ts';
import { IntakeService } from '../../src/services/ingest-email.ts';
import { InMemoryIntakeStore } from '../fakes/in-memory-intake-store.ts';
import {
  FakeEmailParser,
  inboundEmail,
  RecordingQuarantine,
  RecordingTriageQueue,
  silentLogger,
} from '../fakes/fake-ports.ts';

/** A mail server that takes `delayMs` for each email. */
class SlowMailSender implements MailSender {
  readonly sent: OutgoingEmail[] = [];
  constructor(readonly delayMs: number) {}
  async send(email: OutgoingEmail): Promise<{ readonly response: string }> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.sent.push(email);
    return { response: '250 OK' };
  }
}

const SETTINGS = {
  ownAddresses: ['support@shop.example'],
  messageIdDomain: 'shop.example',
  supportAddress: 'support@shop.example',
  supportName: 'Support',
  ackEnabled: true,
  ackMaxPerHour: 5,
  reopenOnReply: true,
  defaultLanguage: 'en' as const,
};

function setup(sender: MailSender, claimRenewMs: number) {
  const store = new InMemoryIntakeStore();
  const outbox = new OutboxService({
    store,
    sender,
    from: { address: 'support@shop.example', name: 'Support' },
    logger: silentLogger,
    claimRenewMs,
  });
  const parser = new FakeEmailParser();
  const intake = new IntakeService({
    parser,
    store,
    triage: new RecordingTriageQueue(),
    outbox,
    quarantine: new RecordingQuarantine(),
    logger: silentLogger,
    settings: SETTINGS,
  });
  return { store, outbox, intake, parser };
}

describe('outbox claims', () => {
  it('renews its claims while a slow mail server is still taking the email', async () => {
    const sender = new SlowMailSender(300);
    const { store, outbox, intake, parser } = setup(sender, 50);
    let renewals = 0;
    const renew = store.renewOutboundClaims.bind(store);
    store.renewOutboundClaims = async (ids) => {
      if (ids.length > 0) renewals++;
      return renew(ids);
    };
    expect(
      await intake.ingest(parser.rawFor(inboundEmail({ from: { address: 'slow@customer.example', name: '' } })), {
        kind: 'test',
      }),
    ).toMatchObject({ outcome: 'created' });
    await outbox.deliverPending();
    await outbox.idle();
    expect(sender.sent).toHaveLength(1);
    expect(renewals).toBeGreaterThanOrEqual(3);
  });

  it('sends at once, on its first pass, what a process that stopped had claimed', async () => {
    const sender = new SlowMailSender(0);
    const { store, outbox, intake, parser } = setup(sender, 50);
    // A first process claims the acknowledgement, then dies before sending it.
    store.claimOwner = 'host:111:dead';
    const pass = store.pendingOutbound.bind(store);
    store.pendingOutbound = async () => [];
    expect(
      await intake.ingest(parser.rawFor(inboundEmail({ from: { address: 'crash@customer.example', name: '' } })), {
        kind: 'test',
      }),
    ).toMatchObject({ outcome: 'created' });
    await outbox.idle();
    expect(await pass(10, 8)).toHaveLength(1);
    // This process starts.
    store.pendingOutbound = pass;
    store.claimOwner = 'host:222:alive';
    const restarted = new OutboxService({
      store,
      sender,
      from: { address: 'support@shop.example', name: 'Support' },
      logger: silentLogger,
    });
    expect(await restarted.deliverPending()).toBe(1);
    expect(sender.sent.map((e) => e.to)).toEqual(['crash@customer.example']);
  });
});
