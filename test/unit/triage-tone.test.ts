/**
 * The shipped model's tone head decides what is "very negative" (escalated), the lexicon only how
 * negative within that band: a calm email with a few negative words is not escalated, an angry one is.
 */
import { describe, expect, it } from 'vitest';
import { buildClassifier } from '../../adapters/files/triage-files.ts';
import type { TriageInput } from '../../src/domain/triage/classifier.ts';

const input = (subject: string, body: string): TriageInput => ({
  subject,
  body,
  customerEmail: null,
  mailboxCategory: null,
  orderNumber: null,
});

describe('the tone of an email (shipped model)', () => {
  it('escalates an angry email and not a calm one that uses a few negative words', async () => {
    const { classifier } = await buildClassifier({
      modelFile: '/nonexistent/use-the-shipped-set.json',
      rulesFile: null,
      vipCustomers: [],
    });
    const calm = classifier.classify(
      input(
        'Colis bloqué',
        "Bonjour, mon colis est bloqué au dépôt depuis trois jours d'après le suivi. Pourriez-vous relancer le transporteur ? Merci d'avance, bonne journée.",
      ),
    );
    expect(calm.sentiment).toBeGreaterThan(-0.6);
    expect(calm.escalateBecause ?? '').not.toContain('tone');
    // Nothing to read: the model's prior alone never makes an email "very negative".
    const bare = classifier.classify(input('Demande', 'Bonjour, demande 1.'));
    expect(bare.sentiment).toBeGreaterThan(-0.6);
    expect(bare.escalateBecause ?? '').not.toContain('tone');
    const angry = classifier.classify(
      input(
        'TROISIÈME RELANCE',
        "C'est une honte. Troisième mail sans réponse, toujours pas de remboursement pour les disques cassés. Vous êtes des incapables, je porte plainte et je préviens ma banque !!!",
      ),
    );
    expect(angry.sentiment).toBeLessThanOrEqual(-0.6);
    expect(angry.escalate).toBe(true);
    expect(angry.reasons.veryNegative).toBeGreaterThanOrEqual(0.5);
  }, 60_000);
});
