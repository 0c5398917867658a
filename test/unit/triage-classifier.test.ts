/** Triage's core on fixed texts: features, the model, the operator's rules, sentiment, the split. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TriageClassifier, type TriageInput } from '../../src/domain/triage/classifier.ts';
import { splitHeldOut, type LabelledEmail } from '../../src/domain/triage/dataset.ts';
import { DEFAULT_RULES } from '../../src/domain/triage/default-rules.ts';
import { reasonLines } from '../../src/domain/triage/explain.ts';
import { loadModel, trainModel, type TrainingExample } from '../../src/domain/triage/model.ts';
import { parseTriageRules } from '../../src/domain/triage/rules.ts';
import { scoreSentiment } from '../../src/domain/triage/sentiment.ts';
import {
  extractFeatures,
  featureHash,
  FeatureHasher,
  foldText,
  ownWords,
  prepareText,
  tokenize,
} from '../../src/domain/triage/text.ts';

const ex = (id: string, subject: string, body: string, category: string, priority: string): TrainingExample => ({
  id,
  subject,
  body,
  labels: { category, priority },
});

// A small, fixed training set: enough for the model to learn the obvious words of each class.
const TRAINING: TrainingExample[] = [
  ex(
    '1',
    'Facture manquante',
    'Bonjour, je n’ai pas reçu la facture de ma commande. Pouvez-vous me l’envoyer ? Merci',
    'billing',
    'normal',
  ),
  ex(
    '2',
    'Remboursement',
    'Bonjour, j’attends toujours le remboursement de mon retour. Merci de vérifier.',
    'billing',
    'normal',
  ),
  ex(
    '3',
    'Invoice please',
    'Hello, can you send me the invoice with VAT for my last order? Thanks',
    'billing',
    'normal',
  ),
  ex(
    '4',
    'Refund not received',
    'Hi, my refund for the returned pads has still not reached my card.',
    'billing',
    'high',
  ),
  ex(
    '5',
    'Compatibilité plaquettes',
    'Bonjour, ces plaquettes sont-elles compatibles avec ma Clio 4 de 2016 ?',
    'technical',
    'normal',
  ),
  ex(
    '6',
    'Montage disque',
    'Quel couple de serrage pour le montage des disques avant sur une 308 ?',
    'technical',
    'low',
  ),
  ex('7', 'Will it fit?', 'Will these brake pads fit my 2014 Ford Focus? The VIN is attached.', 'technical', 'normal'),
  ex(
    '8',
    'Wrong part number',
    'Which oil filter fits a Golf VII 2.0 TDI? The catalogue shows two references.',
    'technical',
    'normal',
  ),
  ex(
    '9',
    'Colis abîmé, inadmissible',
    'C’est inadmissible, le colis est arrivé abîmé et personne ne répond. Je suis très mécontent.',
    'complaint',
    'high',
  ),
  ex(
    '10',
    'Very disappointed',
    'This is unacceptable. The part arrived broken and nobody answers my emails. Terrible service.',
    'complaint',
    'high',
  ),
  ex(
    '11',
    'Suggestion pour le site',
    'Ce serait bien de pouvoir enregistrer mon véhicule sur le site. Juste une idée.',
    'suggestion',
    'low',
  ),
  ex(
    '12',
    'Idea for your website',
    'It would be nice if the site remembered my car. Just a suggestion, no rush.',
    'suggestion',
    'low',
  ),
  ex('13', 'Horaires', 'Bonjour, quels sont vos horaires d’ouverture du service client ?', 'general', 'low'),
  ex('14', 'Opening hours', 'Hello, what are your opening hours for the phone line?', 'general', 'low'),
  ex(
    '15',
    'Où est ma commande',
    'Bonjour, ma commande n’est pas encore arrivée, pouvez-vous me donner le suivi ?',
    'general',
    'normal',
  ),
  ex(
    '16',
    'Where is my order',
    'Hi, my order has not arrived yet, can you send the tracking number?',
    'general',
    'normal',
  ),
];

const model = trainModel(TRAINING, { minDocs: 1 });
const rules = parseTriageRules(DEFAULT_RULES);
const classifier = new TriageClassifier(model, rules, { vipCustomers: ['Fleet@Garage.example'] });
const input = (subject: string, body: string, extra: Partial<TriageInput> = {}): TriageInput => ({
  subject,
  body,
  customerEmail: 'someone@client.example',
  mailboxCategory: null,
  orderNumber: null,
  ...extra,
});

describe('text features', () => {
  it('folds accents and case, so customers who type without accents are read the same', () => {
    expect(foldText('Remboursé, DÉBITÉ, cœur')).toBe('rembourse, debite, coeur');
    expect(tokenize(foldText('Commande n° 104823 reçue'))).toEqual(['commande', '#num', 'recue']);
    expect(extractFeatures('Facture', 'facture')).toEqual(extractFeatures('FACTURE', 'factùre'));
  });

  it("keeps the customer's own words and cuts the quoted history", () => {
    const text =
      'Still nothing, please answer.\n\nOn Mon, 4 Nov 2024, Support <support@shop.example> wrote:\n> Your refund was sent.';
    expect(ownWords(text)).toBe('Still nothing, please answer.\n');
    expect(ownWords('Le 3 nov. 2024 à 10:00, Support a écrit :\n> ancien')).toContain('Le 3 nov.'); // nothing before it: kept
  });

  it('cuts a notice the customer forwarded below their own words, whichever mail client wrote the marker', () => {
    const notice = 'Votre colis est disponible dans votre point relais. Passé ce délai, il sera retourné.';
    for (const marker of [
      'Début du message réexpédié :',
      'Begin forwarded message:',
      '---------- Message transféré ---------',
      '---------- Forwarded message ---------',
    ]) {
      const own = ownWords(
        `Toujours rien reçu, c'est la troisième fois.\n\n${marker}\n\nDe: Relais <noreply@relais.example>\n${notice}`,
      );
      expect(own, marker).toBe("Toujours rien reçu, c'est la troisième fois.\n");
    }
  });
});

describe('hashed features', () => {
  it('are exactly the readable features, counted the same, without a string per feature', () => {
    const texts: [string, string][] = [
      [
        'Remboursé ? Commande n° 104823',
        'Bonjour,\nJ’ai été débité 2 fois (89,90 €) pour la CMD-2024-20481 !!\n\nLe 3 nov. 2024, Support a écrit :\n> ancien message',
      ],
      ['', 'a y b 12ab34 œuvre ÆSIR naïve'],
      ['Brake pads — will they fit?', 'Hi, will TRW GDB1550 fit a Golf VII 2.0 TDI (2015)? Thanks'],
    ];
    for (const options of [
      { charGrams: [4], wordBigrams: true },
      { charGrams: [2, 3, 5], wordBigrams: false },
    ]) {
      const hasher = new FeatureHasher(options);
      for (const [subject, body] of texts) {
        const expected = new Map<number, number>();
        for (const [key, n] of extractFeatures(subject, body, options))
          expected.set(featureHash(key), (expected.get(featureHash(key)) ?? 0) + n);
        const { hashes, count } = hasher.hash(prepareText(subject, body));
        const got = new Map<number, number>();
        for (let i = 0; i < count; i++) got.set(hashes[i]!, (got.get(hashes[i]!) ?? 0) + 1);
        expect(got).toEqual(expected);
      }
    }
  });
});

describe('the model', () => {
  it('learns the words of each category and says which ones weighed most', () => {
    const p = model.predict('Facture', 'Pouvez-vous m’envoyer la facture de ma commande ?');
    expect(p['category']!.label).toBe('billing');
    expect(p['category']!.topTerms).toContain('facture');
    expect(
      model.predict('Compatible ?', 'Is this part compatible with my Focus, will it fit?')['category']!.label,
    ).toBe('technical');
  });

  it('is deterministic and survives a save and a load', () => {
    const again = trainModel(TRAINING, { minDocs: 1 });
    expect(again.version).toBe(model.version);
    const loaded = loadModel(JSON.parse(JSON.stringify(model.toJSON())));
    const text = ['Colis abîmé', 'Le colis est arrivé abîmé, inadmissible'] as const;
    expect(loaded.predict(...text)['category']!.probabilities).toEqual(
      model.predict(...text)['category']!.probabilities,
    );
    expect(() => loadModel({ format: 'something else' })).toThrow(/not a triage model/);
  });
});

describe('feature-group weights and naive Bayes', () => {
  const text = ['Remboursement', 'Bonjour, j’attends toujours le remboursement de mon retour.'] as const;

  it('bake group weights into the stored idf, so predicting costs the same', () => {
    const plain = trainModel(TRAINING, { minDocs: 1, groupWeights: {}, nb: {} }).toJSON();
    const weighted = trainModel(TRAINING, { minDocs: 1, groupWeights: { c: 0.5, s: 2 }, nb: {} }).toJSON();
    expect(weighted.vocabulary).toEqual(plain.vocabulary);
    weighted.vocabulary.forEach((f, i) => {
      const factor = f.startsWith('c:') ? 0.5 : f.startsWith('s:') ? 2 : 1;
      expect(weighted.idf[i]).toBeCloseTo(plain.idf[i]! * factor, 4);
    });
  });

  it('fold NB-LR and NB scores into one table of weights that survives a save and a load', () => {
    for (const nb of [{ category: { scale: 0.5 } }, { category: { weight: 0.2 } }]) {
      const m = trainModel(TRAINING, { minDocs: 1, nb });
      expect(m.version).not.toBe(trainModel(TRAINING, { minDocs: 1, nb: {} }).version);
      expect(m.predict(...text)['category']!.label).toBe('billing');
      const loaded = loadModel(JSON.parse(JSON.stringify(m.toJSON())));
      expect(loaded.predict(...text)['category']!.probabilities).toEqual(m.predict(...text)['category']!.probabilities);
    }
  });
});

describe('the urgent threshold', () => {
  // Urgent and normal emails that share their words: the model alone cannot tell them apart well.
  const words = ['pads', 'discs', 'clutch', 'battery', 'filter', 'wipers', 'bulbs', 'springs', 'pump', 'belt'];
  const examples: TrainingExample[] = words.flatMap((w, i) => [
    ex(
      `u${i}`,
      `${w} order`,
      `The ${w} from my order arrived, I need them fitted soon, my car is waiting.`,
      'technical',
      'urgent',
    ),
    ex(
      `v${i}`,
      `${w} question`,
      `The ${w} from my order arrived, I will fit them soon, the car is waiting.`,
      'technical',
      'urgent',
    ),
    ex(
      `n${i}`,
      `${w} order`,
      `The ${w} from my order arrived, I will fit them soon when the car is free.`,
      'technical',
      'normal',
    ),
    ex(
      `m${i}`,
      `${w} order`,
      `The ${w} from my order arrived, I plan to fit them when the car is free.`,
      'technical',
      'normal',
    ),
    ex(
      `o${i}`,
      `${w} question`,
      `The ${w} from my order arrived, I will fit them soon, no hurry at all.`,
      'technical',
      'normal',
    ),
  ]);

  it('is chosen by cross-validation on the training examples to reach the recall asked for', () => {
    const calibrated = trainModel(examples, { minDocs: 1, urgentRecall: 0.95 }).toJSON().calibration;
    expect(calibrated).toMatchObject({ question: 'priority', label: 'urgent', target: 0.95, folds: 4 });
    expect(calibrated!.cvRecall >= 0.95 || calibrated!.offset === 4).toBe(true);
    const looser = trainModel(examples, { minDocs: 1, urgentRecall: 0.5 }).toJSON().calibration;
    expect(looser!.offset).toBeLessThanOrEqual(calibrated!.offset);
    expect(trainModel(examples, { minDocs: 1, urgentRecall: null }).toJSON().calibration).toBeUndefined();
  });

  it('moves decisions toward urgent when it is raised', () => {
    const plain = trainModel(examples, { minDocs: 1, urgentRecall: null });
    const text = ['belt order', 'The belt from my order arrived, I will fit it soon, the car is waiting.'] as const;
    const raised = plain.withOffsets({ priority: { urgent: 5 } });
    expect(raised.predict(...text)['priority']!.probabilities['urgent']).toBeGreaterThan(
      plain.predict(...text)['priority']!.probabilities['urgent']!,
    );
    expect(raised.predict(...text)['priority']!.label).toBe('urgent');
  });
});

describe('the operator rules', () => {
  it('raise a safety issue to urgent, say which rule fired, and escalate', () => {
    const d = classifier.classify(
      input('Freins', 'Les freins ont lâché sur l’autoroute, j’ai failli avoir un accident.'),
    );
    expect(d.priority).toBe('urgent');
    expect(d.escalate).toBe(true);
    expect(d.reasons.rules.map((r) => r.rule)).toContain('safety: a part that failed while driving');
    expect(reasonLines(d).join('\n')).toMatch(
      /rule "safety: a part that failed while driving": at least urgent \("failli avoir un accident"\)/,
    );
  });

  it('read a website or account problem as technical, and say so', () => {
    const d = classifier.classify(
      input('Cannot log in', 'Every time I enter my password the site says my credentials are wrong.'),
    );
    expect(d.reasons.rules).toContainEqual({
      rule: 'the website or the account does not work',
      effect: '+0.8 technical ("log in")',
    });
  });

  it('give VIP customers at least high priority, whatever the case of their address', () => {
    const plain = classifier.classify(input('Opening hours', 'What are your opening hours?'));
    const vip = classifier.classify(
      input('Opening hours', 'What are your opening hours?', { customerEmail: 'fleet@garage.EXAMPLE' }),
    );
    expect(plain.priority).toBe('low');
    expect(vip.priority).toBe('high');
    expect(vip.reasons.rules).toContainEqual({ rule: 'VIP customer', effect: 'at least high' });
  });

  it("lean toward the mailbox's category as much as the operator says, and an order number counts", () => {
    const text = ['Question', 'Bonjour, une question au sujet de CMD-2024-10482.'] as const;
    expect(classifier.classify(input(...text)).category).not.toBe('billing');
    const strongHint = new TriageClassifier(model, parseTriageRules({ ...DEFAULT_RULES, mailboxHint: { weight: 6 } }), {
      vipCustomers: [],
    });
    const hinted = strongHint.classify(input(...text, { mailboxCategory: 'billing', orderNumber: 'CMD-2024-10482' }));
    expect(hinted.category).toBe('billing');
    expect(hinted.reasons.rules.map((r) => r.rule)).toEqual(
      expect.arrayContaining(['mailbox category', 'order number CMD-2024-10482 present']),
    );
  });

  it('do not fire on a short keyword inside a longer word: Vincent is not a VIN, a débitmètre is not a debit, "pas sur mon compte" is not a safety issue', () => {
    const fired = (subject: string, body: string) =>
      classifier
        .classify(input(subject, body))
        .reasons.rules.map((r) => `${r.rule} ${r.effect}`)
        .join('\n');
    const vincent = fired(
      'Commande de mon mari',
      "Bonjour, je vous écris pour Vincent qui est à l'hôpital : pouvez-vous annuler sa commande ?",
    );
    expect(vincent).not.toContain('("vin")');
    expect(fired('Débitmètre', "Le débitmètre d'air reçu hier fait caler le moteur au ralenti.")).not.toContain(
      'billing',
    );
    expect(
      fired('Remboursement', "Le remboursement n'apparaît toujours pas sur mon compte, pouvez-vous vérifier ?"),
    ).not.toContain('safety');
    expect(fired('Noticed', 'I noticed your website now lists wiper blades by size.')).not.toContain('technical');
    expect(
      fired('Vatican', 'We are a parish garage near the Vatican embassy, do you deliver on Saturdays?'),
    ).not.toContain('billing');
    expect(fired('Pads', 'Will these pads fit? My car is a 2015 Golf.')).toContain('+0.8 technical ("fit")');
    // The whole words still count.
    expect(fired('VIN', 'Voici mon numéro VIN : VF1RFB00X56123456, ces disques vont-ils ?')).toContain(
      '+0.8 technical ("vin")',
    );
    expect(fired('Prélèvement', "J'ai été débité deux fois pour la même commande.")).toContain('charged twice');
  });

  it('are validated with every problem named by its place in the file', () => {
    expect(() =>
      parseTriageRules(
        {
          categoryRules: [
            { name: 'x', category: 'spam', keywords: ['a'] },
            { name: 'y', category: 'billing', patterns: ['(unclosed'] },
          ],
          vip: { atLeast: 'asap' },
        },
        'rules.json',
      ),
    ).toThrow(
      /rules\.json are not valid:\n {2}categoryRules\.0\.category: .*\n {2}categoryRules\.1\.patterns\.0: not a valid regular expression.*\n {2}vip\.atLeast/s,
    );
    expect(() => parseTriageRules({ priorityRules: [{ name: 'empty', priority: 'high' }] })).toThrow(
      /at least one keyword or pattern/,
    );
  });

  it('ship as examples/triage-rules.json, identical to the built-in set', () => {
    const file = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '../../examples/triage-rules.json'), 'utf8'),
    );
    const strip = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(strip)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k]) => k !== '$comment')
                .map(([k, x]) => [k, strip(x)]),
            )
          : v;
    expect(strip(parseTriageRules(file).spec)).toEqual(strip(rules.spec));
  });
});

describe('sentiment', () => {
  it('reads anger, satisfaction and negation in both languages', () => {
    expect(
      scoreSentiment('INADMISSIBLE', 'C’est une honte, je suis furieux !!! Plus jamais chez vous.').score,
    ).toBeLessThanOrEqual(-0.6);
    expect(
      scoreSentiment('Worst service ever', 'This is unacceptable and I am fed up. Disgraceful.').score,
    ).toBeLessThanOrEqual(-0.6);
    expect(scoreSentiment('Merci', 'Pièces reçues rapidement, parfait, je suis ravi. Bravo !').score).toBeGreaterThan(
      0.4,
    );
    expect(scoreSentiment('Thanks', 'Great service, fast delivery, very happy.').score).toBeGreaterThan(0.4);
    expect(scoreSentiment('', 'Je ne suis pas content du tout.').score).toBeLessThan(0);
    expect(scoreSentiment('', 'Bonjour, quels sont vos horaires ?').score).toBe(0);
  });

  it('does not read a short word inside a longer one: "lie" in "au lieu", "vol" in Volkswagen, "pire" in Pirelli', () => {
    for (const neutral of [
      'Pourriez-vous corriger la facture au lieu de la renvoyer ? Voici le lien vers la commande.',
      'Volant moteur pour ma Volkswagen Golf, et deux pneus Pirelli pour la Volvo.',
      "I'll call you later about the lateral arm.",
      'Bonjour, concernant ma commande, pouvez-vous me confirmer la date de livraison ?',
    ]) {
      expect(scoreSentiment('', neutral)).toEqual({ score: 0, terms: [] });
    }
    expect(scoreSentiment('', 'Mon colis a été volé devant ma porte.').terms).toContain('vole');
    expect(scoreSentiment('', 'You lied to me about the delivery date.').score).toBeLessThan(0);
    expect(scoreSentiment('', 'The parcel is late again.').terms).toContain('late');
  });
});

describe('the held-out split', () => {
  const emails: LabelledEmail[] = Array.from({ length: 200 }, (_, i) => ({
    id: `x-${i}`,
    lang: i % 2 ? 'fr' : 'en',
    subject: '',
    body: `email ${i}`,
    category: (['general', 'billing'] as const)[i % 3 === 0 ? 1 : 0],
    priority: 'normal',
    from_name: null,
    sentiment: 0,
    batch: 1,
  }));

  it('is deterministic whatever the order, never overlaps, and holds out about a quarter of each group', () => {
    const a = splitHeldOut(emails);
    const b = splitHeldOut([...emails].reverse());
    expect(a.test.map((e) => e.id).sort()).toEqual(b.test.map((e) => e.id).sort());
    const train = new Set(a.train.map((e) => e.id));
    expect(a.test.some((e) => train.has(e.id))).toBe(false);
    expect(a.train.length + a.test.length).toBe(200);
    expect(a.test.length).toBeGreaterThanOrEqual(45);
    expect(a.test.length).toBeLessThanOrEqual(55);
    expect(a.test.filter((e) => e.category === 'billing').length).toBeGreaterThan(10);
  });

  it('adding emails to the set never moves one already there from one side to the other', () => {
    const before = splitHeldOut(emails);
    const added: LabelledEmail[] = emails.map((e) => ({ ...e, id: `y-${e.id}`, batch: 2 }));
    const after = splitHeldOut([...emails, ...added]);
    const heldOut = new Set(after.test.map((e) => e.id));
    expect(before.test.filter((e) => !heldOut.has(e.id))).toEqual([]);
    expect(before.train.filter((e) => heldOut.has(e.id))).toEqual([]);
    expect(after.test.filter((e) => e.batch === 2).length).toBeGreaterThanOrEqual(45);
  });
});

describe('reasons after an agent corrected the decision', () => {
  const stored = {
    category: 'billing',
    categoryConfidence: 0.49,
    priority: 'urgent',
    priorityConfidence: 0.64,
    sentiment: -0.2,
    language: 'en',
    reasons: {
      rules: [],
      categoryTerms: ['broken'],
      priorityTerms: ['asap'],
      sentimentTerms: [],
      model: { category: 'complaint', priority: 'high' },
    },
  };

  it("shows triage's confidence beside triage's own decision", () => {
    expect(reasonLines(stored)[0]).toBe(
      'category billing (49 %), priority urgent (64 %), sentiment -0.20, language en',
    );
  });

  it("does not pass triage's confidence off as the agent's, and says whose words they are", () => {
    const lines = reasonLines({ ...stored, corrected: true });
    expect(lines[0]).toBe(
      "category billing, priority urgent (an agent's correction: triage's confidence no longer applies), sentiment -0.20, language en",
    );
    expect(lines).toContain("words triage's model weighed toward complaint: broken");
    expect(lines.join('\n')).not.toMatch(/49 %|64 %/);
  });
});
