import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/domain/language.ts';
import { HUGE, LINEAR_BOUND_MS } from './hostile-input.ts';

const huge = HUGE;

describe('detectLanguage: short support sentences', () => {
  it.each([
    ["Bonjour, ma commande n'est pas arrivée", 'fr'],
    ['Bonjour, ma commande n’est toujours pas arrivée, pouvez-vous vérifier ?', 'fr'],
    ['Je voudrais un remboursement', 'fr'],
    ['Salut, le colis est cassé', 'fr'],
    ['Merci', 'fr'],
    ['merci beaucoup !', 'fr'],
    ['Bonjour', 'fr'],
    ["Hi, my order hasn't arrived yet", 'en'],
    ['Hi, my order hasn’t arrived yet', 'en'],
    ['I want a refund please', 'en'],
    ['Order #1234 not received', 'en'],
    ['Thanks!', 'en'],
    ['Hello', 'en'],
  ] as const)('%s → %s', (text, language) => {
    const result = detectLanguage(text);
    expect(result.language).toBe(language);
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('is more confident about a sentence than about a single word', () => {
    expect(detectLanguage("Bonjour, ma commande n'est pas arrivée").confidence).toBeGreaterThan(
      detectLanguage('Merci').confidence,
    );
    expect(detectLanguage("Hi, my order hasn't arrived yet").confidence).toBeGreaterThan(
      detectLanguage('Thanks!').confidence,
    );
  });

  it('counts accents as French evidence', () => {
    expect(detectLanguage('problème réglé').language).toBe('fr');
  });
});

describe('detectLanguage: cannot tell', () => {
  it.each([
    ['12345'],
    [''],
    ['   \n\t '],
    ['#1234 / 56-78 !!!'],
    ['ok'],
    ['Hallo, meine Bestellung ist nicht angekommen. Können Sie mir helfen?'],
    ['Hola, mi pedido no ha llegado todavía'],
    ['Ciao, il mio ordine non è arrivato'],
    ['Привет, мой заказ не пришёл'],
    ['注文した商品が届きません'],
  ])('%j → null', (text) => {
    expect(detectLanguage(text)).toEqual({ language: null, confidence: 0 });
  });

  it('returns null when French and English evidence is even', () => {
    expect(detectLanguage('merci thanks')).toEqual({ language: null, confidence: 0 });
  });
});

describe('detectLanguage: longer and mixed texts', () => {
  it('decides by the majority in a mixed message', () => {
    const text =
      "Bonjour, j'ai commandé un sac la semaine dernière et je n'ai toujours rien reçu. " +
      'Le suivi indique "delivered" mais le colis n\'est pas là. Merci de vérifier.';
    expect(detectLanguage(text)).toMatchObject({ language: 'fr' });
    expect(detectLanguage(text).confidence).toBeGreaterThan(0.8);
  });

  it('reads an English message with an order reference and a URL', () => {
    const text =
      'Hello, I ordered item 4411 on https://shop.example/orders/4411 and it was delivered broken. Can I get a refund?';
    expect(detectLanguage(text)).toMatchObject({ language: 'en' });
  });

  it('looks at the first 4 KB only', () => {
    const text = `${'Bonjour, ma commande est arrivée cassée. '.repeat(200)}${'The order is broken. '.repeat(2000)}`;
    expect(detectLanguage(text).language).toBe('fr');
  });

  it('finishes quickly on 2 MB of hostile input', () => {
    for (const text of [
      ' '.repeat(huge),
      'a'.repeat(huge),
      "l'".repeat(huge / 2),
      'é'.repeat(huge),
      '\u0301'.repeat(huge),
    ]) {
      const start = performance.now();
      const result = detectLanguage(text);
      expect(performance.now() - start).toBeLessThan(LINEAR_BOUND_MS);
      expect(result.confidence).toBeGreaterThanOrEqual(0);
    }
  });
});
