/**
 * A customer forwards a carrier's email onto their ticket ("TR: [#1] …"): the intake use case, through
 * in-memory fakes, stores the forwarded message on the ticket for the agent to read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundEmail } from '../../src/domain/inbound-email.ts';
import { OutboxService } from '../../src/services/deliver-outbox.ts';
import { IntakeService, type IntakeResult } from '../../src/services/ingest-email.ts';
import { InMemoryIntakeStore } from '../fakes/in-memory-intake-store.ts';
import { FakeEmailParser, inboundEmail, RecordingMailSender, RecordingQuarantine, RecordingTriageQueue, silentLogger } from '../fakes/fake-ports.ts';

const clock = () => new Date('2026-12-03T10:00:00Z');

const outboxes: OutboxService[] = [];
afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.idle()));
});

function setup() {
  const store = new InMemoryIntakeStore({ clock });
  const parser = new FakeEmailParser();
  const outbox = new OutboxService({ store, sender: new RecordingMailSender(), from: { address: 'support@shop.example', name: 'Shop Support' }, logger: silentLogger });
  outboxes.push(outbox);
  const intake = new IntakeService({
    parser,
    store,
    triage: new RecordingTriageQueue(),
    outbox,
    quarantine: new RecordingQuarantine(),
    logger: silentLogger,
    settings: {
      ownAddresses: ['support@shop.example'],
      messageIdDomain: 'shop.example',
      supportAddress: 'support@shop.example',
      supportName: 'Shop Support',
      ackEnabled: true,
      ackMaxPerHour: 5,
      reopenOnReply: true,
      defaultLanguage: 'fr',
    },
    clock,
  });
  const ingest = (email: InboundEmail): Promise<IntakeResult> => intake.ingest(parser.rawFor(email), { kind: 'test' });
  return { store, ingest };
}

const forwarded = [
  'Bonjour,',
  '',
  "Voici le message du transporteur, le colis n'est toujours pas arrivé.",
  '',
  'Thomas',
  '',
  'De : Chronopost <noreply@chronopost.example>',
  'Envoyé : mardi 1 décembre 2026 08:12',
  'À : thomas@customer.example',
  'Objet : Votre colis XY123456 est en point relais',
  '',
  "Bonjour, votre colis XY123456 vous attend au relais Tabac du Centre jusqu'au 8 décembre.",
].join('\n');

describe('a message forwarded onto an existing ticket', () => {
  it('is stored whole on the ticket, the carrier\'s words included', async () => {
    const { store, ingest } = setup();
    const first = await ingest(inboundEmail({ subject: 'Votre colis XY123456' }));
    expect(first.outcome).toBe('created');
    const ticketId = (first as Extract<IntakeResult, { outcome: 'created' }>).ticketId;

    const email = inboundEmail({ messageId: 'fwd.1@mail.customer.example', subject: `TR: [#${ticketId}] Votre colis XY123456`, text: forwarded });
    expect(await ingest(email)).toMatchObject({ outcome: 'reply', ticketId, signal: 'subject_tag' });
    expect(store.repliesOf(ticketId)[0]?.content).toBe(forwarded);
  });
});
