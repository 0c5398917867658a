/**
 * Tells French from English in a customer's message, to answer and triage in their language. Counts
 * common words and French accents; returns null rather than guess when the text says too little or is
 * in another language.
 */

export type Language = 'fr' | 'en';

// The first lines decide; a long message only adds the same evidence again.
const MAX_CHARS = 4096;

// Words that exist in both languages ("a", "on", "me", "plus", "comment", "client", "service",
// "message", "article", "as", "an", "car") are left out: they would count for both sides.
const FRENCH_WORDS = new Set(
  (
    'je j vous le la les l de des du d un une et est sont suis ai avez avons pas ne n que qu qui ce c cette ' +
    'ces mon ma mes votre vos notre nos nous il ils elle elles y en au aux sur dans avec sans pour par mais ' +
    'ou où donc si oui non tout tous toute toutes très bien aussi encore toujours jamais rien depuis hier ' +
    'aujourd hui ici été était fait faire peux pouvez pourriez veux voudrais souhaite besoin aide voir sais ' +
    'leur merci beaucoup bonjour bonsoir salut cordialement madame monsieur bonne journée soirée svp stp ' +
    'commande commandé commandée colis livraison livré livrée reçu reçue arrivé arrivée remboursement ' +
    'rembourser produit numéro adresse problème désolé cassé abîmé compte paiement payé annuler retour ' +
    'échange taille semaine jours attends attente suivi envoyé quand pourquoi quoi'
  ).split(' '),
);

const ENGLISH_WORDS = new Set(
  (
    'the i you your my we our us they them he she it its is are was were be been am have has had do does ' +
    'did not t don didn doesn isn wasn hasn haven won ve ll to of and in into for with at by from this that ' +
    'these those what when where why how which there here can could would will should please thanks thank ' +
    'thx hello hi hey dear regards sincerely cheers best kind good morning afternoon evening sorry order ' +
    'ordered orders package parcel delivery delivered refund received arrived yet still since today ' +
    'yesterday week days number address item items product problem issue wrong broken damaged account ' +
    'payment paid cancel return exchange size any some all about so if or but yes sent send know let see ' +
    'get got need want help just also much very more waiting track tracking money back soon'
  ).split(' '),
);

// Frequent words of the neighbouring languages a shop also hears from; each one counts against both.
const OTHER_WORDS = new Set(
  (
    'el los las del con por para una mi mis mio mia miei che di della sono ho è hola gracias pedido ' +
    'todavía ciao grazie ordine der die das und ist nicht ich mit ein eine meine bitte danke hallo ' +
    'bestellung het een niet ik bedankt não obrigado obrigada encomenda'
  ).split(' '),
);

const FRENCH_ACCENTS = /[àâçéèêëîïôûùœ]/;
// Letters French never uses: Spanish, German, Portuguese, Nordic, Slavic…, and any non-Latin script.
const FOREIGN_LETTERS = /[áíóúñäöüßãõåøæìò]|[^a-z\u00c0-\u024f]/u;

export function detectLanguage(text: string): { language: Language | null; confidence: number } {
  const sample = text.slice(0, MAX_CHARS).normalize('NFC').toLowerCase();
  const words = sample.match(/[\p{L}\p{M}]+/gu) ?? [];
  if (words.length === 0) return { language: null, confidence: 0 };

  let fr = 0;
  let en = 0;
  let foreign = 0;
  let known = 0;
  for (const word of words) {
    const isFr = FRENCH_WORDS.has(word);
    const isEn = ENGLISH_WORDS.has(word);
    if (isFr) fr += 1;
    if (isEn) en += 1;
    if (isFr || isEn) known += 1;
    if (OTHER_WORDS.has(word) || FOREIGN_LETTERS.test(word)) foreign += 1;
    else if (FRENCH_ACCENTS.test(word)) fr += 1;
  }

  if (fr === en) return { language: null, confidence: 0 };
  const language: Language = fr > en ? 'fr' : 'en';
  const winner = Math.max(fr, en);
  const loser = Math.min(fr, en);
  if (foreign >= winner) return { language: null, confidence: 0 };
  // A long text where almost no word is French or English is in some third language that shares a
  // few words with them ("in", "la", "si").
  if (words.length >= 6 && known / words.length < 0.15) return { language: null, confidence: 0 };

  const margin = (winner - loser) / (winner + loser);
  const amount = 1 - Math.exp(-winner / 3);
  const purity = winner / (winner + foreign);
  const confidence = Math.round(margin * amount * purity * 100) / 100;
  return { language, confidence: Math.min(1, Math.max(0, confidence)) };
}
