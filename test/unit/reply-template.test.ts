import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/domain/command.ts';
import {
  checkBody,
  closestKeys,
  formatProblem,
  matchTemplates,
  suggestionLabel,
  parseTemplatesFile,
  pickBody,
  renderBody,
} from '../../src/domain/reply-template.ts';

describe('template bodies', () => {
  it('replaces every occurrence, not only the first', () => {
    expect(renderBody('#{{ticket.number}} / #{{ticket.number}}', { 'ticket.number': '12' }, {})).toEqual({
      ok: true,
      text: '#12 / #12',
    });
  });
  it('uses the fallback in both spellings when the value is missing', () => {
    expect(renderBody('Bonjour {{customer.first_name|Madame, Monsieur}}', { 'customer.first_name': null }, {})).toEqual(
      { ok: true, text: 'Bonjour Madame, Monsieur' },
    );
    expect(renderBody('Hi {{customer.first_name | default: "there"}}', {}, {})).toEqual({ ok: true, text: 'Hi there' });
  });
  it('blocks on a missing value without fallback, and on a missing asked field, naming them', () => {
    expect(renderBody('Order {{order.number}} {{ask:suivi}}', { 'order.number': null }, {})).toEqual({
      ok: false,
      missing: ['{{order.number}}', '{{ask:suivi}}'],
    });
    expect(renderBody('Suivi {{ask:suivi}}', {}, { suivi: 'XY1' })).toEqual({ ok: true, text: 'Suivi XY1' });
  });
  it('reports unknown variables, unbalanced braces, empty bodies and hard-coded delays', () => {
    expect(checkBody('Hi {{customer.frist_name}}').errors[0]).toMatch(
      /unknown variable "\{\{customer\.frist_name\}\}" \(did you mean \{\{customer\.first_name\}\}\?\)/,
    );
    expect(checkBody('Hi {{ticket.number').errors).toContain('unbalanced "{{" or "}}"');
    expect(checkBody('  ').errors).toContain('the body is empty');
    expect(checkBody('Réponse sous 24h').warnings[0]).toMatch(/sla\.first_response_due/);
  });
  it('picks the ticket language, else the other one with a warning', () => {
    const t = { key: 'k', title: 'k', tags: [], actions: {}, bodies: { fr: 'Bonjour' } };
    expect(pickBody(t, 'fr')).toEqual({ language: 'fr', body: 'Bonjour', warning: null });
    expect(pickBody(t, 'en')?.warning).toBe('Template "k" has no en text; the fr text is used.');
  });
  it('suggests the three closest keys', () => {
    expect(closestKeys('retard-livrason', ['retard-livraison', 'retour-livraison', 'facture', 'avoir'])).toEqual([
      'retard-livraison',
      'retour-livraison',
      'avoir',
    ]);
  });
});

describe('templates file', () => {
  it('rejects the bad template with its file:line and language, keeps the good one', () => {
    const source = JSON.stringify(
      [
        { key: 'ok', title: 'OK', bodies: { fr: 'Bonjour', en: 'Hello' } },
        { key: 'bad', bodies: { fr: 'Bonjour {{nope}}' } },
      ],
      null,
      2,
    );
    const { templates, problems } = parseTemplatesFile(source);
    expect(templates.map((t) => t.key)).toEqual(['ok']);
    expect(problems.map((p) => formatProblem('t.json', p))).toEqual([
      expect.stringMatching(/^t\.json:\d+: template "bad" \(fr\): unknown variable "\{\{nope\}\}"/),
      expect.stringMatching(/^t\.json:\d+: template "bad" \(en\): missing the en text/),
    ]);
    expect(problems[0]!.line).toBe(source.split('\n').findIndex((l) => l.includes('{{nope}}')) + 1);
  });
  it('refuses invalid actions', () => {
    const { problems } = parseTemplatesFile(
      JSON.stringify([{ key: 'a', actions: { status: 'solved' }, bodies: { fr: 'x', en: 'y' } }]),
    );
    expect(problems[0]!.message).toBe('action status must be "pending" or "closed" (got "solved")');
  });
});

describe('/ticket reply N tpl:KEY grammar', () => {
  it('reads the key, asked values (with spaces) and the final send', () => {
    expect(parseCommand('/ticket reply 12 tpl:retard numero_suivi=XY 12 send')).toEqual({
      ok: true,
      command: {
        name: 'reply',
        ticketId: 12,
        text: 'tpl:retard',
        template: { key: 'retard', asks: { numero_suivi: 'XY 12' }, send: true },
      },
    });
    expect(parseCommand('reply 12 tpl:retard')).toMatchObject({
      ok: true,
      command: { template: { key: 'retard', asks: {}, send: false } },
    });
    expect(parseCommand('reply 12 tpl:')).toMatchObject({ ok: false });
  });
});

describe('template suggestions', () => {
  const t = (key: string, title: string, fr: string, en?: string, tags: string[] = []) => ({
    key,
    version: 1,
    title,
    tags,
    actions: {},
    bodies: en === undefined ? { fr } : { fr, en },
  });
  const templates = [
    t('retour-colis', 'Retour de colis', 'Renvoyez le colis.', 'Send the parcel back.'),
    t('retard-livraison', 'Retard de livraison', 'Votre colis est en retard.', 'Your parcel is late.', ['délai']),
    t('merci', 'Remerciement', 'Merci pour votre commande, colis parti.'),
  ];
  it('ranks a key starting with the text first, then a key holding it, then title and tags, then the text', () => {
    expect(matchTemplates(templates, 'ret', 'fr', 25).map((s) => s.key)).toEqual(['retard-livraison', 'retour-colis']);
    expect(matchTemplates(templates, 'colis', 'fr', 25).map((s) => s.key)).toEqual([
      'retour-colis',
      'merci',
      'retard-livraison',
    ]);
    // Accents and case are ignored; a tag matches.
    expect(matchTemplates(templates, 'DELAI', 'fr', 25).map((s) => s.key)).toEqual(['retard-livraison']);
    // Every word must match somewhere.
    expect(matchTemplates(templates, 'colis merci', 'fr', 25).map((s) => s.key)).toEqual(['merci']);
    expect(matchTemplates(templates, '', 'fr', 2).map((s) => s.key)).toEqual(['merci', 'retard-livraison']);
  });
  it("shows the body in the ticket's language, else the other one", () => {
    const [en] = matchTemplates(templates, 'retard', 'en', 25);
    expect(en).toMatchObject({ language: 'en', preview: 'Your parcel is late.' });
    const [fallback] = matchTemplates(templates, 'merci', 'en', 25);
    expect(fallback).toMatchObject({ language: 'fr' });
    expect(suggestionLabel(en!, 30)).toBe('retard-livraison — Retard de …');
    expect(suggestionLabel(en!, 30)).toHaveLength(30);
  });
});
