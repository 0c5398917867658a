/** The triage service on an in-memory store and a classifier trained on a few fixed emails. */
import { describe, expect, it } from 'vitest';
import { TriageClassifier } from '../../src/domain/triage/classifier.ts';
import { DEFAULT_RULES } from '../../src/domain/triage/default-rules.ts';
import { trainModel, type TrainingExample } from '../../src/domain/triage/model.ts';
import { parseTriageRules } from '../../src/domain/triage/rules.ts';
import type { ChatNotifier, TicketNotice } from '../../src/ports/chat-notifier.ts';
import { TriageService } from '../../src/services/triage-ticket.ts';
import { silentLogger } from '../fakes/fake-ports.ts';
import { InMemoryTriageStore } from '../fakes/in-memory-triage-store.ts';

const ex = (id: string, subject: string, body: string, category: string, priority: string): TrainingExample => ({
  id,
  subject,
  body,
  labels: { category, priority },
});
const TRAINING: TrainingExample[] = [
  ex(
    '1',
    'Invoice please',
    'Hello, can you send me the invoice with VAT for my last order? Thanks',
    'billing',
    'normal',
  ),
  ex(
    '2',
    'Refund not received',
    'Hi, my refund for the returned pads has still not reached my card.',
    'billing',
    'high',
  ),
  ex('3', 'Will it fit?', 'Will these brake pads fit my 2014 Ford Focus? The VIN is attached.', 'technical', 'normal'),
  ex(
    '4',
    'Wrong part number',
    'Which oil filter fits a Golf VII 2.0 TDI? The catalogue shows two references.',
    'technical',
    'normal',
  ),
  ex(
    '5',
    'Very disappointed',
    'This is unacceptable. The part arrived broken and nobody answers my emails. Terrible service.',
    'complaint',
    'high',
  ),
  ex(
    '6',
    'Idea for your website',
    'It would be nice if the site remembered my car. Just a suggestion, no rush.',
    'suggestion',
    'low',
  ),
  ex('7', 'Opening hours', 'Hello, what are your opening hours for the phone line?', 'general', 'low'),
  ex(
    '8',
    'Where is my order',
    'Hi, my order has not arrived yet, can you send the tracking number?',
    'general',
    'normal',
  ),
];
const classifier = new TriageClassifier(trainModel(TRAINING, { minDocs: 1 }), parseTriageRules(DEFAULT_RULES), {
  vipCustomers: [],
});

class RecordingNotifier implements ChatNotifier {
  readonly notices: TicketNotice[] = [];
  async notify(notice: TicketNotice): Promise<void> {
    await Promise.resolve();
    this.notices.push(notice);
  }
}

function setup() {
  const store = new InMemoryTriageStore();
  const notifier = new RecordingNotifier();
  const failing: ChatNotifier = { notify: () => Promise.reject(new Error('Slack is down')) };
  const service = new TriageService({
    store,
    classifier,
    notifiers: [failing, notifier],
    logger: silentLogger,
    now: () => new Date('2026-03-10T09:00:00Z'),
  });
  return { store, notifier, service };
}

describe('the triage service', () => {
  it('decides an untriaged ticket once: the decision is saved, a second run changes nothing', async () => {
    const { store, service } = setup();
    store.add({
      ticketId: 1,
      subject: 'Invoice please',
      text: 'Hello, can you send me the invoice with VAT for my order? Thanks',
    });
    const first = await service.triage(1);
    expect(first).toMatchObject({ ticketId: 1, outcome: 'triaged' });
    expect(store.tickets.get(1)).toMatchObject({ triaged: true, category: first.category, priority: first.priority });
    expect(store.decisions.get(1)).toMatchObject({
      category: first.category,
      modelVersion: classifier.modelVersion,
      at: new Date('2026-03-10T09:00:00Z'),
    });
    const second = await service.triage(1);
    expect(second).toMatchObject({
      ticketId: 1,
      outcome: 'already_triaged',
      category: first.category,
      priority: first.priority,
      escalated: false,
    });
    expect(store.decisions.size).toBe(1);
  });

  it('keeps the category and priority an agent corrected', async () => {
    const { store, service } = setup();
    store.add({
      ticketId: 2,
      subject: 'Invoice please',
      text: 'Hello, can you send me the invoice with VAT for my order?',
      corrected: true,
      category: 'technical',
      priority: 'low',
    });
    const outcome = await service.triage(2);
    expect(outcome).toMatchObject({ outcome: 'triaged', category: 'technical', priority: 'low' });
    expect(store.tickets.get(2)).toMatchObject({ category: 'technical', priority: 'low', triaged: true });
  });

  it('announces an urgent ticket once, however often its job runs, even when one notifier fails', async () => {
    const { store, notifier, service } = setup();
    // Triaged earlier as urgent, its escalation not claimed then (the job died between the two).
    store.add({ ticketId: 3, subject: 'Brakes failed', triaged: true, priority: 'urgent', category: 'technical' });
    expect(await service.triage(3)).toMatchObject({ outcome: 'already_triaged', escalated: true });
    expect(await service.triage(3)).toMatchObject({ outcome: 'already_triaged', escalated: false });
    expect(notifier.notices).toHaveLength(1);
    expect(notifier.notices[0]).toMatchObject({
      kind: 'escalation',
      ticketId: 3,
      subject: 'Brakes failed',
      customer: 'jane@customer.example',
      priority: 'urgent',
    });
    expect(notifier.notices[0]!.lines[0]).toBe('escalated: urgent');
  });

  it('says that a ticket number is not a support ticket', async () => {
    const { service } = setup();
    await expect(service.triage(404)).rejects.toMatchObject({ code: 'ticket.not_found' });
  });
});

describe('assignment after triage', () => {
  it('asks for an assignment once the category and priority are saved, on every run (the decision is idempotent)', async () => {
    const store = new InMemoryTriageStore();
    const asked: { ticketId: number; triaged: boolean; category: string }[] = [];
    const service = new TriageService({
      store,
      classifier,
      notifiers: [],
      logger: silentLogger,
      assignment: {
        assign: (ticketId) => {
          const t = store.tickets.get(ticketId)!;
          asked.push({ ticketId, triaged: t.triaged, category: t.category });
          return Promise.resolve();
        },
      },
    });
    store.add({ ticketId: 7, subject: 'Will it fit?', text: 'Will these brake pads fit my 2014 Ford Focus?' });
    const first = await service.triage(7);
    await service.triage(7);
    expect(asked).toEqual([
      { ticketId: 7, triaged: true, category: first.category },
      { ticketId: 7, triaged: true, category: first.category },
    ]);
    await expect(service.triage(99)).rejects.toThrow(/#99 does not exist/);
    expect(asked).toHaveLength(2);
  });
});
