/**
 * The triage service on a web-form ticket whose customer chose its priority and category: the choice is
 * kept, triage's own decision goes to the store as a proposal, and a ticket triage finds urgent is still
 * escalated (the old page's form sends "normal" unless the customer changes it).
 */
import { describe, expect, it } from 'vitest';
import { TriageClassifier } from '../../src/domain/triage/classifier.ts';
import { DEFAULT_RULES } from '../../src/domain/triage/default-rules.ts';
import { trainModel, type TrainingExample } from '../../src/domain/triage/model.ts';
import { parseTriageRules } from '../../src/domain/triage/rules.ts';
import type { ChatNotifier, TicketNotice } from '../../src/ports/chat-notifier.ts';
import type { SaveResult, StoredDecision, TicketForTriage, TriageStore } from '../../src/ports/triage-store.ts';
import { TriageService } from '../../src/services/triage-ticket.ts';
import { SilentLogger } from '../fakes/fake-ports.ts';

const ex = (id: string, subject: string, body: string, category: string, priority: string): TrainingExample => ({
  id,
  subject,
  body,
  labels: { category, priority },
});

const classifier = new TriageClassifier(
  trainModel(
    [
      ex(
        '1',
        'Voiture immobilisée',
        'Ma voiture est immobilisée sur l’autoroute, les freins ont lâché, il me faut la pièce aujourd’hui.',
        'technical',
        'urgent',
      ),
      ex(
        '2',
        'Freins lâchés',
        'Les freins ont lâché, voiture immobilisée, pièce indispensable aujourd’hui.',
        'technical',
        'urgent',
      ),
      ex('3', 'Facture', 'Bonjour, je n’ai pas reçu la facture de ma commande.', 'billing', 'low'),
      ex('4', 'Horaires', 'Bonjour, quels sont vos horaires d’ouverture ?', 'general', 'low'),
      ex('5', 'Suggestion', 'Ce serait bien de pouvoir enregistrer mon véhicule sur le site.', 'suggestion', 'low'),
    ],
    { minDocs: 1 },
  ),
  parseTriageRules(DEFAULT_RULES),
  { vipCustomers: [] },
);

class OneTicketStore implements TriageStore {
  saved: StoredDecision | null = null;
  constructor(readonly ticket: TicketForTriage) {}
  async loadTicket(): Promise<TicketForTriage | null> {
    return this.ticket;
  }
  async saveDecision(_ticketId: number, decision: StoredDecision): Promise<SaveResult> {
    this.saved = decision;
    return { result: 'saved', escalationClaimed: decision.escalate };
  }
  async claimEscalation(): Promise<boolean> {
    return true;
  }
  async untriagedTicketIds(): Promise<number[]> {
    return [];
  }
}

function webTicket(choice: TicketForTriage['customerChoice']): TicketForTriage {
  return {
    ticketId: 7,
    subject: 'Voiture immobilisée',
    text: 'Ma voiture est immobilisée sur l’autoroute, les freins ont lâché, il me faut la pièce aujourd’hui.',
    customerEmail: 'jean@example.fr',
    mailbox: null,
    orderNumber: null,
    triaged: false,
    corrected: false,
    category: 'general',
    priority: 'normal',
    sentiment: null,
    escalated: false,
    reasons: null,
    ...(choice ? { customerChoice: choice } : {}),
  };
}

async function triage(choice: TicketForTriage['customerChoice']) {
  const store = new OneTicketStore(webTicket(choice));
  const notices: TicketNotice[] = [];
  const notifier: ChatNotifier = { notify: async (notice) => void notices.push(notice) };
  const outcome = await new TriageService({
    store,
    classifier,
    notifiers: [notifier],
    logger: new SilentLogger(),
  }).triage(7);
  return { outcome, saved: store.saved!, notices };
}

describe("triage and the customer's choice", () => {
  it('without a choice, triage decides (the control: this text is urgent and technical to this model)', async () => {
    const { outcome, saved } = await triage(undefined);
    expect(outcome).toMatchObject({ priority: 'urgent', category: 'technical', escalated: true });
    expect(saved.proposal).toBeNull();
  });

  it('keeps what the customer chose, proposes its own, and still escalates what it finds urgent', async () => {
    const { outcome, saved, notices } = await triage({ priority: 'normal', category: 'general' });
    expect(outcome).toMatchObject({ outcome: 'triaged', priority: 'normal', category: 'general', escalated: true });
    expect(saved).toMatchObject({
      priority: 'normal',
      category: 'general',
      proposal: { priority: 'urgent', category: 'technical' },
      escalate: true,
    });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'escalation', priority: 'normal', category: 'general' });
    if (notices[0]?.kind !== 'escalation') throw new Error('not an escalation');
    expect(notices[0].lines[0]).toBe('escalated: triage proposes urgent');
    expect(notices[0].lines[1]).toBe(
      'the customer chose normal / general on the web form; triage proposes urgent / technical',
    );
  });

  it('a choice of one of the two leaves the other to triage', async () => {
    const { saved } = await triage({ priority: 'low', category: null });
    expect(saved).toMatchObject({
      priority: 'low',
      category: 'technical',
      proposal: { priority: 'urgent', category: 'technical' },
    });
  });
});
