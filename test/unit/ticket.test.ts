import { describe, expect, it } from 'vitest';
import {
  cleanSubject,
  phoneColumn,
  ticketMentionInSubject,
  composeLegacyContent,
  findOrderNumber,
  formatLegacyDate,
  parseLegacyContent,
  parseLegacyDate,
  replySubject,
  splitDisplayName,
  taggedSubject,
  ticketTagInSubject,
} from '../../src/domain/ticket.ts';

describe('legacy dates', () => {
  it("writes ISO-8601 UTC to the second, and reads both the shop's 'Y-m-j H:i:s' and ISO-8601", () => {
    expect(formatLegacyDate(new Date('2026-03-05T08:09:10.123Z'))).toBe('2026-03-05T08:09:10Z');
    // The shop wrote Paris local time, day not padded: 5 March is UTC+1.
    expect(parseLegacyDate('2026-3-5 9:09:10')?.toISOString()).toBe('2026-03-05T08:09:10.000Z');
    // Summer time is UTC+2.
    expect(parseLegacyDate('2024-7-1 12:00:00')?.toISOString()).toBe('2024-07-01T10:00:00.000Z');
    expect(parseLegacyDate('2026-03-05T08:09:10Z')?.toISOString()).toBe('2026-03-05T08:09:10.000Z');
    expect(parseLegacyDate('not a date')).toBeNull();
    expect(parseLegacyDate(null)).toBeNull();
  });
});

describe('the metadata block', () => {
  it('round-trips the text and the JSON the old site reads', () => {
    const content = composeLegacyContent('Bonjour,\nma commande…\n\n', {
      priority: 'high',
      category: 'billing',
      created_at: '2026-01-01T00:00:00Z',
    });
    expect(content).toBe(
      'Bonjour,\nma commande…\n\n--- MÉTADONNÉES ---\n{"priority":"high","category":"billing","created_at":"2026-01-01T00:00:00Z"}',
    );
    expect(parseLegacyContent(content)).toEqual({
      text: 'Bonjour,\nma commande…',
      metadata: { priority: 'high', category: 'billing', created_at: '2026-01-01T00:00:00Z' },
    });
    expect(parseLegacyContent('{"type":"review","stars":5}').metadata).toBeNull();
    expect(parseLegacyContent('text\n--- MÉTADONNÉES ---\nnot json').metadata).toBeNull();
  });
});

describe('subjects', () => {
  it('finds the [#N] tag, tags once, and strips reply prefixes', () => {
    expect(ticketTagInSubject('Re: [#83] Brake pads')).toBe(83);
    expect(ticketTagInSubject('Order #83')).toBeNull();
    expect(ticketTagInSubject('[#0] x')).toBeNull();
    expect(taggedSubject(83, 'Re: [#83] Brake pads')).toBe('Re: [#83] Brake pads');
    expect(taggedSubject(83, 'RE:Brake pads')).toBe('Re: [#83] Brake pads');
    expect(taggedSubject(83, 'Brake pads')).toBe('[#83] Brake pads');
    expect(taggedSubject(7, '')).toBe('[#7] (no subject)');
    expect(cleanSubject('RE: Fwd: TR: Plaquettes')).toBe('Plaquettes');
    expect(
      ['06 12 34 56 78', '+33 7 12 34 56 78', '0033612345678', '01 42 00 00 00', '+44 20 7946 0958'].map(phoneColumn),
    ).toEqual(['cst_gsm', 'cst_gsm', 'cst_gsm', 'cst_tel', 'cst_tel']);
    for (const [subject, n] of [
      ['Demande n° 4 - colis 44718', 4],
      ['Re: demande N°12', 12],
      ['Ticket #83', 83],
      ['ticket 83 still open', 83],
      ['Request number 7', 7],
      ['Dossier numéro 9', 9],
      ['Commande n° 44718', null],
      ['Order #12', null],
      ['Ticket 2024-11-03', null],
      ['4 plaquettes', null],
    ] as const) {
      expect(ticketMentionInSubject(subject), subject).toBe(n);
    }
    // Cut at 500 without splitting an emoji in two (a lone half is stored as U+FFFD).
    const long = cleanSubject(`${'é'.repeat(499)}🔧 suite`);
    expect(long).toBe('é'.repeat(499));
    expect(long.charCodeAt(long.length - 1)).toBe('é'.charCodeAt(0));
    expect(replySubject('Plaquettes')).toBe('Re: Plaquettes');
    expect(replySubject('Re: Plaquettes')).toBe('Re: Plaquettes');
  });
});

describe('order numbers', () => {
  it('finds the numbers customers give, in French and English', () => {
    expect(findOrderNumber("C'est pour la commande n° CMD-2024-10482, merci")).toBe('CMD-2024-10482');
    expect(findOrderNumber('my order #104823 has not arrived')).toBe('104823');
    expect(findOrderNumber('Commande numéro 55512345')).toBe('55512345');
    expect(findOrderNumber('I called you 3 times')).toBeNull();
  });
});

describe('names', () => {
  it('splits a display name into first and last name', () => {
    expect(splitDisplayName('Jean-Pierre Dupont', 'jp@x.example')).toEqual({ first: 'Jean-Pierre', last: 'Dupont' });
    expect(splitDisplayName('Dupont, Marie', 'm@x.example')).toEqual({ first: 'Marie', last: 'Dupont' });
    // The French way: the last name first, in capitals.
    expect(splitDisplayName('DUPONT Jean', 'jd@x.example')).toEqual({ first: 'Jean', last: 'DUPONT' });
    expect(splitDisplayName('LE GALL Anne-Marie', 'al@x.example')).toEqual({ first: 'Anne-Marie', last: 'LE GALL' });
    expect(splitDisplayName('Jean DUPONT', 'jd@x.example')).toEqual({ first: 'Jean', last: 'DUPONT' });
    expect(splitDisplayName('JEAN DUPONT', 'jd@x.example')).toEqual({ first: 'JEAN', last: 'DUPONT' });
    // Titles are not names; a name written in lowercase is greeted with its capital; a shared mailbox is nobody.
    expect(splitDisplayName('Mme DURAND Claire', 'cd@x.example')).toEqual({ first: 'Claire', last: 'DURAND' });
    expect(splitDisplayName('M. Jean Dupont', 'jd@x.example')).toEqual({ first: 'Jean', last: 'Dupont' });
    expect(splitDisplayName('jean dupont', 'jd@x.example')).toEqual({ first: 'Jean', last: 'Dupont' });
    expect(splitDisplayName('anne de la tour', 'at@x.example')).toEqual({ first: 'Anne', last: 'de la Tour' });
    expect(splitDisplayName('', 'service.client@shop.example')).toEqual({ first: null, last: null });
    expect(splitDisplayName('', 'marie.curie@x.example')).toEqual({ first: 'Marie', last: 'Curie' });
    expect(splitDisplayName('"Anne Marie de la Tour"', 'a@x.example')).toEqual({
      first: 'Anne Marie',
      last: 'de la Tour',
    });
    expect(splitDisplayName('', 'sophie.martin@x.example')).toEqual({ first: 'Sophie', last: 'Martin' });
    expect(splitDisplayName('', 'contact123@x.example')).toEqual({ first: null, last: null });
    expect(splitDisplayName('Madonna', 'm@x.example')).toEqual({ first: 'Madonna', last: null });
  });

  it('keeps the apostrophe of a name and drops only the quotes around it', () => {
    expect(splitDisplayName("Margaret O'Connor", 'm@x.example')).toEqual({ first: 'Margaret', last: "O'Connor" });
    expect(splitDisplayName("'Luca D'Angelo'", 'l@x.example')).toEqual({ first: 'Luca', last: "D'Angelo" });
    expect(splitDisplayName('"Jean d\'Arc"', 'j@x.example')).toEqual({ first: 'Jean', last: "d'Arc" });
    expect(splitDisplayName('Jeanne d’ Arc', 'j@x.example')).toEqual({ first: 'Jeanne', last: 'd’ Arc' });
    expect(splitDisplayName("O'Connor, Margaret", 'm@x.example')).toEqual({ first: 'Margaret', last: "O'Connor" });
  });
});

describe('a new ticket subject', () => {
  it("does not carry another ticket's tag", () => {
    expect(cleanSubject('Re: [#12] Alternator')).toBe('Alternator');
  });
});
