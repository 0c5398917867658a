import { describe, expect, it } from 'vitest';
import {
  cleanSubject,
  ticketMentionInSubject,
  findOrderNumber,
  replySubject,
  splitDisplayName,
  taggedSubject,
  ticketTagInSubject,
} from '../../src/domain/ticket.ts';

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
