/**
 * The rules triage uses when TRIAGE_RULES_FILE is not set: what a car-parts shop's support lead would
 * write on day one. examples/triage-rules.json is the same set, commented, to copy and edit.
 */
import type { TriageRulesInput } from './rules.ts';

export const DEFAULT_RULES: TriageRulesInput = {
  categoryRules: [
    {
      name: 'payment or invoice words',
      category: 'billing',
      keywords: ['facture', 'factur', 'rembours', 'prelev', 'debit', 'paiement', 'payment', 'invoice', 'refund', 'charged', 'carte bancaire', 'credit card', 'avoir', 'tva', 'vat'],
      weight: 0.8,
    },
    {
      name: 'fitting or compatibility words',
      category: 'technical',
      keywords: ['compatib', 'montage', 'monter', 'fit ', 'fits', 'fitment', 'reference oem', 'oem', 'vin', 'immatriculation', 'numero de chassis', 'torque', 'couple de serrage', 'notice'],
      weight: 0.8,
    },
    {
      name: 'complaint words',
      category: 'complaint',
      keywords: ['inadmissible', 'inacceptable', 'scandal', 'plainte', 'reclamation', 'litige', 'unacceptable', 'complaint', 'disgrace', 'worst service'],
      weight: 0.8,
    },
    {
      name: 'suggestion words',
      category: 'suggestion',
      keywords: ['suggestion', 'suggere', 'ce serait bien', 'il serait', 'pourriez-vous ajouter', 'idee', 'it would be nice', 'would be great if', 'feature request', 'suggest'],
      weight: 0.8,
    },
  ],
  priorityRules: [
    {
      name: 'safety: a part that failed while driving',
      priority: 'urgent',
      keywords: ['accident', 'danger', 'securite', 'freins lach', 'plus de frein', 'brakes failed', 'brake failure', 'lost my brakes', 'safety', 'unsafe', 'incendie', 'fire', 'fumee', 'smoke'],
      atLeast: true,
    },
    {
      name: 'legal threat or chargeback',
      priority: 'urgent',
      keywords: ['avocat', 'mise en demeure', 'tribunal', 'poursuite', 'justice', 'lawyer', 'solicitor', 'legal action', 'court', 'chargeback', 'trading standards', 'dgccrf', 'fraude', 'fraud'],
      atLeast: true,
    },
    {
      name: 'charged twice',
      priority: 'urgent',
      keywords: ['debite deux fois', 'debitee deux fois', 'preleve deux fois', 'deux prelevements', 'double prelevement', 'double paiement', 'charged twice', 'double charged', 'double charge', 'charged two times'],
      atLeast: true,
    },
    {
      name: 'customer says it is urgent',
      priority: 'high',
      keywords: ['urgent', 'urgence', 'asap', 'au plus vite', 'immediatement', 'immediately', 'vehicule immobilise', 'voiture immobilisee', 'car is off the road', 'cannot drive', 'can t drive', 'peux plus rouler'],
      weight: 1,
      atLeast: true,
    },
    {
      name: 'just a suggestion or a thank-you',
      priority: 'low',
      keywords: ['suggestion', 'pas urgent', 'not urgent', 'no rush', 'rien de presse', 'juste pour info', 'just fyi', 'feedback'],
      weight: 1,
    },
  ],
  vip: { atLeast: 'high' },
  mailboxHint: { weight: 1.5 },
  orderNumber: { categoryWeights: { suggestion: -0.5 }, atLeast: null },
  escalation: { sentimentAtMost: -0.6 },
};
