import { describe, expect, it } from 'vitest';
import { cutQuotedHistory } from '../../src/domain/quoted-history.ts';
import { OUTLOOK_FORWARD_FR } from '../fakes/forwarded-notice.ts';
import { elapsed, HUGE, LINEAR_BOUND_MS } from './hostile-input.ts';

const huge = HUGE;

function cut(text: string) {
  return cutQuotedHistory(text);
}

describe('cutQuotedHistory: attribution lines', () => {
  it('cuts at a Gmail English attribution and the quote below it', () => {
    const text =
      'Thanks, it works now.\n\nOn Mon, 3 Jun 2024 at 10:00, Support <support@shop.example> wrote:\n> Hello Jane,\n> please try again.\n';
    expect(cut(text)).toEqual({ text: 'Thanks, it works now.', cut: true });
  });

  it('cuts at an attribution wrapped over two lines', () => {
    const text = 'Thanks\n\nOn Mon, 3 Jun 2024 at 10:00, Support Team <\nsupport@shop.example> wrote:\n\n> Hello\n';
    expect(cut(text)).toEqual({ text: 'Thanks', cut: true });
    const wrappedBeforeWrote =
      'Thanks\n\nOn Mon, Jun 3, 2024 at 10:00 AM Support Team <support@shop.example>\nwrote:\n> Hello\n';
    expect(cut(wrappedBeforeWrote)).toEqual({ text: 'Thanks', cut: true });
  });

  it('cuts at a French attribution, with a plain or non-breaking space before the colon', () => {
    expect(cut('Merci !\n\nLe lun. 3 juin 2024 à 10:00, Jane <j@shop.example> a écrit :\n> Bonjour\n')).toEqual({
      text: 'Merci !',
      cut: true,
    });
    expect(cut('Merci\n\nLe 3 juin 2024 à 10:00, Support <s@shop.example> a écrit\u00a0:\n> Bonjour')).toEqual({
      text: 'Merci',
      cut: true,
    });
  });

  it('cuts at an attribution followed by history its client did not prefix with ">"', () => {
    const text = 'Yes, the blue one.\n\nOn 03/06/2024 10:00, Support wrote:\nWhich colour would you like?\n';
    expect(cut(text)).toEqual({ text: 'Yes, the blue one.', cut: true });
  });

  it('does not take a customer sentence for an attribution (no date in it)', () => {
    const text = 'Le livreur a écrit :\n"absent" alors que j\'étais là.\n';
    expect(cut(text)).toEqual({ text, cut: false });
    const english = 'On Monday your colleague wrote:\nthat the parcel was on its way.\n';
    expect(cut(english)).toEqual({ text: english, cut: false });
  });

  it('cuts a trailing quote introduced in another language ("Am … schrieb …:")', () => {
    expect(cut('Danke\n\nAm 03.06.2024 um 10:00 schrieb Jane <j@shop.example>:\n> Hallo\n')).toEqual({
      text: 'Danke',
      cut: true,
    });
  });
});

describe('cutQuotedHistory: separators and Outlook header blocks', () => {
  it.each([
    '-----Original Message-----',
    '----- Original Message -----',
    '-------- Original Message --------',
    '----- Original message -----',
    '----- Mail original -----',
    "-------- Message d'origine --------",
    '-------- Message d’origine --------',
    "-----Message d'origine-----",
  ])('cuts at "%s"', (separator) => {
    const text = `See below.\n\n${separator}\nFrom: Support\nSent: Monday\n\nHello`;
    expect(cut(text)).toEqual({ text: 'See below.', cut: true });
  });

  it("cuts at Outlook's From/Sent/To/Subject block and the rule above it", () => {
    const text = [
      'Yes please.',
      '',
      '________________________________',
      'From: Support <support@shop.example>',
      'Sent: Monday, June 3, 2024 10:00 AM',
      'To: Jane Doe <jane@example.com>',
      'Cc: orders@shop.example',
      'Subject: RE: [#83] Where is my order?',
      '',
      'Hello Jane,',
    ].join('\r\n');
    expect(cut(text)).toEqual({ text: 'Yes please.', cut: true });
  });

  it('cuts at the French block "De : / Envoyé : / À : / Objet :"', () => {
    const text = [
      'Oui, merci.',
      '',
      'De : Support <support@shop.example>',
      'Envoyé : lundi 3 juin 2024 10:00',
      'À : Jane <jane@example.com>',
      'Objet : RE: commande',
      '',
      'Bonjour,',
    ].join('\n');
    expect(cut(text)).toEqual({ text: 'Oui, merci.', cut: true });
  });

  it('reads labels that HTML-to-text made bold, and "Date:" instead of "Sent:"', () => {
    const text =
      'Done.\n\n*From:* Support <s@shop.example>\n*Date:* Monday, 3 June 2024\n*To:* Jane\n*Subject:* RE: order\n\nHi';
    expect(cut(text)).toEqual({ text: 'Done.', cut: true });
  });

  it('keeps a forwarded message: the customer sent it for us to read', () => {
    const outlookForward = [
      'Please see the confirmation below.',
      '',
      '________________________________',
      'From: Shop <orders@shop.example>',
      'Sent: Monday, June 3, 2024 10:00 AM',
      'To: Jane <jane@example.com>',
      'Subject: FW: Your order 1234',
      '',
      'Thank you for your order.',
    ].join('\n');
    expect(cut(outlookForward)).toEqual({ text: outlookForward, cut: false });
    const gmailForward = [
      'Please see below.',
      '',
      '---------- Forwarded message ---------',
      'From: Shop <orders@shop.example>',
      'Date: Mon, Jun 3, 2024 at 10:00 AM',
      'Subject: Your order 1234',
      'To: <jane@example.com>',
      '',
      'Thank you for your order.',
    ].join('\n');
    expect(cut(gmailForward)).toEqual({ text: gmailForward, cut: false });
  });

  it('does not take a lone "From:" line for a header block', () => {
    const text = 'From: the warehouse in Lyon\nthe parcel left on Monday.\n';
    expect(cut(text)).toEqual({ text, cut: false });
  });
});

describe('cutQuotedHistory: quoted blocks', () => {
  it('cuts a trailing block of ">" lines', () => {
    expect(cut('Here is my answer.\n\n> Old question\n>\n> > older\n\n')).toEqual({
      text: 'Here is my answer.',
      cut: true,
    });
  });

  it('leaves an inline interleaved reply intact', () => {
    const text = 'Hello,\n\n> What is your order number?\n1234.\n\n> And your address?\n10 rue de la Paix.\n\nThanks';
    expect(cut(text)).toEqual({ text, cut: false });
  });

  it('keeps the answers of an interleaved reply under an attribution', () => {
    const text =
      'Hi,\n\nOn Mon, 3 Jun 2024 at 10:00, Support <s@shop.example> wrote:\n> Order number?\n1234\n> Address?\n10 rue de la Paix\n';
    expect(cut(text)).toEqual({ text, cut: false });
  });

  it('cuts only the trailing quote after interleaved answers', () => {
    const text = 'Hi,\n> Order number?\n1234\n> Anything else?\nNo.\n\n> Best regards,\n> Support\n';
    expect(cut(text)).toEqual({ text: 'Hi,\n> Order number?\n1234\n> Anything else?\nNo.', cut: true });
  });
});

describe('cutQuotedHistory: never empty', () => {
  it('returns the original when the reply is only a quote (top-quote-only)', () => {
    const text = '> only the quote\n> of the previous mail\n';
    expect(cut(text)).toEqual({ text, cut: false });
  });

  it('returns the original when the marker is on the first line', () => {
    const attribution = 'On Mon, 3 Jun 2024 at 10:00, Support <s@shop.example> wrote:\n> hello\n';
    expect(cut(attribution)).toEqual({ text: attribution, cut: false });
    const separator = '-----Original Message-----\nFrom: x\nSent: y\n\nhello';
    expect(cut(separator)).toEqual({ text: separator, cut: false });
  });

  it('keeps "Envoyé de mon iPhone" as part of the text, but it does not count as something written', () => {
    expect(
      cut("C'est réglé, merci\n\nEnvoyé de mon iPhone\n\n> Le 3 juin 2024 à 10:00, Support <s@x> a écrit :\n> Bonjour"),
    ).toEqual({
      text: "C'est réglé, merci\n\nEnvoyé de mon iPhone",
      cut: true,
    });
    const onlySignature = 'Sent from my iPhone\n\nOn 3 Jun 2024, at 10:00, Support <s@x> wrote:\n> Hello';
    expect(cut(onlySignature)).toEqual({ text: onlySignature, cut: false });
  });

  it('returns text without history unchanged, trailing whitespace included', () => {
    expect(cut('Hello,\nmy order has not arrived.\n\n')).toEqual({
      text: 'Hello,\nmy order has not arrived.\n\n',
      cut: false,
    });
    expect(cut('')).toEqual({ text: '', cut: false });
  });

  it('drops trailing whitespace when it cuts', () => {
    expect(cut('Answer.   \n \t\n\n> quote')).toEqual({ text: 'Answer.', cut: true });
  });
});

describe('cutQuotedHistory: hostile input', () => {
  it.each([
    ['a 2 MB line of spaces', ' '.repeat(huge)],
    ['a 2 MB line of ">"', '>'.repeat(huge)],
    ['2 MB of "> " lines', '> \n'.repeat(huge / 3)],
    ['2 MB of newlines', '\n'.repeat(huge)],
    ['2 MB of dashes', '-'.repeat(huge)],
    ['a line starting "On " 2 MB long', `On ${'1 '.repeat(huge / 2)}wrote:\n> x`],
    ['2 MB of attribution-like lines', 'On 1 wrote:\n'.repeat(huge / 12)],
    ['2 MB of header-like lines', 'From: a\nSent: b\n'.repeat(huge / 16)],
    ['2 MB of rules then a quote', `text\n${'_____\n'.repeat(huge / 6)}> q`],
    ['text followed by 2 MB of quoted lines', `Answer\n${'> old text here\n'.repeat(huge / 16)}`],
    ['2 MB of alternating quote and text', '> q\na\n'.repeat(huge / 6)],
    ['2 MB of blank lines above a quote', `Answer${' \n'.repeat(huge / 2)}> q`],
  ])('%s finishes quickly', (_name, text) => {
    let result: { text: string; cut: boolean } | undefined;
    const ms = elapsed(() => {
      result = cutQuotedHistory(text);
    });
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
    expect(result?.text.length).toBeGreaterThan(0);
  });

  it('a 2 MB reply above a quote keeps the whole reply', () => {
    const reply = 'word '.repeat(huge / 5);
    expect(cut(`${reply}\n\n> quoted`)).toEqual({ text: reply.trimEnd(), cut: true });
  });
});

describe('cutQuotedHistory: bottom-posting', () => {
  it('keeps the answer written below the history (attribution and quote first)', () => {
    const text =
      'Le 3 déc. 2026 à 10:46, Support <support@shop.example> a écrit :\n> Bonjour, votre commande part demain.\n> — Marie\n\nMerci ! Et pour la facture ?\n\nJean';
    expect(cutQuotedHistory(text)).toEqual({ text: 'Merci ! Et pour la facture ?\n\nJean', cut: true });
    expect(
      cutQuotedHistory(
        'On Tue, 3 Dec 2026 at 10:46, Support <support@shop.example>\nwrote:\n> Your order ships tomorrow.\n\nGreat, thanks.',
      ),
    ).toEqual({ text: 'Great, thanks.', cut: true });
    // Gmail puts a blank line between the attribution and the quote.
    expect(
      cutQuotedHistory(
        'On Tue, 3 Dec 2026 at 10:46, Support <support@shop.example> wrote:\n\n> Your order ships tomorrow.\n\nGreat, thanks.',
      ),
    ).toEqual({ text: 'Great, thanks.', cut: true });
    expect(
      cutQuotedHistory(
        'Le mar. 3 déc. 2026 à 10:46, Support <support@shop.example>\na écrit :\n\n> Votre commande part demain.\n\nParfait, merci.',
      ),
    ).toEqual({ text: 'Parfait, merci.', cut: true });
  });

  it('keeps answers written between quotes whole: without the questions they make no sense', () => {
    const inline = '> Quelle référence ?\nABC123\n> Quel véhicule ?\nClio 4';
    expect(cutQuotedHistory(inline)).toEqual({ text: inline, cut: false });
    const onlyPhone = '> Votre commande part demain.\n\nEnvoyé de mon iPhone';
    expect(cutQuotedHistory(onlyPhone)).toEqual({ text: onlyPhone, cut: false });
  });
});

describe('cutQuotedHistory: the customer telling what someone wrote', () => {
  it('keeps a French "Le 4 décembre, … a écrit :" with the quoted sentence and the words after it, and cuts the real quote', () => {
    const own = [
      'Bonjour,',
      '',
      'Je ne comprends pas.',
      'Le 4 décembre, votre transporteur a écrit :',
      '"Colis livré en point relais"',
      "Or le relais me dit qu'il n'a rien reçu. Que dois-je faire ? Le garage ne peut pas attendre au-delà de mardi.",
      '',
      'Thomas',
    ].join('\n');
    const text = `${own}\n\nLe jeu. 3 déc. 2026 à 10:12, Support <support@shop.example> a écrit :\n> Bonjour Thomas,\n> votre colis est parti.\n`;
    expect(cut(text)).toEqual({ text: own, cut: true });
  });

  it('keeps an English "On 4 December at 9:41 your courier wrote:" when no quote follows at all', () => {
    const text =
      'Hi,\n\nOn 4 December at 9:41 your courier wrote:\n"Label RET-99120 is not valid"\nSo I still cannot send the part back. Can you email me a new label today?\n\nSarah';
    expect(cut(text)).toEqual({ text, cut: false });
  });

  it('keeps such a line even with a year, when what follows opens with a quotation mark', () => {
    const text =
      "Bonjour,\nLe 4 décembre 2026, votre transporteur a écrit :\n« Colis livré »\nOr je n'ai rien reçu.\n\nThomas";
    expect(cut(text)).toEqual({ text, cut: false });
  });

  it('still cuts an attribution without an address when the final quote, a header block or nothing follows it', () => {
    expect(cut('Merci.\n\nLe 4 décembre à 9:41, le service a écrit :\n\n> Bonjour,\n> votre colis est parti.')).toEqual(
      { text: 'Merci.', cut: true },
    );
    const headerBlock =
      'Voir ci-dessous.\n\nLe 4 décembre, le service a écrit :\nDe : Support <s@shop.example>\nEnvoyé : lundi 3 juin 2024 10:00\nÀ : Jane\nObjet : RE: commande\n\nBonjour';
    expect(cut(headerBlock)).toEqual({ text: 'Voir ci-dessous.', cut: true });
  });

  it('still cuts at an attribution naming an address above history its client did not prefix (Yahoo)', () => {
    const text =
      'Thanks\n\n    On Tuesday, December 3, 2026, 10:46:12 AM GMT+1, Support <support@shop.example> wrote:  \n \n Hello Jean,\n your order ships tomorrow.\n';
    expect(cut(text)).toEqual({ text: 'Thanks', cut: true });
  });
});

describe('cutQuotedHistory: a message the customer forwards onto a ticket', () => {
  const outlookFrench = OUTLOOK_FORWARD_FR;
  const owa = [
    'Please see below, DPD say the parcel was returned to you.',
    '',
    '________________________________',
    'From: DPD UK <noreply@dpd.example>',
    'Sent: 02 December 2026 07:30',
    'To: jane@customer.example',
    'Subject: Your DPD parcel 1550 9876 543 is being returned',
    '',
    'Your parcel is being returned to the sender.',
  ].join('\n');
  const iphone = [
    "Regardez, ils disent qu'il est disponible.",
    '',
    'Envoyé de mon iPhone',
    '',
    'Début du message réexpédié :',
    '',
    '> De: Relais Colis <noreply@relaiscolis.example>',
    '> Date: 2 décembre 2026 à 18:03:11 UTC+1',
    '> À: thomas@customer.example',
    '> Objet: Votre colis est disponible',
    '>',
    '> Bonjour, votre colis est disponible dans votre relais.',
  ].join('\n');
  const appleEnglish = [
    'This is what the bank sent me.',
    '',
    'Begin forwarded message:',
    '',
    '> From: Bank <alerts@bank.example>',
    '> Subject: Payment declined',
    '> Date: 2 December 2026 at 18:03:11 GMT',
    '>',
    '> Your payment of 89.90 EUR to Shop was declined.',
  ].join('\n');

  it.each([
    ['an Outlook "De : / Envoyé : / À : / Objet :" block', 'TR: [#1] Votre colis XY123456', outlookFrench],
    ['an OWA "From: / Sent: / To: / Subject:" block under a rule', 'FW: [#8] Your DPD parcel', owa],
    ['an iPhone forward quoted with ">"', 'Fwd: [#4] Votre colis est disponible', iphone],
    ['an Apple Mail English forward', 'Fwd: [#4] Payment declined', appleEnglish],
  ])('keeps %s whole when the subject says it is a forward', (_name, subject, text) => {
    expect(cutQuotedHistory(text, { subject })).toEqual({ text, cut: false });
  });

  it.each([
    'Fw: [#1] x',
    'Fwd: [#1] x',
    'Tr: [#1] x',
    'TR : [#1] x',
    'WG: [#1] x',
    'RV: [#1] x',
    'Enc: [#1] x',
    'Re: TR: [#1] x',
    'RE: Fwd: x',
    '[EXT] FW: [#1] x',
  ])('reads "%s" as a forward', (subject) => {
    expect(cutQuotedHistory(outlookFrench, { subject })).toEqual({ text: outlookFrench, cut: false });
  });

  it("cuts our thread as before when the forward prefix is the ticket's own subject, after the tag, or absent", () => {
    const kept = outlookFrench.slice(0, outlookFrench.indexOf('\n\nDe : '));
    for (const subject of [
      'Re: [#1] TR: Votre colis',
      '[#1] Votre colis',
      'Re: [#1] Votre colis',
      'Transport: [#1] colis',
    ]) {
      expect(cutQuotedHistory(outlookFrench, { subject })).toEqual({ text: kept, cut: true });
    }
    expect(cutQuotedHistory(owa)).toEqual({
      text: 'Please see below, DPD say the parcel was returned to you.',
      cut: true,
    });
  });

  it('keeps a message Apple Mail forwarded under "Début du message réexpédié :" even when the subject no longer says so', () => {
    expect(cutQuotedHistory(iphone, { subject: '[#4] Votre colis' })).toEqual({ text: iphone, cut: false });
    expect(cutQuotedHistory(appleEnglish)).toEqual({ text: appleEnglish, cut: false });
  });
});
