/** What customers write about: topics, their details, greetings, openers, closings and follow-ups, in French and English. */
import { type Lang, Rand } from './random.ts';

// ---------------------------------------------------------------------------
// Templates

export interface Ctx {
  lang: Lang;
  part: string; // definite ("les plaquettes de frein avant" / "the front brake pads")
  partA: string; // indefinite
  partBare: string;
  pl: boolean;
  f: boolean;
  be: string; // "sont"/"est" — "are"/"is"
  pro: string; // "elles"/"il" — "they"/"it"
  brand: string;
  ref: string;
  veh: string;
  make: string;
  maMake: string; // "ma Peugeot" / "mon Audi" (fr only)
  maVeh: string;
  laMake: string; // "la Peugeot" / "l'Audi"
  year: number;
  code: string;
  vin: string;
  hasOrder: boolean;
  ord: string; // raw order id as the customer writes it
  myOrder: string; // "ma commande n° CMD-…" / "my order #104823" / "ma commande"
  orderDate: string; // "le 3 octobre" / "on 3 October"
  amount: string;
  carrier: string;
  days: number;
}

export type T = (c: Ctx) => string;

/** French past-participle agreement with the part. */
export const ag = (c: Ctx, w: string): string => w + (c.f ? 'e' : '') + (c.pl ? 's' : '');
export const cap = (s: string): string => (s ? (s[0] as string).toUpperCase() + s.slice(1) : s);

export interface Topic {
  id: string;
  weight: number;
  orderP: number;
  short: { fr: readonly string[]; en: readonly string[] };
  subj: { fr: readonly T[]; en: readonly T[] };
  prob: { fr: readonly T[]; en: readonly T[] };
  ask: { fr: readonly T[]; en: readonly T[] };
  details: readonly ('vehicle' | 'vin' | 'ref' | 'date' | 'amount' | 'urgent' | 'carrier')[];
}

export const TOPICS: Topic[] = [
  {
    id: 'delivery',
    weight: 16,
    orderP: 0.55,
    short: {
      fr: ['toujours pas reçue', 'retard de livraison', 'colis non reçu', 'où en est ma commande ?'],
      en: ['not received', 'delivery delay', 'where is my parcel?', 'still waiting'],
    },
    subj: {
      fr: [
        () => 'Commande non reçue',
        () => 'Retard de livraison',
        (c) => `Où est mon colis ${c.carrier} ?`,
        () => 'Livraison toujours pas effectuée',
        () => 'suivi colis bloqué',
      ],
      en: [
        () => 'Order not received',
        () => 'Delivery delay',
        (c) => `Where is my ${c.carrier} parcel?`,
        () => 'Still waiting for my parts',
        () => 'Tracking not updated',
      ],
    },
    prob: {
      fr: [
        (c) => `J'ai passé ${c.myOrder} ${c.orderDate} (${c.partA} pour ${c.maMake}) et je n'ai toujours rien reçu.`,
        (c) =>
          `Le suivi ${c.carrier} indique « colis en cours d'acheminement » depuis ${c.days} jours et plus rien ne bouge.`,
        (c) =>
          `${cap(c.myOrder)} devait être livrée sous 48 h mais cela fait maintenant ${c.days} jours que j'attends.`,
        (c) =>
          `Le site indique que ${c.myOrder} est expédiée ${c.orderDate}, pourtant le transporteur ${c.carrier} ne trouve aucun colis à mon nom.`,
        (c) => `Le livreur ${c.carrier} a marqué « destinataire absent » alors que j'étais chez moi toute la journée.`,
      ],
      en: [
        (c) => `I placed ${c.myOrder} ${c.orderDate} (${c.partA} for my ${c.make}) and nothing has arrived yet.`,
        (c) => `The ${c.carrier} tracking has said "in transit" for ${c.days} days now and hasn't moved since.`,
        (c) =>
          `${cap(c.myOrder)} was supposed to be delivered within 48 hours but I have been waiting for ${c.days} days.`,
        (c) =>
          `Your website says ${c.myOrder} was shipped ${c.orderDate}, but ${c.carrier} can't find any parcel under my name.`,
        (c) => `The ${c.carrier} driver marked the parcel as "recipient absent" although I was home all day.`,
      ],
    },
    ask: {
      fr: [
        () => 'Pouvez-vous me dire où en est le colis ?',
        () => "Si le colis est perdu, je préfère un renvoi rapide plutôt qu'un remboursement.",
        () => 'Merci de vérifier auprès du transporteur et de me donner une date de livraison.',
        () => 'Pouvez-vous me renvoyer les pièces en express ?',
      ],
      en: [
        () => 'Could you tell me where the parcel is?',
        () => "If it's lost, please send a replacement rather than a refund.",
        () => 'Please check with the carrier and give me a delivery date.',
        () => 'Can you resend the parts by express delivery?',
      ],
    },
    details: ['date', 'carrier', 'urgent', 'ref', 'amount'],
  },
  {
    id: 'wrong_part',
    weight: 12,
    orderP: 0.5,
    short: {
      fr: ['pièce non conforme', 'mauvaise référence reçue', 'erreur de pièce'],
      en: ['wrong part received', 'incorrect item', 'part does not fit'],
    },
    subj: {
      fr: [
        () => 'Mauvaise pièce reçue',
        () => 'Pièce non compatible',
        (c) => `${cap(c.partBare)} ne correspond pas`,
        () => 'Erreur dans ma commande',
      ],
      en: [
        () => 'Wrong part received',
        () => 'Part does not fit',
        (c) => `Incorrect ${c.partBare}`,
        () => 'Mistake in my order',
      ],
    },
    prob: {
      fr: [
        (c) => `J'ai bien reçu ${c.part} mais ce n'est pas la bonne référence : j'avais commandé ${c.brand} ${c.ref}.`,
        (c) =>
          `Mon garagiste a essayé de monter ${c.part} sur ${c.maVeh} et ${c.pro} ne ${c.pl ? 'correspondent' : 'correspond'} pas du tout.`,
        (c) => `Pourtant votre site indiquait que la pièce était compatible avec ${c.maMake} de ${c.year}.`,
        (c) =>
          `Le carton contenait une pièce pour un autre modèle, la référence sur la boîte n'est pas celle de ${c.myOrder}.`,
      ],
      en: [
        (c) =>
          `I received ${c.part} but ${c.pl ? "they're" : "it's"} not the right reference: I ordered ${c.brand} ${c.ref}.`,
        (c) =>
          `My mechanic tried to fit ${c.part} on my ${c.veh} and ${c.pro} ${c.pl ? "don't" : "doesn't"} fit at all.`,
        (c) => `Your website said the part was compatible with my ${c.year} ${c.make}.`,
        (c) => `The box contained a part for a different model; the reference on the box doesn't match ${c.myOrder}.`,
      ],
    },
    ask: {
      fr: [
        () => "Comment procéder pour l'échange ?",
        () => "Merci de m'envoyer la bonne pièce et une étiquette de retour.",
        () => 'Je souhaite un échange standard le plus vite possible.',
      ],
      en: [
        () => 'How do I arrange an exchange?',
        () => 'Please send me the correct part and a return label.',
        () => 'I would like an exchange as soon as possible.',
      ],
    },
    details: ['vehicle', 'ref', 'vin', 'urgent'],
  },
  {
    id: 'damaged',
    weight: 9,
    orderP: 0.5,
    short: {
      fr: ['colis endommagé', 'pièce cassée', 'produit abîmé'],
      en: ['damaged parcel', 'broken part', 'item damaged'],
    },
    subj: {
      fr: [
        () => 'Pièce arrivée cassée',
        () => 'Colis endommagé',
        (c) => `${cap(c.partBare)} ${c.pl ? 'abîmés' : 'abîmé'} à la livraison`,
        () => 'Réclamation - produit endommagé',
      ],
      en: [
        () => 'Part arrived damaged',
        () => 'Damaged parcel',
        (c) => `Broken ${c.partBare} on delivery`,
        () => 'Complaint - damaged item',
      ],
    },
    prob: {
      fr: [
        (c) => `${cap(c.part)} ${c.be} ${ag(c, 'arrivé')} ${ag(c, 'cassé')}, le carton était complètement écrasé.`,
        (c) => `En ouvrant le colis j'ai constaté que ${c.part} ${c.be} ${ag(c, 'rayé')} et ${ag(c, 'fissuré')}.`,
        () => "L'emballage était déchiré et la pièce se baladait dans le carton sans protection.",
        (c) => `J'ai fait des réserves auprès du livreur ${c.carrier} mais il est reparti sans rien noter.`,
      ],
      en: [
        (c) => `${cap(c.part)} ${c.be} damaged on arrival, the box was completely crushed.`,
        (c) => `When I opened the parcel I found that ${c.part} ${c.be} scratched and cracked.`,
        () => 'The packaging was torn and the part was loose in the box with no protection.',
        (c) => `I told the ${c.carrier} driver but he left without writing anything down.`,
      ],
    },
    ask: {
      fr: [
        () => 'Je vous joins des photos, merci de me renvoyer une pièce en bon état.',
        () => 'Je demande le remplacement ou le remboursement intégral.',
        () => 'Que dois-je faire de la pièce abîmée ?',
      ],
      en: [
        () => 'Photos attached, please send me a replacement in good condition.',
        () => 'I want a replacement or a full refund.',
        () => 'What should I do with the damaged part?',
      ],
    },
    details: ['ref', 'amount', 'date', 'carrier'],
  },
  {
    id: 'return',
    weight: 10,
    orderP: 0.55,
    short: { fr: ['demande de retour', 'remboursement', 'rétractation'], en: ['return request', 'refund', 'return'] },
    subj: {
      fr: [() => 'Demande de retour', () => 'Remboursement pas reçu', () => 'Rétractation', () => 'retour pièce'],
      en: [() => 'Return request', () => 'Refund not received', () => 'Returning an item', () => 'RMA request'],
    },
    prob: {
      fr: [
        (c) =>
          `Je souhaite retourner ${c.part} de ${c.myOrder}, je n'en ai finalement plus besoin (pièce jamais montée, emballage d'origine).`,
        (c) => `J'ai renvoyé ${c.part} il y a ${c.days} jours et je n'ai toujours pas été remboursé de ${c.amount}.`,
        () => "Votre formulaire de retour en ligne m'affiche une erreur quand je valide.",
        (c) =>
          `Le garage a trouvé la panne, ${c.part} n'${c.pl ? 'étaient' : 'était'} pas en cause, je voudrais donc ${c.pl ? 'les' : c.f ? 'la' : 'le'} retourner.`,
      ],
      en: [
        (c) =>
          `I'd like to return ${c.part} from ${c.myOrder}; I no longer need ${c.pl ? 'them' : 'it'} (never fitted, original packaging).`,
        (c) => `I sent ${c.part} back ${c.days} days ago and I still haven't been refunded the ${c.amount}.`,
        () => 'Your online return form shows an error when I submit it.',
        (c) =>
          `The garage found the real fault, ${c.part} ${c.pl ? 'were' : 'was'} fine, so I'd like to send ${c.pl ? 'them' : 'it'} back.`,
      ],
    },
    ask: {
      fr: [
        () => "Pouvez-vous m'envoyer une étiquette de retour ?",
        () => 'Quand le remboursement sera-t-il effectué ?',
        () => "Merci de m'indiquer la procédure.",
      ],
      en: [
        () => 'Could you send me a return label?',
        () => 'When will the refund be processed?',
        () => 'Please let me know the procedure.',
      ],
    },
    details: ['amount', 'date', 'ref'],
  },
  {
    id: 'invoice',
    weight: 7,
    orderP: 0.75,
    short: {
      fr: ['demande de facture', 'facture', 'facture avec TVA'],
      en: ['invoice request', 'invoice', 'VAT invoice'],
    },
    subj: {
      fr: [
        () => 'Demande de facture',
        () => 'Facture',
        () => 'Facture au nom de ma société',
        () => 'Erreur sur la facture',
      ],
      en: [() => 'Invoice request', () => 'Invoice needed', () => 'VAT invoice', () => 'Error on my invoice'],
    },
    prob: {
      fr: [
        (c) => `Pourriez-vous m'envoyer la facture de ${c.myOrder} ? Je ne la trouve pas dans mon espace client.`,
        () =>
          "J'ai besoin d'une facture au nom de ma société (SARL, avec numéro de TVA intracommunautaire) pour ma comptabilité.",
        (c) => `La facture indique ${c.amount} alors que j'ai payé un montant différent avec le code promo.`,
        () => "L'adresse de facturation sur la facture n'est pas la bonne.",
      ],
      en: [
        (c) => `Could you send me the invoice for ${c.myOrder}? I can't find it in my account.`,
        () => 'I need an invoice in my company name with the VAT number for our accounts.',
        (c) => `The invoice shows ${c.amount} but I paid a different amount with the discount code.`,
        () => 'The billing address on the invoice is wrong.',
      ],
    },
    ask: {
      fr: [
        () => 'Merci de me la renvoyer par mail au format PDF.',
        () => "Pouvez-vous corriger et m'envoyer une nouvelle facture ?",
      ],
      en: [() => 'Please email it to me as a PDF.', () => 'Could you correct it and send a new invoice?'],
    },
    details: ['amount', 'date'],
  },
  {
    id: 'payment',
    weight: 8,
    orderP: 0.5,
    short: {
      fr: ['double prélèvement', 'problème de paiement', 'paiement refusé'],
      en: ['charged twice', 'payment problem', 'payment declined'],
    },
    subj: {
      fr: [() => 'Débité deux fois', () => 'Problème de paiement', () => 'Paiement refusé', () => 'Prélèvement PayPal'],
      en: [() => 'Charged twice', () => 'Payment issue', () => 'Card declined', () => 'PayPal payment problem'],
    },
    prob: {
      fr: [
        (c) =>
          `J'ai été débité deux fois de ${c.amount} pour la même commande, je vois les deux opérations sur mon relevé.`,
        () => 'Mon paiement par carte a été refusé trois fois alors que ma carte fonctionne partout ailleurs.',
        (c) => `J'ai payé par PayPal ${c.orderDate} mais ${c.myOrder} apparaît toujours « en attente de paiement ».`,
        () => 'Le paiement en 3 fois sans frais ne fonctionne pas, la page reste bloquée.',
      ],
      en: [
        (c) => `I've been charged ${c.amount} twice for the same order, both transactions are on my statement.`,
        () => 'My card payment was declined three times although the card works everywhere else.',
        (c) => `I paid with PayPal ${c.orderDate} but ${c.myOrder} still shows "awaiting payment".`,
        () => 'The pay-in-3 option does not work, the page just hangs.',
      ],
    },
    ask: {
      fr: [
        () => 'Merci de procéder au remboursement du doublon.',
        () => 'Pouvez-vous vérifier de votre côté ?',
        () => 'Comment puis-je finaliser ma commande ?',
      ],
      en: [
        () => 'Please refund the duplicate payment.',
        () => 'Could you check on your side?',
        () => 'How can I complete my order?',
      ],
    },
    details: ['amount', 'date'],
  },
  {
    id: 'compat',
    weight: 16,
    orderP: 0.12,
    short: { fr: ['question compatibilité', 'compatibilité pièce'], en: ['compatibility question', 'will it fit?'] },
    subj: {
      fr: [
        (c) => `Compatibilité ${c.partBare} ${c.make}`,
        () => 'Question compatibilité',
        (c) => `${cap(c.partBare)} pour ${c.make} ${c.year} ?`,
        () => 'Renseignement avant achat',
        () => 'Quelle référence pour ma voiture ?',
      ],
      en: [
        (c) => `${cap(c.partBare)} compatibility - ${c.make}`,
        () => 'Compatibility question',
        (c) => `Will this ${c.partBare} fit my ${c.make}?`,
        () => 'Question before ordering',
        () => 'Which part number for my car?',
      ],
    },
    prob: {
      fr: [
        (c) => `Je cherche ${c.partA} pour ${c.maVeh} de ${c.year} (moteur ${c.code}).`,
        (c) => `Pouvez-vous me confirmer que la référence ${c.brand} ${c.ref} est compatible avec mon véhicule ?`,
        (c) =>
          `Sur votre site, le sélecteur de véhicule me propose plusieurs références de ${c.partBare} et je ne sais pas laquelle choisir.`,
        () =>
          "Ma voiture a été fabriquée en fin d'année et je ne sais pas si elle correspond à la phase 1 ou à la phase 2.",
        (c) => `Le garage me dit qu'il existe deux montages différents sur ${c.laMake}, je ne veux pas me tromper.`,
      ],
      en: [
        (c) => `I'm looking for ${c.partA} for my ${c.year} ${c.veh} (engine code ${c.code}).`,
        (c) => `Can you confirm that ${c.brand} ${c.ref} is compatible with my car?`,
        (c) =>
          `Your vehicle selector shows several different ${c.partBare} options and I don't know which one to pick.`,
        () => "My car was built at the end of the year and I'm not sure whether it's the facelift model or not.",
        (c) => `My mechanic says there are two different versions on the ${c.make} and I don't want to get it wrong.`,
      ],
    },
    ask: {
      fr: [
        () => 'Merci de me confirmer avant que je passe commande.',
        () => 'Quelle référence dois-je commander ?',
        () => 'Si besoin je peux vous envoyer une photo de la carte grise.',
      ],
      en: [
        () => 'Please confirm before I place the order.',
        () => 'Which part number should I order?',
        () => 'I can send a photo of the registration document if needed.',
      ],
    },
    details: ['vin', 'vehicle', 'ref'],
  },
  {
    id: 'missing',
    weight: 5,
    orderP: 0.6,
    short: { fr: ['article manquant', 'colis incomplet'], en: ['missing item', 'incomplete parcel'] },
    subj: {
      fr: [() => 'Colis incomplet', () => 'Article manquant', () => 'Il manque une pièce'],
      en: [() => 'Incomplete parcel', () => 'Missing item', () => 'Part missing from my order'],
    },
    prob: {
      fr: [
        (c) => `J'ai reçu mon colis mais il manque ${c.part} sur les deux articles commandés.`,
        () => "Le bon de livraison indique deux articles mais il n'y en avait qu'un seul dans le carton.",
        (c) => `Il manque les vis et les agrafes de montage normalement fournies avec ${c.part}.`,
      ],
      en: [
        (c) => `My parcel arrived but ${c.part} ${c.pl ? 'are' : 'is'} missing, only one of the two items was in it.`,
        () => 'The delivery note lists two items but there was only one in the box.',
        (c) => `The fitting screws and clips normally supplied with ${c.part} are missing.`,
      ],
    },
    ask: {
      fr: [
        () => "Merci de m'envoyer l'article manquant.",
        () => 'Pouvez-vous vérifier la préparation de ma commande ?',
      ],
      en: [() => 'Please send the missing item.', () => 'Could you check how my order was packed?'],
    },
    details: ['ref', 'date', 'urgent'],
  },
  {
    id: 'cancel',
    weight: 6,
    orderP: 0.7,
    short: { fr: ['annulation', "changement d'adresse"], en: ['cancellation', 'change of address'] },
    subj: {
      fr: [
        () => 'Annulation commande',
        () => "Changement d'adresse de livraison",
        () => 'Modifier ma commande',
        () => 'URGENT annulation',
      ],
      en: [
        () => 'Cancel my order',
        () => 'Change delivery address',
        () => 'Modify my order',
        () => 'URGENT: cancellation',
      ],
    },
    prob: {
      fr: [
        (c) => `Je souhaite annuler ${c.myOrder} passée ${c.orderDate}, j'ai trouvé la pièce en local.`,
        () => "Je me suis trompé d'adresse de livraison, pouvez-vous la modifier avant l'expédition ?",
        (c) => `J'ai commandé ${c.partA} par erreur, je voulais ${c.pl ? 'ceux' : 'celui'} pour la version ${c.code}.`,
      ],
      en: [
        (c) => `I'd like to cancel ${c.myOrder} placed ${c.orderDate}, I found the part locally.`,
        () => 'I entered the wrong delivery address, can you change it before it ships?',
        (c) => `I ordered ${c.partA} by mistake, I needed the one for the ${c.code} engine.`,
      ],
    },
    ask: {
      fr: [() => "Merci de me confirmer l'annulation.", () => 'La nouvelle adresse est dans ma signature.'],
      en: [() => 'Please confirm the cancellation.', () => 'The new address is in my signature.'],
    },
    details: ['amount', 'date'],
  },
  {
    id: 'defective',
    weight: 8,
    orderP: 0.45,
    short: { fr: ['pièce défectueuse', 'garantie', 'panne'], en: ['faulty part', 'warranty claim', 'defective'] },
    subj: {
      fr: [
        () => 'Pièce défectueuse',
        () => 'Demande de garantie',
        (c) => `${cap(c.partBare)} HS après ${c.days} jours`,
        () => 'Produit en panne',
      ],
      en: [
        () => 'Faulty part',
        () => 'Warranty claim',
        (c) => `${cap(c.partBare)} failed after ${c.days} days`,
        () => 'Defective product',
      ],
    },
    prob: {
      fr: [
        (c) => `${cap(c.part)} ${c.be} ${ag(c, 'tombé')} en panne au bout de ${c.days} jours seulement.`,
        (c) =>
          `Depuis le montage ${c.pl ? 'des' : 'du'} ${c.partBare}, j'ai un bruit anormal et un voyant au tableau de bord.`,
        (c) =>
          `Mon garagiste a testé ${c.part} : ${c.pro} ${c.be} ${c.f ? (c.pl ? 'défectueuses' : 'défectueuse') : 'défectueux'}.`,
        () => 'La batterie ne tient plus la charge, la voiture ne démarre plus le matin.',
      ],
      en: [
        (c) => `${cap(c.part)} failed after only ${c.days} days.`,
        (c) => `Since fitting the ${c.partBare} I have a strange noise and a warning light on the dashboard.`,
        (c) => `My mechanic tested ${c.part}: ${c.pro} ${c.be} faulty.`,
        () => "The battery won't hold its charge anymore, the car won't start in the morning.",
      ],
    },
    ask: {
      fr: [
        () => 'Je souhaite faire jouer la garantie.',
        () => 'Faut-il vous renvoyer la pièce pour expertise ?',
        () => 'Qui prend en charge les frais de main-d’œuvre ?',
      ],
      en: [
        () => 'I would like to make a warranty claim.',
        () => 'Do I need to send the part back for inspection?',
        () => 'Who covers the labour costs?',
      ],
    },
    details: ['vehicle', 'ref', 'date', 'amount', 'urgent'],
  },
  {
    id: 'account',
    weight: 4,
    orderP: 0.15,
    short: { fr: ['code promo', 'compte client'], en: ['discount code', 'account'] },
    subj: {
      fr: [
        () => 'Code promo refusé',
        () => 'Impossible de me connecter',
        () => 'Mot de passe oublié',
        () => 'Question sur mon compte',
      ],
      en: [() => 'Discount code not working', () => "Can't log in", () => 'Password reset', () => 'Account question'],
    },
    prob: {
      fr: [
        () => 'Le code promo reçu par mail (AUTO10) est refusé au moment du paiement.',
        () => "Je n'arrive plus à me connecter à mon compte, le lien de réinitialisation ne fonctionne pas.",
        () => "Je voudrais modifier l'adresse e-mail de mon compte client.",
      ],
      en: [
        () => 'The discount code from your newsletter (AUTO10) is rejected at checkout.',
        () => "I can't log in to my account and the password reset link doesn't work.",
        () => "I'd like to change the email address on my account.",
      ],
    },
    ask: {
      fr: [() => 'Pouvez-vous regarder ?', () => "Merci de m'aider."],
      en: [() => 'Could you have a look?', () => 'Thanks for your help.'],
    },
    details: [],
  },
  {
    id: 'complaint',
    weight: 6,
    orderP: 0.5,
    short: { fr: ['réclamation', 'mécontent', 'aucune réponse'], en: ['complaint', 'very disappointed', 'no answer'] },
    subj: {
      fr: [
        () => 'Réclamation',
        () => 'Très mécontent !!',
        () => 'Aucune réponse de votre service',
        () => 'Dernière relance avant litige',
      ],
      en: [() => 'Complaint', () => 'Very disappointed', () => 'No reply from your team', () => 'Final reminder'],
    },
    prob: {
      fr: [
        () => "C'est la troisième fois que je vous écris et je n'ai aucune réponse, c'est inadmissible.",
        (c) => `Ma voiture est immobilisée depuis ${c.days} jours à cause de vous et je dois louer un véhicule.`,
        () => 'Votre service client au téléphone est injoignable, on tombe toujours sur un répondeur.',
        () => 'Je suis client depuis des années et je n’ai jamais été aussi mal traité.',
      ],
      en: [
        () => "This is the third time I'm writing and I've had no reply at all, this is unacceptable.",
        (c) => `My car has been off the road for ${c.days} days because of this and I have to rent a car.`,
        () => 'Your phone line is impossible to reach, it always goes to voicemail.',
        () => "I've been a customer for years and have never been treated this badly.",
      ],
    },
    ask: {
      fr: [
        () => 'Sans réponse sous 48 h, je saisirai le médiateur de la consommation.',
        () => "J'attends un geste commercial.",
        () => 'Merci de traiter ma demande en priorité.',
      ],
      en: [
        () => "If I don't hear back within 48 hours I'll open a dispute with my bank.",
        () => 'I expect some form of compensation.',
        () => 'Please deal with this as a priority.',
      ],
    },
    details: ['amount', 'date', 'urgent'],
  },
  {
    id: 'stock',
    weight: 4,
    orderP: 0.1,
    short: { fr: ['disponibilité', 'rupture de stock'], en: ['availability', 'out of stock'] },
    subj: {
      fr: [() => 'Disponibilité pièce', (c) => `${cap(c.partBare)} en rupture ?`, () => 'Délai de réapprovisionnement'],
      en: [() => 'Part availability', (c) => `${cap(c.partBare)} out of stock?`, () => 'Restock date'],
    },
    prob: {
      fr: [
        (c) => `La référence ${c.brand} ${c.ref} est indiquée en rupture de stock depuis plusieurs semaines.`,
        (c) =>
          `Savez-vous quand ${c.part} ${c.pl ? 'seront' : 'sera'} de nouveau ${c.pl ? 'disponibles' : 'disponible'} ?`,
      ],
      en: [
        (c) => `${c.brand} ${c.ref} has been out of stock for weeks.`,
        (c) => `Do you know when ${c.part} will be available again?`,
      ],
    },
    ask: {
      fr: [() => 'Existe-t-il une référence équivalente ?', () => 'Pouvez-vous me prévenir dès le retour en stock ?'],
      en: [() => 'Is there an equivalent part?', () => 'Can you let me know when it is back in stock?'],
    },
    details: ['vehicle'],
  },
];
export const TOPIC_TOTAL = TOPICS.reduce((s, t) => s + t.weight, 0);

export function pickTopic(r: Rand): Topic {
  let x = r.next() * TOPIC_TOTAL;
  for (const t of TOPICS) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return TOPICS[0] as Topic;
}

export const DETAIL: Record<Topic['details'][number], { fr: readonly T[]; en: readonly T[] }> = {
  vehicle: {
    fr: [
      (c) => `Il s'agit d'une ${c.veh} de ${c.year}, code moteur ${c.code}.`,
      (c) => `Véhicule : ${c.veh} (${c.year}).`,
      (c) => `Ma voiture : ${c.veh}, mise en circulation en ${c.year}.`,
    ],
    en: [
      (c) => `The car is a ${c.year} ${c.veh}, engine code ${c.code}.`,
      (c) => `Vehicle: ${c.veh} (${c.year}).`,
      (c) => `It's a ${c.veh}, first registered in ${c.year}.`,
    ],
  },
  vin: {
    fr: [
      (c) => `Mon numéro VIN : ${c.vin}`,
      (c) => `VIN (case E de la carte grise) : ${c.vin}`,
      (c) => `Numéro de châssis : ${c.vin}`,
    ],
    en: [(c) => `My VIN is ${c.vin}.`, (c) => `VIN: ${c.vin}`, (c) => `Chassis number: ${c.vin}`],
  },
  ref: {
    fr: [
      (c) => `La référence est ${c.brand} ${c.ref}.`,
      (c) => `(réf. ${c.brand} ${c.ref})`,
      (c) => `Réf. article : ${c.ref}`,
    ],
    en: [
      (c) => `The part number is ${c.brand} ${c.ref}.`,
      (c) => `(ref. ${c.brand} ${c.ref})`,
      (c) => `Item ref: ${c.ref}`,
    ],
  },
  date: {
    fr: [(c) => `La commande a été passée ${c.orderDate}.`, (c) => `J'ai commandé ${c.orderDate}.`],
    en: [(c) => `The order was placed ${c.orderDate}.`, (c) => `I ordered ${c.orderDate}.`],
  },
  amount: {
    fr: [(c) => `Montant payé : ${c.amount}.`, (c) => `J'ai réglé ${c.amount} par carte bancaire.`],
    en: [(c) => `Amount paid: ${c.amount}.`, (c) => `I paid ${c.amount} by card.`],
  },
  urgent: {
    fr: [
      () => "J'ai rendez-vous au garage samedi prochain.",
      () => 'La voiture est immobilisée en attendant.',
      () => "C'est urgent, j'ai besoin du véhicule pour aller travailler.",
      () => 'Le contrôle technique est la semaine prochaine.',
    ],
    en: [
      () => 'I have a garage appointment next Saturday.',
      () => 'The car is off the road until then.',
      () => 'This is urgent, I need the car to get to work.',
      () => 'The MOT is next week.',
    ],
  },
  carrier: {
    fr: [(c) => `Transporteur : ${c.carrier}.`, (c) => `Le colis est parti en ${c.carrier}.`],
    en: [(c) => `Carrier: ${c.carrier}.`, (c) => `It was shipped with ${c.carrier}.`],
  },
};

export const GREET = {
  fr: [
    'Bonjour,',
    'Bonjour,',
    'Bonjour,',
    'Bonjour Madame, Monsieur,',
    'Bonsoir,',
    'Madame, Monsieur,',
    "Bonjour à toute l'équipe,",
    'Hello,',
    'Bonjour,',
  ],
  en: ['Hello,', 'Hi,', 'Hi there,', 'Dear Sir or Madam,', 'Good morning,', 'Dear support team,', 'Hello,', 'Hi,'],
};
export const OPENER = {
  fr: [
    'Je me permets de vous contacter car j’ai un souci.',
    'Je suis client chez vous depuis plusieurs années.',
    "J'ai essayé de vous joindre par téléphone sans succès.",
    'Je vous écris au sujet de ma dernière commande.',
    'Petite question :',
  ],
  en: [
    "I'm writing because I have a problem.",
    "I've been a customer for a few years now.",
    'I tried to call you but could not get through.',
    "I'm writing about my last order.",
    'Quick question:',
  ],
};
export const CLOSE1 = {
  fr: [
    "Merci d'avance pour votre retour.",
    'Dans l’attente de votre réponse,',
    'Merci de me tenir informé.',
    'Merci par avance,',
    "Merci d'avance,",
    'En vous remerciant,',
  ],
  en: [
    'Thanks in advance.',
    'Looking forward to hearing from you.',
    'Please keep me posted.',
    'Many thanks,',
    'Thanks for your help,',
  ],
};
export const SIGNOFF = {
  fr: ['Cordialement,', 'Bien cordialement,', 'Bonne journée,', 'Salutations,', 'Bien à vous,', 'Cdlt'],
  en: ['Kind regards,', 'Best regards,', 'Regards,', 'Thanks,', 'Cheers,', 'Best,'],
};
export const MOBILE = {
  fr: [
    'Envoyé de mon iPhone',
    'Envoyé de mon iPhone',
    'Envoyé depuis mon smartphone Samsung Galaxy.',
    'Envoyé à partir de Outlook pour Android',
    'Envoyé de mon appareil Huawei',
  ],
  en: [
    'Sent from my iPhone',
    'Sent from my iPhone',
    'Sent from my Galaxy',
    'Get Outlook for Android',
    'Sent from Yahoo Mail for iPhone',
  ],
};
export const DISCLAIMER = {
  fr: [
    "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses destinataires. Toute utilisation ou diffusion non autorisée est interdite. Si vous avez reçu ce message par erreur, merci d'en avertir immédiatement l'expéditeur et de le détruire.",
    "Pensez à l'environnement avant d'imprimer ce message.",
    "AVERTISSEMENT : ce courriel peut contenir des informations confidentielles. Si vous n'êtes pas le destinataire, merci de le supprimer.",
  ],
  en: [
    'This email and any attachments are confidential and intended solely for the addressee. If you have received this email in error please notify the sender immediately and delete it. Any views expressed are those of the author.',
    'Please consider the environment before printing this email.',
    'CONFIDENTIALITY NOTICE: this message may contain privileged information. If you are not the intended recipient, please delete it.',
  ],
};
export const ATTACH_LINE = {
  fr: [
    'Je vous joins une photo.',
    'Ci-joint la facture.',
    'Vous trouverez en pièce jointe la photo de la pièce.',
    'Je joins le bon de livraison.',
    'PJ : photo de la carte grise',
  ],
  en: [
    'Photo attached.',
    'Please find the invoice attached.',
    'I have attached a picture of the part.',
    'Delivery note attached.',
    'Attached: photo of the registration document',
  ],
};
export const FOLLOWUP = {
  fr: [
    "Je n'ai toujours pas de réponse à mon message ci-dessous. Pouvez-vous me tenir au courant ?",
    'Je me permets de vous relancer, toujours aucune nouvelle depuis mon dernier message.',
    'Merci pour votre retour. Voici les informations demandées :',
    "Bonne nouvelle, j'ai bien reçu le colis ce matin. Vous pouvez clôturer la demande, merci !",
    'Toujours rien reçu à ce jour, je commence à perdre patience.',
    'Pour compléter ma demande :',
    "Finalement le garage a pu monter la pièce, tout est rentré dans l'ordre.",
    'Je vous renvoie mon message car je pense qu’il s’est perdu.',
  ],
  en: [
    "I still haven't had a reply to my message below. Could you give me an update?",
    'Just following up on this, no news since my last email.',
    "Thanks for getting back to me. Here's the information you asked for:",
    'Good news, the parcel arrived this morning. You can close this request, thanks!',
    "Still nothing received, I'm starting to lose patience.",
    'To add to my request:',
    'In the end the garage managed to fit the part, all sorted now.',
    'Resending my message as I think it got lost.',
  ],
};
export const LAZY_SUBJ = {
  fr: ['Question', 'Urgent', 'Renseignement', 'problème commande', 'Demande', 'SAV'],
  en: ['Question', 'Urgent', 'help', 'Enquiry', 'Problem', 'Request'],
};
